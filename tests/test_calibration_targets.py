"""Calibration targets on hand-made event tables with known answers; fast path = slow path."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from calibration.targets import (
    TIMELINE,
    EpisodeSpec,
    episode_specs,
    observed_statistics,
    profile_keys,
    read_observed,
    statistics_from_events,
    statistics_from_model,
    window_days,
)
from sim.events import event_row, events_frame
from sim.experiments.runs import simulate

FEB = EpisodeSpec("geneva_2016_02", "feb", dt.date(2016, 1, 25), 60, 10, TIMELINE["geneva_2016_02"])
SEP = EpisodeSpec("ceasefire_2016_09", "sep", dt.date(2016, 9, 9), 60, 26, TIMELINE["ceasefire_2016_09"])


def table(start: dt.date, rows) -> object:
    """An event table from (day, source, target, code)."""
    return events_frame([
        event_row(event_date=(start + dt.timedelta(days=d)).isoformat(), source=s, target=t, cameo_code=c,
                  date_precision="day")
        for d, s, t, c in rows
    ])


def test_feb_timeline_known_answers():
    frame = table(FEB.start_date, [
        (4, "ENVOY", "GOV", "045"), (4, "ENVOY", "OPP", "045"),
        (8, "OPP", "GOV", "139"), (9, "ENVOY", "OPP", "165"),
        (9, "RUS", "ENVOY", "1246"), (3, "RUS", "OPP", "195"),
    ])
    s = statistics_from_events(frame, FEB)
    assert s["feb_open_to_pause"] == 5
    assert s["feb_open_to_threat"] == 4
    assert s["feb_threat_to_pause"] == 1
    assert s["feb_rus_refused"] == 1
    assert s["feb_has_RUS_OPP_19"] == 1 and s["feb_has_GOV_OPP_19"] == 0
    assert s["feb_has_ENVOY_OPP_16"] == 1 and s["feb_has_ENVOY_GOV_16"] == 0


def test_missing_anchor_is_nan_and_missing_end_is_censored():
    # no opposition threat; no pause in the window (the pause on day 12 is after T = 10)
    frame = table(FEB.start_date, [(4, "ENVOY", "GOV", "045"), (12, "ENVOY", "GOV", "165")])
    s = statistics_from_events(frame, FEB)
    assert math.isnan(s["feb_threat_to_pause"])
    assert s["feb_open_to_pause"] == FEB.window_days - 4  # censored: one more than any real value
    assert s["feb_open_to_threat"] == FEB.window_days - 4
    assert s["feb_rus_refused"] == 0
    # nothing at all: every interval undefined, indicators 0, profile empty
    s = statistics_from_events(table(FEB.start_date, []), FEB)
    assert math.isnan(s["feb_open_to_pause"]) and s["feb_rus_refused"] == 0
    assert sum(v for k, v in s.items() if "_has_" in k) == 0


def test_end_before_start_does_not_count():
    frame = table(SEP.start_date, [
        (0, "USA", "RUS", "057"), (2, "USA", "RUS", "164"),  # suspension before any threat
        (20, "USA", "RUS", "134"), (24, "USA", "RUS", "164"),
        (10, "RUS", "USA", "112"), (15, "GOV", "OPP", "192"),
    ])
    s = statistics_from_events(frame, SEP)
    assert s["sep_threat_to_suspend"] == 4
    assert s["sep_agree_to_threat"] == 20
    assert s["sep_agree_to_collapse"] == 10  # blame either way counts
    assert s["sep_agree_to_capture"] == 15
    assert s["sep_rus_refused"] == 0


def test_events_outside_the_episode_are_ignored():
    frame = table(FEB.start_date, [(-30, "ENVOY", "GOV", "045"), (4, "ENVOY", "GOV", "045"), (70, "ENVOY", "GOV", "165")])
    s = statistics_from_events(frame, FEB)
    assert s["feb_open_to_pause"] == FEB.window_days - 4
    # the window of an observed table is 1 + its last day inside the episode
    assert window_days(frame, "geneva_2016_02") == 5


def test_profile_keys_are_the_models_repertoire():
    keys = profile_keys()
    assert ("RUS", "OPP", "19") in keys and ("USA", "RUS", "13") in keys and ("OPP", "USA", "02") in keys
    assert all(s != "OTHER" and t != "OTHER" for s, t, _ in keys)


@pytest.mark.parametrize("episode", ["geneva_2016_02", "ceasefire_2016_09"])
@pytest.mark.parametrize("seed", [0, 7])
def test_fast_path_equals_event_table(episode, seed):
    spec = FEB if episode == "geneva_2016_02" else SEP
    run = simulate(episode, seed=seed)
    fast = statistics_from_model(run.model, spec)
    slow = statistics_from_events(run.events, spec)
    assert fast.keys() == slow.keys()
    for k in fast:
        assert (math.isnan(fast[k]) and math.isnan(slow[k])) or fast[k] == slow[k], k


def test_observed_targets_computed_from_the_published_table():
    observed = read_observed()
    specs = episode_specs(observed)
    stats = observed_statistics(observed, specs)
    for spec in specs.values():
        assert 0 < spec.window_days <= spec.horizon_days
        for name in spec.names():
            assert name in stats
