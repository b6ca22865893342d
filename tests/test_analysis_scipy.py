"""The reporting statistics are scipy's: each result equals scipy's own call on the same data
(exactly, `assert_array_equal`; the issue asks for 1e-16), and the paired bootstrap resamples the
very pairs the hand-written bootstrap it replaced did. lifelines, where installed, agrees too."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from sim.reporting import analysis as an

LEVELS = (0.95, 0.9, 0.5)


def runs_table(rows: list[dict]) -> pd.DataFrame:
    base = {"error": None, "horizon_days": 60, "seed": 0}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    if "episode" not in frame:
        frame["episode"] = frame["scenario"]
    return frame


# --------------------------------------------------------------------------- Wilson
@pytest.mark.parametrize("level", LEVELS)
def test_wilson_interval_is_scipys(level):
    for n in (1, 2, 3, 10, 37, 300, 1000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
            assert an.wilson_interval(k, n, level) == (ci.low, ci.high)


def test_wilson_interval_of_arrays_is_scipys_element_by_element():
    k, n = np.array([[0, 3], [7, 0]]), np.array([[10, 10], [7, 0]])
    low, high = an.wilson_interval(k, n)
    for i in np.ndindex(k.shape):
        if n[i] == 0:
            assert math.isnan(low[i]) and math.isnan(high[i])
            continue
        ci = stats.binomtest(int(k[i]), int(n[i])).proportion_ci(method="wilson")
        assert (low[i], high[i]) == (ci.low, ci.high)


# --------------------------------------------------------------------------- Kaplan-Meier
def censored_samples():
    rng = np.random.default_rng(5)
    yield "hand", np.array([2.0, 3, 3, 10, 5, 10]), np.array([1, 1, 1, 0, 1, 0], bool)
    yield "no censoring", np.array([1.0, 2, 2, 4]), np.ones(4, bool)
    yield "all censored", np.array([10.0, 10, 7]), np.zeros(3, bool)
    yield "event and censoring tied", np.array([3.0, 3, 3, 5, 8]), np.array([1, 0, 1, 1, 0], bool)
    yield "survival reaches 0", np.array([1.0, 2, 2, 3]), np.array([1, 0, 1, 1], bool)
    for size in (5, 40, 300):
        days = rng.integers(0, 60, size).astype(float)
        observed = rng.random(size) < 0.6
        yield f"random {size}", np.where(observed, days, 60.0), observed


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name, times, observed", list(censored_samples()), ids=[s[0] for s in censored_samples()])
def test_kaplan_meier_is_scipys_ecdf_and_band(name, times, observed, level):
    curve = an.kaplan_meier(times, observed, level)
    sf = stats.ecdf(stats.CensoredData.right_censored(times, ~observed)).sf
    assert_array_equal(curve["time"], sf.quantiles)
    assert_array_equal(curve["survival"], sf.probabilities)
    with pytest.warns(RuntimeWarning) if ((sf.probabilities == 1) | (sf.probabilities == 0)).any() else _no_warning():
        band = sf.confidence_interval(level, method="log-log")
    low, high = band.low.probabilities, band.high.probabilities
    defined = ~(np.isnan(low) | np.isnan(high))
    assert_array_equal(curve["low"][defined], low[defined])
    assert_array_equal(curve["high"][defined], high[defined])
    # where scipy's band is undefined: S = 1 before the first event, S = 0 after the last death
    undefined = curve[~defined]
    assert set(undefined["survival"]) <= {0.0, 1.0}
    assert (undefined["low"] == undefined["survival"]).all() and (undefined["high"] == undefined["survival"]).all()
    # the counts (scipy keeps them private): at risk = runs with time >= t; events, censorings at t
    for _, row in curve.iterrows():
        t = row["time"]
        assert row["at_risk"] == np.sum(times >= t)
        assert row["events"] == np.sum(observed & (times == t))
        assert row["censored"] == np.sum(~observed & (times == t))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_survival_frame_is_what_scipy_takes():
    days = [2.0, 3.0, 3.0, math.nan, 5.0, math.nan, 12.0]
    rows = [{"scenario": "a", "replicate": r, "talks_pause_day": d, "horizon_days": 10 if r < 6 else 20}
            for r, d in enumerate(days)]  # fmt: skip
    frame = an.survival_frame(runs_table(rows), "talks_pause_day")
    sf = stats.ecdf(an.censored_data(frame)).sf
    curve = an.survival_curves(runs_table(rows), "talks_pause_day")
    assert_array_equal(curve["time"], sf.quantiles)
    assert_array_equal(curve["survival"], sf.probabilities)
    direct = stats.CensoredData.right_censored(frame["duration"].to_numpy(), ~frame["event_observed"].to_numpy())
    assert_array_equal(stats.ecdf(direct).sf.probabilities, sf.probabilities)


def test_survival_frame_agrees_with_lifelines():
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(8)
    rows = []
    for scenario, share in (("a", 0.3), ("b", 0.8)):
        for r in range(200):
            rows.append({"scenario": scenario, "replicate": r, "horizon_days": 60,
                         "talks_pause_day": float(rng.integers(0, 60)) if rng.random() < share else math.nan})
    runs = runs_table(rows)
    frame = an.survival_frame(runs, "talks_pause_day")
    curves = an.survival_curves(runs, "talks_pause_day")
    for scenario in ("a", "b"):
        one = frame[frame["scenario"] == scenario]
        kmf = lifelines.KaplanMeierFitter().fit(one["duration"], one["event_observed"])
        ours = curves[curves["scenario"] == scenario].set_index("time")
        theirs = kmf.survival_function_.iloc[:, 0].reindex(ours.index)
        band = kmf.confidence_interval_.reindex(ours.index)
        assert_allclose(ours["survival"], theirs, rtol=1e-12, atol=0)
        assert_allclose(ours["low"], band.iloc[:, 0], rtol=1e-12, atol=0)
        assert_allclose(ours["high"], band.iloc[:, 1], rtol=1e-12, atol=0)
        table = kmf.event_table.reindex(ours.index)
        assert ours["at_risk"].tolist() == table["at_risk"].astype(int).tolist()
        assert ours["events"].tolist() == table["observed"].astype(int).tolist()
        assert ours["censored"].tolist() == table["censored"].astype(int).tolist()


# --------------------------------------------------------------------------- paired bootstrap
def paired_table(n: int, seed: int, nan_share: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    base_p = rng.random(n) < 0.5
    cf_p = np.where(rng.random(n) < 0.3, ~base_p, base_p)
    harm = rng.normal(10, 3, n)

    def day():
        return np.where(rng.random(n) < nan_share, np.nan, rng.integers(0, 60, n).astype(float))

    day_b, day_c = day(), day()
    for r in range(n):
        rows.append({"scenario": "ep", "episode": "ep", "replicate": r, "seed": r, "talks_paused": bool(base_p[r]),
                     "civilian_harm": harm[r], "talks_pause_day": day_b[r]})
        rows.append({"scenario": "ep_cf", "episode": "ep", "replicate": r, "seed": r, "talks_paused": bool(cf_p[r]),
                     "civilian_harm": harm[r] - 2 + rng.normal(), "talks_pause_day": day_c[r]})
    return runs_table(rows)


def mean_difference(cf, base, axis=-1):
    return (cf - base).mean(axis=axis)


def scipy_paired(cf, base, level, resamples, seed):
    return stats.bootstrap((cf, base), mean_difference, paired=True, method="percentile", confidence_level=level,
                           n_resamples=resamples, rng=np.random.default_rng(seed))


OUTCOMES = ["talks_paused", "civilian_harm", "talks_pause_day"]


@pytest.mark.parametrize("n, seed, level", [(2, 1, 0.95), (50, 2, 0.95), (300, 3, 0.9), (301, 4, 0.5)])
def test_paired_differences_are_scipys_paired_percentile_bootstrap(n, seed, level):
    runs = paired_table(n, seed)
    table = an.paired_differences(runs, OUTCOMES, level=level, resamples=700, seed=seed).set_index("outcome")
    pairs = an.paired_runs(runs, OUTCOMES)
    for outcome in OUTCOMES:
        cf, base = pairs[outcome].astype(float).to_numpy(), pairs[f"{outcome}_base"].astype(float).to_numpy()
        row = table.loc[outcome]
        if row["interval"] != "bootstrap":
            continue
        ci = scipy_paired(cf, base, level, 700, seed).confidence_interval
        assert (row["low"], row["high"]) == (ci.low, ci.high), outcome


def test_the_bootstrap_resamples_the_same_pairs_as_before():
    """The hand-written bootstrap drew `default_rng(seed).integers(0, n, (resamples, n))` once per
    scenario; scipy's draws the same indices, so the bootstrap distribution is the old one, bit
    for bit (only the percentile's interpolation is scipy's: within 1e-14 of numpy's)."""
    runs = paired_table(120, 9)
    pairs = an.paired_runs(runs, OUTCOMES)
    d = (pairs["civilian_harm"] - pairs["civilian_harm_base"]).to_numpy()
    idx = np.random.default_rng(an.BOOTSTRAP_SEED).integers(0, len(d), size=(an.BOOTSTRAP_RESAMPLES, len(d)))
    old = d[idx].mean(axis=1)
    boot, low, high = an._paired_bootstrap([d], an._defined_means, an.LEVEL, an.BOOTSTRAP_RESAMPLES, an.BOOTSTRAP_SEED)
    assert_array_equal(boot[0], old)
    assert_allclose([low[0], high[0]], np.quantile(old, [0.025, 0.975]), rtol=1e-14, atol=0)
    res = scipy_paired(pairs["civilian_harm"].to_numpy(), pairs["civilian_harm_base"].to_numpy(), an.LEVEL,
                       an.BOOTSTRAP_RESAMPLES, an.BOOTSTRAP_SEED)
    assert_array_equal(res.bootstrap_distribution, old)


def test_the_bootstrap_is_deterministic_for_a_seed():
    runs = paired_table(80, 6, nan_share=0.4)
    one = an.paired_differences(runs, OUTCOMES, seed=11)
    pd.testing.assert_frame_equal(one, an.paired_differences(runs, OUTCOMES, seed=11))
    other = an.paired_differences(runs, OUTCOMES, seed=12)
    assert not np.array_equal(one["low"].to_numpy(), other["low"].to_numpy())
    change = an.calibration_change(runs, paired_table(80, 7, nan_share=0.4), OUTCOMES, seed=11)
    pd.testing.assert_frame_equal(change, an.calibration_change(runs, paired_table(80, 7, nan_share=0.4), OUTCOMES,
                                                                seed=11))


def test_a_pair_undefined_in_either_run_is_left_out_and_empty_resamples_too():
    """With NaN pairs the statistic is the mean over the defined pairs; a resample that draws no
    defined pair is left out of the percentiles (scipy's own interval would be NaN there)."""
    runs = paired_table(30, 4, nan_share=0.7)
    row = an.paired_differences(runs, ["talks_pause_day"], resamples=999, seed=3).iloc[0]
    pairs = an.paired_runs(runs, ["talks_pause_day"])
    cf, base = pairs["talks_pause_day"].to_numpy(float), pairs["talks_pause_day_base"].to_numpy(float)

    def defined_mean(cf, base, axis=-1):
        d = cf - base
        keep = ~np.isnan(d)
        with np.errstate(invalid="ignore"):
            return np.where(keep, d, 0).sum(axis=axis) / keep.sum(axis=axis)

    with pytest.warns(stats.DegenerateDataWarning):
        res = stats.bootstrap((cf, base), defined_mean, paired=True, method="percentile", n_resamples=999,
                              rng=np.random.default_rng(3))
    boot = res.bootstrap_distribution
    assert np.isnan(boot).any() and np.isnan(res.confidence_interval.low)
    q = stats.quantile(boot, np.array([0.025, 0.975]), nan_policy="omit")
    assert (row["low"], row["high"]) == (q[0], q[1])
    assert row["pairs"] == int((~np.isnan(cf - base)).sum())


def test_calibration_change_is_scipys_paired_bootstrap_of_both_studies():
    post, prior = paired_table(200, 1), paired_table(200, 2)
    change = an.calibration_change(post, prior, OUTCOMES, resamples=800, seed=5).set_index("outcome")
    pp, pq = an.paired_runs(post, OUTCOMES), an.paired_runs(prior, OUTCOMES)

    def change_of_means(cf_a, base_a, cf_b, base_b, axis=-1):
        return mean_difference(cf_a, base_a, axis) - mean_difference(cf_b, base_b, axis)

    for outcome in ["talks_paused", "civilian_harm"]:
        a = (pp[outcome].to_numpy(float), pp[f"{outcome}_base"].to_numpy(float))
        b = (pq[outcome].to_numpy(float), pq[f"{outcome}_base"].to_numpy(float))
        row = change.loc[outcome]
        ci = stats.bootstrap((*a, *b), change_of_means, paired=True, method="percentile", n_resamples=800,
                             rng=np.random.default_rng(5)).confidence_interval
        assert (row["change_low"], row["change_high"]) == (ci.low, ci.high)
        for label, sample in (("posterior", a), ("prior", b)):
            ci = scipy_paired(*sample, 0.95, 800, 5).confidence_interval
            assert (row[f"low_{label}"], row[f"high_{label}"]) == (ci.low, ci.high)


def test_outcomes_bootstrapped_in_groups_get_the_same_intervals(monkeypatch):
    runs = paired_table(60, 3, nan_share=0.3)
    whole = an.paired_differences(runs, OUTCOMES)
    monkeypatch.setattr(an, "BOOTSTRAP_MEMORY", 1)  # one outcome per scipy call
    pd.testing.assert_frame_equal(whole, an.paired_differences(runs, OUTCOMES))


def test_the_exact_bound_is_clopper_pearsons():
    for n in (1, 2, 10, 300, 1000):
        b = an.no_change_bound(n)
        ci = stats.binomtest(0, n, alternative="less").proportion_ci(0.95, method="exact")
        assert b == ci.high
        assert b == pytest.approx(1 - 0.05 ** (1 / n), rel=1e-12)
    assert an.no_change_bound(300) == pytest.approx(3 / 300, rel=0.01)  # the rule of three
