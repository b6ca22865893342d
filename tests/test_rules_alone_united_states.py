"""The United States' rules, each called alone on hand-built situations (no episode, no model).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv); R is yesterday's Russian
strikes, S the mean strikes a day over the violence window:

- `us_criticism`: criticise Russian strikes, p = 1 - exp(-`us_criticism_rate` x R/100) ("the air
  strikes around Aleppo focused mainly on Assad's foes", 000 s12); call on the government and
  its supporters to halt, p = `us_call_halt_prob` x min(1, S/`us_call_halt_saturation`)
  ("called on the Syrian government and its supporters to halt bombardment", 000 s13).
- `us_threat`: only after a ceasefire collapsed, once the escalation days (days of strikes above
  `us_escalation_level` since, `ceasefire`) reach `us_threat_after_days`, threaten to suspend
  the channel with p = `us_threat_prob` a day ("Kerry threatened to suspend", 002 s4), once,
  while the channel is open; never while a ceasefire is agreed, in terms or in effect, nor
  before there was one.
- `us_suspend`: after the threat, telephone ("talked a few times by telephone", 002 s16); after
  `us_suspend_delay` days ("less than a week after", 002 s4) suspend the channel and shelve the
  joint plans while Russian strikes go on ("formally suspended talks with Russia", 002 s0).
"""

from __future__ import annotations

import pytest
from situations import HIGH, LOW, codes, decide, effects, fires_with, params, situation, threshold

from sim.model.rules.base import hazard
from sim.scenario_types import CeasefireState

RULES_TESTED = ("us_criticism", "us_threat", "us_suspend")

P = params()


# ---------------------------------------------------------------- us_criticism
@pytest.mark.parametrize("rus_strikes", [0, 20, 100, 300])
def test_us_criticism_rate_per_russian_strike(rus_strikes):
    s = situation(rus_strikes_yesterday=rus_strikes, strike_level=0)
    criticism = threshold(fires_with("us_criticism", s, 0, code="112"))
    assert criticism == pytest.approx(hazard(P["us_criticism_rate"] * rus_strikes / 100), abs=1e-12)


def test_us_criticism_rises_with_russian_strikes_and_ignores_government_strikes():
    rates = [threshold(fires_with("us_criticism", situation(rus_strikes_yesterday=r), 0)) for r in (0, 30, 150)]
    assert rates[0] == 0.0 < rates[1] < rates[2]
    assert decide("us_criticism", situation(strike_level=500), u=(LOW, HIGH)) == []
    (action,) = decide("us_criticism", situation(rus_strikes_yesterday=50), u=(LOW, HIGH))
    assert codes([action]) == [("USA", "RUS", "112")] and action.effect is None


@pytest.mark.parametrize("level", [0, 25, 50, 100, 400])
def test_us_criticism_call_to_halt_grows_with_strikes_up_to_saturation(level):
    s = situation(strike_level=level)
    call = threshold(fires_with("us_criticism", s, 1, code="0256"))
    expected = P["us_call_halt_prob"] * min(1.0, level / P["us_call_halt_saturation"])
    assert call == pytest.approx(expected, abs=1e-12)


def test_us_criticism_call_to_halt_addresses_government_and_russia_and_forcing_sets_it():
    s = situation(strike_level=100)
    assert codes(decide("us_criticism", s, u=(HIGH, LOW))) == [("USA", "GOV", "0256"), ("USA", "RUS", "0256")]
    assert threshold(fires_with("us_criticism", situation(), 1, forced=0.6)) == pytest.approx(0.6, abs=1e-12)
    assert decide("us_criticism", situation(strike_level=500), u=(HIGH, LOW), forced=0.0) == []


# ---------------------------------------------------------------- us_threat
AFTER = int(P["us_threat_after_days"])


def escalated(days, **changes):
    return situation(**{"ceasefire": CeasefireState.COLLAPSED, "ceasefire_collapse_day": 2, "escalation_days": days,
                        **changes})


def test_us_threat_only_after_the_escalation_days():
    assert decide("us_threat", escalated(AFTER - 1), u=(LOW,)) == []
    assert decide("us_threat", escalated(AFTER - 1), u=(LOW,), forced=1.0) == []
    (threat,) = decide("us_threat", escalated(AFTER), u=(LOW,))
    assert threat.effect == "us_threat" and codes([threat]) == [("USA", "RUS", "134")]
    earlier = params(us_threat_after_days=3)
    assert effects(decide("us_threat", escalated(3), earlier, u=(LOW,))) == ["us_threat"]


def test_us_threat_probability_and_forcing():
    s = escalated(AFTER + 5)
    assert threshold(fires_with("us_threat", s, 0)) == pytest.approx(P["us_threat_prob"], abs=1e-12)
    assert threshold(fires_with("us_threat", s, 0, forced=0.9)) == pytest.approx(0.9, abs=1e-12)
    assert threshold(fires_with("us_threat", s, 0, p=params(us_threat_prob=0.1))) == pytest.approx(0.1, abs=1e-12)


@pytest.mark.parametrize("changes", [{"us_threat_day": 4}, {"channel_open": False}])
def test_us_threat_once_and_while_the_channel_is_open(changes):
    assert decide("us_threat", escalated(AFTER + 5, **changes), u=(LOW,), forced=1.0) == []


@pytest.mark.parametrize("ceasefire", [CeasefireState.NONE, CeasefireState.AGREED, CeasefireState.TERMS,
                                       CeasefireState.IN_EFFECT])
def test_us_threat_never_while_a_ceasefire_is_agreed_in_terms_or_in_effect(ceasefire):
    # however many heavy days were counted (and under any strikes): only a collapse opens the way
    s = escalated(AFTER + 20, ceasefire=ceasefire, strike_level=500, rus_strikes_yesterday=300)
    assert decide("us_threat", s, u=(LOW,)) == []
    assert decide("us_threat", s, u=(LOW,), forced=1.0) == []


def test_us_threat_reads_the_escalation_days_not_the_strikes():
    assert decide("us_threat", escalated(0, strike_level=500, rus_strikes_yesterday=300), u=(LOW,)) == []
    assert effects(decide("us_threat", escalated(AFTER, strike_level=0), u=(LOW,))) == ["us_threat"]


# ---------------------------------------------------------------- us_suspend
DELAY = int(P["us_suspend_delay"])


def threatened(**changes):
    base = dict(us_threat_day=10 - DELAY, rus_strikes_yesterday=10)
    return situation(**{**base, **changes})


def test_us_suspend_after_threat_and_delay_while_russia_strikes():
    (suspension,) = decide("us_suspend", threatened(), u=(LOW, HIGH))
    assert suspension.effect == "channel_suspend"
    assert codes([suspension]) == [("USA", "RUS", "164"), ("USA", "RUS", "160")]
    probability = threshold(fires_with("us_suspend", threatened(), 0, "channel_suspend"))
    assert probability == pytest.approx(P["us_suspend_prob"], abs=1e-12)


@pytest.mark.parametrize(
    "changes",
    [{"us_threat_day": 10 - DELAY + 1}, {"rus_strikes_yesterday": 0}, {"us_threat_day": None}, {"channel_open": False}],
)
def test_us_suspend_not_before_the_delay_nor_without_russian_strikes(changes):
    assert "channel_suspend" not in effects(decide("us_suspend", threatened(**changes), u=(LOW, HIGH)))


def test_us_suspend_longer_delay_later_suspension():
    later = params(us_suspend_delay=DELAY + 2)
    assert decide("us_suspend", threatened(), later, u=(LOW, HIGH)) == []
    assert effects(decide("us_suspend", threatened(day=12), later, u=(LOW, HIGH))) == ["channel_suspend"]


def test_us_suspend_telephone_while_the_threat_is_pending():
    just_threatened = threatened(us_threat_day=10, rus_strikes_yesterday=0)
    (call,) = decide("us_suspend", just_threatened, u=(HIGH, LOW))
    assert call.effect is None and codes([call]) == [("USA", "RUS", "041"), ("RUS", "USA", "041")]
    assert threshold(fires_with("us_suspend", just_threatened, 1)) == pytest.approx(P["us_phone_prob"], abs=1e-12)
    assert decide("us_suspend", situation(), u=(LOW, LOW)) == []  # no threat, no calls
    assert decide("us_suspend", just_threatened._replace(channel_open=False), u=(LOW, LOW)) == []


def test_us_suspend_forced_value_is_the_probability_once_threatened():
    assert threshold(fires_with("us_suspend", threatened(), 0, "channel_suspend", forced=0.2)) == pytest.approx(
        0.2, abs=1e-12)
    assert decide("us_suspend", threatened(), u=(LOW, HIGH), forced=0.0) == []
    assert decide("us_suspend", situation(), u=(LOW, LOW), forced=1.0) == []  # never without the threat
