"""The rules of the world: the ceasefire, the Joint Implementation Center, a political
agreement, and civilian harm (with the strikes' effect on the terrain, which it measures).

The ceasefire, the JIC and the agreement run in the evening, one after the other, on the world
as the day's actions left it: `decide(s, w, p, u, forced)` with the morning's situation `s`
and the `World` `w`. Each one's actions take effect before the next decides.
"""

from __future__ import annotations

from sim.model.rules.base import Effect, Emission, Quantity, Rule

AGREE_BY_US = Emission("USA", ("RUS",), "057")
AGREE_BY_RUS = Emission("RUS", ("USA",), "057")
# The published terms are the formal agreement (057, as the record codes the joint statement of
# 22 Feb 2016 and the deal of 9 Sep 2016); the agreement to seek one is coded 057 too (Munich).
TERMS_BY_US = Emission("USA", ("RUS",), "057")
TERMS_BY_RUS = Emission("RUS", ("USA",), "057")
ACCEPT_BY_GOV = Emission("GOV", ("OPP",), "0356")
ACCEPT_BY_OPP = Emission("OPP", ("GOV",), "0356")
COALITION_STRIKE = Emission("USA", ("GOV",), "195")
IN_EFFECT_BY_GOV = Emission("GOV", ("OPP",), "0871")
IN_EFFECT_BY_OPP = Emission("OPP", ("GOV",), "0871")
BLAME_BY_US = Emission("USA", ("RUS",), "112")
BLAME_BY_RUS = Emission("RUS", ("USA",), "112")
JIC_BY_US = Emission("USA", ("RUS",), "062")
JIC_BY_RUS = Emission("RUS", ("USA",), "062")
AGREEMENT_BY_GOV = Emission("GOV", ("OPP",), "057")
AGREEMENT_BY_OPP = Emission("OPP", ("GOV",), "057")


#: The strikes of Russia and the government land: tallies by actor and locality, harm.
STRIKES = Effect("strikes", 1)


RULES = (
    Rule("talks_agreement", "WORLD", Quantity.PROBABILITY, "daily probability of a political agreement", 1,
         (AGREEMENT_BY_GOV, AGREEMENT_BY_OPP), ("talks_agreement_prob",),
         "A political agreement, possible only while both parties attend under a ceasefire",
         "decide_agreement", (Effect("agreement", 32),)),
    Rule("ceasefire", "WORLD", Quantity.PROBABILITY, "daily probability that the backers agree to seek a ceasefire", 4,
         (AGREE_BY_US, AGREE_BY_RUS, TERMS_BY_US, TERMS_BY_RUS, ACCEPT_BY_GOV, ACCEPT_BY_OPP, IN_EFFECT_BY_GOV,
          IN_EFFECT_BY_OPP, BLAME_BY_US, BLAME_BY_RUS),
         ("us_escalation_level", "violence_window_days", "envoy_resume_level", "ceasefire_call_memory_days",
          "ceasefire_agree_prob", "ceasefire_terms_days", "ceasefire_start_days", "ceasefire_accept_prob",
          "ceasefire_quiet_level", "ceasefire_violation_days", "ceasefire_fragility", "monitoring_fragility_factor",
          "ceasefire_task_force"),
         "The backers agree through their channel to seek a ceasefire, publish its terms and "
         "start date, the parties accept, it comes into effect; it collapses with a hazard "
         "rising with violations, lower under joint monitoring",
         "decide_ceasefire",
         (Effect("escalation_day", 20), Effect("ceasefire_agreed", 21),
          Effect("ceasefire_terms", 25), Effect("ceasefire_accepted", 26),
          Effect("ceasefire_in_effect", 22), Effect("quiet_day", 23),
          Effect("ceasefire_collapse", 24)),
         ('ceasefire_agreed', 'ceasefire_terms', 'ceasefire_in_effect', 'ceasefire_collapse',)),
    Rule("jic", "WORLD", Quantity.PROBABILITY, "probability that the JIC forms after the quiet days", 1,
         (JIC_BY_US, JIC_BY_RUS), ("jic_quiet_days", "jic_formation_prob"),
         "After enough quiet days the Joint Implementation Center may come into force and "
         "cut strike rates",
         "decide_jic", (Effect("jic", 30),), ("jic_in_force",)),
    Rule("coalition_strike", "WORLD", Quantity.RATE, "nothing (a scheduled event only)", 0, (COALITION_STRIKE,),
         ("gov_grievance_backer_strike",),
         "A scheduled strike of the opposition's backer's coalition on government forces: "
         "under a ceasefire, a grievance of the government",
         None, (Effect("coalition_strike", 27),), ("coalition_strike",)),
    Rule("civilian_harm", "WORLD", Quantity.RATE, "civilians killed per strike", 0, (),
         ("harm_per_strike", "harm_half_population"),
         "Civilians killed: strikes on opposition-held localities times harm per strike, "
         "scaled by population (a measurement, not a behaviour)",
         None),
)  # fmt: skip

#: The world rules that decide in the evening, in their order.
EVENING = ("ceasefire", "jic", "talks_agreement")
