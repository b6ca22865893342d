"""The rules of the world, each called alone on a hand-built situation and world (no episode).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv):

- `ceasefire`: the backers agree one (057 both ways), p = `ceasefire_agree_prob`, only while
  there is none, the channel is open and the envoy urged one in the last
  `ceasefire_call_memory_days` days ("to tackle the issue of ceasefires immediately", 004 s22);
  it comes into effect `ceasefire_delay_days` later ("reached with Russia on Sept. 9", in effect
  12 Sept, 002 s3); while in effect a day counts as quiet at or below `ceasefire_quiet_level`
  violations, and it collapses with hazard 1 - exp(-`ceasefire_fragility` x V/10), V the
  violations of the last `ceasefire_violation_days` days ("That deal collapsed after a few
  days", 002 s5); days with strikes above the quiet level count as violation days.
- `jic`: after `jic_quiet_days` quiet days under a ceasefire in effect the center may form, p =
  `jic_formation_prob` (0 historically: "to return to their bases", 002 s19).
- `talks_agreement`: p = `talks_agreement_prob`, only while both parties attend under a
  ceasefire in effect.
- `civilian_harm` (a measurement, `add_harm`): each strike on a locality of population n kills
  `harm_per_strike` x n / (n + `harm_half_population`) ("nearly 400 civilians have been
  killed", 002 s33); forcing sets the harm per strike.
"""

from __future__ import annotations

import pytest
from situations import (
    HIGH,
    LOW,
    codes,
    decide,
    effects,
    fires_with,
    params,
    situation,
    threshold,
    world,
)

from sim.model.rules import RULES
from sim.model.rules.base import hazard
from sim.model.rules.world_rules import add_harm
from sim.scenario_types import CeasefireState, TalksState

RULES_TESTED = ("ceasefire", "jic", "talks_agreement", "civilian_harm")

P = params()


# ---------------------------------------------------------------- ceasefire: agreement
def called_yesterday(**changes):
    return situation(**{"last_envoy_ceasefire_call": 9, **changes})


def test_ceasefire_agreement_while_the_channel_is_open_and_the_envoy_called():
    (agreed,) = decide("ceasefire", called_yesterday(), u=(LOW, HIGH))
    assert agreed.effect == "ceasefire_agreed" and agreed.payload == round(P["ceasefire_delay_days"])
    assert codes([agreed]) == [("USA", "RUS", "057"), ("RUS", "USA", "057")]
    assert threshold(fires_with("ceasefire", called_yesterday(), 0)) == pytest.approx(P["ceasefire_agree_prob"], abs=1e-12)
    assert threshold(fires_with("ceasefire", called_yesterday(), 0, forced=0.5)) == pytest.approx(0.5, abs=1e-12)
    assert decide("ceasefire", called_yesterday(), params(ceasefire_delay_days=6), u=(LOW,))[0].payload == 6


@pytest.mark.parametrize(
    "changes",
    [
        {"channel_open": False},
        {"last_envoy_ceasefire_call": None},
        {"last_envoy_ceasefire_call": 10 - int(P["ceasefire_call_memory_days"]) - 1},  # too long ago
    ],
)
def test_ceasefire_no_agreement_without_open_channel_or_recent_call(changes):
    assert decide("ceasefire", called_yesterday(**changes), u=(LOW, LOW), forced=1.0) == []


def test_ceasefire_call_memory_boundary():
    edge = 10 - int(P["ceasefire_call_memory_days"])
    assert effects(decide("ceasefire", called_yesterday(last_envoy_ceasefire_call=edge), u=(LOW,))) == [
        "ceasefire_agreed"]


@pytest.mark.parametrize("state", [CeasefireState.AGREED, CeasefireState.IN_EFFECT, CeasefireState.COLLAPSED])
def test_ceasefire_no_new_agreement_once_there_is_one(state):
    w = world(ceasefire=state, ceasefire_effect_due=99, ceasefire_effect_day=10)
    assert "ceasefire_agreed" not in effects(decide("ceasefire", called_yesterday(), w=w, u=(LOW, HIGH), forced=1.0))


# ---------------------------------------------------------------- ceasefire: entry into effect
def test_ceasefire_comes_into_effect_when_due():
    due = world(ceasefire=CeasefireState.AGREED, ceasefire_agreed_day=7, ceasefire_effect_due=10)
    (action,) = decide("ceasefire", situation(), w=due, u=(HIGH, HIGH))
    assert action.effect == "ceasefire_in_effect" and codes([action]) == [("GOV", "OPP", "0871"), ("OPP", "GOV", "0871")]
    early = world(ceasefire=CeasefireState.AGREED, ceasefire_agreed_day=8, ceasefire_effect_due=11)
    assert decide("ceasefire", situation(), w=early, u=(LOW, LOW)) == []


# ---------------------------------------------------------------- ceasefire: quiet days and collapse
def in_effect(violations=(0,) * 11, rus=0, gov=0, effect_day=5):
    return world(ceasefire=CeasefireState.IN_EFFECT, ceasefire_effect_day=effect_day, ceasefire_agreed_day=2,
                 violations=list(violations), rus_strikes=[0] * 10 + [rus], gov_strikes=[0] * 10 + [gov])


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


@pytest.mark.parametrize(
    "state, rus, gov, counted",
    [
        (CeasefireState.IN_EFFECT, 15, 6, True),  # 21 > 20
        (CeasefireState.IN_EFFECT, 15, 5, False),  # 20: at the level
        (CeasefireState.COLLAPSED, 30, 0, True),  # the US keeps counting after the collapse
        (CeasefireState.AGREED, 300, 300, False),
        (CeasefireState.NONE, 300, 300, False),
    ],
)
def test_ceasefire_violation_days_count_strikes_above_the_quiet_level(state, rus, gov, counted):
    w = in_effect(rus=rus, gov=gov)
    w.ceasefire = state
    w.ceasefire_effect_due = 99
    found = "violation_day" in effects(decide("ceasefire", situation(channel_open=False), w=w, u=(HIGH, HIGH)))
    assert found is counted


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


@pytest.mark.parametrize("changes", [{"jic": True}, {"ceasefire": CeasefireState.AGREED},
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
     {"talks": TalksState.NOT_STARTED}, {"ceasefire": CeasefireState.AGREED}, {"ceasefire": CeasefireState.NONE},
     {"ceasefire": CeasefireState.COLLAPSED}],
)
def test_talks_agreement_never_otherwise(changes):
    assert decide("talks_agreement", situation(), u=(LOW,), w=attending_under_ceasefire(**changes), forced=1.0) == []


def test_talks_agreement_reads_the_evening_world_not_the_morning_situation():
    # the morning said the opposition was absent; it returned during the day
    morning = situation(opp_present=False, ceasefire=CeasefireState.AGREED)
    assert effects(decide("talks_agreement", morning, u=(LOW,), w=attending_under_ceasefire())) == ["agreement"]


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
