"""Russia's rules, each called alone on hand-built situations (no episode, no model).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv):

- `rus_strikes`: strikes ~ Poisson(rate); the rate is `rus_offensive_strike_rate` during a
  government offensive ("more than 500 raids" in about 3.5 days, 000 s31, s37), else
  `rus_strike_rate`, times (1 - `rus_ceasefire_compliance`) under a ceasefire in effect,
  times `jic_strike_factor` under the JIC, times (1 - `rus_halt_reduction`) during a halt,
  times (1 - `rus_drawdown_share`) for good after the drawdown ("the main part of its
  forces", chronology geneva_2016_02 2016-03-14); the day after a halt's last day is its
  end (a target: the September halt held to the window's end); strikes fall on opposition-held localities only (frontline weight 1, populated rear 0.2,
  the offensive's target x 3); forcing sets the rate.
- `rus_halt_response`: Russia refuses calls to halt ("Russia refused to suspend its air
  strikes", 000 s8) with p = sigmoid(logit(`rus_refuse_prob`) - sensitivity x P -
  `rus_isolation_effect` x [the channel is suspended]), P the pressure of the last
  `rus_pressure_memory_days` days; more pressure, or isolation, fewer refusals ("the channel
  suspended 3 Oct ... strikes on Aleppo halted 18 Oct", chronology ceasefire_2016_09); no
  call, no answer; an agreement halts for `rus_halt_days`.
- `rus_drawdown`: once a ceasefire in effect has held `rus_drawdown_quiet_days` quiet days in
  a row, Russia draws down (RUS>GOV 087), p = `rus_drawdown_prob` a day, once ("draws down
  part of its forces, 16 days into the cessation", chronology geneva_2016_02 2016-03-14).
- `rus_rhetoric`: a US accusation is answered by a counter-accusation or a denial ("Moscow
  accuses Washington", 000 s12; "denied", 002 s14); the suspension by regret and blame.
"""

from __future__ import annotations

import math

import pytest
from situations import (
    HIGH,
    LOW,
    STRIKABLE,
    codes,
    decide,
    effects,
    fires_with,
    inbox,
    params,
    situation,
    threshold,
)

from sim.model.randomness import poisson_quantile
from sim.model.rules.base import logit, sigmoid
from sim.scenario_types import CeasefireState

RULES_TESTED = ("rus_strikes", "rus_halt_response", "rus_drawdown", "rus_rhetoric")


# ---------------------------------------------------------------- rus_strikes
def counts(s, p=None, u=(0.5, 0.5), forced=None):
    action = decide("rus_strikes", s, p, u, forced)[0]
    assert action.effect == "strikes" and action.payload[0] == "RUS"
    return action.payload[1]


def total(s, p=None, u=(0.5, 0.5), forced=None):
    return sum(counts(s, p, u, forced).values())


P = params()
RATE = P["rus_strike_rate"]
OFFENSIVE_RATE = P["rus_offensive_strike_rate"]


@pytest.mark.parametrize(
    "changes, rate",
    [
        ({}, RATE),
        ({"offensive": True}, OFFENSIVE_RATE),
        ({"ceasefire": CeasefireState.IN_EFFECT}, RATE * (1 - P["rus_ceasefire_compliance"])),
        ({"ceasefire": CeasefireState.AGREED}, RATE),  # agreed, not yet in effect: no restraint
        ({"ceasefire": CeasefireState.COLLAPSED}, RATE),
        ({"jic": True}, RATE * P["jic_strike_factor"]),
        ({"rus_halt_until": 10}, RATE * (1 - P["rus_halt_reduction"])),  # the halt's last day
        ({"rus_halt_until": 9}, RATE),  # the halt is over
        ({"rus_drawn_down": True}, RATE * (1 - P["rus_drawdown_share"])),
        ({"rus_drawn_down": True, "offensive": True}, OFFENSIVE_RATE * (1 - P["rus_drawdown_share"])),
        ({"offensive": True, "ceasefire": CeasefireState.IN_EFFECT, "jic": True, "rus_halt_until": 12},
         OFFENSIVE_RATE * (1 - P["rus_ceasefire_compliance"]) * P["jic_strike_factor"] * (1 - P["rus_halt_reduction"])),
    ],
)
@pytest.mark.parametrize("u0", [0.1, 0.5, 0.9])
def test_rus_strikes_total_is_the_poisson_quantile_of_the_documented_rate(changes, rate, u0):
    assert total(situation(**changes), u=(u0, 0.5)) == poisson_quantile(u0, rate)


@pytest.mark.parametrize("halt_until, ends", [(9, True), (10, False), (8, False), (-1, False)])
def test_rus_strikes_mark_the_day_after_a_halt_s_last_day_as_its_end(halt_until, ends):
    after = [a.effect for a in decide("rus_strikes", situation(rus_halt_until=halt_until), None, (0.5, 0.5), None)[1:]]
    assert after == (["halt_over"] if ends else [])


def test_rus_strikes_rise_during_an_offensive_and_fall_under_ceasefire_jic_and_halt():
    calm = total(situation())
    assert total(situation(offensive=True)) > 3 * calm
    assert total(situation(ceasefire=CeasefireState.IN_EFFECT)) < calm
    assert total(situation(jic=True)) < calm
    assert total(situation(rus_halt_until=20)) < calm
    assert total(situation(rus_drawn_down=True)) < calm
    assert total(situation(rus_drawn_down=True), params(rus_drawdown_share=0.9)) < total(situation(rus_drawn_down=True))


def test_rus_strikes_more_compliance_fewer_strikes():
    s = situation(ceasefire=CeasefireState.IN_EFFECT, offensive=True)
    totals = [total(s, params(rus_ceasefire_compliance=c)) for c in (0.3, 0.6, 0.9, 1.0)]
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[2] and totals[-1] == 0


@pytest.mark.parametrize("changes", [{}, {"offensive": True}, {"ceasefire": CeasefireState.IN_EFFECT}])
def test_rus_strikes_forced_value_is_the_rate(changes):
    s = situation(**changes)
    assert total(s, forced=10.0, u=(0.7, 0.5)) == poisson_quantile(0.7, 10.0)
    assert decide("rus_strikes", s, u=(0.99, 0.5), forced=0.0)[0].payload == ("RUS", {})
    assert decide("rus_strikes", s, u=(0.99, 0.5), forced=0.0)[0].events == ()


@pytest.mark.parametrize("u", [(0.5, 0.0), (0.5, 0.5), (0.99, HIGH), (0.01, 0.3)])
@pytest.mark.parametrize("offensive", [False, True])
def test_rus_strikes_fall_on_opposition_held_frontline_or_populated_localities_only(u, offensive):
    found = counts(situation(offensive=offensive), forced=200.0, u=u)
    assert found and set(found) <= STRIKABLE  # never west (GOV), kurd (OTHER) or empty (no people, rear)
    assert found["front"] > found["rear"] and found["bare"] > found["rear"]  # frontline 1, rear 0.2


def test_rus_strikes_concentrate_on_the_offensive_target():
    without = counts(situation(), forced=300.0)
    during = counts(situation(offensive=True), forced=300.0)
    assert sum(without.values()) == sum(during.values())
    # weights front 1, bare 1, rear 0.2: target share 1/2.2 without, 3/4.2 during the offensive
    assert without["front"] / 300 == pytest.approx(1 / 2.2, abs=0.01)
    assert during["front"] / 300 == pytest.approx(3 / 4.2, abs=0.01)


def test_rus_strikes_no_opposition_locality_no_strikes():
    from situations import terrain

    from sim.model.world import StrikeTargets

    t = terrain()
    for name in ("front", "bare", "rear", "empty"):
        t.set_control(name, "GOV")
    s = situation(strike_targets=StrikeTargets(t), axis_target=None)
    (action,) = decide("rus_strikes", s, u=(0.5, 0.5), forced=100.0)
    assert action.payload == ("RUS", {}) and action.events == ()


def test_rus_strikes_event_names_the_most_struck_locality():
    (action,) = decide("rus_strikes", situation(offensive=True), u=(0.5, 0.5))
    assert codes([action]) == [("RUS", "OPP", "195")]
    assert str(action.events[0][3]).endswith(f"most on Front Town ({action.payload[1]['front']}), "
                                             f"Bare Hill ({action.payload[1]['bare']}), "
                                             f"Rear Town ({action.payload[1]['rear']})")


# ---------------------------------------------------------------- rus_halt_response
CALL = ("USA", "0256")


def refusal_probability(s, p=None, forced=None):
    return threshold(fires_with("rus_halt_response", s, 0, "rus_refuse", p=p, forced=forced))


def called(**changes):
    return situation(inbox=inbox(RUS=[CALL]), **changes)


@pytest.mark.parametrize(
    "events",
    [(), [("GOV", "0256")], [("OPP", "020")], [("USA", "112")], [("ENVOY", "012")], [("USA", "134")]],
)
def test_rus_halt_response_answers_only_calls_to_halt_from_envoy_or_us(events):
    s = situation(inbox=inbox(RUS=events, GOV=[CALL]))
    assert decide("rus_halt_response", s, u=(LOW, LOW)) == []
    assert decide("rus_halt_response", s, u=(LOW, LOW), forced=1.0) == []


def test_rus_halt_response_refuses_with_rus_refuse_prob_without_pressure():
    assert refusal_probability(called()) == pytest.approx(P["rus_refuse_prob"], abs=1e-12)


@pytest.mark.parametrize(
    "pressure, units",
    [
        (((9, "0256", 1.0),), 1.0),
        (((9, "0256", 1.0), (8, "134", 0.5)), 2.0),
        (((9, "022", 1.0), (9, "020", 1.0), (5, "112", 2.0)), 2.0),
        (((3, "134", 1.0),), 2.0),  # day 10 - 7: still remembered
        (((2, "134", 1.0),), 0.0),  # older than rus_pressure_memory_days: forgotten
    ],
)
def test_rus_halt_response_pressure_lowers_the_refusal_odds_as_documented(pressure, units):
    expected = sigmoid(logit(P["rus_refuse_prob"]) - P["rus_pressure_sensitivity"] * units)
    assert refusal_probability(called(pressure_received=pressure)) == pytest.approx(expected, abs=1e-12)


def test_rus_halt_response_more_pressure_fewer_refusals():
    levels = [(), ((9, "0256", 1.0),), ((9, "0256", 1.0), (9, "134", 1.0)), ((9, "134", 1.0),) * 10]
    sensitive = params(rus_pressure_sensitivity=0.3, rus_refuse_prob=0.98)
    refusals = [refusal_probability(called(pressure_received=pr), sensitive) for pr in levels]
    assert refusals == sorted(refusals, reverse=True) and refusals[0] > refusals[-1] + 0.2
    # insensitive Russia ignores pressure
    p = params(rus_pressure_sensitivity=0.0)
    assert refusal_probability(called(pressure_received=levels[-1]), p) == pytest.approx(P["rus_refuse_prob"])


@pytest.mark.parametrize("forced", [0.0, 0.3, 1.0])
def test_rus_halt_response_forced_value_replaces_the_probability(forced):
    s = called(pressure_received=((9, "134", 1.0),) * 5)
    assert refusal_probability(s, forced=forced) == pytest.approx(forced, abs=1e-12)


def test_rus_halt_response_refusal_and_agreement_address_every_requester():
    s = situation(inbox=inbox(RUS=[("USA", "0256"), ("ENVOY", "022"), ("USA", "0256")]))
    (refusal,) = decide("rus_halt_response", s, u=(LOW,))
    assert refusal.effect == "rus_refuse" and refusal.payload == 2
    assert codes([refusal]) == [("RUS", "ENVOY", "1246"), ("RUS", "USA", "1246")]
    (agreement,) = decide("rus_halt_response", s, u=(HIGH,))
    assert agreement.effect == "rus_halt" and agreement.payload == round(P["rus_halt_days"])
    assert codes([agreement]) == [("RUS", "ENVOY", "087"), ("RUS", "USA", "087")]
    (longer,) = decide("rus_halt_response", s, params(rus_halt_days=9), u=(HIGH,))
    assert longer.payload == 9


@pytest.mark.parametrize("units", [0.0, 2.0, 10.0])
def test_rus_halt_response_isolation_lowers_the_refusal_odds_as_documented(units):
    pressure = ((9, "0256", units),) if units else ()
    expected = sigmoid(logit(P["rus_refuse_prob"]) - P["rus_pressure_sensitivity"] * units - P["rus_isolation_effect"])
    isolated = refusal_probability(called(pressure_received=pressure, channel_open=False))
    assert isolated == pytest.approx(expected, abs=1e-12)
    assert isolated < refusal_probability(called(pressure_received=pressure))
    # no isolation effect, no difference; a stronger one, fewer refusals still
    p = params(rus_isolation_effect=0.0)
    assert refusal_probability(called(pressure_received=pressure, channel_open=False), p) == pytest.approx(
        refusal_probability(called(pressure_received=pressure)), abs=1e-12)
    stronger = params(rus_isolation_effect=6.0)
    assert refusal_probability(called(pressure_received=pressure, channel_open=False), stronger) < isolated


# ---------------------------------------------------------------- rus_drawdown
QUIET = int(P["rus_drawdown_quiet_days"])


def holding(days, **changes):
    return situation(**{"ceasefire": CeasefireState.IN_EFFECT, "quiet_streak": days, **changes})


def test_rus_drawdown_after_the_quiet_days_with_its_probability():
    (drawdown,) = decide("rus_drawdown", holding(QUIET), u=(LOW,))
    assert drawdown.effect == "drawdown" and codes([drawdown]) == [("RUS", "GOV", "087")]
    assert threshold(fires_with("rus_drawdown", holding(QUIET), 0)) == pytest.approx(P["rus_drawdown_prob"], abs=1e-12)
    assert threshold(fires_with("rus_drawdown", holding(QUIET + 10), 0, forced=0.7)) == pytest.approx(0.7, abs=1e-12)
    assert decide("rus_drawdown", holding(QUIET - 1), u=(LOW,)) == []
    assert decide("rus_drawdown", holding(QUIET - 1), u=(LOW,), forced=1.0) == []
    sooner = params(rus_drawdown_quiet_days=5)
    assert effects(decide("rus_drawdown", holding(5), sooner, u=(LOW,))) == ["drawdown"]


@pytest.mark.parametrize(
    "changes",
    [{"rus_drawn_down": True}, {"ceasefire": CeasefireState.NONE}, {"ceasefire": CeasefireState.AGREED},
     {"ceasefire": CeasefireState.TERMS}, {"ceasefire": CeasefireState.COLLAPSED}],
)
def test_rus_drawdown_only_under_a_ceasefire_in_effect_and_once(changes):
    assert decide("rus_drawdown", holding(QUIET + 10, **changes), u=(LOW,), forced=1.0) == []


def test_rus_drawdown_cuts_the_strikes_for_good():
    s = holding(QUIET)
    before = total(s, u=(0.5, 0.5))
    after = total(s._replace(rus_drawn_down=True), u=(0.5, 0.5))
    assert after < before
    # and after the ceasefire too
    assert total(situation(rus_drawn_down=True)) < total(situation())


# ---------------------------------------------------------------- rus_rhetoric
def test_rus_rhetoric_silent_without_accusation_or_suspension():
    assert decide("rus_rhetoric", situation(), u=(LOW, LOW)) == []
    # only the US's accusations are answered
    assert decide("rus_rhetoric", situation(inbox=inbox(RUS=[("OPP", "112")])), u=(LOW, LOW)) == []
    assert decide("rus_rhetoric", situation(inbox=inbox(USA=[("OPP", "112")])), u=(LOW, LOW)) == []


def test_rus_rhetoric_answers_a_us_accusation_with_counter_accusation_or_denial():
    s = situation(inbox=inbox(RUS=[("USA", "112")]))
    assert codes(decide("rus_rhetoric", s, u=(LOW, LOW))) == [("RUS", "USA", "112")]
    assert codes(decide("rus_rhetoric", s, u=(LOW, HIGH))) == [("RUS", "USA", "016")]
    share = threshold(fires_with("rus_rhetoric", s, 1, u=(LOW,), code="112"))
    assert share == pytest.approx(P["rus_accuse_share"], abs=1e-12)
    assert effects(decide("rus_rhetoric", s, u=(LOW, LOW))) == [None]  # talk only


def test_rus_rhetoric_answer_probability_and_forcing():
    s = situation(inbox=inbox(RUS=[("USA", "112")]))
    assert threshold(fires_with("rus_rhetoric", s, 0)) == pytest.approx(P["rus_counter_accuse_prob"], abs=1e-12)
    assert threshold(fires_with("rus_rhetoric", s, 0, forced=0.2)) == pytest.approx(0.2, abs=1e-12)


def test_rus_rhetoric_meets_the_suspension_with_regret_and_blame():
    s = situation(inbox=inbox(RUS=[("USA", "164"), ("USA", "112")]))
    assert codes(decide("rus_rhetoric", s, u=(LOW, HIGH))) == [("RUS", "USA", "110"), ("RUS", "USA", "112")]
    assert decide("rus_rhetoric", s, u=(HIGH, LOW)) == []
    assert math.isclose(threshold(fires_with("rus_rhetoric", s, 0, u=(0, HIGH), code="110")),
                        P["rus_counter_accuse_prob"], abs_tol=1e-12)
