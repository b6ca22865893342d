"""The opposition's rules, each called alone on hand-built situations (no episode, no model).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv); S is the mean strikes a day
over the last `violence_window_days` days:

- `opp_ultimatum`: while in session and attending, p = sigmoid(`opp_threat_base` +
  `opp_threat_strike_gain` x S/100 + `opp_precondition_weight` x `opp_preconditions`): "bring
  down the negotiations within three days unless the offensive ended" (000 s18); the deadline is
  `opp_ultimatum_days`; one ultimatum at a time.
- `opp_walkout`: certain when the ultimatum ran out unmet (the offensive goes on or S above
  `opp_return_strike_level`), otherwise a hazard rising with strikes and the preconditions
  ("canceled a meeting", 004 s6).
- `opp_demands`: "will not negotiate unless the government stops bombarding" (000 s34) while the
  preconditions hold (a policy lever: off, no demands).
- `opp_appeal`: after a loss, appeal to each backer for weapons ("appealed to foreign states that
  back the rebels", 000 s32); accuse Russia at a rate per Russian strike (004 s6).
- `opp_return`: "would not return until there was a change on the ground" (000 s22): only when S
  falls below `opp_return_strike_level`.
- `opp_counterattack`: retake a locality lost in the last `opp_counter_window_days` days
  ("losing it again in a rebel counter attack", 003 s4); attacks that violate a ceasefire only
  while one is in effect, each a violation of the day and an attack of weight 1 on the
  government's forces (its grievance, `gov_truce`: "citing rebel violations", chronology
  ceasefire_2016_09 2016-09-19).
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

from sim.model.rules.base import hazard, sigmoid
from sim.scenario_types import CeasefireState, TalksState

RULES_TESTED = ("opp_ultimatum", "opp_walkout", "opp_demands", "opp_appeal", "opp_return", "opp_counterattack")

P = params()
NOT_ATTENDING = [
    {"opp_present": False},
    {"talks": TalksState.PAUSED},
    {"talks": TalksState.NOT_STARTED},
    {"talks": TalksState.COLLAPSED},
    {"talks": TalksState.AGREEMENT},
]


def probability(name, s, p=None, forced=None, index=0, **kw):
    return threshold(fires_with(name, s, index, p=p, forced=forced, **kw))


def documented_logit(base, gain, level, preconditions=1.0):
    return P[base] + P[gain] * level / 100.0 + P["opp_precondition_weight"] * preconditions


# ---------------------------------------------------------------- opp_ultimatum
HAZARDS = [("opp_ultimatum", "opp_threat_base", "opp_threat_strike_gain"),
           ("opp_walkout", "opp_walkout_base", "opp_walkout_strike_gain")]


@pytest.mark.parametrize("rule, base, gain", HAZARDS)
def test_opp_ultimatum_and_walkout_hazards_are_the_documented_logistic(rule, base, gain):
    levels = (0, 20, 100, 250, 500)
    found = [probability(rule, situation(strike_level=x)) for x in levels]
    assert found == pytest.approx([sigmoid(documented_logit(base, gain, x)) for x in levels], abs=1e-12)
    assert found == sorted(found) and found[-1] > 10 * found[0]  # rising with strikes
    dropped = params(opp_preconditions=0.0)  # the preconditions add to the hazard
    assert probability(rule, situation(strike_level=250), dropped) == pytest.approx(
        sigmoid(documented_logit(base, gain, 250, preconditions=0.0)), abs=1e-12)
    assert probability(rule, situation(strike_level=250), dropped) < found[3]


def test_opp_ultimatum_reads_strikes_of_the_violence_window_only():
    old = situation(strikes=(500,) * 7 + (0, 0, 0))  # heavy strikes, but more than 3 days ago
    assert probability("opp_ultimatum", old) == probability("opp_ultimatum", situation())
    recent = situation(strikes=(0,) * 7 + (300, 0, 0))  # S = 100
    assert probability("opp_ultimatum", recent) == probability("opp_ultimatum", situation(strike_level=100))


@pytest.mark.parametrize("changes", [*NOT_ATTENDING, {"ultimatum_running": True}])
def test_opp_ultimatum_only_while_attending_and_none_running(changes):
    s = situation(strike_level=500, **changes)
    assert decide("opp_ultimatum", s, u=(LOW,)) == []
    assert decide("opp_ultimatum", s, u=(LOW,), forced=1.0) == []


def test_opp_ultimatum_sets_the_documented_deadline_and_forcing_sets_the_probability():
    (action,) = decide("opp_ultimatum", situation(), u=(LOW,))
    assert action.effect == "ultimatum" and action.payload == 3 == P["opp_ultimatum_days"]
    assert codes([action]) == [("OPP", "GOV", "139")] and "within 3 days" in action.events[0][3]
    assert decide("opp_ultimatum", situation(), params(opp_ultimatum_days=5), u=(LOW,))[0].payload == 5
    assert probability("opp_ultimatum", situation(strike_level=400), forced=0.35) == pytest.approx(0.35, abs=1e-12)


# ---------------------------------------------------------------- opp_walkout
@pytest.mark.parametrize("changes", [{"offensive": True}, {"strike_level": 21}, {"offensive": True, "strike_level": 0}])
def test_opp_walkout_certain_when_the_ultimatum_expired_unmet(changes):
    s = situation(ultimatum_running=True, ultimatum_expired=True, **changes)
    assert effects(decide("opp_walkout", s, u=(HIGH,))) == ["walkout"]
    assert codes(decide("opp_walkout", s, u=(HIGH,))) == [("OPP", "ENVOY", "164")]


def test_opp_walkout_met_ultimatum_is_only_the_daily_hazard():
    met = situation(ultimatum_running=True, ultimatum_expired=True, strike_level=20)  # not above the level
    expected = sigmoid(documented_logit("opp_walkout_base", "opp_walkout_strike_gain", 20))
    assert probability("opp_walkout", met) == pytest.approx(expected, abs=1e-12)
    running = situation(ultimatum_running=True, offensive=True, strike_level=100)  # not yet expired
    assert probability("opp_walkout", running) < 0.1


@pytest.mark.parametrize("changes", NOT_ATTENDING)
def test_opp_walkout_only_while_attending(changes):
    s = situation(ultimatum_running=True, ultimatum_expired=True, offensive=True, **changes)
    assert decide("opp_walkout", s, u=(LOW,)) == []
    assert decide("opp_walkout", s, u=(LOW,), forced=1.0) == []


def test_opp_walkout_forced_value_replaces_even_the_certain_walkout():
    expired = situation(ultimatum_running=True, ultimatum_expired=True, offensive=True)
    assert probability("opp_walkout", expired, forced=0.0) == 0.0
    assert probability("opp_walkout", situation(), forced=0.6) == pytest.approx(0.6, abs=1e-12)


# ---------------------------------------------------------------- opp_demands
def test_opp_demands_restated_with_opp_demand_prob_in_session():
    assert probability("opp_demands", situation()) == pytest.approx(P["opp_demand_prob"], abs=1e-12)
    assert codes(decide("opp_demands", situation(), u=(LOW,))) == [("OPP", "GOV", "125")]
    assert effects(decide("opp_demands", situation(), u=(LOW,))) == [None]  # talk only
    assert probability("opp_demands", situation(), forced=0.9) == pytest.approx(0.9, abs=1e-12)


def test_opp_demands_none_when_the_preconditions_are_dropped():
    dropped = params(opp_preconditions=0.0)
    assert decide("opp_demands", situation(), dropped, u=(LOW,)) == []
    assert decide("opp_demands", situation(), dropped, u=(LOW,), forced=1.0) == []


@pytest.mark.parametrize("talks", [TalksState.PAUSED, TalksState.NOT_STARTED, TalksState.COLLAPSED, TalksState.AGREEMENT])
def test_opp_demands_only_in_session(talks):
    assert decide("opp_demands", situation(talks=talks), u=(LOW,), forced=1.0) == []


# ---------------------------------------------------------------- opp_appeal
def test_opp_appeal_after_a_loss_to_each_backer():
    s = situation(lost_yesterday=("front",), opp_backers=("USA", "TUR"))
    (action,) = decide("opp_appeal", s, u=(LOW, HIGH))
    assert codes([action]) == [("OPP", "USA", "0232"), ("OPP", "TUR", "0232")]
    assert probability("opp_appeal", s) == pytest.approx(P["opp_appeal_prob"], abs=1e-12)
    assert probability("opp_appeal", s, forced=0.2) == pytest.approx(0.2, abs=1e-12)


def test_opp_appeal_no_loss_or_no_backer_no_appeal():
    assert decide("opp_appeal", situation(), u=(LOW, HIGH), forced=1.0) == []
    assert decide("opp_appeal", situation(lost_yesterday=("front",), opp_backers=()), u=(LOW, HIGH)) == []


@pytest.mark.parametrize("rus_strikes", [0, 10, 100, 400])
def test_opp_appeal_accuses_russia_at_a_rate_per_russian_strike(rus_strikes):
    s = situation(rus_strikes_yesterday=rus_strikes, strike_level=500)  # government strikes do not count
    accuse = threshold(fires_with("opp_appeal", s, 1, code="112"))
    assert accuse == pytest.approx(hazard(P["opp_accuse_rate"] * rus_strikes / 100.0), abs=1e-12)
    if rus_strikes:
        assert codes(decide("opp_appeal", s, u=(LOW, LOW))) == [("OPP", "RUS", "112")]


def test_opp_appeal_accusations_rise_with_russian_strikes():
    rates = [threshold(fires_with("opp_appeal", situation(rus_strikes_yesterday=r), 1)) for r in (0, 50, 200)]
    assert rates[0] == 0.0 < rates[1] < rates[2]


# ---------------------------------------------------------------- opp_return
@pytest.mark.parametrize("talks", [TalksState.IN_SESSION, TalksState.PAUSED])
def test_opp_return_when_strikes_fall_below_the_level(talks):
    below = situation(opp_present=False, talks=talks, strike_level=P["opp_return_strike_level"] - 1)
    (action,) = decide("opp_return", below, u=(HIGH,))
    assert action.effect == "return" and codes([action]) == [("OPP", "ENVOY", "036")]
    at = situation(opp_present=False, talks=talks, strike_level=P["opp_return_strike_level"])
    assert decide("opp_return", at, u=(LOW,)) == []
    assert decide("opp_return", at, u=(LOW,), forced=1.0) == []


def test_opp_return_level_is_a_parameter():
    s = situation(opp_present=False, strike_level=50)
    assert decide("opp_return", s, u=(LOW,)) == []
    assert effects(decide("opp_return", s, params(opp_return_strike_level=60), u=(HIGH,))) == ["return"]


@pytest.mark.parametrize(
    "changes",
    [{"opp_present": True}, {"opp_present": False, "talks": TalksState.COLLAPSED},
     {"opp_present": False, "talks": TalksState.NOT_STARTED}, {"opp_present": False, "talks": TalksState.AGREEMENT}],
)
def test_opp_return_only_when_absent_from_live_talks(changes):
    assert decide("opp_return", situation(**changes), u=(LOW,), forced=1.0) == []


def test_opp_return_forced_value_is_the_probability():
    s = situation(opp_present=False)
    assert probability("opp_return", s, forced=0.0) == 0.0
    assert probability("opp_return", s, forced=0.45) == pytest.approx(0.45, abs=1e-12)


# ---------------------------------------------------------------- opp_counterattack
def test_opp_counterattack_retakes_the_latest_retakeable_locality():
    s = situation(day=10, lost_held=(("rear", 2), ("bare", 4), ("front", 8)))
    (action,) = decide("opp_counterattack", s, u=(LOW, HIGH))
    assert action.effect == "recapture" and action.payload == "front"
    assert codes([action]) == [("OPP", "GOV", "190"), ("OPP", "GOV", "192")]
    assert probability("opp_counterattack", s) == pytest.approx(P["opp_counter_prob"], abs=1e-12)
    assert probability("opp_counterattack", s, forced=0.8) == pytest.approx(0.8, abs=1e-12)


@pytest.mark.parametrize("lost_on, retakeable", [(10, True), (3, True), (2, False), (-5, False)])
def test_opp_counterattack_only_on_localities_lost_within_the_window(lost_on, retakeable):
    s = situation(day=10, lost_held=(("front", lost_on),))
    assert bool(decide("opp_counterattack", s, u=(LOW, HIGH))) is retakeable
    wider = params(opp_counter_window_days=30)
    assert effects(decide("opp_counterattack", s, wider, u=(LOW, HIGH))) == ["recapture"]


def test_opp_counterattack_nothing_lost_nothing_retaken():
    assert decide("opp_counterattack", situation(), u=(LOW, HIGH), forced=1.0) == []


def test_opp_counterattack_violation_only_under_a_ceasefire_in_effect():
    in_effect = situation(ceasefire=CeasefireState.IN_EFFECT)
    (violation,) = decide("opp_counterattack", in_effect, u=(HIGH, LOW))
    assert violation.effect == "violation" and violation.payload == 1
    assert codes([violation]) == [("OPP", "GOV", "190")]
    attack = threshold(fires_with("opp_counterattack", in_effect, 1, "violation"))
    assert attack == pytest.approx(P["opp_violation_prob"], abs=1e-12)
    for state in (CeasefireState.NONE, CeasefireState.AGREED, CeasefireState.TERMS, CeasefireState.COLLAPSED):
        assert decide("opp_counterattack", situation(ceasefire=state), u=(HIGH, LOW)) == []


def test_opp_counterattack_forcing_sets_the_recapture_not_the_violation():
    in_effect = situation(ceasefire=CeasefireState.IN_EFFECT, lost_held=(("front", 9),))
    attack = threshold(fires_with("opp_counterattack", in_effect, 1, "violation", forced=0.0))
    assert attack == pytest.approx(P["opp_violation_prob"], abs=1e-12)
    assert effects(decide("opp_counterattack", in_effect, u=(LOW, LOW))) == ["recapture", "violation"]


def test_opp_counterattack_violation_is_an_attack_on_the_governments_forces():
    model = EffectModel(world(ceasefire=CeasefireState.IN_EFFECT, attacks_on_gov=[(9, 10.0)]), day=11)
    (violation,) = decide("opp_counterattack", situation(day=11, ceasefire=CeasefireState.IN_EFFECT), u=(HIGH, LOW))
    model.apply(violation)
    assert model.today["violations"] == 1
    assert model.world.attacks_on_gov == [(9, 10.0), (11, 1.0)]
    assert model.events == [("opp_counterattack", "OPP", "GOV", "190")]
