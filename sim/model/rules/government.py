"""The Syrian government's rules: the offensive, its own bombardment, its stance on the talks."""

from __future__ import annotations

from sim.model.rules.base import (
    Effect,
    Emission,
    Quantity,
    Rule,
)
from sim.model.rules.world_rules import STRIKES

ADVANCE = Emission("GOV", ("OPP",), "190")  # also the breaking of a siege
CAPTURE = Emission("GOV", ("OPP",), "192")
CUT_ROUTE = Emission("GOV", ("OPP",), "191")
STRIKE = Emission("GOV", ("OPP",), "195")
BLAME = Emission("GOV", ("OPP",), "112")
DENY = Emission("GOV", ("USA", "OPP"), "016")
DECLARE_OVER = Emission("GOV", ("OPP",), "1246")


RULES = (
    Rule("gov_offensive", "GOV", Quantity.PROBABILITY, "daily probability of capturing the next locality", 2,
         (ADVANCE, CAPTURE, CUT_ROUTE),
         ("gov_offensive_launch_prob", "gov_regroup_days", "gov_capture_base", "gov_air_support_gain",
          "backer_support_effect"),
         "The government's offensive captures frontline localities with a hazard that rises "
         "with air support (not one the opposition retook days before); breaking a siege and "
         "cutting the supply route are events",
         "decide_gov_offensive", (Effect("capture", 5), Effect("offensive_start", 7),
                            Effect("offensive_end", 33)),
         ("offensive_start", "offensive_stop",)),
    Rule("gov_bombardment", "GOV", Quantity.RATE, "government strikes per day", 2, (STRIKE,),
         ("gov_strike_rate", "gov_ceasefire_compliance", "jic_strike_factor", "strike_weight_frontline",
          "strike_weight_rear", "strike_target_factor"),
         "Government air and artillery strikes on opposition-held localities",
         "decide_gov_bombardment", (STRIKES,)),
    Rule("gov_truce", "GOV", Quantity.PROBABILITY, "daily probability of declaring the ceasefire over", 1,
         (DECLARE_OVER,), ("ceasefire_violation_days", "gov_truce_end_rate", "monitoring_fragility_factor"),
         "The government declares the ceasefire over with a hazard rising with the attacks on "
         "its forces; joint monitoring lowers it",
         "decide_gov_truce", (Effect("truce_end", 19),)),
    Rule("gov_talks_stance", "GOV", Quantity.PROBABILITY, "probability of blaming the opposition", 2,
         (BLAME, DENY), ("gov_blame_prob", "gov_deny_prob"),
         "The government blames the opposition for walk-outs and pauses and denies "
         "accusations",
         "decide_gov_talks_stance"),
)  # fmt: skip
