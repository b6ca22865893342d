"""Calibration targets: milestone days with censoring, the violence ratio, the profile, on
hand-made records with known answers, on the composed record, and on runs."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from calibration.targets import (
    MilestoneTarget,
    episode_specs,
    first_day,
    milestone_targets,
    observed_milestone_days,
    observed_statistics,
    profile_keys,
    ratio_measure,
    read_observed,
    run_episode,
    run_milestones,
    scripted_milestones,
    simulated_ratio,
    statistics_from_kernel,
)

T = 60
RESUME = MilestoneTarget("talks_resume", "talks_resume", "", "", "", True, "")
REFUSAL = MilestoneTarget("rus_refuses_halt", "rus_refuses_halt", "", "", "", False, "")
ABSENT = MilestoneTarget("opp_absent", "opp_absent", "", "talks_open", "", True, "")
CAPTURE = MilestoneTarget("capture", "capture", "", "", "supply_route_cut", True, "")


def test_a_milestone_is_its_first_day_in_the_window():
    assert first_day({"talks_resume": [49, 55]}, RESUME, T) == 49
    assert first_day({"talks_resume": [61]}, RESUME, T) == T  # after the window: not by its end


def test_a_state_change_that_did_not_happen_is_censored_at_the_windows_end():
    assert first_day({}, RESUME, T) == T


def test_an_unreported_act_has_no_observed_value():
    assert math.isnan(first_day({}, REFUSAL, T))


def test_after_counts_only_days_from_the_other_milestone():
    assert first_day({"opp_absent": [3], "talks_open": [7]}, ABSENT, T) == T
    assert first_day({"opp_absent": [3, 12], "talks_open": [7]}, ABSENT, T) == 12
    assert first_day({"opp_absent": [3]}, ABSENT, T) == T  # the talks never opened


def test_a_missing_milestone_is_implied_by_what_entails_it():
    assert first_day({"supply_route_cut": [9]}, CAPTURE, T) == 9
    assert first_day({"capture": [8], "supply_route_cut": [9]}, CAPTURE, T) == 8


def test_every_target_names_a_milestone_the_model_records():
    recorded = set()
    for episode in ("geneva_2016_02", "ceasefire_2016_09"):
        for seed in range(6):
            recorded |= set(run_milestones(run_episode(episode, {}, seed)))
    for target in milestone_targets():
        assert target.target in recorded or target.target in ("talks_resume", "round_ends", "rus_drawdown",
                                                               "talks_scheduled"), target.target


def test_a_scheduled_milestone_is_an_input_not_a_target():
    assert {"talks_open", "offensive_start"} <= scripted_milestones("geneva_2016_02")
    specs = episode_specs()
    feb = {m.target for m in specs["geneva_2016_02"].milestones}
    sep = {m.target for m in specs["ceasefire_2016_09"].milestones}
    assert "talks_open" not in feb and "offensive_start" not in feb
    assert "offensive_start" in sep and "ceasefire_agreed" not in sep


def _measurements(rows):
    frame = pd.DataFrame(rows, columns=["episode", "from_date", "to_date", "quantity", "value", "unit"])
    frame["from_date"] = pd.to_datetime(frame["from_date"])
    frame["to_date"] = pd.to_datetime(frame["to_date"])
    return frame


def test_violence_ratio_from_the_measurements_around_the_entry_into_force():
    m = _measurements([
        ("ep", "2016-02-01", "2016-02-26", "deaths_per_day", 120, "people per day"),
        ("ep", "2016-02-26", "2016-02-26", "deaths_per_day", 144, "people per day"),
        ("ep", "2016-02-27", "2016-02-28", "deaths_per_day", 20, "people per day"),
        ("ep", "2016-02-27", "2016-03-05", "deaths_in_covered_areas", 135, "people"),
    ])
    measure = ratio_measure(m, "ep", dt.date(2016, 2, 27))
    assert measure.observed == pytest.approx(20 / 120) and measure.during_days == 2


def test_violence_ratio_needs_both_measurements():
    m = _measurements([("ep", "2016-09-12", "2016-09-14", "deaths_first_48h", 0, "people")])
    assert ratio_measure(m, "ep", dt.date(2016, 9, 12)) is None
    assert ratio_measure(m, "ep", None) is None


def test_simulated_ratio_compares_the_first_whole_days_with_the_fortnight_before():
    # Day 20 is the day it came into effect, in the evening: its strikes are not under it.
    harm = [10.0] * 20 + [50.0] + [2.0, 4.0] + [50.0] * 5
    assert simulated_ratio(harm, 20, 2) == pytest.approx(0.3)
    assert math.isnan(simulated_ratio(harm, None, 2))
    assert math.isnan(simulated_ratio([0.0] * 30, 20, 2))


def test_profile_keys_are_the_models_repertoire():
    keys = profile_keys()
    assert ("RUS", "OPP", "19") in keys and ("USA", "RUS", "13") in keys and ("OPP", "USA", "02") in keys
    assert all(s != "OTHER" and t != "OTHER" for s, t, _ in keys)


def test_observed_milestones_from_the_composed_record():
    observed = read_observed()
    specs = episode_specs(observed)
    stats = observed_statistics(observed, specs)
    # The dated record (../shared/chronology): Geneva from 25 Jan, September from 9 Sep.
    assert stats["feb_ceasefire_in_effect"] == 33 and stats["feb_talks_resume"] == 49
    assert stats["feb_ceasefire_collapse"] == T and stats["feb_channel_suspend"] == T  # held; stayed open
    assert stats["sep_ceasefire_collapse"] == 10 and stats["sep_channel_suspend"] == 24
    assert stats["sep_rus_halt"] == 39  # strikes_reduce by Russia, not the government's of February
    assert stats["feb_rus_halt"] == T
    assert stats["feb_violence_ratio"] == pytest.approx(20 / 120)
    assert "sep_violence_ratio" not in stats
    for spec in specs.values():
        for name in spec.names():
            assert name in stats


def test_observed_days_respect_the_source_filter():
    observed = read_observed()
    feb = episode_specs(observed)["geneva_2016_02"]
    days = observed_milestone_days(observed.events, feb)
    assert days["rus_halt"] == []  # 27 Feb: the government's strikes fell, Russia's did not halt


@pytest.mark.parametrize("episode", ["geneva_2016_02", "ceasefire_2016_09"])
def test_simulated_statistics_are_the_recorded_milestones(episode):
    spec = episode_specs()[episode]
    run = run_episode(episode, {}, 3)
    stats = statistics_from_kernel(run, spec)
    for target in spec.milestones:
        value = stats[f"{spec.prefix}_{target.target}"]
        days = run_milestones(run).get(target.target, [])
        if days and not target.after:
            assert value == days[0]
        assert 0 <= value <= spec.window_days
