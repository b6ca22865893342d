"""The opposition's rules: ultimatum, walk-out, demands, appeals, return, counter-attacks."""

from __future__ import annotations

from sim.model.rules.base import (
    Effect,
    Emission,
    Quantity,
    Rule,
)

ULTIMATUM = Emission("OPP", ("GOV",), "139")
WALKOUT = Emission("OPP", ("ENVOY",), "164")
DEMAND = Emission("OPP", ("GOV",), "125")
APPEAL = Emission("OPP", ("BACKER",), "0232")
ACCUSE = Emission("OPP", ("RUS",), "112")
RETURN = Emission("OPP", ("ENVOY",), "036")
COUNTERATTACK = Emission("OPP", ("GOV",), "190")  # also an attack during a ceasefire
RETAKE = Emission("OPP", ("GOV",), "192")


RULES = (
    Rule("opp_ultimatum", "OPP", Quantity.PROBABILITY, "daily probability of an ultimatum", 1, (ULTIMATUM,),
         ("opp_threat_base", "opp_threat_strike_gain", "violence_window_days", "opp_precondition_weight",
          "opp_preconditions", "opp_ultimatum_days"),
         "Under bombardment the opposition threatens to bring down the talks within a "
         "deadline unless the offensive ends",
         "decide_opp_ultimatum", (Effect("ultimatum", 8),)),
    Rule("opp_walkout", "OPP", Quantity.PROBABILITY, "daily probability of walking out", 1, (WALKOUT,),
         ("violence_window_days", "opp_return_strike_level", "opp_walkout_base", "opp_walkout_strike_gain",
          "opp_precondition_weight", "opp_preconditions"),
         "The opposition walks out of the talks: at the end of an unmet ultimatum, or with a "
         "hazard rising with strikes on its towns and its preconditions",
         "decide_opp_walkout", (Effect("walkout", 9),)),
    Rule("opp_demands", "OPP", Quantity.PROBABILITY, "daily probability of restating its conditions", 1, (DEMAND,),
         ("opp_preconditions", "opp_demand_prob"),
         "The opposition refuses to negotiate unless the bombardment stops (its "
         "preconditions)",
         "decide_opp_demands"),
    Rule("opp_appeal", "OPP", Quantity.PROBABILITY, "probability of appealing to backers", 2, (APPEAL, ACCUSE),
         ("opp_appeal_prob", "opp_accuse_rate"),
         "After losing a locality the opposition appeals to its backers for weapons; under "
         "strikes it accuses Russia",
         "decide_opp_appeal"),
    Rule("opp_return", "OPP", Quantity.PROBABILITY, "probability of returning when strikes are low", 1, (RETURN,),
         ("violence_window_days", "opp_return_strike_level"),
         "An absent opposition returns once strikes fall below its level",
         "decide_opp_return", (Effect("return", 10),)),
    Rule("opp_counterattack", "OPP", Quantity.PROBABILITY, "daily probability of retaking a locality", 2,
         (COUNTERATTACK, RETAKE), ("opp_counter_prob", "opp_counter_window_days", "opp_violation_prob"),
         "The opposition retakes recently lost localities and attacks during a ceasefire",
         "decide_opp_counterattack", (Effect("violation", 2), Effect("recapture", 6))),
)  # fmt: skip
