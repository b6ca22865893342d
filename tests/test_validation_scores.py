"""Proper scores of the validation (`calibration.validation.scores`)."""

import math

import numpy as np
import pandas as pd
import pytest

from calibration.validation.scores import brier, forecast_scores, randomized_pit, skill


def test_brier_is_zero_for_a_sure_right_forecast_and_one_for_a_sure_wrong_one():
    assert brier(np.array([10.0, 12.0]), 11.0, 60.0) == 0.0
    assert brier(np.array([60.0, 60.0]), 11.0, 60.0) == 1.0
    assert brier(np.array([10.0, 60.0]), 60.0, 60.0) == 0.25
    assert math.isnan(brier(np.array([10.0]), math.nan, 60.0))


def test_pit_of_a_calibrated_discrete_forecast_is_uniform():
    rng = np.random.default_rng(3)
    pits = []
    for _ in range(2000):
        sample = rng.integers(0, 5, size=400).astype(float)   # the forecast: uniform on 0..4
        observed = float(rng.integers(0, 5))                   # the truth drawn from the same law
        pits.append(randomized_pit(sample, observed, rng.uniform()))
    counts, _ = np.histogram(pits, bins=10, range=(0, 1))
    assert counts.min() > 150 and counts.max() < 250      # 200 expected per bin


def test_pit_of_an_overconfident_forecast_piles_at_the_ends():
    rng = np.random.default_rng(4)
    pits = [randomized_pit(rng.normal(0, 0.2, 300), rng.normal(0, 1), rng.uniform()) for _ in range(1000)]
    ends = np.mean((np.array(pits) < 0.1) | (np.array(pits) > 0.9))
    assert ends > 0.5                                      # 0.2 if calibrated


def test_skill_is_positive_when_the_model_beats_the_reference():
    assert skill(2.0, 4.0) == 0.5
    assert skill(5.0, 4.0) < 0
    assert math.isnan(skill(1.0, 0.0))


def test_forecast_scores_adds_brier_and_pit_per_statistic():
    sim = pd.DataFrame({"feb_talks_resume": [40.0, 50.0, 60.0, 60.0], "feb_violence_ratio": [0.1, 0.2, np.nan, 0.3]})
    observed = {"feb_talks_resume": 49.0, "feb_violence_ratio": 0.15}
    table = forecast_scores(sim, observed, list(sim.columns), {"feb_talks_resume": 60.0},
                            np.random.default_rng(0)).set_index("statistic")
    assert table.loc["feb_talks_resume", "brier"] == pytest.approx((0.5 - 1.0) ** 2)
    assert math.isnan(table.loc["feb_violence_ratio", "brier"])
    assert 0.25 <= table.loc["feb_talks_resume", "pit"] <= 0.25 + 1e-12   # one of four runs below 49, none at it
    assert 1 / 3 <= table.loc["feb_violence_ratio", "pit"] <= 1 / 3 + 1e-12
