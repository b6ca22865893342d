"""The rules of the world: the ceasefire, the Joint Implementation Center, a political
agreement, and civilian harm (with the strikes' effect on the terrain, which it measures).

The ceasefire, the JIC and the agreement run in the evening, one after the other, on the world
as the day's actions left it: `decide(s, w, p, u, forced)` with the morning's situation `s`
and the `World` `w`. Each one's actions take effect before the next decides.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import Action, Effect, Emission, Quantity, Rule, hazard
from sim.model.world import Situation, World
from sim.scenario_types import CeasefireState, TalksState

AGREE_BY_US = Emission("USA", ("RUS",), "057")
AGREE_BY_RUS = Emission("RUS", ("USA",), "057")
IN_EFFECT_BY_GOV = Emission("GOV", ("OPP",), "0871")
IN_EFFECT_BY_OPP = Emission("OPP", ("GOV",), "0871")
BLAME_BY_US = Emission("USA", ("RUS",), "112")
BLAME_BY_RUS = Emission("RUS", ("USA",), "112")
JIC_BY_US = Emission("USA", ("RUS",), "062")
JIC_BY_RUS = Emission("RUS", ("USA",), "062")
AGREEMENT_BY_GOV = Emission("GOV", ("OPP",), "057")
AGREEMENT_BY_OPP = Emission("OPP", ("GOV",), "057")


# ---------------------------------------------------------------- civilian harm and strikes
def add_harm(total: float, counts: Mapping[str, int], population: Mapping[str, int],
             p: Mapping[str, float], forced: float | None) -> float:
    """`total` plus the civilians killed by `counts` strikes (locality -> strikes): each strike
    on a locality of population n kills `harm_per_strike` x n / (n + `harm_half_population`)
    (a densely populated district about `harm_per_strike`, a hamlet far fewer). Forcing
    `civilian_harm` sets the harm per strike."""
    per_strike = p["harm_per_strike"] if forced is None else forced
    half = p["harm_half_population"]
    for name, k in counts.items():
        pop = population[name]
        total += k * per_strike * pop / (pop + half)
    return total


def _strikes(model, action: Action) -> None:
    actor, counts = action.payload
    today = model.today
    today[actor] += sum(counts.values())
    by = today["by_locality"]
    for name, k in counts.items():
        by[name] = by.get(name, 0) + k
    w = model.world
    w.civilian_harm = add_harm(w.civilian_harm, counts, model.terrain.population, model.params_today,
                               model.forced_today.get("civilian_harm"))
    model.record(action)


#: The strikes of Russia and the government land: tallies by actor and locality, harm.
STRIKES = Effect("strikes", 1, _strikes)


# ---------------------------------------------------------------- ceasefire
def agreed(p: Mapping[str, float]) -> Action:
    """The backers agree a ceasefire; it comes into effect `ceasefire_delay_days` later."""
    text = "agree a ceasefire"
    events = (AGREE_BY_US.to("RUS", text), AGREE_BY_RUS.to("USA", text))
    return Action("ceasefire", events, "ceasefire_agreed", int(round(p["ceasefire_delay_days"])))


def in_effect() -> Action:
    """The ceasefire comes into effect."""
    text = "ceasefire comes into effect"
    return Action("ceasefire", (IN_EFFECT_BY_GOV.to("OPP", text), IN_EFFECT_BY_OPP.to("GOV", text)), "ceasefire_in_effect")


def collapse() -> Action:
    """The ceasefire collapses; the backers blame each other."""
    text = "blame each other for the ceasefire's collapse"
    return Action("ceasefire", (BLAME_BY_US.to("RUS", text), BLAME_BY_RUS.to("USA", text)), "ceasefire_collapse")


def envoy_called_ceasefire(s: Situation, p: Mapping[str, float]) -> bool:
    """Whether the envoy urged a ceasefire in the last `ceasefire_call_memory_days` days."""
    last = s.last_envoy_ceasefire_call
    return last is not None and last >= s.day - p["ceasefire_call_memory_days"]


def decide_ceasefire(s: Situation, w: World, p: Mapping[str, float], u: list[float],
                     forced: float | None) -> list[Action]:
    """Count the day as a violation day; agree, bring into effect, count quiet days, collapse."""
    actions = []
    quiet_level = p["ceasefire_quiet_level"]
    state = w.ceasefire
    if state in (CeasefireState.IN_EFFECT, CeasefireState.COLLAPSED) and w.rus_strikes[-1] + w.gov_strikes[-1] > quiet_level:
        actions.append(Action("ceasefire", (), "violation_day"))
    if state is CeasefireState.NONE and s.channel_open and envoy_called_ceasefire(s, p):
        prob = p["ceasefire_agree_prob"] if forced is None else forced
        if u[0] < prob:
            actions.append(agreed(p))
    elif state is CeasefireState.AGREED and w.ceasefire_effect_due is not None and s.day >= w.ceasefire_effect_due:
        actions.append(in_effect())
    elif state is CeasefireState.IN_EFFECT and w.ceasefire_effect_day is not None and s.day > w.ceasefire_effect_day:
        actions.append(Action("ceasefire", (), "quiet_day", w.violations[-1] <= quiet_level))
        recent = sum(w.violations[-int(p["ceasefire_violation_days"]):])
        if u[1] < hazard(p["ceasefire_fragility"] * recent / 10.0):
            actions.append(collapse())
    return actions


def _agreed(model, action: Action) -> None:
    w = model.world
    w.ceasefire, w.ceasefire_agreed_day = CeasefireState.AGREED, model.day
    w.ceasefire_effect_due = model.day + action.payload
    model.record(action)


def _in_effect(model, action: Action) -> None:
    w = model.world
    if w.ceasefire_agreed_day is None:
        w.ceasefire_agreed_day = model.day
    w.ceasefire, w.ceasefire_effect_day, w.quiet_streak = CeasefireState.IN_EFFECT, model.day, 0
    w.offensive = False
    model.record(action)


def _collapse(model, action: Action) -> None:
    w = model.world
    w.ceasefire, w.ceasefire_collapse_day, w.jic = CeasefireState.COLLAPSED, model.day, False
    model.record(action)


def _violation_day(model, action: Action) -> None:
    model.world.violation_days += 1


def _quiet_day(model, action: Action) -> None:
    w = model.world
    w.quiet_streak = w.quiet_streak + 1 if action.payload else 0


def _script_agreed(model) -> None:
    if model.world.ceasefire in (CeasefireState.NONE, CeasefireState.COLLAPSED):
        model.apply(agreed(model.params_today))


def _script_in_effect(model) -> None:
    if model.world.ceasefire is not CeasefireState.IN_EFFECT:
        model.apply(in_effect())


def _script_collapse(model) -> None:
    if model.world.ceasefire is CeasefireState.IN_EFFECT:
        model.apply(collapse())


# ---------------------------------------------------------------- JIC
def jic_in_force() -> Action:
    """The Joint Implementation Center comes into force."""
    text = "Joint Implementation Center comes into force"
    return Action("jic", (JIC_BY_US.to("RUS", text), JIC_BY_RUS.to("USA", text)), "jic")


def decide_jic(s: Situation, w: World, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """After enough quiet days the center may form."""
    if w.ceasefire is CeasefireState.IN_EFFECT and not w.jic and w.quiet_streak >= p["jic_quiet_days"]:
        prob = p["jic_formation_prob"] if forced is None else forced
        if u[0] < prob:
            return [jic_in_force()]
    return []


def _jic(model, action: Action) -> None:
    w = model.world
    w.jic, w.jic_day = True, model.day
    model.record(action)


def _script_jic(model) -> None:
    if not model.world.jic:
        model.apply(jic_in_force())


# ---------------------------------------------------------------- political agreement
def decide_agreement(s: Situation, w: World, p: Mapping[str, float], u: list[float],
                     forced: float | None) -> list[Action]:
    """A political agreement, only while both parties attend under a ceasefire in effect."""
    if w.talks is TalksState.IN_SESSION and w.opp_present and w.ceasefire is CeasefireState.IN_EFFECT:
        prob = p["talks_agreement_prob"] if forced is None else forced
        if u[0] < prob:
            text = "reach a political agreement"
            events = (AGREEMENT_BY_GOV.to("OPP", text), AGREEMENT_BY_OPP.to("GOV", text))
            return [Action("talks_agreement", events, "agreement")]
    return []


def _agreement(model, action: Action) -> None:
    w = model.world
    w.talks, w.agreement_day = TalksState.AGREEMENT, model.day
    model.record(action)


RULES = (
    Rule("talks_agreement", "WORLD", Quantity.PROBABILITY, "daily probability of a political agreement", 1,
         (AGREEMENT_BY_GOV, AGREEMENT_BY_OPP), ("talks_agreement_prob",),
         "A political agreement, possible only while both parties attend under a ceasefire",
         decide_agreement, (Effect("agreement", 32, _agreement),)),
    Rule("ceasefire", "WORLD", Quantity.PROBABILITY, "daily probability of a ceasefire agreement", 2,
         (AGREE_BY_US, AGREE_BY_RUS, IN_EFFECT_BY_GOV, IN_EFFECT_BY_OPP, BLAME_BY_US, BLAME_BY_RUS),
         ("ceasefire_quiet_level", "ceasefire_agree_prob", "ceasefire_call_memory_days", "ceasefire_delay_days",
          "ceasefire_fragility", "ceasefire_violation_days"),
         "The backers agree a ceasefire; it comes into effect after a delay and collapses "
         "with a hazard rising with violations",
         decide_ceasefire,
         (Effect("violation_day", 20, _violation_day), Effect("ceasefire_agreed", 21, _agreed),
          Effect("ceasefire_in_effect", 22, _in_effect), Effect("quiet_day", 23, _quiet_day),
          Effect("ceasefire_collapse", 24, _collapse)),
         {"ceasefire_agreed": _script_agreed, "ceasefire_in_effect": _script_in_effect,
          "ceasefire_collapse": _script_collapse}),
    Rule("jic", "WORLD", Quantity.PROBABILITY, "probability that the JIC forms after the quiet days", 1,
         (JIC_BY_US, JIC_BY_RUS), ("jic_quiet_days", "jic_formation_prob"),
         "After enough quiet days the Joint Implementation Center may come into force and "
         "cut strike rates",
         decide_jic, (Effect("jic", 30, _jic),), {"jic_in_force": _script_jic}),
    Rule("civilian_harm", "WORLD", Quantity.RATE, "civilians killed per strike", 0, (),
         ("harm_per_strike", "harm_half_population"),
         "Civilians killed: strikes on opposition-held localities times harm per strike, "
         "scaled by population (a measurement, not a behaviour)",
         None),
)  # fmt: skip

#: The world rules that decide in the evening, in their order.
EVENING = ("ceasefire", "jic", "talks_agreement")
