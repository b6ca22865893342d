"""Russia's rules: air strikes backing the government, answers to calls to halt, the drawdown,
rhetoric."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from operator import itemgetter

from sim.model.rules.base import (
    Action,
    Effect,
    Emission,
    Quantity,
    Rule,
    logit,
    sigmoid,
    strike_action,
    strike_counts,
)
from sim.model.rules.world_rules import STRIKES
from sim.model.world import Situation
from sim.scenario_types import CeasefireState

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
#: Calls on Russia to halt or help that it answers.
HALT_CALLS = ("0256", "020", "022")
_DAY = itemgetter(0)


def pressure_on_russia(received: tuple[tuple[int, str, float], ...], day: int, p: Mapping[str, float]) -> float:
    """P: pressure that reached Russia from `day - rus_pressure_memory_days` on.

    Args:
        received: (day, CAMEO code, weight of the edge it travelled) of every pressure event,
            in the order received.
        day: today (the morning's situation holds what arrived up to yesterday).
        p: the parameters (`rus_pressure_memory_days` and a weight per code).
    """
    start = bisect_left(received, day - p["rus_pressure_memory_days"], key=_DAY)
    return sum(p[PRESSURE_PARAMETERS[code]] * weight for _, code, weight in received[start:])


def decide_strikes(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Strikes at a rate that rises during an offensive and falls under a ceasefire, the JIC
    or a halt; the day after a halt's last day, its end (a milestone, unless renewed)."""
    rate = forced
    if rate is None:
        rate = p["rus_offensive_strike_rate"] if s.offensive else p["rus_strike_rate"]
        if s.ceasefire is CeasefireState.IN_EFFECT:
            rate *= 1.0 - p["rus_ceasefire_compliance"]
        if s.jic:
            rate *= p["jic_strike_factor"]
        if s.day <= s.rus_halt_until:
            rate *= 1.0 - p["rus_halt_reduction"]
        if s.rus_drawn_down:
            rate *= 1.0 - p["rus_drawdown_share"]
    actions = [strike_action("rus_strikes", STRIKE, "RUS", strike_counts(s, p, rate, u), s.labels)]
    if s.rus_halt_until >= 0 and s.day == s.rus_halt_until + 1:
        actions.append(Action("rus_strikes", (), "halt_over"))
    return actions


def decide_halt_response(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Refuse (or, rarely, heed) yesterday's calls to halt; pressure lowers the odds."""
    requesters = sorted(set(s.received("RUS", *HALT_CALLS)) & {"ENVOY", "USA"})
    if not requesters:
        return []
    p_refuse = forced
    if p_refuse is None:
        pressure = pressure_on_russia(s.pressure_received, s.day, p)
        isolated = not s.channel_open  # the suspended channel: Russia's cost of going on
        p_refuse = sigmoid(logit(p["rus_refuse_prob"]) - p["rus_pressure_sensitivity"] * pressure
                           - p["rus_isolation_effect"] * isolated)
    if u[0] < p_refuse:
        events = tuple(REFUSE.to(r, "refuses to halt air strikes") for r in requesters)
        return [Action("rus_halt_response", events, "rus_refuse", len(requesters))]
    events = tuple(AGREE.to(r, "agrees to scale back air strikes") for r in requesters)
    return [Action("rus_halt_response", events, "rus_halt", int(round(p["rus_halt_days"])))]


def decide_rhetoric(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Answer US accusations; regret and blame when the channel is suspended."""
    prob = p["rus_counter_accuse_prob"] if forced is None else forced
    events = []
    if s.received("RUS", "164") and u[0] < prob:
        events += [REGRET.to("USA", "regrets the US move"), COUNTER_ACCUSE.to("USA", "blames Washington")]
    elif "USA" in s.received("RUS", "112") and u[0] < prob:
        if u[1] < p["rus_accuse_share"]:
            events.append(COUNTER_ACCUSE.to("USA", "accuses Washington of shielding militants"))
        else:
            events.append(DENY.to("USA", "denies the accusation"))
    return [Action("rus_rhetoric", tuple(events))] if events else []


def decide_drawdown(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Draw down part of its forces once a ceasefire has held `rus_drawdown_quiet_days` quiet
    days in a row (its client's position secured)."""
    if s.rus_drawn_down or s.ceasefire is not CeasefireState.IN_EFFECT:
        return []
    if s.quiet_streak < p["rus_drawdown_quiet_days"]:
        return []
    prob = p["rus_drawdown_prob"] if forced is None else forced
    if u[0] < prob:
        return [Action("rus_drawdown", (DRAW_DOWN.to("GOV", "withdraws the main part of its forces"),), "drawdown")]
    return []


def _refuse(model, action: Action) -> None:
    model.world.rus_refusals += action.payload
    model.milestone("rus_refuses_halt")
    model.record(action)


def _halt(model, action: Action) -> None:
    model.world.rus_halt_until = model.day + action.payload
    model.milestone("rus_halt")
    model.record(action)


def _halt_over(model, action: Action) -> None:
    # A halt agreed again today runs on: only a halt that lapsed ends.
    if model.world.rus_halt_until < model.day:
        model.milestone("rus_halt_ends")


def _drawdown(model, action: Action) -> None:
    model.world.rus_drawdown_day = model.day
    model.milestone("rus_drawdown")
    model.record(action)


RULES = (
    Rule("rus_strikes", "RUS", Quantity.RATE, "Russian strikes per day", 2, (STRIKE,),
         ("rus_strike_rate", "rus_offensive_strike_rate", "rus_ceasefire_compliance", "jic_strike_factor",
          "rus_halt_reduction", "rus_drawdown_share", "strike_weight_frontline", "strike_weight_rear", "strike_target_factor"),
         "Russia strikes opposition-held localities at a rate that rises during a government "
         "offensive and falls under a ceasefire, a halt or the JIC; a halt's end is recorded",
         decide_strikes, (STRIKES, Effect("halt_over", 38, _halt_over))),
    Rule("rus_halt_response", "RUS", Quantity.PROBABILITY, "probability of refusing a call to halt", 2,
         (REFUSE, AGREE),
         ("rus_refuse_prob", "rus_pressure_sensitivity", "rus_halt_days", "rus_pressure_memory_days",
          *PRESSURE_PARAMETERS.values(), "rus_isolation_effect"),
         "Russia refuses calls to halt its strikes; pressure received, and isolation once the "
         "channel is suspended, lower the odds",
         decide_halt_response, (Effect("rus_refuse", 3, _refuse), Effect("rus_halt", 4, _halt))),
    Rule("rus_drawdown", "RUS", Quantity.PROBABILITY, "daily probability of drawing down", 1, (DRAW_DOWN,),
         ("rus_drawdown_quiet_days", "rus_drawdown_prob"),
         "Once a ceasefire has held for a while, Russia draws down part of its forces (its "
         "strikes fall for good)",
         decide_drawdown, (Effect("drawdown", 34, _drawdown),)),
    Rule("rus_rhetoric", "RUS", Quantity.PROBABILITY, "probability of answering an accusation", 2,
         (COUNTER_ACCUSE, DENY, REGRET),
         ("rus_counter_accuse_prob", "rus_accuse_share"),
         "Russia answers US accusations with counter-accusations or denials, and the "
         "suspension of the channel with regret and blame",
         decide_rhetoric),
)  # fmt: skip
