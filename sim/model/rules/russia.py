"""Russia's rules: air strikes backing the government, answers to calls to halt, the drawdown,
rhetoric."""

from __future__ import annotations

from sim.model.rules.base import (
    Effect,
    Emission,
    Quantity,
    Rule,
)
from sim.model.rules.world_rules import STRIKES

STRIKE = Emission("RUS", ("OPP",), "195")
REFUSE = Emission("RUS", ("ENVOY", "USA"), "1246")
AGREE = Emission("RUS", ("ENVOY", "USA"), "087")
COUNTER_ACCUSE = Emission("RUS", ("USA",), "112")
DENY = Emission("RUS", ("USA",), "016")
REGRET = Emission("RUS", ("USA",), "110")
DRAW_DOWN = Emission("RUS", ("GOV",), "087")

#: CAMEO code of an event addressed to Russia -> the parameter weighing it as pressure (a call
#: to halt, an appeal, a ceasefire call, a threat to suspend the channel, an accusation).
PRESSURE_PARAMETERS = {
    "0256": "rus_pressure_weight_call",
    "020": "rus_pressure_weight_ceasefire_call",
    "022": "rus_pressure_weight_appeal",
    "134": "rus_pressure_weight_threat",
    "112": "rus_pressure_weight_accusation",
}


RULES = (
    Rule("rus_strikes", "RUS", Quantity.RATE, "Russian strikes per day", 2, (STRIKE,),
         ("rus_strike_rate", "rus_offensive_strike_rate", "rus_ceasefire_compliance", "jic_strike_factor",
          "rus_halt_reduction", "rus_drawdown_share", "strike_weight_frontline", "strike_weight_rear", "strike_target_factor"),
         "Russia strikes opposition-held localities at a rate that rises during a government "
         "offensive and falls under a ceasefire, a halt or the JIC; a halt's end is recorded",
         "decide_rus_strikes", (STRIKES, Effect("halt_over", 38))),
    Rule("rus_halt_response", "RUS", Quantity.PROBABILITY, "probability of refusing a call to halt", 2,
         (REFUSE, AGREE),
         ("rus_refuse_prob", "rus_pressure_sensitivity", "rus_halt_days", "rus_pressure_memory_days",
          *PRESSURE_PARAMETERS.values(), "rus_isolation_effect"),
         "Russia refuses calls to halt its strikes; pressure received, and isolation once the "
         "channel is suspended, lower the odds",
         "decide_rus_halt_response", (Effect("rus_refuse", 3), Effect("rus_halt", 4))),
    Rule("rus_drawdown", "RUS", Quantity.PROBABILITY, "daily probability of drawing down", 1, (DRAW_DOWN,),
         ("rus_drawdown_quiet_days", "rus_drawdown_prob"),
         "Once a ceasefire has held for a while, Russia draws down part of its forces (its "
         "strikes fall for good)",
         "decide_rus_drawdown", (Effect("drawdown", 34),)),
    Rule("rus_rhetoric", "RUS", Quantity.PROBABILITY, "probability of answering an accusation", 2,
         (COUNTER_ACCUSE, DENY, REGRET),
         ("rus_counter_accuse_prob", "rus_accuse_share"),
         "Russia answers US accusations with counter-accusations or denials, and the "
         "suspension of the channel with regret and blame",
         "decide_rus_rhetoric"),
)  # fmt: skip
