"""Priors from the parameter table, the distance, reproducibility and the whole loop on a tiny budget."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import run
from calibration.inference.distance import EpisodeDistance
from calibration.inference.kernel import ReflectedNormalTransition, fold_unit
from calibration.inference.prior import calibrated_parameters, make_prior
from calibration.inference.sampler import SeededMapSampler
from calibration.inference.smc import run_abc
from calibration.seeds import Offset, draw_run_seed, offset_seed, run_seed
from calibration.targets import episode_specs, observed_statistics, read_observed
from sim.model.parameters import parameter_table
from sim.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT


@pytest.fixture(scope="module")
def targets():
    """(episode specs, observed statistics) of the committed observed events."""
    observed = read_observed()
    specs = episode_specs(observed)
    return specs, observed_statistics(observed, specs)


def test_prior_is_the_documented_ranges_of_calibrated_parameters():
    table = parameter_table()
    names = [s.name for s in calibrated_parameters()]
    assert names == [n for n, s in table.items() if s.calibrated]
    # the committed posterior estimates the same parameters, in the same order
    committed = pd.read_csv(ROOT / "calibration/data/posterior.csv", nrows=1)
    assert names == list(committed.columns[2:])
    assert "opp_preconditions" not in names and "jic_formation_prob" not in names
    assert "ceasefire_delay_days" not in names
    prior = make_prior()
    assert sorted(prior.keys()) == sorted(names)
    np.random.seed(1)
    draws = [dict(prior.rvs()) for _ in range(400)]
    for name in names:
        values = np.array([d[name] for d in draws])
        spec = table[name]
        assert values.min() >= spec.low and values.max() <= spec.high
        # uniform on [low, high]: about a tenth of the draws in each tenth of the range
        u = (values - spec.low) / (spec.high - spec.low)
        assert 0.05 < np.mean(u < 0.1) < 0.17 and 0.4 < np.mean(u < 0.5) < 0.6


def test_seed_hash():
    x = {s.name: (s.low + s.high) / 3 + s.low / 3 for s in calibrated_parameters()}
    assert run_seed(1, x) == run_seed(1, dict(reversed(list(x.items()))))
    assert run_seed(1, x) != run_seed(2, x)


def test_seed_derivations_are_those_of_the_committed_posterior():
    """Changing one changes the posterior a --seed gives (see calibration/seeds.py)."""
    assert [(o.name, o.value) for o in Offset][:7] == [
        ("POSTERIOR_DRAWS", 0), ("POSTERIOR_RUNS", 1), ("PRIOR_DRAWS", 2), ("PRIOR_RUNS", 3),
        ("CROSS_ABC", 10), ("CROSS_DRAWS", 11), ("CROSS_RUNS", 12),
    ]
    assert len({o.value for o in Offset}) == len(Offset)  # the validation's steps have their own
    assert offset_seed(20160203, Offset.CROSS_RUNS) == 20160215
    x = {"b": 0.25, "a": 1.5}
    assert run_seed(7, x) == 4077737070892688609  # computed by the code that made the posterior
    assert draw_run_seed(7, 3, x) == run_seed(10, x)


def _call_twice(x):
    return 2 * x


def test_sampler_map_is_ordered_and_the_same_for_any_number_of_workers():
    args = [(i,) for i in range(40)]
    results = []
    for workers in (1, 2):
        sampler = SeededMapSampler(workers)
        try:
            results.append(sampler.map(_call_twice, args))
            results.append(sampler.map(lambda x: x + 1, args))  # a closure travels too (cloudpickle)
        finally:
            sampler.close()
    assert results[0] == results[2] == [2 * i for i in range(40)]
    assert results[1] == results[3] == [i + 1 for i in range(40)]


def _kernel(rng, n=300, dim=3):
    bounds = {"a": (0.0, 1.0), "b": (-2.0, 4.0), "c": (10.0, 12.0)}
    names = list(bounds)[:dim]
    X = pd.DataFrame({k: rng.uniform(*bounds[k], size=n) for k in names})
    X["a"] = rng.beta(8, 2, size=n)  # piled up near a bound
    w = rng.uniform(0.5, 1.5, size=n)
    kernel = ReflectedNormalTransition(bounds, scaling=1.0)
    kernel.fit(X, w / w.sum())
    return kernel, bounds


def test_reflected_kernel_stays_in_bounds_and_its_density_matches_its_draws():
    rng = np.random.default_rng(4)
    kernel, bounds = _kernel(rng)
    np.random.seed(5)
    draws = pd.DataFrame([dict(kernel.rvs_single()) for _ in range(4000)])
    for k, (lo, hi) in bounds.items():
        assert draws[k].between(lo, hi).all()
    volume = float(np.prod([hi - lo for lo, hi in bounds.values()]))
    # the density integrates to 1 over the box (uniform points) ...
    box = pd.DataFrame({k: rng.uniform(lo, hi, size=4000) for k, (lo, hi) in bounds.items()})
    assert kernel.pdf(box).mean() * volume == pytest.approx(1.0, abs=0.05)
    # ... and is the density of the draws: the share of draws near the bound where the particles
    # pile up equals the density's mass there
    near = box["a"] > 0.9
    assert (kernel.pdf(box) * near).mean() * volume == pytest.approx((draws["a"] > 0.9).mean(), abs=0.03)
    assert fold_unit(np.array([-0.25, 1.25, 2.5, 0.5])) == pytest.approx([0.25, 0.75, 0.5, 0.5])


def test_reflected_kernel_keeps_a_uniform_population_uniform():
    """The reason for the kernel: broad (prior-like) marginals do not make the weights vary.
    Importance weights prior/proposal of draws from the kernel fitted to a uniform sample in
    16 dimensions: ESS about half the draws (the same kernel truncated at the bounds instead of
    reflected: about a fifth, measured)."""
    rng = np.random.default_rng(6)
    dim, n = 16, 300
    bounds = {f"p{i}": (0.0, 1.0) for i in range(dim)}
    X = pd.DataFrame(rng.uniform(size=(n, dim)), columns=list(bounds))
    kernel = ReflectedNormalTransition(bounds)
    kernel.fit(X, np.full(n, 1.0 / n))
    np.random.seed(7)
    draws = pd.DataFrame([dict(kernel.rvs_single()) for _ in range(400)])
    w = 1.0 / kernel.pdf(draws)  # uniform prior: weight = 1 / proposal
    w = w / w.sum()
    assert 1.0 / (w**2).sum() > 0.4 * len(w)


def test_distance_scales_and_missing_values(targets):
    specs = list(targets[0].values())
    feb = specs[0]
    x0 = {"feb_talks_resume": 49.0, "feb_ceasefire_collapse": float(feb.window_days),
          "feb_violence_ratio": 0.2, "feb_profile": np.zeros(len(feb.profile_names()))}
    scales = {"feb_talks_resume": 2.0, "feb_ceasefire_collapse": 4.0, "feb_violence_ratio": 0.1, "feb_profile": 0.5}
    d = EpisodeDistance([feb], scales=scales)
    x = {"feb_talks_resume": 53.0, "feb_ceasefire_collapse": 40.0, "feb_violence_ratio": 0.2,
         "feb_profile": np.r_[np.ones(4), np.zeros(len(feb.profile_names()) - 4)]}
    share = 4 / len(feb.profile_names())
    # a censored observation (still holding at the window's end) against a collapse on day 40
    # costs the days between them
    assert d(x, x0) == pytest.approx(4 / 2 + (feb.window_days - 40) / 4 + share / 0.5)
    x["feb_ceasefire_collapse"] = float(feb.window_days)  # censored on both sides: no cost
    assert d(x, x0) == pytest.approx(4 / 2 + share / 0.5)
    x["feb_violence_ratio"] = math.nan  # no ceasefire in effect: costs a whole ratio
    assert d(x, x0) == pytest.approx(4 / 2 + 1.0 / 0.1 + share / 0.5)


def test_same_seed_same_posterior_for_any_number_of_workers(tmp_path, targets):
    specs, obs = targets
    posts = []
    for workers in (1, 2):
        sampler = SeededMapSampler(workers)
        try:
            res = run_abc([specs["ceasefire_2016_09"]], obs, 12, 2, 5, sampler, str(tmp_path / f"w{workers}.db"))
        finally:
            sampler.close()
        posts.append(res.posterior)
    pd.testing.assert_frame_equal(posts[0], posts[1])


def test_whole_loop_tiny_budget_from_the_command_line(tmp_path, capsys):
    published = ROOT / "calibration/data/posterior.csv"
    before = published.read_bytes()
    code = run.main(["calibrate", "--quick", "--population", "16", "--generations", "2", "--workers", "1",
                     "--seed", "3", "--out", str(tmp_path)])
    assert code == 0
    summary = capsys.readouterr().out
    assert published.read_bytes() == before  # a quick run is never published
    post = pd.read_csv(tmp_path / "posterior.csv")
    names = [s.name for s in calibrated_parameters()]
    assert list(post.columns) == ["draw_id", "weight"] + names
    assert len(post) == 16
    assert post["weight"].sum() == pytest.approx(1.0)
    table = parameter_table()
    for n in names:
        assert post[n].between(table[n].low, table[n].high).all()
    for f in ("report.md", "ppc_timeline.csv", "ppc_timeline.png", "cross_episode.csv", "identifiability.csv", "abc.db"):
        assert (tmp_path / f).exists(), f
    ppc = pd.read_csv(tmp_path / "ppc_timeline.csv")
    assert {"observed", "q05", "q25", "q50", "q75", "q95", "in50", "in90"} <= set(ppc.columns)
    assert "posterior predictive" in summary
    report = (tmp_path / "report.md").read_text()
    assert "Quick run" in report
    assert f"command: `python run.py calibrate --quick --population 16 --generations 2 --workers 1 --seed 3 --out {tmp_path}`" in report


@pytest.mark.parametrize("flag, value", [("--population", "0"), ("--workers", "x"), ("--seed", "-1")])
def test_calibrate_flag_mistakes_are_one_line(flag, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run.main(["calibrate", "--quick", flag, value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag in err
