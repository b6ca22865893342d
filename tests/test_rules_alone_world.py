"""The rules of the world, each called alone on a hand-built situation and world (no episode).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv):

- `ceasefire`: in stages, each with its delay. The backers agree to seek one (057 both ways), p =
  `ceasefire_agree_prob`, while there is none (or after a collapse, once there is no offensive
  and S < `envoy_resume_level`), the channel is open and the envoy urged one in the last
  `ceasefire_call_memory_days` days ("to tackle the issue of ceasefires immediately", 004
  s22); the deal sets up the backers' task force when `ceasefire_task_force` >= 0.5. While the
  channel is open they publish its terms (057) at the daily hazard 1 - exp(-1 /
  `ceasefire_terms_days`), with a start date `ceasefire_start_days` later ("reached with Russia
  on Sept. 9", in effect 12 Sept, 002 s3); each party accepts them (0356) with
  `ceasefire_accept_prob` a day; it comes into effect (0871) on the start date once both
  accepted. While in effect a day counts as quiet at or below `ceasefire_quiet_level`
  violations, and it collapses with hazard 1 - exp(-`ceasefire_fragility` x V/10 x m), V the
  violations of the last `ceasefire_violation_days` days, m = `monitoring_fragility_factor`
  under the JIC or the task force, else 1 ("That deal collapsed after a few days", 002 s5).
  After a collapse, a day with strikes above `us_escalation_level` counts as an escalation day
  ("150+ Syrian air strikes", chronology ceasefire_2016_09).
- `jic`: after `jic_quiet_days` quiet days under a ceasefire in effect the center may form, p =
  `jic_formation_prob` (0 historically: "to return to their bases", 002 s19).
- `talks_agreement`: p = `talks_agreement_prob`, only while both parties attend under a
  ceasefire in effect.
- `civilian_harm` (a measurement, `add_harm`): each strike on a locality of population n kills
  `harm_per_strike` x n / (n + `harm_half_population`) ("nearly 400 civilians have been
  killed", 002 s33); forcing sets the harm per strike.
- `coalition_strike` (a scheduled event, no decision, no draws): the coalition strikes
  government forces (USA>GOV 195, Deir ez-Zor, 17 Sep 2016, chronology ceasefire_2016_09);
  under a ceasefire in effect it is a grievance of the government of weight
  `gov_grievance_backer_strike` (the opposition's attacks weigh 1), none otherwise.
"""

from __future__ import annotations

import pytest
from situations import (
    HIGH,
    LOW,
    EffectModel,
    codes,
    decide,
    effects,
    fires_with,
    params,
    situation,
    threshold,
    world,
)

from sim.kernel.bridge import harm_alone as add_harm
from sim.kernel.bridge import script_alone
from sim.model.rules import RULES, SCRIPTS
from sim.model.rules.base import hazard
from sim.scenario_types import CeasefireState, TalksState

RULES_TESTED = ("ceasefire", "jic", "talks_agreement", "coalition_strike", "civilian_harm")

P = params()


# ---------------------------------------------------------------- ceasefire: agreement
def called_yesterday(**changes):
    return situation(**{"last_envoy_ceasefire_call": 9, **changes})


def test_ceasefire_agreement_while_the_channel_is_open_and_the_envoy_called():
    (agreed,) = decide("ceasefire", called_yesterday(), u=(LOW, HIGH))
    assert agreed.effect == "ceasefire_agreed" and agreed.payload is False  # no task force by default
    assert codes([agreed]) == [("USA", "RUS", "057"), ("RUS", "USA", "057")]
    assert threshold(fires_with("ceasefire", called_yesterday(), 0)) == pytest.approx(P["ceasefire_agree_prob"], abs=1e-12)
    assert threshold(fires_with("ceasefire", called_yesterday(), 0, forced=0.5)) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("task_force, monitored", [(0.0, False), (0.49, False), (0.5, True), (1.0, True)])
def test_ceasefire_agreement_sets_up_the_task_force_as_its_terms_say(task_force, monitored):
    (agreed,) = decide("ceasefire", called_yesterday(), params(ceasefire_task_force=task_force), u=(LOW,))
    assert agreed.payload is monitored


@pytest.mark.parametrize(
    "changes",
    [
        {"channel_open": False},
        {"last_envoy_ceasefire_call": None},
        {"last_envoy_ceasefire_call": 10 - int(P["ceasefire_call_memory_days"]) - 1},  # too long ago
    ],
)
def test_ceasefire_no_agreement_without_open_channel_or_recent_call(changes):
    assert decide("ceasefire", called_yesterday(**changes), u=(LOW, LOW, LOW, LOW), forced=1.0) == []


def test_ceasefire_call_memory_boundary():
    edge = 10 - int(P["ceasefire_call_memory_days"])
    assert effects(decide("ceasefire", called_yesterday(last_envoy_ceasefire_call=edge), u=(LOW,))) == [
        "ceasefire_agreed"]


@pytest.mark.parametrize("state", [CeasefireState.AGREED, CeasefireState.TERMS, CeasefireState.IN_EFFECT])
def test_ceasefire_no_new_agreement_once_there_is_one(state):
    w = world(ceasefire=state, ceasefire_effect_due=99, ceasefire_effect_day=10)
    assert "ceasefire_agreed" not in effects(decide("ceasefire", called_yesterday(), w=w, u=(LOW, HIGH, HIGH, HIGH),
                                                    forced=1.0))


LEVEL = P["envoy_resume_level"]


@pytest.mark.parametrize(
    "level, offensive, agrees",
    [(0, False, True), (LEVEL - 1, False, True), (LEVEL, False, False), (3 * LEVEL, False, False),
     (0, True, False)],
)
def test_ceasefire_a_new_agreement_after_a_collapse_only_once_the_fighting_eased(level, offensive, agrees):
    w = world(ceasefire=CeasefireState.COLLAPSED, ceasefire_collapse_day=2, offensive=offensive)
    found = effects(decide("ceasefire", called_yesterday(strike_level=level), w=w, u=(LOW,), forced=1.0))
    assert ("ceasefire_agreed" in found) is agrees
    if agrees:
        assert threshold(fires_with("ceasefire", called_yesterday(strike_level=level), 0, "ceasefire_agreed",
                                    w=w)) == pytest.approx(P["ceasefire_agree_prob"], abs=1e-12)
    # no ceasefire yet: the fighting need not have eased
    assert effects(decide("ceasefire", called_yesterday(strike_level=3 * LEVEL), u=(LOW,))) == ["ceasefire_agreed"]


# ---------------------------------------------------------------- ceasefire: terms
def agreed_world(**changes):
    return world(**{"ceasefire": CeasefireState.AGREED, "ceasefire_agreed_day": 7, **changes})


def test_ceasefire_terms_published_at_the_daily_hazard_with_the_start_date():
    (published,) = decide("ceasefire", situation(), w=agreed_world(), u=(HIGH, LOW))
    assert published.effect == "ceasefire_terms" and published.payload == round(P["ceasefire_start_days"])
    assert codes([published]) == [("USA", "RUS", "057"), ("RUS", "USA", "057")]
    rate = threshold(fires_with("ceasefire", situation(), 1, "ceasefire_terms", w=agreed_world()))
    assert rate == pytest.approx(hazard(1 / P["ceasefire_terms_days"]), abs=1e-12)
    slower = threshold(fires_with("ceasefire", situation(), 1, "ceasefire_terms", w=agreed_world(),
                                  p=params(ceasefire_terms_days=30)))
    assert slower < rate
    later = decide("ceasefire", situation(), params(ceasefire_start_days=6.4), w=agreed_world(), u=(HIGH, LOW))
    assert later[0].payload == 6


def test_ceasefire_terms_only_while_the_channel_is_open():
    assert decide("ceasefire", situation(channel_open=False), w=agreed_world(), u=(LOW, LOW, LOW, LOW)) == []
    # forcing sets the agreement, not the terms
    assert decide("ceasefire", situation(), w=agreed_world(), u=(HIGH, HIGH), forced=1.0) == []


# ---------------------------------------------------------------- ceasefire: acceptance and entry into effect
def terms_world(accepted=(), due=12, **changes):
    return world(**{"ceasefire": CeasefireState.TERMS, "ceasefire_agreed_day": 3, "ceasefire_terms_day": 8,
                    "ceasefire_effect_due": due, "ceasefire_accepted_by": tuple(accepted), **changes})


@pytest.mark.parametrize("party, index, code", [("GOV", 2, ("GOV", "OPP", "0356")), ("OPP", 3, ("OPP", "GOV", "0356"))])
def test_ceasefire_each_party_accepts_the_terms_with_its_probability(party, index, code):
    u = [HIGH] * 4
    u[index] = LOW
    (accepts,) = decide("ceasefire", situation(), w=terms_world(), u=u)
    assert accepts.effect == "ceasefire_accepted" and accepts.payload == party and codes([accepts]) == [code]
    probability = threshold(fires_with("ceasefire", situation(), index, "ceasefire_accepted", w=terms_world()))
    assert probability == pytest.approx(P["ceasefire_accept_prob"], abs=1e-12)
    # a party that accepted does not accept again
    assert decide("ceasefire", situation(), w=terms_world(accepted=(party,)), u=u) == []


def test_ceasefire_comes_into_effect_on_the_start_date_once_both_accepted():
    both = ("GOV", "OPP")
    (action,) = decide("ceasefire", situation(), w=terms_world(both, due=10), u=(HIGH,) * 4)
    assert action.effect == "ceasefire_in_effect" and codes([action]) == [("GOV", "OPP", "0871"), ("OPP", "GOV", "0871")]
    assert effects(decide("ceasefire", situation(day=14), w=terms_world(both, due=10), u=(HIGH,) * 4)) == [
        "ceasefire_in_effect"]
    # before the start date: nothing
    assert decide("ceasefire", situation(), w=terms_world(both, due=11), u=(LOW,) * 4) == []
    # one party has not accepted: not in effect, even on the start date
    assert decide("ceasefire", situation(), w=terms_world(("GOV",), due=10), u=(HIGH,) * 4) == []
    # the second acceptance on the start date brings it into effect the same evening
    late = decide("ceasefire", situation(), w=terms_world(("GOV",), due=10), u=(HIGH, HIGH, HIGH, LOW))
    assert effects(late) == ["ceasefire_accepted", "ceasefire_in_effect"]


# ---------------------------------------------------------------- ceasefire: quiet days and collapse
def in_effect(violations=(0,) * 11, rus=0, gov=0, effect_day=5, **changes):
    return world(ceasefire=CeasefireState.IN_EFFECT, ceasefire_effect_day=effect_day, ceasefire_agreed_day=2,
                 violations=list(violations), rus_strikes=[0] * 10 + [rus], gov_strikes=[0] * 10 + [gov],
                 strikes=[0] * 10 + [rus + gov], **changes)


def test_ceasefire_counts_quiet_days_at_or_below_the_quiet_level():
    level = int(P["ceasefire_quiet_level"])
    (quiet,) = decide("ceasefire", situation(), w=in_effect((0,) * 10 + (level,)), u=(HIGH, HIGH))
    assert quiet.effect == "quiet_day" and quiet.payload is True
    loud = decide("ceasefire", situation(), w=in_effect((0,) * 10 + (level + 1,)), u=(HIGH, HIGH))
    assert [(a.effect, a.payload) for a in loud] == [("quiet_day", False)]
    # the day it came into effect is not yet counted
    assert decide("ceasefire", situation(), w=in_effect(effect_day=10), u=(LOW, LOW)) == []


@pytest.mark.parametrize("violations, counted", [((0,) * 11, 0), ((0,) * 8 + (10, 20, 30), 60),
                                                 ((100,) * 8 + (0, 0, 5), 5), ((50,) * 11, 150)])
def test_ceasefire_collapse_hazard_is_the_documented_one(violations, counted):
    s, w = situation(), in_effect(violations)
    collapse = threshold(fires_with("ceasefire", s, 1, "ceasefire_collapse", w=w))
    assert collapse == pytest.approx(hazard(P["ceasefire_fragility"] * counted / 10), abs=1e-12)


def test_ceasefire_collapse_hazard_rises_with_violations():
    levels = [0, 5, 20, 80, 300]
    hazards = [threshold(fires_with("ceasefire", situation(), 1, "ceasefire_collapse", w=in_effect((v,) * 11)))
               for v in levels]
    assert hazards == sorted(hazards) and hazards[0] == 0.0 < hazards[1] and hazards[-1] > 0.9
    (_, collapse) = decide("ceasefire", situation(), w=in_effect((50,) * 11), u=(HIGH, LOW))
    assert collapse.effect == "ceasefire_collapse"
    assert codes([collapse]) == [("USA", "RUS", "112"), ("RUS", "USA", "112")]
    fragile = threshold(fires_with("ceasefire", situation(), 1, "ceasefire_collapse", w=in_effect((20,) * 11),
                                   p=params(ceasefire_fragility=0.3)))
    assert fragile > hazards[2]


@pytest.mark.parametrize("monitor", [{"jic": True}, {"task_force": True}, {"jic": True, "task_force": True}])
def test_ceasefire_monitoring_lowers_the_collapse_hazard(monitor):
    violations = (40,) * 11
    unmonitored = threshold(fires_with("ceasefire", situation(), 1, "ceasefire_collapse", w=in_effect(violations)))
    monitored = threshold(fires_with("ceasefire", situation(), 1, "ceasefire_collapse",
                                     w=in_effect(violations, **monitor)))
    counted = 40 * P["ceasefire_violation_days"]
    assert monitored == pytest.approx(
        hazard(P["ceasefire_fragility"] * counted / 10 * P["monitoring_fragility_factor"]), abs=1e-12)
    assert 0 < monitored < unmonitored
    # a factor of 1 is no monitoring at all
    same = threshold(fires_with("ceasefire", situation(), 1, "ceasefire_collapse", w=in_effect(violations, **monitor),
                                p=params(monitoring_fragility_factor=1.0)))
    assert same == pytest.approx(unmonitored, abs=1e-12)


# ---------------------------------------------------------------- ceasefire: escalation after a collapse
ESCALATION = P["us_escalation_level"]


@pytest.mark.parametrize(
    "state, today, counted",
    [
        (CeasefireState.COLLAPSED, ESCALATION + 1, True),
        (CeasefireState.COLLAPSED, ESCALATION, False),  # at the level, not above
        (CeasefireState.COLLAPSED, 0, False),
        (CeasefireState.IN_EFFECT, 3 * ESCALATION, False),  # a violation, not an escalation
        (CeasefireState.TERMS, 3 * ESCALATION, False),
        (CeasefireState.AGREED, 3 * ESCALATION, False),
        (CeasefireState.NONE, 3 * ESCALATION, False),
    ],
)
def test_ceasefire_escalation_days_count_heavy_strikes_after_a_collapse(state, today, counted):
    w = in_effect(rus=int(today), gov=0)
    w.ceasefire, w.ceasefire_effect_due = state, 99
    found = effects(decide("ceasefire", situation(channel_open=False), w=w, u=(HIGH,) * 4))
    assert ("escalation_day" in found) is counted
    raised = decide("ceasefire", situation(channel_open=False), params(us_escalation_level=today + 1), w=w,
                    u=(HIGH,) * 4)
    assert "escalation_day" not in effects(raised)


def test_ceasefire_escalation_counts_todays_strikes_not_the_mornings():
    # the morning's history was quiet; today's strikes are the heavy ones
    w = world(ceasefire=CeasefireState.COLLAPSED, strikes=[0] * 10 + [int(ESCALATION) + 50])
    assert effects(decide("ceasefire", situation(strike_level=0), w=w, u=(HIGH,) * 4)) == ["escalation_day"]
    quiet_today = world(ceasefire=CeasefireState.COLLAPSED, strikes=[500] * 10 + [0])
    assert decide("ceasefire", situation(strike_level=500), w=quiet_today, u=(HIGH,) * 4) == []


# ---------------------------------------------------------------- jic
def quiet_for(days, **changes):
    return world(**{"ceasefire": CeasefireState.IN_EFFECT, "ceasefire_effect_day": 0, "quiet_streak": days, **changes})


def test_jic_forms_after_the_quiet_days_with_its_probability():
    days = int(P["jic_quiet_days"])
    p = params(jic_formation_prob=0.6)
    (formed,) = decide("jic", situation(), p, u=(LOW,), w=quiet_for(days))
    assert formed.effect == "jic" and codes([formed]) == [("USA", "RUS", "062"), ("RUS", "USA", "062")]
    assert threshold(fires_with("jic", situation(), 0, p=p, w=quiet_for(days + 3))) == pytest.approx(0.6, abs=1e-12)
    assert decide("jic", situation(), p, u=(LOW,), w=quiet_for(days - 1)) == []


def test_jic_never_forms_at_the_historical_default():
    assert P["jic_formation_prob"] == 0.0
    assert decide("jic", situation(), u=(LOW,), w=quiet_for(30)) == []
    assert effects(decide("jic", situation(), u=(HIGH,), w=quiet_for(30), forced=1.0)) == ["jic"]


@pytest.mark.parametrize("changes", [{"jic": True}, {"ceasefire": CeasefireState.AGREED}, {"ceasefire": CeasefireState.TERMS},
                                     {"ceasefire": CeasefireState.COLLAPSED}, {"ceasefire": CeasefireState.NONE}])
def test_jic_only_under_a_ceasefire_in_effect_and_once(changes):
    assert decide("jic", situation(), u=(LOW,), w=quiet_for(30, **changes), forced=1.0) == []


# ---------------------------------------------------------------- talks_agreement
def attending_under_ceasefire(**changes):
    return world(**{"ceasefire": CeasefireState.IN_EFFECT, "opp_present": True, "talks": TalksState.IN_SESSION,
                    **changes})


def test_talks_agreement_with_both_parties_under_a_ceasefire_in_effect():
    (agreement,) = decide("talks_agreement", situation(), u=(LOW,), w=attending_under_ceasefire())
    assert agreement.effect == "agreement" and codes([agreement]) == [("GOV", "OPP", "057"), ("OPP", "GOV", "057")]
    probability = threshold(fires_with("talks_agreement", situation(), 0, w=attending_under_ceasefire()))
    assert probability == pytest.approx(P["talks_agreement_prob"], abs=1e-12)
    forced = threshold(fires_with("talks_agreement", situation(), 0, w=attending_under_ceasefire(), forced=0.3))
    assert forced == pytest.approx(0.3, abs=1e-12)


@pytest.mark.parametrize(
    "changes",
    [{"opp_present": False}, {"talks": TalksState.PAUSED}, {"talks": TalksState.COLLAPSED},
     {"talks": TalksState.NOT_STARTED}, {"ceasefire": CeasefireState.AGREED}, {"ceasefire": CeasefireState.TERMS},
     {"ceasefire": CeasefireState.NONE},
     {"ceasefire": CeasefireState.COLLAPSED}],
)
def test_talks_agreement_never_otherwise(changes):
    assert decide("talks_agreement", situation(), u=(LOW,), w=attending_under_ceasefire(**changes), forced=1.0) == []


def test_talks_agreement_reads_the_evening_world_not_the_morning_situation():
    # the morning said the opposition was absent; it returned during the day
    morning = situation(opp_present=False, ceasefire=CeasefireState.AGREED)
    assert effects(decide("talks_agreement", morning, u=(LOW,), w=attending_under_ceasefire())) == ["agreement"]


# ---------------------------------------------------------------- coalition_strike
def test_coalition_strike_is_a_scheduled_event_without_decision_or_draws():
    rule = RULES["coalition_strike"]
    assert rule.decide is None and rule.draws_per_day == 0
    assert rule.emits == (("USA", "GOV", "195"),) and rule.scripts == ("coalition_strike",)
    assert SCRIPTS["coalition_strike"] == "coalition_strike"


def test_coalition_strike_under_a_ceasefire_is_a_grievance_of_its_weight():
    model = EffectModel(world(ceasefire=CeasefireState.IN_EFFECT, attacks_on_gov=[(8, 1.0)]), day=12)
    script_alone(model, "coalition_strike")
    assert model.events == [("coalition_strike", "USA", "GOV", "195")]
    assert model.world.attacks_on_gov == [(8, 1.0), (12, P["gov_grievance_backer_strike"])]
    heavier = EffectModel(world(ceasefire=CeasefireState.IN_EFFECT), p=params(gov_grievance_backer_strike=25))
    script_alone(heavier, "coalition_strike")
    assert heavier.world.attacks_on_gov == [(10, 25)]


@pytest.mark.parametrize("state", [CeasefireState.NONE, CeasefireState.AGREED, CeasefireState.TERMS,
                                   CeasefireState.COLLAPSED])
def test_coalition_strike_without_a_ceasefire_in_effect_is_no_grievance(state):
    model = EffectModel(world(ceasefire=state))
    script_alone(model, "coalition_strike")
    assert model.events == [("coalition_strike", "USA", "GOV", "195")]  # the strike happens all the same
    assert model.world.attacks_on_gov == []
    assert model.world.ceasefire is state  # a strike is no decision on the ceasefire


# ---------------------------------------------------------------- civilian_harm
POPULATION = {"dense": 1_000_000, "half": int(P["harm_half_population"]), "hamlet": 500, "empty": 0}


def test_civilian_harm_is_a_measurement_without_decision_or_draws():
    rule = RULES["civilian_harm"]
    assert rule.decide is None and rule.draws_per_day == 0 and rule.emissions == ()


def test_civilian_harm_per_strike_scales_with_population_as_documented():
    per = P["harm_per_strike"]
    assert add_harm(0.0, {"half": 1}, POPULATION, P, None) == pytest.approx(per / 2)
    assert add_harm(0.0, {"dense": 1}, POPULATION, P, None) == pytest.approx(per * 1e6 / (1e6 + 5e4))
    assert add_harm(0.0, {"empty": 10}, POPULATION, P, None) == 0.0
    by_population = [add_harm(0.0, {name: 1}, POPULATION, P, None) for name in ("empty", "hamlet", "half", "dense")]
    assert by_population == sorted(by_population) and by_population[0] < by_population[1] < by_population[-1] < per


@pytest.mark.parametrize("name", ["dense", "half", "hamlet"])
def test_civilian_harm_grows_linearly_with_strikes(name):
    one = add_harm(0.0, {name: 1}, POPULATION, P, None)
    assert add_harm(0.0, {name: 7}, POPULATION, P, None) == pytest.approx(7 * one)
    assert add_harm(0.0, {}, POPULATION, P, None) == 0.0
    other = "hamlet" if name != "hamlet" else "dense"
    assert add_harm(0.0, {name: 3, other: 2}, POPULATION, P, None) == pytest.approx(
        add_harm(0.0, {name: 3}, POPULATION, P, None) + add_harm(0.0, {other: 2}, POPULATION, P, None))


def test_civilian_harm_adds_to_the_total_and_its_parameters_act():
    assert add_harm(10.0, {"half": 2}, POPULATION, P, None) == pytest.approx(10.0 + P["harm_per_strike"])
    deadlier = params(harm_per_strike=1.0)
    assert add_harm(0.0, {"half": 2}, POPULATION, deadlier, None) == pytest.approx(1.0)
    spread = params(harm_half_population=500)
    assert add_harm(0.0, {"hamlet": 1}, POPULATION, spread, None) == pytest.approx(P["harm_per_strike"] / 2)


@pytest.mark.parametrize("forced", [0.0, 0.5, 2.0])
def test_civilian_harm_forced_value_is_the_harm_per_strike(forced):
    assert add_harm(0.0, {"half": 4}, POPULATION, P, forced) == pytest.approx(forced * 4 / 2)
    assert add_harm(1.0, {"dense": 3}, POPULATION, P, forced) == pytest.approx(1.0 + 3 * forced * 1e6 / (1e6 + 5e4))


def test_civilian_harm_no_draw_no_side_effect():
    counts = {"dense": 2}
    p = params()
    add_harm(0.0, counts, POPULATION, p, None)
    assert counts == {"dense": 2} and p == P
