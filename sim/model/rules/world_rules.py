"""The rules of the world: the ceasefire, the Joint Implementation Center, a political
agreement, and civilian harm (with the strikes' effect on the terrain, which it measures).

The ceasefire, the JIC and the agreement run in the evening, one after the other, on the world
as the day's actions left it: `decide(s, w, p, u, forced)` with the morning's situation `s`
and the `World` `w`. Each one's actions take effect before the next decides.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import Action, Effect, Emission, Quantity, Rule, hazard, strikes_mean
from sim.model.world import Situation, World
from sim.scenario_types import CeasefireState, TalksState

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
    """The backers agree, through their channel, to seek a ceasefire; its terms are negotiated
    next. The payload: whether the deal sets up their joint task force (`ceasefire_task_force`,
    a term of the deal), which monitors it from the agreement."""
    text = "agree to seek a ceasefire"
    return Action("ceasefire", (AGREE_BY_US.to("RUS", text), AGREE_BY_RUS.to("USA", text)), "ceasefire_agreed",
                  p["ceasefire_task_force"] >= 0.5)


def terms(p: Mapping[str, float]) -> Action:
    """The backers publish the terms, with a start date `ceasefire_start_days` later."""
    days = int(round(p["ceasefire_start_days"]))
    text = f"publish the ceasefire's terms: in effect in {days} days"
    return Action("ceasefire", (TERMS_BY_US.to("RUS", text), TERMS_BY_RUS.to("USA", text)), "ceasefire_terms", days)


def accepted(party: str) -> Action:
    """A party accepts the published terms."""
    emission = ACCEPT_BY_GOV if party == "GOV" else ACCEPT_BY_OPP
    return Action("ceasefire", emission.to_all("accepts the ceasefire's terms"), "ceasefire_accepted", party)


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


def monitoring_factor(monitored: bool, p: Mapping[str, float]) -> float:
    """Factor on the hazards that end a ceasefire: a joint body (the JIC, the backers' task
    force) that hears and settles reported violations lowers them."""
    return p["monitoring_fragility_factor"] if monitored else 1.0


def decide_ceasefire(s: Situation, w: World, p: Mapping[str, float], u: list[float],
                     forced: float | None) -> list[Action]:
    """The stages of a brokered ceasefire, each with its delay: the backers agree to seek one
    (after the envoy's call, through their channel), publish its terms with a start date,
    the parties accept them, it comes into effect on the start date once both accepted; in
    effect, it collapses with a hazard rising with violations. After a collapse, days of
    heavy strikes count as escalation; a new agreement needs the fighting to have eased."""
    actions = []
    state = w.ceasefire
    if state is CeasefireState.COLLAPSED and w.strikes[-1] > p["us_escalation_level"]:
        actions.append(Action("ceasefire", (), "escalation_day"))
    if state in (CeasefireState.NONE, CeasefireState.COLLAPSED):
        eased = state is CeasefireState.NONE or (not w.offensive and strikes_mean(s, p) < p["envoy_resume_level"])
        if s.channel_open and eased and envoy_called_ceasefire(s, p):
            prob = p["ceasefire_agree_prob"] if forced is None else forced
            if u[0] < prob:
                actions.append(agreed(p))
    elif state is CeasefireState.AGREED:
        if s.channel_open and u[1] < hazard(1.0 / p["ceasefire_terms_days"]):
            actions.append(terms(p))
    elif state is CeasefireState.TERMS:
        accepting = list(w.ceasefire_accepted_by)
        for party, draw in (("GOV", u[2]), ("OPP", u[3])):
            if party not in accepting and draw < p["ceasefire_accept_prob"]:
                actions.append(accepted(party))
                accepting.append(party)
        if len(accepting) == 2 and w.ceasefire_effect_due is not None and s.day >= w.ceasefire_effect_due:
            actions.append(in_effect())
    elif state is CeasefireState.IN_EFFECT and w.ceasefire_effect_day is not None and s.day > w.ceasefire_effect_day:
        actions.append(Action("ceasefire", (), "quiet_day", w.violations[-1] <= p["ceasefire_quiet_level"]))
        recent = sum(w.violations[-int(p["ceasefire_violation_days"]):])
        rate = p["ceasefire_fragility"] * recent / 10.0 * monitoring_factor(w.monitored, p)
        if u[1] < hazard(rate):
            actions.append(collapse())
    return actions


def _agreed(model, action: Action) -> None:
    w = model.world
    w.ceasefire, w.ceasefire_agreed_day = CeasefireState.AGREED, model.day
    w.ceasefire_terms_day = w.ceasefire_effect_due = None
    w.ceasefire_accepted_by = ()
    w.task_force = action.payload
    model.milestone("ceasefire_agreed")
    model.record(action)


def _terms(model, action: Action) -> None:
    w = model.world
    w.ceasefire, w.ceasefire_terms_day = CeasefireState.TERMS, model.day
    w.ceasefire_effect_due = model.day + action.payload
    model.milestone("ceasefire_terms")
    model.record(action)


def _accepted(model, action: Action) -> None:
    w = model.world
    if action.payload in w.ceasefire_accepted_by:
        return
    w.ceasefire_accepted_by += (action.payload,)
    if len(w.ceasefire_accepted_by) == 1:
        model.milestone("ceasefire_accepted")
    model.record(action)


def _in_effect(model, action: Action) -> None:
    w = model.world
    if w.ceasefire_agreed_day is None:
        w.ceasefire_agreed_day = model.day
    w.ceasefire, w.ceasefire_effect_day, w.quiet_streak = CeasefireState.IN_EFFECT, model.day, 0
    w.ceasefire_accepted_by = ("GOV", "OPP")
    w.offensive = False
    model.milestone("ceasefire_in_effect")
    model.record(action)


def _collapse(model, action: Action) -> None:
    w = model.world
    if w.ceasefire is not CeasefireState.IN_EFFECT:
        return
    w.ceasefire, w.ceasefire_collapse_day, w.jic, w.task_force = CeasefireState.COLLAPSED, model.day, False, False
    model.milestone("ceasefire_collapse")
    model.record(action)


def _escalation_day(model, action: Action) -> None:
    model.world.escalation_days += 1


def _quiet_day(model, action: Action) -> None:
    w = model.world
    w.quiet_streak = w.quiet_streak + 1 if action.payload else 0


def _script_agreed(model) -> None:
    if model.world.ceasefire in (CeasefireState.NONE, CeasefireState.COLLAPSED):
        model.apply(agreed(model.params_today))


def _script_terms(model) -> None:
    # A deal whose terms are agreed at once (the agreement and its terms on one day).
    _script_agreed(model)
    if model.world.ceasefire is CeasefireState.AGREED:
        model.apply(terms(model.params_today))


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


# ---------------------------------------------------------------- a strike on the government's forces
def _coalition_strike(model, action: Action) -> None:
    w = model.world
    if w.ceasefire is CeasefireState.IN_EFFECT:
        w.attacks_on_gov.append((model.day, model.params_today["gov_grievance_backer_strike"]))
    model.record(action)


def _script_coalition_strike(model) -> None:
    # Exogenous to the diplomacy: a targeting error of the coalition fighting ISIL, not a
    # decision of the US towards the parties (docs/model.md, 'Scheduled events').
    text = "a coalition air strike hits government forces"
    model.apply(Action("coalition_strike", (COALITION_STRIKE.to("GOV", text),), "coalition_strike"))


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
         decide_ceasefire,
         (Effect("escalation_day", 20, _escalation_day), Effect("ceasefire_agreed", 21, _agreed),
          Effect("ceasefire_terms", 25, _terms), Effect("ceasefire_accepted", 26, _accepted),
          Effect("ceasefire_in_effect", 22, _in_effect), Effect("quiet_day", 23, _quiet_day),
          Effect("ceasefire_collapse", 24, _collapse)),
         {"ceasefire_agreed": _script_agreed, "ceasefire_terms": _script_terms,
          "ceasefire_in_effect": _script_in_effect, "ceasefire_collapse": _script_collapse}),
    Rule("jic", "WORLD", Quantity.PROBABILITY, "probability that the JIC forms after the quiet days", 1,
         (JIC_BY_US, JIC_BY_RUS), ("jic_quiet_days", "jic_formation_prob"),
         "After enough quiet days the Joint Implementation Center may come into force and "
         "cut strike rates",
         decide_jic, (Effect("jic", 30, _jic),), {"jic_in_force": _script_jic}),
    Rule("coalition_strike", "WORLD", Quantity.RATE, "nothing (a scheduled event only)", 0, (COALITION_STRIKE,),
         ("gov_grievance_backer_strike",),
         "A scheduled strike of the opposition's backer's coalition on government forces: "
         "under a ceasefire, a grievance of the government",
         None, (Effect("coalition_strike", 27, _coalition_strike),), {"coalition_strike": _script_coalition_strike}),
    Rule("civilian_harm", "WORLD", Quantity.RATE, "civilians killed per strike", 0, (),
         ("harm_per_strike", "harm_half_population"),
         "Civilians killed: strikes on opposition-held localities times harm per strike, "
         "scaled by population (a measurement, not a behaviour)",
         None),
)  # fmt: skip

#: The world rules that decide in the evening, in their order.
EVENING = ("ceasefire", "jic", "talks_agreement")
