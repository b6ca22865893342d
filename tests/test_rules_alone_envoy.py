"""The UN envoy's rules, each called alone on hand-built situations (no episode, no model).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv); S is the mean strikes a day
over the last `violence_window_days` days:

- `envoy_convene`: meet each attending party while in session ("after meeting the
  opposition", 000 s19), p = `envoy_meeting_prob`.
- `envoy_appeal`: when S > `envoy_violence_level`, a party is absent from the session, or a
  ceasefire collapsed in the last `envoy_collapse_memory_days` days, appeal to the backers it
  reaches ("needed immediate help from the rival sides' international backers", 000 s2) and
  urge a ceasefire unless one is in effect; warn in public in session ("a collapse of the
  Geneva talks was always possible", 004 s3).
- `envoy_pause`: "I won't talk for the sake of talking" (000 s3): p = sigmoid(base + gain x
  S/100 + absence gain x [a party absent or its ultimatum running]), in session only, for
  `envoy_pause_days` ("a three-week pause", 000 s2); blame on Russia only when Russia struck
  yesterday ("the Russian escalation was the main reason", 000 s1). When no pause fires, a
  round that reached its planned end (`round_end_due`) closes (165 to both), for
  `talks_round_interval_days` until the next.
- `envoy_resume`: once the pause is over and the ground is calm (a ceasefire in effect, or its
  terms accepted by both parties, or S < `envoy_resume_level`: "would not return until there
  was a change on the ground", 000 s22), announce (036 to both) that the talks resume
  `envoy_notice_days` later; on the announced day resume them for a round of
  `talks_round_days` if it is still calm, else postpone (a new announcement is needed); a
  pause that outlasts its end by `talks_collapse_days` without an announced date is a
  collapse; forcing sets the probability of the announcement.
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

from sim.model.rules.base import sigmoid
from sim.scenario_types import CeasefireState, TalksState

RULES_TESTED = ("envoy_convene", "envoy_appeal", "envoy_pause", "envoy_resume")

P = params()


# ---------------------------------------------------------------- envoy_convene
def test_envoy_convene_meets_each_attending_party():
    (both,) = decide("envoy_convene", situation(), u=(LOW, LOW))
    assert codes([both]) == [("ENVOY", "GOV", "040"), ("ENVOY", "OPP", "040")] and both.effect is None
    (absent,) = decide("envoy_convene", situation(opp_present=False), u=(LOW, LOW))
    assert codes([absent]) == [("ENVOY", "GOV", "040")]
    assert codes(decide("envoy_convene", situation(), u=(HIGH, LOW))) == [("ENVOY", "OPP", "040")]
    assert decide("envoy_convene", situation(), u=(HIGH, HIGH)) == []


@pytest.mark.parametrize("index", [0, 1])  # the government's meeting, the opposition's
def test_envoy_convene_meeting_probability_and_forcing(index):
    fires = fires_with("envoy_convene", situation(), index)
    assert threshold(fires) == pytest.approx(P["envoy_meeting_prob"], abs=1e-12)
    forced = fires_with("envoy_convene", situation(), index, forced=0.15)
    assert threshold(forced) == pytest.approx(0.15, abs=1e-12)


@pytest.mark.parametrize("talks", [TalksState.NOT_STARTED, TalksState.PAUSED, TalksState.COLLAPSED, TalksState.AGREEMENT])
def test_envoy_convene_only_in_session(talks):
    assert decide("envoy_convene", situation(talks=talks), u=(LOW, LOW), forced=1.0) == []


# ---------------------------------------------------------------- envoy_appeal
HIGH_VIOLENCE = P["envoy_violence_level"] + 1


def appeal_codes(s, p=None, u=(LOW, HIGH), forced=None):
    return codes(decide("envoy_appeal", s, p, u, forced))


def test_envoy_appeal_under_high_violence_to_every_backer_it_reaches():
    s = situation(strike_level=HIGH_VIOLENCE, envoy_reach=("RUS", "TUR", "USA"))
    assert appeal_codes(s) == [
        ("ENVOY", "RUS", "022"), ("ENVOY", "RUS", "020"),
        ("ENVOY", "TUR", "022"), ("ENVOY", "TUR", "020"),
        ("ENVOY", "USA", "022"), ("ENVOY", "USA", "020"),
    ]
    assert threshold(fires_with("envoy_appeal", s, 0)) == pytest.approx(P["envoy_appeal_prob"], abs=1e-12)
    assert threshold(fires_with("envoy_appeal", s, 0, forced=0.7)) == pytest.approx(0.7, abs=1e-12)


def test_envoy_appeal_no_ceasefire_call_while_one_is_in_effect():
    s = situation(strike_level=HIGH_VIOLENCE, ceasefire=CeasefireState.IN_EFFECT)
    assert appeal_codes(s) == [("ENVOY", "RUS", "022"), ("ENVOY", "USA", "022")]


@pytest.mark.parametrize(
    "changes, appeals",
    [
        ({}, False),  # calm, both present
        ({"strike_level": P["envoy_violence_level"]}, False),  # at the level, not above
        ({"strike_level": HIGH_VIOLENCE}, True),
        ({"opp_present": False}, True),  # a party absent from the session
        ({"opp_present": False, "talks": TalksState.PAUSED}, False),  # absence counts in session only
        ({"ultimatum_running": True}, False),
        ({"ceasefire_collapse_day": 10 - 7, "ceasefire": CeasefireState.COLLAPSED}, True),
        ({"ceasefire_collapse_day": 10 - 8, "ceasefire": CeasefireState.COLLAPSED}, False),
        ({"strike_level": HIGH_VIOLENCE, "talks": TalksState.PAUSED}, True),
        ({"strike_level": HIGH_VIOLENCE, "talks": TalksState.NOT_STARTED}, True),
        ({"strike_level": HIGH_VIOLENCE, "talks": TalksState.COLLAPSED}, False),
        ({"strike_level": HIGH_VIOLENCE, "talks": TalksState.AGREEMENT}, False),
    ],
)
def test_envoy_appeal_occasions(changes, appeals):
    assert bool(decide("envoy_appeal", situation(**changes), u=(LOW, HIGH), forced=1.0)) is appeals


def test_envoy_appeal_public_warning_in_session_only():
    s = situation(strike_level=HIGH_VIOLENCE)
    (warning,) = decide("envoy_appeal", s, u=(HIGH, LOW))
    assert codes([warning]) == [("ENVOY", "GOV", "012"), ("ENVOY", "OPP", "012")]
    assert threshold(fires_with("envoy_appeal", s, 1)) == pytest.approx(P["envoy_warning_prob"], abs=1e-12)
    assert decide("envoy_appeal", s._replace(talks=TalksState.PAUSED), u=(HIGH, LOW)) == []
    assert decide("envoy_appeal", situation(), u=(HIGH, LOW)) == []  # calm: no occasion


def test_envoy_appeal_reaches_nobody_without_reach():
    (empty,) = decide("envoy_appeal", situation(strike_level=HIGH_VIOLENCE, envoy_reach=()), u=(LOW, HIGH))
    assert empty.events == ()


# ---------------------------------------------------------------- envoy_pause
def pause_probability(s, p=None, forced=None):
    return threshold(fires_with("envoy_pause", s, 0, "pause", p=p, forced=forced))


def documented_pause(level, absent):
    return sigmoid(P["envoy_pause_base"] + P["envoy_pause_violence_gain"] * level / 100
                   + P["envoy_pause_absence_gain"] * absent)


@pytest.mark.parametrize("level", [0, 50, 200, 400])
@pytest.mark.parametrize("changes, absent", [({}, 0), ({"opp_present": False}, 1), ({"ultimatum_running": True}, 1)])
def test_envoy_pause_probability_is_the_documented_logistic(level, changes, absent):
    s = situation(strike_level=level, **changes)
    assert pause_probability(s) == pytest.approx(documented_pause(level, absent), abs=1e-12)


def test_envoy_pause_rises_with_strikes_and_with_absence_or_ultimatum():
    rising = [pause_probability(situation(strike_level=x)) for x in (0, 100, 250, 500)]
    assert rising == sorted(rising) and rising[-1] > 20 * rising[0]
    present = pause_probability(situation(strike_level=100))
    assert pause_probability(situation(strike_level=100, opp_present=False)) > 10 * present
    assert pause_probability(situation(strike_level=100, ultimatum_running=True)) > 10 * present


def test_envoy_pause_at_a_fixed_uniform_fires_only_under_heavier_strikes():
    u = documented_pause(200, 0)
    assert decide("envoy_pause", situation(strike_level=150), u=(u,)) == []
    assert effects(decide("envoy_pause", situation(strike_level=250), u=(u,))) == ["pause"]


def test_envoy_pause_forced_zero_never_forced_one_always_in_session():
    heavy = situation(strike_level=500, opp_present=False, ultimatum_running=True)
    assert decide("envoy_pause", heavy, u=(LOW, LOW), forced=0.0) == []
    assert effects(decide("envoy_pause", situation(), u=(HIGH, HIGH), forced=1.0)) == ["pause"]
    assert pause_probability(heavy, forced=0.3) == pytest.approx(0.3, abs=1e-12)


@pytest.mark.parametrize("talks", [TalksState.NOT_STARTED, TalksState.PAUSED, TalksState.COLLAPSED, TalksState.AGREEMENT])
def test_envoy_pause_nothing_when_not_in_session(talks):
    assert decide("envoy_pause", situation(talks=talks, strike_level=500), u=(LOW, LOW), forced=1.0) == []


@pytest.mark.parametrize("days", [7, 22, 45])
def test_envoy_pause_lasts_envoy_pause_days(days):
    (action,) = decide("envoy_pause", situation(), params(envoy_pause_days=days), u=(LOW, HIGH))
    assert action.effect == "pause" and action.payload == days
    assert codes([action]) == [("ENVOY", "GOV", "165"), ("ENVOY", "OPP", "165")]
    assert f"for {days} days" in action.events[0][3]


def test_envoy_pause_blames_russia_only_when_russia_struck_yesterday():
    russian = situation(rus_strikes_yesterday=5)
    assert ("ENVOY", "RUS", "112") in codes(decide("envoy_pause", russian, u=(LOW, LOW)))
    assert threshold(fires_with("envoy_pause", russian, 1, u=(LOW,), code="112")) == pytest.approx(
        P["envoy_blame_prob"], abs=1e-12)
    government_only = situation(rus_strikes_yesterday=0, strike_level=300)
    assert ("ENVOY", "RUS", "112") not in codes(decide("envoy_pause", government_only, u=(LOW, LOW)))
    assert ("ENVOY", "RUS", "112") not in codes(decide("envoy_pause", russian, u=(LOW, HIGH)))


# ---------------------------------------------------------------- envoy_pause: the end of a round
def round_due(due=10, **changes):
    return situation(**{"round_end_due": due, **changes})


def test_envoy_pause_a_round_closes_at_its_end():
    (closing,) = decide("envoy_pause", round_due(), u=(HIGH, HIGH))
    assert closing.effect == "round_end" and closing.payload == round(P["talks_round_interval_days"])
    assert codes([closing]) == [("ENVOY", "GOV", "165"), ("ENVOY", "OPP", "165")]
    assert effects(decide("envoy_pause", round_due(due=4), u=(HIGH, HIGH))) == ["round_end"]  # overdue
    assert decide("envoy_pause", round_due(due=11), u=(HIGH, HIGH)) == []  # not yet
    assert decide("envoy_pause", round_due(due=None), u=(HIGH, HIGH)) == []  # no round planned
    longer = params(talks_round_interval_days=33)
    assert decide("envoy_pause", round_due(), longer, u=(HIGH, HIGH))[0].payload == 33


def test_envoy_pause_a_pause_that_fires_takes_the_place_of_the_round_end():
    assert effects(decide("envoy_pause", round_due(), u=(LOW, HIGH))) == ["pause"]
    assert effects(decide("envoy_pause", round_due(), u=(HIGH, HIGH), forced=1.0)) == ["pause"]
    # forced never to pause, the round still closes at its end
    assert effects(decide("envoy_pause", round_due(), u=(LOW, LOW), forced=0.0)) == ["round_end"]
    # the end of a round does not depend on the violence
    assert effects(decide("envoy_pause", round_due(strike_level=500), u=(HIGH, HIGH))) == ["round_end"]


@pytest.mark.parametrize("talks", [TalksState.NOT_STARTED, TalksState.PAUSED, TalksState.COLLAPSED, TalksState.AGREEMENT])
def test_envoy_pause_no_round_end_out_of_session(talks):
    assert decide("envoy_pause", round_due(due=2, talks=talks), u=(HIGH, HIGH)) == []


# ---------------------------------------------------------------- envoy_resume
def paused(**changes):
    base = dict(talks=TalksState.PAUSED, resume_due=10, strike_level=0)
    return situation(**{**base, **changes})


def announced(on, **changes):
    """Paused, the resumption announced for day `on`."""
    return paused(**{"round_scheduled_day": on, **changes})


NOTICE = round(P["envoy_notice_days"])


def test_envoy_resume_after_resume_due_when_calm_announces_the_resumption():
    (action,) = decide("envoy_resume", paused(), u=(HIGH,))
    assert action.effect == "schedule_round" and action.payload == NOTICE
    assert codes([action]) == [("ENVOY", "GOV", "036"), ("ENVOY", "OPP", "036")]
    assert decide("envoy_resume", paused(day=9), u=(LOW,)) == []  # the pause is not over
    assert effects(decide("envoy_resume", paused(day=15), u=(HIGH,))) == ["schedule_round"]
    sooner = params(envoy_notice_days=3)
    assert decide("envoy_resume", paused(), sooner, u=(HIGH,))[0].payload == 3


def test_envoy_resume_the_resumption_is_announced_then_made():
    assert effects(decide("envoy_resume", paused(), u=(HIGH,))) == ["schedule_round"]
    # announced: nothing until the day
    assert decide("envoy_resume", announced(10 + NOTICE, day=10 + NOTICE - 1), u=(LOW,)) == []
    assert decide("envoy_resume", announced(10 + NOTICE, day=10 + NOTICE - 1), u=(LOW,), forced=1.0) == []
    (resumed,) = decide("envoy_resume", announced(10 + NOTICE, day=10 + NOTICE), u=(HIGH,))
    assert resumed.effect == "resume" and resumed.payload == round(P["talks_round_days"])
    assert codes([resumed]) == [("ENVOY", "GOV", "045"), ("ENVOY", "OPP", "045")]
    assert decide("envoy_resume", announced(12, day=12), params(talks_round_days=4), u=(HIGH,))[0].payload == 4


def test_envoy_resume_postponed_when_it_is_no_longer_calm_on_the_day():
    level = P["envoy_resume_level"]
    (postponed,) = decide("envoy_resume", announced(10, strike_level=level), u=(LOW,))
    assert postponed.effect == "postpone_round" and postponed.events == ()
    # however long the pause: an announced date is postponed, not a collapse
    late = announced(10 + int(P["talks_collapse_days"]) + 5, day=10 + int(P["talks_collapse_days"]) + 5,
                     strike_level=level)
    assert effects(decide("envoy_resume", late, u=(LOW,))) == ["postpone_round"]


def test_envoy_resume_waits_while_violence_stays_high():
    level = P["envoy_resume_level"]
    assert decide("envoy_resume", paused(strike_level=level), u=(LOW,)) == []
    assert decide("envoy_resume", paused(strike_level=level), u=(LOW,), forced=1.0) == []
    assert effects(decide("envoy_resume", paused(strike_level=level - 1), u=(HIGH,))) == ["schedule_round"]
    higher = params(envoy_resume_level=level * 2)
    assert effects(decide("envoy_resume", paused(strike_level=level), higher, u=(HIGH,))) == ["schedule_round"]


@pytest.mark.parametrize(
    "changes, calm",
    [
        ({"ceasefire": CeasefireState.IN_EFFECT}, True),
        ({"ceasefire": CeasefireState.TERMS, "ceasefire_accepted": True}, True),
        ({"ceasefire": CeasefireState.TERMS, "ceasefire_accepted": False}, False),  # one party yet to accept
        ({"ceasefire": CeasefireState.AGREED}, False),
        ({"ceasefire": CeasefireState.COLLAPSED}, False),
        ({"ceasefire": CeasefireState.NONE}, False),
    ],
)
def test_envoy_resume_a_ceasefire_in_effect_or_accepted_counts_as_calm(changes, calm):
    violent = P["envoy_resume_level"] * 3
    announce = effects(decide("envoy_resume", paused(strike_level=violent, **changes), u=(HIGH,)))
    assert announce == (["schedule_round"] if calm else [])
    on_the_day = effects(decide("envoy_resume", announced(10, strike_level=violent, **changes), u=(HIGH,)))
    assert on_the_day == (["resume"] if calm else ["postpone_round"])


@pytest.mark.parametrize(
    "changes",
    [{"talks": TalksState.IN_SESSION}, {"talks": TalksState.COLLAPSED}, {"resume_due": None}, {"day": 5}],
)
def test_envoy_resume_only_after_a_pause_that_is_over(changes):
    assert decide("envoy_resume", paused(**changes), u=(LOW,), forced=1.0) == []


def test_envoy_resume_collapse_after_talks_collapse_days():
    days = int(P["talks_collapse_days"])
    violent = P["envoy_resume_level"] + 10
    assert decide("envoy_resume", paused(day=10 + days - 1, strike_level=violent), u=(LOW,)) == []
    (collapse,) = decide("envoy_resume", paused(day=10 + days, strike_level=violent), u=(LOW,))
    assert collapse.effect == "talks_collapse" and collapse.events == ()
    shorter = params(talks_collapse_days=7)
    assert effects(decide("envoy_resume", paused(day=17, strike_level=violent), shorter, u=(LOW,))) == ["talks_collapse"]


def test_envoy_resume_forced_value_is_the_probability_of_the_announcement_when_calm():
    fires = fires_with("envoy_resume", paused(), 0, "schedule_round", forced=0.4)
    assert threshold(fires) == pytest.approx(0.4, abs=1e-12)
    # forced not to announce: the pause runs on, and collapses when it is too long
    assert decide("envoy_resume", paused(), u=(LOW,), forced=0.0) == []
    late = paused(day=10 + int(P["talks_collapse_days"]))
    assert effects(decide("envoy_resume", late, u=(LOW,), forced=0.0)) == ["talks_collapse"]
    # an announced resumption is made on its day whatever the forcing
    assert effects(decide("envoy_resume", announced(10), u=(HIGH,), forced=0.0)) == ["resume"]


def test_envoy_resume_effects_announce_then_resume_a_round_that_closes_at_its_end():
    model = EffectModel(world(talks=TalksState.PAUSED, resume_due=10), day=10)
    (announce,) = decide("envoy_resume", paused(), u=(HIGH,))
    model.apply(announce)
    w = model.world
    assert w.talks is TalksState.PAUSED and w.round_scheduled_day == 10 + NOTICE
    model.day = 10 + NOTICE
    (resumed,) = decide("envoy_resume", announced(w.round_scheduled_day, day=model.day), u=(HIGH,))
    model.apply(resumed)
    rounds = round(P["talks_round_days"])
    assert w.talks is TalksState.IN_SESSION and w.round_scheduled_day is None
    assert w.round_end_due == model.day + rounds
    model.day = w.round_end_due
    (closing,) = decide("envoy_pause", situation(day=model.day, round_end_due=w.round_end_due), u=(HIGH, HIGH))
    model.apply(closing)
    assert w.talks is TalksState.PAUSED and w.round_end_due is None
    assert w.resume_due == model.day + round(P["talks_round_interval_days"])
    assert w.milestones == {"talks_scheduled": [10], "talks_resume": [10 + NOTICE], "round_ends": [model.day]}
    # a postponement drops the announced date: a new announcement is needed
    w.round_scheduled_day = model.day
    model.apply(decide("envoy_resume", announced(model.day, strike_level=500, resume_due=model.day - 1,
                                                  day=model.day), u=(HIGH,))[0])
    assert w.round_scheduled_day is None
