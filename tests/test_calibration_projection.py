"""The semi-automatic summaries: a parameter the targets inform moves its own summary; the
distance is zero at the observed record and grows with the informed parameter's error."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.inference.distance import ProjectedDistance
from calibration.inference.projection import feature_names, features, fit_projection
from calibration.targets import episode_specs, observed_statistics, read_observed
from calibration.inference.episode_model import observed_packed


def test_an_informed_parameter_is_recovered_and_noise_is_not():
    rng = np.random.default_rng(0)
    n = 2000
    informed, ignored = rng.uniform(0, 10, n), rng.uniform(0, 1, n)
    # feature 0 carries the informed parameter with noise; feature 1 is pure noise
    X = np.column_stack([informed + rng.normal(0, 1, n), rng.normal(0, 1, n)])
    proj = fit_projection(X, np.column_stack([informed, ignored]), ["a", "b"], {"a": (0, 10), "b": (0, 1)})
    assert proj.r2["a"] > 0.85 and proj.r2["b"] < 0.02
    low, high = proj.summaries(np.array([1.0, 0.0])), proj.summaries(np.array([9.0, 0.0]))
    # 8 of the parameter's 10 units are 2.77 prior sds; the fit shrinks that by its R^2
    assert high[0] - low[0] == pytest.approx(2.77 * proj.r2["a"], rel=0.05)
    # in units of its own prior sd, the noise summary barely moves with its feature
    quiet, loud = proj.summaries(np.array([5.0, -2.0])), proj.summaries(np.array([5.0, 2.0]))
    assert abs(loud[1] - quiet[1]) < 0.1


def test_a_feature_constant_in_the_pilot_is_ignored():
    rng = np.random.default_rng(1)
    a = rng.uniform(0, 1, 500)
    X = np.column_stack([a, np.full(500, 7.0)])
    proj = fit_projection(X, a[:, None], ["a"], {"a": (0, 1)})
    assert proj.summaries(np.array([0.5, 7.0])) == pytest.approx(proj.summaries(np.array([0.5, 99.0])))


def test_features_of_the_record_and_the_distance_at_it():
    observed = read_observed()
    by_episode = episode_specs(observed)
    specs = list(by_episode.values())
    x0 = observed_packed(observed_statistics(observed, by_episode), specs)
    f0 = features(x0, x0, specs)
    names = feature_names(x0, specs)
    assert len(f0) == len(names)
    # the September ceasefire collapsed on day 10; February's held to the window's end (censored)
    assert f0[names.index("sep_ceasefire_collapse")] == 10 and f0[names.index("sep_ceasefire_collapse:censored")] == 0
    assert f0[names.index("feb_ceasefire_collapse:censored")] == 1
    assert f0[names.index("feb_profile")] == 0  # the record matches itself
    rng = np.random.default_rng(2)
    pilot_f = f0 + rng.normal(0, 1, (300, len(f0)))
    theta = pilot_f[:, [names.index("sep_ceasefire_collapse")]]
    proj = fit_projection(pilot_f, theta, ["x"], {"x": (float(theta.min()), float(theta.max()))})
    d = ProjectedDistance(specs, proj)
    assert d(x0, x0) == pytest.approx(0.0)
    later = dict(x0, sep_ceasefire_collapse=20.0)
    much_later = dict(x0, sep_ceasefire_collapse=30.0)
    assert 0 < d(later, x0) < d(much_later, x0)


def test_a_duration_is_undefined_for_the_screening_when_its_first_milestone_did_not_come():
    observed = read_observed()
    by_episode = episode_specs(observed)
    specs = list(by_episode.values())
    x0 = observed_packed(observed_statistics(observed, by_episode), specs)
    names = feature_names(x0, specs)
    never = dict(x0, feb_ceasefire_in_effect=60.0, feb_ceasefire_collapse=60.0)
    held = features(never, x0, specs)
    screened = features(never, x0, specs, undefined_as_nan=True)
    key = names.index("feb_ceasefire_in_effect->feb_ceasefire_collapse")
    assert held[key] == 0.0 and held[key + 1] == 0.0  # the ABC's features: no ceasefire, no holding
    assert np.isnan(screened[key]) and np.isnan(screened[key + 1])
    # the record's cessation came and held: defined either way
    assert features(x0, x0, specs, undefined_as_nan=True)[key + 1] == 1.0
