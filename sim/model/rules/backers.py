"""The backers' rule: answering the opposition's appeal with military aid.

Every backer runs it: the US and any actor a scenario adds as a backer (OTHER in the events).
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import Action, Effect, Emission, Quantity, Rule
from sim.model.world import Situation

AID = Emission("BACKER", ("OPP",), "072")


def decide_support(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None,
                   backer: str = "USA") -> list[Action]:
    """Answer the opposition's appeal for weapons with military aid.

    Each backer uses its own uniform column (its position among the run's backers), so that
    adding a backer does not change the US's draws.
    """
    if "OPP" not in s.received(backer, "0232"):
        return []
    prob = p["backer_support_prob"] if forced is None else forced
    if u[s.backers.index(backer) % len(u)] < prob:
        days = int(round(p["backer_support_days"]))
        return [Action("backer_support", (AID.by(backer, "OPP", "sends weapons to the rebels"),), "support", days)]
    return []


def _support(model, action: Action) -> None:
    model.world.support_until = model.day + action.payload
    model.record(action)


RULES = (
    Rule("backer_support", "BACKER", Quantity.PROBABILITY, "probability of answering an appeal with aid", 4, (AID,),
         ("backer_support_prob", "backer_support_days"),
         "A backer answers its party's appeal with military aid",
         decide_support, (Effect("support", 16, _support),)),
)  # fmt: skip
