"""The opposition's rules: ultimatum, walk-out, demands, appeals, return, counter-attacks."""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import (
    Action,
    Effect,
    Emission,
    Quantity,
    Rule,
    hazard,
    sigmoid,
    strikes_mean,
)
from sim.model.rules.government import change_control
from sim.model.world import Situation
from sim.scenario_types import CeasefireState, TalksState

ULTIMATUM = Emission("OPP", ("GOV",), "139")
WALKOUT = Emission("OPP", ("ENVOY",), "164")
DEMAND = Emission("OPP", ("GOV",), "125")
APPEAL = Emission("OPP", ("BACKER",), "0232")
ACCUSE = Emission("OPP", ("RUS",), "112")
RETURN = Emission("OPP", ("ENVOY",), "036")
COUNTERATTACK = Emission("OPP", ("GOV",), "190")  # also an attack during a ceasefire
RETAKE = Emission("OPP", ("GOV",), "192")


def attending(s: Situation) -> bool:
    """Whether the talks are in session with the opposition present."""
    return s.talks is TalksState.IN_SESSION and s.opp_present


def pressure_logit(s: Situation, p: Mapping[str, float], base: str, gain: str) -> float:
    """Log-odds of an ultimatum or a walk-out: base + gain x S/100 + the preconditions."""
    return p[base] + p[gain] * strikes_mean(s, p) / 100.0 + p["opp_precondition_weight"] * p["opp_preconditions"]


def decide_ultimatum(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """'Bring down the negotiations within three days unless the offensive ended'."""
    if not attending(s) or s.ultimatum_running:
        return []
    prob = forced
    if prob is None:
        prob = sigmoid(pressure_logit(s, p, "opp_threat_base", "opp_threat_strike_gain"))
    if u[0] < prob:
        days = int(round(p["opp_ultimatum_days"]))
        text = f"threatens to bring down the talks within {days} days unless the offensive ends"
        return [Action("opp_ultimatum", (ULTIMATUM.to("GOV", text),), "ultimatum", days)]
    return []


def decide_walkout(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Walk out when an ultimatum runs out unmet, or at a hazard rising with strikes."""
    if not attending(s):
        return []
    prob = forced
    if prob is None:
        unmet = s.offensive or strikes_mean(s, p) > p["opp_return_strike_level"]
        if s.ultimatum_expired and unmet:
            prob = 1.0
        else:
            prob = sigmoid(pressure_logit(s, p, "opp_walkout_base", "opp_walkout_strike_gain"))
    if u[0] < prob:
        return [Action("opp_walkout", (WALKOUT.to("ENVOY", "walks out of the talks"),), "walkout")]
    return []


def decide_demands(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Refuse to negotiate unless the bombardment stops (while the preconditions hold)."""
    if s.talks is not TalksState.IN_SESSION or p["opp_preconditions"] < 0.5:
        return []
    prob = p["opp_demand_prob"] if forced is None else forced
    if u[0] < prob:
        text = "will not negotiate unless the bombardment stops and sieges are lifted"
        return [Action("opp_demands", (DEMAND.to("GOV", text),))]
    return []


def decide_appeal(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Appeal to its backers for weapons after a loss; accuse Russia under strikes."""
    events = []
    prob = p["opp_appeal_prob"] if forced is None else forced
    if s.lost_yesterday and u[0] < prob:
        for backer in s.opp_backers:
            events.append(APPEAL.to(backer, "appeals to its backers for weapons"))
    if u[1] < hazard(p["opp_accuse_rate"] * s.rus_strikes_yesterday / 100.0):
        events.append(ACCUSE.to("RUS", "accuses Russia of bombing civilians"))
    return [Action("opp_appeal", tuple(events))] if events else []


def decide_return(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Return to the talks once strikes fall below its level ('a change on the ground')."""
    if s.opp_present or s.talks not in (TalksState.IN_SESSION, TalksState.PAUSED):
        return []
    if strikes_mean(s, p) >= p["opp_return_strike_level"]:
        return []
    if u[0] < (1.0 if forced is None else forced):
        return [Action("opp_return", (RETURN.to("ENVOY", "agrees to return to the talks"),), "return")]
    return []


def decide_counterattack(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Retake a recently lost locality; attacks during a ceasefire are violations."""
    actions = []
    prob = p["opp_counter_prob"] if forced is None else forced
    if s.lost_held:
        window = p["opp_counter_window_days"]
        retakeable = [name for name, lost in s.lost_held if s.day - lost <= window]
        if retakeable and u[0] < prob:
            target = retakeable[-1]
            label = s.labels[target]
            events = (COUNTERATTACK.to("GOV", f"counter-attacks at {label}"), RETAKE.to("GOV", f"retakes {label}"))
            actions.append(Action("opp_counterattack", events, "recapture", target))
    if s.ceasefire is CeasefireState.IN_EFFECT and u[1] < p["opp_violation_prob"]:
        events = (COUNTERATTACK.to("GOV", "attacks government positions during the ceasefire"),)
        actions.append(Action("opp_counterattack", events, "violation", 1))
    return actions


def _ultimatum(model, action: Action) -> None:
    w = model.world
    w.ultimatum_deadline = model.day + action.payload
    if w.first_ultimatum_day is None:
        w.first_ultimatum_day = model.day
    model.record(action)


def _walkout(model, action: Action) -> None:
    w = model.world
    w.opp_present, w.ultimatum_deadline = False, None
    w.walkout_announced = True
    if w.first_walkout_day is None:
        w.first_walkout_day = model.day
    model.milestone("opp_absent")
    model.record(action)


def _return(model, action: Action) -> None:
    model.world.opp_present = True
    model.milestone("opp_attends")
    model.record(action)


def _recapture(model, action: Action) -> None:
    change_control(model, action, "OPP")


def _violation(model, action: Action) -> None:
    model.today["violations"] += action.payload
    model.world.attacks_on_gov.append((model.day, float(action.payload)))
    model.record(action)


RULES = (
    Rule("opp_ultimatum", "OPP", Quantity.PROBABILITY, "daily probability of an ultimatum", 1, (ULTIMATUM,),
         ("opp_threat_base", "opp_threat_strike_gain", "violence_window_days", "opp_precondition_weight",
          "opp_preconditions", "opp_ultimatum_days"),
         "Under bombardment the opposition threatens to bring down the talks within a "
         "deadline unless the offensive ends",
         decide_ultimatum, (Effect("ultimatum", 8, _ultimatum),)),
    Rule("opp_walkout", "OPP", Quantity.PROBABILITY, "daily probability of walking out", 1, (WALKOUT,),
         ("violence_window_days", "opp_return_strike_level", "opp_walkout_base", "opp_walkout_strike_gain",
          "opp_precondition_weight", "opp_preconditions"),
         "The opposition walks out of the talks: at the end of an unmet ultimatum, or with a "
         "hazard rising with strikes on its towns and its preconditions",
         decide_walkout, (Effect("walkout", 9, _walkout),)),
    Rule("opp_demands", "OPP", Quantity.PROBABILITY, "daily probability of restating its conditions", 1, (DEMAND,),
         ("opp_preconditions", "opp_demand_prob"),
         "The opposition refuses to negotiate unless the bombardment stops (its "
         "preconditions)",
         decide_demands),
    Rule("opp_appeal", "OPP", Quantity.PROBABILITY, "probability of appealing to backers", 2, (APPEAL, ACCUSE),
         ("opp_appeal_prob", "opp_accuse_rate"),
         "After losing a locality the opposition appeals to its backers for weapons; under "
         "strikes it accuses Russia",
         decide_appeal),
    Rule("opp_return", "OPP", Quantity.PROBABILITY, "probability of returning when strikes are low", 1, (RETURN,),
         ("violence_window_days", "opp_return_strike_level"),
         "An absent opposition returns once strikes fall below its level",
         decide_return, (Effect("return", 10, _return),)),
    Rule("opp_counterattack", "OPP", Quantity.PROBABILITY, "daily probability of retaking a locality", 2,
         (COUNTERATTACK, RETAKE), ("opp_counter_prob", "opp_counter_window_days", "opp_violation_prob"),
         "The opposition retakes recently lost localities and attacks during a ceasefire",
         decide_counterattack, (Effect("violation", 2, _violation), Effect("recapture", 6, _recapture))),
)  # fmt: skip
