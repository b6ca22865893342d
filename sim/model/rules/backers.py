"""The backers' rule: answering the opposition's appeal with military aid.

Every backer runs it: the US and any actor a scenario adds as a backer (OTHER in the events).
"""

from __future__ import annotations

from sim.model.rules.base import Effect, Emission, Quantity, Rule

AID = Emission("BACKER", ("OPP",), "072")


RULES = (
    Rule("backer_support", "BACKER", Quantity.PROBABILITY, "probability of answering an appeal with aid", 4, (AID,),
         ("backer_support_prob", "backer_support_days"),
         "A backer answers its party's appeal with military aid",
         "decide_backer_support", (Effect("support", 16),)),
)  # fmt: skip
