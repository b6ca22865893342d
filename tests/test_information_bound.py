"""The information bound: what the targets can teach each parameter, and which new measurement
would teach more (`calibration.inference.information`)."""

import math

import numpy as np
import pandas as pd
import pytest

from calibration.inference.information import expected_sd_ratio, information_table


@pytest.fixture(scope="module")
def synthetic():
    """Three parameters: one a target measures (with noise), one only a candidate measures,
    one nothing measures; a target that is undefined (NaN) in half the runs carries the
    first's signal only where it is defined."""
    rng = np.random.default_rng(7)
    n = 900
    pars = pd.DataFrame({"measured": rng.uniform(0, 10, n), "candidate_only": rng.uniform(0, 1, n),
                         "unmeasured": rng.uniform(-3, 3, n)})
    defined = rng.uniform(size=n) < 0.5
    conditional = np.where(defined, pars["measured"] + rng.normal(0, 0.3, n), np.nan)
    targets = np.column_stack([pars["measured"] + rng.normal(0, 0.5, n), conditional, rng.normal(size=n)])
    candidates = np.column_stack([pars["candidate_only"] + rng.normal(0, 0.05, n), rng.normal(size=n)])
    bounds = {"measured": (0, 10), "candidate_only": (0, 1), "unmeasured": (-3, 3)}
    table = information_table(pars, bounds, targets, ["day_a", "day_a_if_began", "noise"], candidates,
                              ["feb_strikes", "feb_noise"], seed=1)
    return table.set_index("parameter")


def test_a_measured_parameter_is_bounded_tight_and_its_target_named(synthetic):
    row = synthetic.loc["measured"]
    assert row["r2_targets"] > 0.9
    assert row["expected_sd_ratio"] < 0.35
    assert row["informative_targets"].startswith("day_a")
    assert "noise" not in row["informative_targets"].split(";")[0]


def test_an_unmeasured_parameter_keeps_its_prior(synthetic):
    row = synthetic.loc["unmeasured"]
    assert row["r2_targets"] < 0.05
    assert row["expected_sd_ratio"] > 0.97
    assert row["informative_targets"] == "-"


def test_the_candidate_that_would_identify_a_parameter_is_named(synthetic):
    row = synthetic.loc["candidate_only"]
    assert row["r2_targets"] < 0.05
    assert row["r2_with_candidates"] > 0.9
    assert row["expected_sd_ratio_with_candidates"] < 0.35
    assert row["best_candidate"].startswith("feb_strikes")


def test_rows_are_best_informed_first(synthetic):
    assert list(synthetic["r2_targets"]) == sorted(synthetic["r2_targets"], reverse=True)


@pytest.mark.parametrize("r2,ratio", [(0.75, 0.5), (0.0, 1.0), (-0.2, 1.0), (1.3, 0.0)])
def test_expected_sd_ratio_is_sqrt_of_the_unexplained_share(r2, ratio):
    assert math.isclose(expected_sd_ratio(r2), ratio)
