"""The local-linear regression adjustment of the ABC sample (calibration/inference/adjustment.py)."""

import numpy as np
import pytest

from calibration.inference.adjustment import epanechnikov, local_linear_adjust


def _accepted(rng, n, noise, observed, eps, informative=True):
    """Rejection ABC of theta ~ U(0, 1) with s = theta + noise (or pure noise), within eps."""
    theta = rng.uniform(size=n)
    s = (theta if informative else 0.5) + noise * rng.normal(size=n)
    d = np.abs(s - observed)
    keep = d < eps
    return theta[keep, None], s[keep, None], d[keep]


def test_the_adjustment_contracts_an_informed_parameter_towards_the_observed_summary():
    rng = np.random.default_rng(3)
    theta, s, d = _accepted(rng, 200_000, 0.02, 0.3, 0.15)
    out = local_linear_adjust(theta, s, np.array([0.3]), np.ones(len(theta)), d)
    before = np.sqrt(np.cov(theta[:, 0]))
    after = np.sqrt(np.cov(out.unit[:, 0], aweights=out.weights))
    assert after < 0.4 * before
    # The exact posterior is about N(0.3, 0.02): the adjusted sample is centred there.
    assert np.average(out.unit[:, 0], weights=out.weights) == pytest.approx(0.3, abs=0.01)
    assert after == pytest.approx(0.02, rel=0.5)


def test_a_summary_that_carries_nothing_leaves_the_sample_where_it_was():
    rng = np.random.default_rng(4)
    theta, s, d = _accepted(rng, 20_000, 0.1, 0.5, 0.05, informative=False)
    out = local_linear_adjust(theta, s, np.array([0.5]), np.ones(len(theta)), d)
    assert abs(out.slopes[0]) < 0.5
    assert np.sqrt(np.cov(out.unit[:, 0], aweights=out.weights)) == pytest.approx(np.std(theta), rel=0.1)


def test_adjusted_values_stay_inside_the_range():
    rng = np.random.default_rng(5)
    theta, s, d = _accepted(rng, 50_000, 0.05, 0.02, 0.2)
    out = local_linear_adjust(theta, s, np.array([0.02]), np.ones(len(theta)), d)
    assert np.all((out.unit > 0) & (out.unit < 1))
    assert out.weights.sum() == pytest.approx(1.0)


def test_the_kernel_weighs_the_nearest_particles_most():
    k = epanechnikov(np.array([0.0, 0.5, 1.0]))
    assert k.tolist() == [1.0, 0.75, 0.0]
    assert epanechnikov(np.array([0.0])).tolist() == [1.0]


def test_a_sample_too_small_for_the_regressions_is_not_adjusted():
    rng = np.random.default_rng(6)
    theta, s = rng.uniform(size=(30, 24)), rng.normal(size=(30, 24))
    assert local_linear_adjust(theta, s, np.zeros(24), np.ones(30), rng.uniform(size=30)) is None


def test_each_parameter_is_adjusted_on_its_own_summary_only():
    rng = np.random.default_rng(7)
    n = 4000
    a, b = rng.uniform(size=n), rng.uniform(size=n)
    # b's summary is noise; a's summary carries a and, with the opposite sign, b
    s = np.column_stack([a - 0.5 * b + 0.02 * rng.normal(size=n), rng.normal(size=n)])
    out = local_linear_adjust(np.column_stack([a, b]), s, np.array([0.25, 0.0]), np.ones(n), rng.uniform(size=n))
    assert abs(out.slopes[1]) < 0.2  # b is not moved by a's summary
    assert out.slopes[0] > 1.0
