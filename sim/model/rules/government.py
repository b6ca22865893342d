"""The Syrian government's rules: the offensive, its own bombardment, its stance on the talks."""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import (
    Action,
    Effect,
    Emission,
    Quantity,
    Rule,
    hazard,
    strike_action,
    strike_counts,
)
from sim.model.rules.world_rules import STRIKES, collapse, monitoring_factor
from sim.model.world import Situation
from sim.scenario_types import CeasefireState

ADVANCE = Emission("GOV", ("OPP",), "190")  # also the breaking of a siege
CAPTURE = Emission("GOV", ("OPP",), "192")
CUT_ROUTE = Emission("GOV", ("OPP",), "191")
STRIKE = Emission("GOV", ("OPP",), "195")
BLAME = Emission("GOV", ("OPP",), "112")
DENY = Emission("GOV", ("USA", "OPP"), "016")
DECLARE_OVER = Emission("GOV", ("OPP",), "1246")


def decide_offensive(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Advance along the axis; the capture hazard rises with yesterday's air support."""
    if not s.offensive:
        # After a ceasefire collapses the government may launch an offensive.
        if s.ceasefire is CeasefireState.COLLAPSED and s.axis_target is not None and u[1] < p["gov_offensive_launch_prob"]:
            return [Action("gov_offensive", (), "offensive_start")]
        return []
    target = s.axis_target
    if target is None:  # the axis is taken: the offensive is over
        return [Action("gov_offensive", (), "offensive_end")]
    label = s.labels[target]
    events = [ADVANCE.to("OPP", f"offensive towards {label}")]
    h = forced
    if h is None and s.axis_target_retaken is not None and s.day - s.axis_target_retaken < p["gov_regroup_days"]:
        h = 0.0  # the opposition just retook it: the government regroups before it attacks again
    if h is None:
        rate = p["gov_capture_base"] + p["gov_air_support_gain"] * s.air_support / 100.0
        if s.day <= s.support_until:
            rate *= 1.0 - p["backer_support_effect"]
        h = hazard(rate)
    if u[0] < h:
        events.append(CAPTURE.to("OPP", f"captures {label}"))
        return [Action("gov_offensive", tuple(events), "capture", target)]
    return [Action("gov_offensive", tuple(events))]


def decide_bombardment(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Government air and artillery strikes on opposition-held localities."""
    rate = forced
    if rate is None:
        rate = p["gov_strike_rate"]
        if s.ceasefire is CeasefireState.IN_EFFECT:
            rate *= 1.0 - p["gov_ceasefire_compliance"]
        if s.jic:
            rate *= p["jic_strike_factor"]
    return [strike_action("gov_bombardment", STRIKE, "GOV", strike_counts(s, p, rate, u), s.labels)]


def decide_talks_stance(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Blame the opposition for walk-outs and pauses; deny accusations."""
    prob = p["gov_blame_prob"] if forced is None else forced
    events = []
    if (s.opp_walked_out_yesterday or s.talks_paused_yesterday) and u[0] < prob:
        events.append(BLAME.to("OPP", "blames the opposition's preconditions"))
    accusers = sorted(set(s.received("GOV", "112")) & {"USA", "OPP"})
    if accusers and u[1] < p["gov_deny_prob"]:
        events += [DENY.to(a, "rejects accusations of killing civilians") for a in accusers]
    return [Action("gov_talks_stance", tuple(events))] if events else []


def grievance(s: Situation, p: Mapping[str, float]) -> float:
    """G: attacks on the government's forces under the ceasefire over the last
    `ceasefire_violation_days` days, each weighted (an opposition attack 1)."""
    start = s.day - p["ceasefire_violation_days"]
    return sum(weight for day, weight in s.grievance if day >= start)


def decide_truce(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Declare the ceasefire over, with a hazard rising with the attacks on its forces; a
    joint body monitoring the ceasefire lowers it."""
    if s.ceasefire is not CeasefireState.IN_EFFECT:
        return []
    prob = forced
    if prob is None:
        prob = hazard(p["gov_truce_end_rate"] * grievance(s, p)) * monitoring_factor(s.monitored, p)
    if u[0] < prob:
        return [Action("gov_truce", (DECLARE_OVER.to("OPP", "declares the ceasefire over"),), "truce_end")]
    return []


def _truce_end(model, action: Action) -> None:
    model.record(action)
    model.apply(collapse())


def change_control(model, action: Action, new_control: str) -> None:
    """A locality changes hands: record the action; a capture may break a siege or cut the
    opposition's supply route (events of the offensive)."""
    w, day, terrain = model.world, model.day, model.terrain
    locality = action.payload
    if terrain.control[locality] == new_control:
        return
    near_enclave = any(terrain.kind[n] == "enclave" for n in terrain.neighbours[locality])
    besieged_before = terrain.besieged_enclaves() if new_control == "GOV" and near_enclave else set()
    terrain.set_control(locality, new_control)
    model.record(action)
    if new_control == "GOV":
        model.milestone("capture")
        w.captures.append(locality)
        w.lost_on[locality] = day
        relieved = besieged_before - terrain.besieged_enclaves() if besieged_before else set()
        if relieved:
            names = " and ".join(sorted(terrain.labels[n] for n in relieved))
            model.emit("gov_offensive", (ADVANCE.to("OPP", f"breaks the siege of {names}"),))
    else:
        w.lost_on.pop(locality, None)
        w.retaken_on[locality] = day
    was_open = w.supply_open
    w.supply_open = terrain.supply_route_open()
    if was_open and not w.supply_open:
        if w.supply_cut_day is None:
            w.supply_cut_day = day
        model.milestone("supply_route_cut")
        model.emit("gov_offensive", (CUT_ROUTE.to("OPP", "cuts the opposition's supply route"),))


def _capture(model, action: Action) -> None:
    change_control(model, action, "GOV")


def _offensive_start(model, action: Action) -> None:
    w = model.world
    w.offensive, w.offensive_start_day = True, model.day
    model.milestone("offensive_start")
    model.milestone("strikes_escalate")  # Russia's air support rises with the offensive
    model.record(action)


def _offensive_end(model, action: Action) -> None:
    model.world.offensive = False


def _script_offensive_start(model) -> None:
    if not model.world.offensive:
        model.apply(Action("gov_offensive", (), "offensive_start"))


def _script_offensive_stop(model) -> None:
    model.world.offensive = False


RULES = (
    Rule("gov_offensive", "GOV", Quantity.PROBABILITY, "daily probability of capturing the next locality", 2,
         (ADVANCE, CAPTURE, CUT_ROUTE),
         ("gov_offensive_launch_prob", "gov_regroup_days", "gov_capture_base", "gov_air_support_gain",
          "backer_support_effect"),
         "The government's offensive captures frontline localities with a hazard that rises "
         "with air support (not one the opposition retook days before); breaking a siege and "
         "cutting the supply route are events",
         decide_offensive, (Effect("capture", 5, _capture), Effect("offensive_start", 7, _offensive_start),
                            Effect("offensive_end", 33, _offensive_end)),
         {"offensive_start": _script_offensive_start, "offensive_stop": _script_offensive_stop}),
    Rule("gov_bombardment", "GOV", Quantity.RATE, "government strikes per day", 2, (STRIKE,),
         ("gov_strike_rate", "gov_ceasefire_compliance", "jic_strike_factor", "strike_weight_frontline",
          "strike_weight_rear", "strike_target_factor"),
         "Government air and artillery strikes on opposition-held localities",
         decide_bombardment, (STRIKES,)),
    Rule("gov_truce", "GOV", Quantity.PROBABILITY, "daily probability of declaring the ceasefire over", 1,
         (DECLARE_OVER,), ("ceasefire_violation_days", "gov_truce_end_rate", "monitoring_fragility_factor"),
         "The government declares the ceasefire over with a hazard rising with the attacks on "
         "its forces; joint monitoring lowers it",
         decide_truce, (Effect("truce_end", 19, _truce_end),)),
    Rule("gov_talks_stance", "GOV", Quantity.PROBABILITY, "probability of blaming the opposition", 2,
         (BLAME, DENY), ("gov_blame_prob", "gov_deny_prob"),
         "The government blames the opposition for walk-outs and pauses and denies "
         "accusations",
         decide_talks_stance),
)  # fmt: skip
