"""The United States' rules: criticism, calls to halt, the threat to suspend and the
suspension of the channel with Russia."""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import Action, Effect, Emission, Quantity, Rule, hazard, strikes_mean
from sim.model.world import Situation
from sim.scenario_types import CeasefireState

CRITICISE = Emission("USA", ("RUS",), "112")
CALL_HALT = Emission("USA", ("RUS", "GOV"), "0256")
THREATEN = Emission("USA", ("RUS",), "134")
SUSPEND = Emission("USA", ("RUS",), "164")
SHELVE = Emission("USA", ("RUS",), "160")
PHONE_BY_US = Emission("USA", ("RUS",), "041")
PHONE_BY_RUS = Emission("RUS", ("USA",), "041")


def decide_criticism(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Criticise Russian strikes; call on the government and its supporters to halt."""
    events = ()
    if u[0] < hazard(p["us_criticism_rate"] * s.rus_strikes_yesterday / 100.0):
        events = (CRITICISE.to("RUS", "says Russian strikes hit civilians and Assad's foes"),)
    prob = forced
    if prob is None:
        prob = p["us_call_halt_prob"] * min(1.0, strikes_mean(s, p) / p["us_call_halt_saturation"])
    if u[1] < prob:
        text = "calls on the government and its supporters to halt the bombardment"
        events += (CALL_HALT.to("GOV", text), CALL_HALT.to("RUS", text))
    return [Action("us_criticism", events)] if events else []


def decide_threat(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Threaten to suspend the channel once a ceasefire the US brokered has collapsed and
    `us_threat_after_days` days of heavy strikes followed; never while a ceasefire is being
    negotiated or holds."""
    if s.us_threat_day is not None or not s.channel_open:
        return []
    if s.ceasefire is not CeasefireState.COLLAPSED or s.escalation_days < p["us_threat_after_days"]:
        return []
    prob = p["us_threat_prob"] if forced is None else forced
    if u[0] < prob:
        return [Action("us_threat", (THREATEN.to("RUS", "threatens to suspend talks with Russia"),), "us_threat")]
    return []


def suspension(shelve_plans: bool) -> Action:
    """The US suspends the channel (and shelves the joint military plans)."""
    events = (SUSPEND.to("RUS", "suspends bilateral talks with Russia"),)
    if shelve_plans:
        events += (SHELVE.to("RUS", "shelves joint military plans with Russia"),)
    return Action("us_suspend", events, "channel_suspend")


def decide_suspend(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """After the threat and a delay for talks, suspend the channel if strikes go on."""
    if s.us_threat_day is None or not s.channel_open:
        return []
    actions = []
    if u[1] < p["us_phone_prob"]:
        text = "Kerry and Lavrov talk by telephone"
        actions.append(Action("us_suspend", (PHONE_BY_US.to("RUS", text), PHONE_BY_RUS.to("USA", text))))
    due = s.day - s.us_threat_day >= p["us_suspend_delay"]
    prob = forced
    if prob is None:
        prob = p["us_suspend_prob"] if due and s.rus_strikes_yesterday > 0 else 0.0
    if u[0] < prob:
        actions.append(suspension(shelve_plans=True))
    return actions


def _threat(model, action: Action) -> None:
    model.world.us_threat_day = model.day
    model.milestone("us_threat")
    model.record(action)


def _suspend(model, action: Action) -> None:
    model.set_channel_or_edge("USA", "RUS", "channel", False)
    model.record(action)


def _script_suspend(model) -> None:
    if model.actor_network.is_open("USA", "RUS", "channel"):
        model.apply(suspension(shelve_plans=False))


def _script_restore(model) -> None:
    # No event: the rule declares none for a restored channel (and a new code would add an
    # outcome column to every run).
    if not model.actor_network.is_open("USA", "RUS", "channel"):
        model.actor_network.set_open("USA", "RUS", "channel", True)


RULES = (
    Rule("us_criticism", "USA", Quantity.PROBABILITY, "daily probability of a call to halt", 2,
         (CRITICISE, CALL_HALT),
         ("us_criticism_rate", "us_call_halt_prob", "violence_window_days", "us_call_halt_saturation"),
         "The US criticises Russian strikes and calls on the government and its supporters "
         "to halt the bombardment",
         decide_criticism),
    Rule("us_threat", "USA", Quantity.PROBABILITY, "daily probability of threatening to suspend", 1, (THREATEN,),
         ("us_threat_after_days", "us_threat_prob"),
         "After a ceasefire it brokered collapsed and heavy strikes went on, the US threatens "
         "to suspend the channel",
         decide_threat, (Effect("us_threat", 14, _threat),)),
    Rule("us_suspend", "USA", Quantity.PROBABILITY, "daily probability of suspending the channel", 2,
         (SUSPEND, SHELVE, PHONE_BY_US, PHONE_BY_RUS),
         ("us_phone_prob", "us_suspend_delay", "us_suspend_prob"),
         "After the threat and a delay for talks, the US suspends the channel if strikes "
         "go on",
         decide_suspend, (Effect("channel_suspend", 15, _suspend),),
         {"channel_suspend": _script_suspend, "channel_restore": _script_restore}),
)  # fmt: skip
