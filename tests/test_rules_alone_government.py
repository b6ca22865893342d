"""The government's rules, each called alone on hand-built situations (no episode, no model).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv):

- `gov_offensive`: while an offensive is under way the army advances on the axis target (190
  daily) and captures it (192) with hazard 1 - exp(-(`gov_capture_base` +
  `gov_air_support_gain` x A/100)), A yesterday's air support ("backed by Russian air strikes,
  advanced", 000 s0; "thanks mainly to Russian support", 001 s11); a backer's aid lowers it by
  `backer_support_effect`; no target left on the axis, the offensive ends (no advance); after
  a ceasefire collapses the government launches an offensive with `gov_offensive_launch_prob`
  ("intensively bombed", 002 s5).
- `gov_bombardment`: strikes ~ Poisson(`gov_strike_rate`) ("Russian and Syrian warplanes",
  000 s35), times (1 - `gov_ceasefire_compliance`) under a ceasefire in effect, times
  `jic_strike_factor` under the JIC; a Russian halt or an offensive does not change the
  government's own rate; strikes fall on opposition-held localities only.
- `gov_truce`: while a ceasefire is in effect the government declares it over (GOV>OPP 1246,
  which collapses it) with p = (1 - exp(-`gov_truce_end_rate` x G)) x m, G the weights of the
  attacks on its forces from `ceasefire_violation_days` days ago on (an opposition attack 1, a
  strike by the opposition's backer `gov_grievance_backer_strike`), m =
  `monitoring_fragility_factor` under joint monitoring, else 1 ("the army declares the truce
  over, citing rebel violations, two days after the coalition strike", chronology
  ceasefire_2016_09 2016-09-19); forcing sets p.
- `gov_talks_stance`: blame the opposition the day after its walk-out or a pause ("accused the
  opposition of pulling out", 000 s24); deny accusations by the US or the opposition
  ("rejected accusations", 003 s8).
"""

from __future__ import annotations

import pytest
from situations import (
    HIGH,
    LOW,
    STRIKABLE,
    EffectModel,
    codes,
    decide,
    effects,
    fires_with,
    inbox,
    params,
    situation,
    threshold,
    world,
)

from sim.model.randomness import poisson_quantile
from sim.model.rules import RULES
from sim.model.rules.base import hazard
from sim.scenario_types import CeasefireState

RULES_TESTED = ("gov_offensive", "gov_bombardment", "gov_truce", "gov_talks_stance")

P = params()


# ---------------------------------------------------------------- gov_offensive
def capture_hazard(s, p=None, forced=None):
    return threshold(fires_with("gov_offensive", s, 0, "capture", p=p, forced=forced))


def documented_hazard(air_support, supported=False):
    rate = P["gov_capture_base"] + P["gov_air_support_gain"] * air_support / 100.0
    return hazard(rate * (1 - P["backer_support_effect"]) if supported else rate)


@pytest.mark.parametrize("air_support", [0, 30, 100, 400])
def test_gov_offensive_capture_hazard_is_the_documented_one(air_support):
    s = situation(offensive=True, air_support=air_support)
    assert capture_hazard(s) == pytest.approx(documented_hazard(air_support), abs=1e-12)


def test_gov_offensive_capture_hazard_rises_with_air_support():
    hazards = [capture_hazard(situation(offensive=True, air_support=a)) for a in (0, 10, 50, 150, 500)]
    assert hazards == sorted(hazards) and len(set(hazards)) == len(hazards)
    assert hazards[0] < 0.01 < 0.5 < hazards[-1]  # years to take a town alone, days with air support


def test_gov_offensive_backer_support_lowers_the_capture_hazard_while_it_lasts():
    supported = capture_hazard(situation(offensive=True, air_support=100, support_until=10))
    unsupported = capture_hazard(situation(offensive=True, air_support=100))
    expired = capture_hazard(situation(offensive=True, air_support=100, support_until=9))
    assert supported == pytest.approx(documented_hazard(100, supported=True), abs=1e-12)
    assert supported < unsupported == expired
    stronger = capture_hazard(situation(offensive=True, air_support=100, support_until=10),
                              params(backer_support_effect=0.9))
    assert stronger < supported


def test_gov_offensive_advances_daily_and_captures_the_axis_target():
    s = situation(offensive=True, air_support=100)
    (advance,) = decide("gov_offensive", s, u=(HIGH, HIGH))
    assert advance.effect is None and codes([advance]) == [("GOV", "OPP", "190")]
    assert "Front Town" in advance.events[0][3]
    (capture,) = decide("gov_offensive", s, u=(LOW, HIGH))
    assert capture.effect == "capture" and capture.payload == s.axis_target == "front"
    assert codes([capture]) == [("GOV", "OPP", "190"), ("GOV", "OPP", "192")]


@pytest.mark.parametrize("forced", [0.0, 0.4, 1.0])
def test_gov_offensive_forced_value_is_the_capture_probability(forced):
    for air in (0, 500):
        assert capture_hazard(situation(offensive=True, air_support=air), forced=forced) == pytest.approx(forced, abs=1e-12)


def test_gov_offensive_no_target_left_ends_the_offensive_without_advance():
    s = situation(offensive=True, axis_target=None, air_support=500)
    for u, forced in (((LOW, LOW), None), ((LOW, LOW), 1.0), ((HIGH, HIGH), None)):
        (end,) = decide("gov_offensive", s, u=u, forced=forced)
        assert end.effect == "offensive_end" and end.events == ()
    # no offensive under way: nothing to end
    assert decide("gov_offensive", s._replace(offensive=False), u=(LOW, LOW)) == []


@pytest.mark.parametrize("ceasefire", [CeasefireState.NONE, CeasefireState.AGREED, CeasefireState.IN_EFFECT])
def test_gov_offensive_no_launch_unless_the_ceasefire_collapsed(ceasefire):
    assert decide("gov_offensive", situation(ceasefire=ceasefire), u=(LOW, LOW)) == []


def test_gov_offensive_launch_after_a_collapsed_ceasefire():
    s = situation(ceasefire=CeasefireState.COLLAPSED)
    assert effects(decide("gov_offensive", s, u=(HIGH, LOW))) == ["offensive_start"]
    launch = threshold(fires_with("gov_offensive", s, 1, "offensive_start"))
    assert launch == pytest.approx(P["gov_offensive_launch_prob"], abs=1e-12)
    assert decide("gov_offensive", s._replace(axis_target=None), u=(LOW, LOW)) == []  # nothing left to attack
    # an offensive under way is not launched again
    assert "offensive_start" not in effects(decide("gov_offensive", s._replace(offensive=True), u=(HIGH, LOW)))


# ---------------------------------------------------------------- gov_bombardment
def bombardment(s, p=None, u=(0.5, 0.5), forced=None):
    (action,) = decide("gov_bombardment", s, p, u, forced)
    assert action.effect == "strikes" and action.payload[0] == "GOV"
    return action.payload[1]


RATE = P["gov_strike_rate"]


@pytest.mark.parametrize(
    "changes, rate",
    [
        ({}, RATE),
        ({"offensive": True}, RATE),  # the offensive moves the strikes, not their number
        ({"rus_halt_until": 20}, RATE),  # Russia's halt binds Russia only
        ({"ceasefire": CeasefireState.IN_EFFECT}, RATE * (1 - P["gov_ceasefire_compliance"])),
        ({"ceasefire": CeasefireState.AGREED}, RATE),
        ({"jic": True}, RATE * P["jic_strike_factor"]),
        ({"jic": True, "ceasefire": CeasefireState.IN_EFFECT},
         RATE * (1 - P["gov_ceasefire_compliance"]) * P["jic_strike_factor"]),
    ],
)
@pytest.mark.parametrize("u0", [0.2, 0.5, 0.95])
def test_gov_bombardment_total_is_the_poisson_quantile_of_the_documented_rate(changes, rate, u0):
    assert sum(bombardment(situation(**changes), u=(u0, 0.5)).values()) == poisson_quantile(u0, rate)


def test_gov_bombardment_falls_under_a_ceasefire_and_the_jic():
    calm = sum(bombardment(situation()).values())
    assert sum(bombardment(situation(ceasefire=CeasefireState.IN_EFFECT)).values()) < calm / 2
    assert sum(bombardment(situation(jic=True)).values()) < calm / 2


def test_gov_bombardment_forced_value_is_the_rate():
    s = situation(ceasefire=CeasefireState.IN_EFFECT, jic=True)
    assert sum(bombardment(s, forced=25.0, u=(0.3, 0.5)).values()) == poisson_quantile(0.3, 25.0)
    (none,) = decide("gov_bombardment", s, u=(HIGH, 0.5), forced=0.0)
    assert none.payload == ("GOV", {}) and none.events == ()


@pytest.mark.parametrize("offensive", [False, True])
def test_gov_bombardment_falls_on_opposition_held_localities_only(offensive):
    found = bombardment(situation(offensive=offensive), forced=150.0)
    assert found and set(found) <= STRIKABLE
    (action,) = decide("gov_bombardment", situation(), u=(0.5, 0.5))
    assert codes([action]) == [("GOV", "OPP", "195")]


def test_gov_bombardment_concentrates_on_the_offensive_target():
    assert bombardment(situation(offensive=True), forced=200.0)["front"] > bombardment(situation(), forced=200.0)["front"]


# ---------------------------------------------------------------- gov_truce
WINDOW = int(P["ceasefire_violation_days"])
BACKER_STRIKE = P["gov_grievance_backer_strike"]


def aggrieved(grievance, **changes):
    return situation(**{"ceasefire": CeasefireState.IN_EFFECT, "grievance": tuple(grievance), **changes})


def truce_end_probability(s, p=None, forced=None):
    return threshold(fires_with("gov_truce", s, 0, "truce_end", p=p, forced=forced))


@pytest.mark.parametrize(
    "grievance, weight",
    [
        ((), 0.0),
        (((9, 1.0),), 1.0),
        (((9, 1.0), (8, 1.0), (10 - WINDOW, 1.0)), 3.0),  # the window's first day still counts
        (((10 - WINDOW - 1, 1.0),), 0.0),  # older: forgotten
        (((9, BACKER_STRIKE), (9, 1.0)), BACKER_STRIKE + 1.0),
    ],
)
@pytest.mark.parametrize("monitored", [False, True])
def test_gov_truce_end_hazard_is_the_documented_one(grievance, weight, monitored):
    factor = P["monitoring_fragility_factor"] if monitored else 1.0
    expected = hazard(P["gov_truce_end_rate"] * weight) * factor
    assert truce_end_probability(aggrieved(grievance, monitored=monitored)) == pytest.approx(expected, abs=1e-12)


def test_gov_truce_more_grievance_raises_the_truce_end_hazard():
    levels = [(), ((9, 1.0),), ((9, 1.0),) * 3, ((9, BACKER_STRIKE),), ((9, BACKER_STRIKE), (8, 1.0), (7, 1.0))]
    hazards = [truce_end_probability(aggrieved(g)) for g in levels]
    assert hazards == sorted(hazards) and len(set(hazards)) == len(hazards) and hazards[0] == 0.0
    # a strike by the opposition's backer weighs more than an opposition attack
    assert truce_end_probability(aggrieved(((9, BACKER_STRIKE),))) > 5 * truce_end_probability(aggrieved(((9, 1.0),)))
    touchier = params(gov_truce_end_rate=0.5)
    assert truce_end_probability(aggrieved(((9, 1.0),)), touchier) > hazards[1]


def test_gov_truce_monitoring_lowers_the_truce_end_hazard():
    g = ((9, BACKER_STRIKE), (8, 1.0))
    unmonitored = truce_end_probability(aggrieved(g))
    monitored = truce_end_probability(aggrieved(g, monitored=True))
    assert 0 < monitored < unmonitored
    assert monitored == pytest.approx(unmonitored * P["monitoring_fragility_factor"], abs=1e-12)
    # the JIC monitors as the task force does (a run's `monitored` is the JIC or the task force)
    assert truce_end_probability(aggrieved(g, jic=True, monitored=True)) == pytest.approx(monitored, abs=1e-12)


def test_gov_truce_declares_the_ceasefire_over():
    (over,) = decide("gov_truce", aggrieved(((9, BACKER_STRIKE),)), u=(LOW,))
    assert over.effect == "truce_end" and codes([over]) == [("GOV", "OPP", "1246")]
    assert decide("gov_truce", aggrieved(((9, BACKER_STRIKE),)), u=(HIGH,)) == []
    assert RULES["gov_truce"].draws_per_day == 1


@pytest.mark.parametrize("ceasefire", [CeasefireState.NONE, CeasefireState.AGREED, CeasefireState.TERMS,
                                       CeasefireState.COLLAPSED])
def test_gov_truce_only_while_a_ceasefire_is_in_effect(ceasefire):
    s = aggrieved(((9, BACKER_STRIKE),) * 5, ceasefire=ceasefire)
    assert decide("gov_truce", s, u=(LOW,)) == []
    assert decide("gov_truce", s, u=(LOW,), forced=1.0) == []


@pytest.mark.parametrize("forced", [0.0, 0.35, 1.0])
def test_gov_truce_forced_value_is_the_probability(forced):
    for g in ((), ((9, BACKER_STRIKE),) * 5):
        for monitored in (False, True):
            s = aggrieved(g, monitored=monitored)
            assert truce_end_probability(s, forced=forced) == pytest.approx(forced, abs=1e-12)


def test_gov_truce_end_collapses_the_ceasefire():
    model = EffectModel(world(ceasefire=CeasefireState.IN_EFFECT, ceasefire_effect_day=3, jic=True, task_force=True))
    (over,) = decide("gov_truce", aggrieved(((9, BACKER_STRIKE),)), u=(LOW,))
    model.apply(over)
    w = model.world
    assert w.ceasefire is CeasefireState.COLLAPSED and w.ceasefire_collapse_day == 10
    assert not w.jic and not w.task_force
    assert model.events[0] == ("gov_truce", "GOV", "OPP", "1246")
    assert ("ceasefire", "USA", "RUS", "112") in model.events
    assert w.milestones["ceasefire_collapse"] == [10]


# ---------------------------------------------------------------- gov_talks_stance
@pytest.mark.parametrize("changes", [{"opp_walked_out_yesterday": True}, {"talks_paused_yesterday": True}])
def test_gov_talks_stance_blames_the_opposition_after_a_walkout_or_a_pause(changes):
    s = situation(**changes)
    assert codes(decide("gov_talks_stance", s, u=(LOW, HIGH))) == [("GOV", "OPP", "112")]
    assert threshold(fires_with("gov_talks_stance", s, 0)) == pytest.approx(P["gov_blame_prob"], abs=1e-12)
    assert threshold(fires_with("gov_talks_stance", s, 0, forced=0.25)) == pytest.approx(0.25, abs=1e-12)


def test_gov_talks_stance_no_blame_without_walkout_or_pause():
    assert decide("gov_talks_stance", situation(), u=(LOW, LOW)) == []
    assert decide("gov_talks_stance", situation(), u=(LOW, LOW), forced=1.0) == []


def test_gov_talks_stance_denies_accusations_of_the_us_and_the_opposition():
    s = situation(inbox=inbox(GOV=[("USA", "112"), ("RUS", "112"), ("OPP", "112"), ("USA", "0256")]))
    (denial,) = decide("gov_talks_stance", s, u=(LOW, LOW))
    assert codes([denial]) == [("GOV", "OPP", "016"), ("GOV", "USA", "016")]  # not Russia's
    assert threshold(fires_with("gov_talks_stance", s, 1)) == pytest.approx(P["gov_deny_prob"], abs=1e-12)
    # forcing sets the blame, not the denial
    assert threshold(fires_with("gov_talks_stance", s, 1, forced=0.0)) == pytest.approx(P["gov_deny_prob"], abs=1e-12)
    only_russia = situation(inbox=inbox(GOV=[("RUS", "112")]))
    assert decide("gov_talks_stance", only_russia, u=(LOW, LOW)) == []
