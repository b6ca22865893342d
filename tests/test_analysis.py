"""Outcome analysis on hand-made runs tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sim.reporting import analysis as an

Z = norm.ppf(0.975)


def runs_table(rows: list[dict]) -> pd.DataFrame:
    """A runs table with the columns the analysis reads; missing outcomes default to 'never'."""
    base = {"error": None, "horizon_days": 10, "talks_paused": False, "talks_pause_day": math.nan,
            "civilian_harm": 0.0, "seed": 0, "opp_walkout_day": math.nan, "ceasefire_collapse_day": math.nan,
            "us_threat_day": math.nan}  # fmt: skip
    frame = pd.DataFrame([{**base, **r} for r in rows])
    if "episode" not in frame:
        frame["episode"] = frame["scenario"]
    return frame


# --------------------------------------------------------------------------- Wilson
def test_wilson_interval_of_8_of_10():
    low, high = an.wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_edges():
    low, high = an.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z**2 / (10 + Z**2))  # closed form at k = 0
    low, high = an.wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(10 / (10 + Z**2))
    assert all(math.isnan(x) for x in an.wilson_interval(0, 0))


def test_outcome_probabilities_count_and_exclude_failed_runs():
    rows = [{"scenario": "a", "replicate": r, "talks_paused": r < 8} for r in range(10)]
    rows.append({"scenario": "a", "replicate": 10, "talks_paused": None, "error": "ValueError: boom"})
    table = an.outcome_probabilities(runs_table(rows), ["talks_paused"])
    row = table.iloc[0]
    assert (row["n"], row["k"], row["p"]) == (10, 8, 0.8)
    assert (row["low"], row["high"]) == pytest.approx(an.wilson_interval(8, 10))
    ok, failed = an.valid_runs(runs_table(rows))
    assert len(ok) == 10
    assert failed.set_index("scenario").loc["a", ["runs", "failed"]].tolist() == [11, 1]
    assert failed.iloc[0]["first_error"].startswith("ValueError")


def test_derived_binary_outcomes_come_from_the_day_columns():
    rows = [{"scenario": "a", "replicate": 0, "ceasefire_collapse_day": 4.0},
            {"scenario": "a", "replicate": 1}]  # fmt: skip
    table = an.outcome_probabilities(runs_table(rows), ["ceasefire_collapsed"])
    assert table.iloc[0][["n", "k"]].tolist() == [2, 1]


# --------------------------------------------------------------------------- Kaplan-Meier
# Six runs with horizon 10: the event on days 2, 3, 3, 5; never in two runs (censored at 10).
KM_DAYS = [2.0, 3.0, 3.0, math.nan, 5.0, math.nan]


def km_runs() -> pd.DataFrame:
    return runs_table([{"scenario": "a", "replicate": r, "talks_pause_day": d} for r, d in enumerate(KM_DAYS)])


def test_kaplan_meier_with_censored_runs_matches_a_hand_computation():
    curve = an.survival_curves(km_runs(), "talks_pause_day").set_index("time")
    # at risk 6, 5, 3, 2: S = 5/6; 5/6 * 3/5 = 1/2; 1/2 * 2/3 = 1/3; 1/3 (two censored at 10)
    assert curve["at_risk"].tolist() == [6, 5, 3, 2]
    assert curve["events"].tolist() == [1, 2, 1, 0]
    assert curve["censored"].tolist() == [0, 0, 0, 2]
    assert curve["survival"].tolist() == pytest.approx([5 / 6, 1 / 2, 1 / 3, 1 / 3])
    # Greenwood at day 3: 1/(6*5) + 2/(5*3) = 1/6; log(-log) band
    se = math.sqrt(1 / 6) / abs(math.log(0.5))
    lls = math.log(-math.log(0.5))
    assert curve.loc[3.0, "low"] == pytest.approx(math.exp(-math.exp(lls + Z * se)))
    assert curve.loc[3.0, "high"] == pytest.approx(math.exp(-math.exp(lls - Z * se)))
    assert curve.loc[3.0, "low"] < 0.5 < curve.loc[3.0, "high"]


def test_censored_runs_are_not_dropped():
    """Dropping the two runs without the event would put S(5) at 0; censoring keeps it at 1/3."""
    curve = an.survival_curves(km_runs(), "talks_pause_day")
    assert curve["survival"].iloc[-1] == pytest.approx(2 / 6)  # = share of runs without the event
    assert curve["horizon"].iloc[0] == 10


def test_km_median_and_interval():
    curve = an.kaplan_meier([2, 3, 3, 10, 5, 10], [True, True, True, False, True, False])
    median, low, high = an.km_median(curve)
    assert median == 3.0
    # Brookmeyer-Crowley: from the first day the lower band is <= 0.5 (day 2: band low 0.27) to
    # the first day the upper band is (never: 0.80 at day 3, 0.68 at days 5 and 10) -> not reached
    assert low == 2.0
    assert math.isnan(high)
    medians = an.survival_medians(km_runs(), ["talks_pause_day"]).iloc[0]
    assert (medians["median"], medians["n"], medians["events"]) == (3.0, 6, 4)


def test_km_median_not_reached_is_nan():
    curve = an.kaplan_meier([4, 10, 10, 10], [True, False, False, False])
    assert math.isnan(an.km_median(curve)[0])
    assert an.format_day_interval(math.nan, 4.0, math.nan, 10) == ">10 [4, >10]"


def test_km_without_events_and_with_all_events():
    flat = an.kaplan_meier([10, 10], [False, False])
    assert flat["survival"].tolist() == [1.0] and flat[["low", "high"]].iloc[0].tolist() == [1.0, 1.0]
    gone = an.kaplan_meier([1, 2], [True, True])
    assert gone["survival"].tolist() == pytest.approx([0.5, 0.0])
    assert gone[["low", "high"]].iloc[-1].tolist() == [0.0, 0.0]


def test_survival_with_an_origin_leaves_runs_without_it_out():
    rows = [{"scenario": "a", "replicate": 0, "ceasefire_agreed_day": 2.0, "ceasefire_collapse_day": 5.0},
            {"scenario": "a", "replicate": 1, "ceasefire_agreed_day": 4.0},
            {"scenario": "a", "replicate": 2, "ceasefire_agreed_day": math.nan}]  # fmt: skip
    d = an.durations(runs_table(rows), "ceasefire_collapse_day", origin="ceasefire_agreed_day")
    assert d["time"].tolist() == [3.0, 6.0]  # 5 - 2; censored at 10 - 4
    assert d["observed"].tolist() == [True, False]


def test_survival_frame_has_plain_duration_and_event_columns():
    """Issue 19: one row per finished run, censored at the horizon, the columns lifelines'
    KaplanMeierFitter.fit(durations, event_observed) and scipy's CensoredData take."""
    runs = km_runs()
    runs.loc[len(runs)] = {**runs.iloc[0].to_dict(), "replicate": 6, "error": "RuntimeError: x"}
    frame = an.survival_frame(runs, "talks_pause_day")
    assert frame.columns.tolist() == ["scenario", "episode", "replicate", "duration", "event_observed"]
    assert frame["duration"].tolist() == [2.0, 3.0, 3.0, 10.0, 5.0, 10.0]  # the failed run is left out
    assert frame["event_observed"].tolist() == [True, True, True, False, True, False]
    assert frame["duration"].dtype == float and frame["event_observed"].dtype == bool
    curve = an.kaplan_meier(frame["duration"], frame["event_observed"])
    pd.testing.assert_frame_equal(curve, an.survival_curves(runs, "talks_pause_day")[curve.columns])
    data = an.censored_data(frame)
    assert (data.num_censored(), len(data)) == (2, 6)
    rows = [{"scenario": "a", "replicate": 0, "ceasefire_agreed_day": 2.0, "ceasefire_collapse_day": 5.0},
            {"scenario": "a", "replicate": 1, "ceasefire_agreed_day": math.nan}]  # fmt: skip
    since = an.survival_frame(runs_table(rows), "ceasefire_collapse_day", origin="ceasefire_agreed_day")
    assert since[["replicate", "duration", "event_observed"]].values.tolist() == [[0, 3.0, True]]


# --------------------------------------------------------------------------- paired differences
def paired_table() -> pd.DataFrame:
    rows = []
    for r, (b, c, hb, hc) in enumerate([(1, 0, 10, 5), (1, 1, 20, 15), (0, 0, 30, 25), (0, 1, 40, 35)]):
        rows.append({"scenario": "ep", "episode": "ep", "replicate": r, "seed": 100 + r,
                     "talks_paused": bool(b), "civilian_harm": float(hb)})  # fmt: skip
        rows.append({"scenario": "ep_cf", "episode": "ep", "replicate": r, "seed": 100 + r,
                     "talks_paused": bool(c), "civilian_harm": float(hc)})  # fmt: skip
    return runs_table(rows[::-1])  # shuffled order: pairing is by replicate, not by row


def test_paired_difference_of_a_binary_and_a_continuous_outcome():
    diffs = an.paired_differences(paired_table(), ["talks_paused", "civilian_harm"]).set_index("outcome")
    b = diffs.loc["talks_paused"]
    # d = -1, 0, 0, +1: mean 0; changed in half the pairs, up in one, down in one
    assert (b["pairs"], b["diff"], b["changed"], b["up"], b["down"]) == (4, 0.0, 0.5, 0.25, 0.25)
    assert (b["mean_cf"], b["mean_base"]) == (0.5, 0.5)
    assert -1 <= b["low"] <= 0 <= b["high"] <= 1
    c = diffs.loc["civilian_harm"]
    # every pair differs by -5: the bootstrap interval collapses to -5
    assert (c["diff"], c["low"], c["high"], c["changed"], c["down"]) == (-5.0, -5.0, -5.0, 1.0, 1.0)
    assert c["kind"] == "continuous" and b["kind"] == "binary"
    assert b["interval"] == "bootstrap" and math.isnan(b["changed_bound"])
    assert c["interval"] == "bootstrap, degenerate: every pair alike"  # flagged, not widened (see below)


def unchanged_table(pairs: int, base_share: float = 0.5) -> pd.DataFrame:
    """`pairs` pairs where the counterfactual changed nothing: talks_paused and civilian_harm
    are the baseline's in every pair."""
    rows = []
    for r in range(pairs):
        paused, harm = r < base_share * pairs, float(r % 7)
        for scenario in ("ep", "ep_cf"):
            rows.append({"scenario": scenario, "episode": "ep", "replicate": r, "seed": r,
                         "talks_paused": paused, "civilian_harm": harm})  # fmt: skip
    return runs_table(rows)


def test_no_pair_changed_gives_an_exact_interval_for_a_binary_outcome():
    """Issue 13: '+0.0 pp [+0.0, +0.0]' bounds nothing unseen. With none of n pairs changed, the
    share of pairs that would change is <= b = 1 - 0.05^(1/n) (exact one-sided 95%, about 3/n:
    the rule of three), and |mean difference| <= that share, so the interval is [-b, +b]."""
    diffs = an.paired_differences(unchanged_table(300), ["talks_paused", "civilian_harm"]).set_index("outcome")
    b = 1 - 0.05 ** (1 / 300)
    row = diffs.loc["talks_paused"]
    assert (row["diff"], row["changed"]) == (0.0, 0.0)
    assert (row["low"], row["high"]) == pytest.approx((-b, b), rel=1e-12)
    assert row["high"] == pytest.approx(3 / 300, rel=0.01)
    assert row["interval"] == "exact, no pair changed"
    assert row["changed_bound"] == pytest.approx(b, rel=1e-12)
    # a continuous outcome's change is unbounded: only how often it changes is bounded
    harm = diffs.loc["civilian_harm"]
    assert (harm["low"], harm["high"]) == (0.0, 0.0)
    assert harm["interval"] == "bootstrap, degenerate: no pair changed"
    assert harm["changed_bound"] == pytest.approx(b, rel=1e-12)
    # the interval shrinks with the number of pairs, and a single pair is bounded too
    ten = an.paired_differences(unchanged_table(10), ["talks_paused"]).iloc[0]
    assert ten["high"] == pytest.approx(1 - 0.05 ** (1 / 10)) and ten["low"] == -ten["high"]
    one = an.paired_differences(unchanged_table(1), ["talks_paused"]).iloc[0]
    assert (one["low"], one["high"]) == pytest.approx((-0.95, 0.95))


def test_every_pair_changed_alike_is_bounded_exactly_too():
    """All n pairs up (d = +1): the share not up is <= b, so the mean difference is >= 1 - 2b."""
    rows = [{"scenario": s, "episode": "ep", "replicate": r, "seed": r, "talks_paused": s == "ep_cf"}
            for r in range(100) for s in ("ep", "ep_cf")]  # fmt: skip
    row = an.paired_differences(runs_table(rows), ["talks_paused"]).iloc[0]
    b = 1 - 0.05 ** (1 / 100)
    assert (row["diff"], row["up"]) == (1.0, 1.0)
    assert (row["low"], row["high"]) == pytest.approx((1 - 2 * b, 1.0))
    assert row["interval"] == "exact, every pair alike"


def test_calibration_change_where_no_pair_changed_is_exact():
    """No pair changed in either study: each difference gets [-b, +b]; the change, per replicate
    in [-2, 2], gets [-2b, +2b]. Pairs that changed in one study keep the bootstrap."""
    flat = unchanged_table(200)
    change = an.calibration_change(flat, flat, ["talks_paused"]).iloc[0]
    b = 1 - 0.05 ** (1 / 200)
    for label in ("posterior", "prior"):
        assert (change[f"low_{label}"], change[f"high_{label}"]) == pytest.approx((-b, b))
        assert change[f"interval_{label}"] == "exact, no pair changed"
    assert (change["change_low"], change["change_high"]) == pytest.approx((-2 * b, 2 * b))
    assert change["change_interval"] == "exact, no pair changed"
    assert an.changed_beyond_interval(pd.DataFrame([change])).empty
    moved = paired_table()
    change = an.calibration_change(moved, paired_table(), ["talks_paused"]).iloc[0]
    assert change["interval_posterior"] == "bootstrap"
    assert change["change_interval"] == "exact, no pair changed"  # the same pairs changed alike in both


def test_paired_bootstrap_is_reproducible_and_matches_a_direct_computation():
    rng = np.random.default_rng(3)
    base = rng.random(50) < 0.5
    cf = rng.random(50) < 0.3
    rows = [{"scenario": s, "episode": "ep", "replicate": r, "talks_paused": bool(v)}
            for s, vals in (("ep", base), ("ep_cf", cf)) for r, v in enumerate(vals)]  # fmt: skip
    one = an.paired_differences(runs_table(rows), ["talks_paused"], resamples=500, seed=7)
    two = an.paired_differences(runs_table(rows), ["talks_paused"], resamples=500, seed=7)
    pd.testing.assert_frame_equal(one, two)
    d = cf.astype(float) - base.astype(float)
    idx = np.random.default_rng(7).integers(0, 50, size=(500, 50))
    boot = d[idx].mean(axis=1)
    row = one.iloc[0]
    assert row["diff"] == pytest.approx(d.mean())
    assert (row["low"], row["high"]) == pytest.approx((np.quantile(boot, 0.025), np.quantile(boot, 0.975)))


def test_pairs_with_a_failed_run_are_dropped():
    runs = paired_table()
    runs.loc[(runs["scenario"] == "ep") & (runs["replicate"] == 0), "error"] = "RuntimeError: x"
    diffs = an.paired_differences(runs, ["civilian_harm"])
    assert diffs.iloc[0]["pairs"] == 3


def test_pairs_must_share_the_seed():
    runs = paired_table()
    runs.loc[runs["scenario"] == "ep_cf", "seed"] += 1
    with pytest.raises(ValueError, match="common random numbers"):
        an.paired_differences(runs, ["civilian_harm"])


def test_no_pairs_without_the_baseline():
    runs = paired_table()
    assert an.paired_differences(runs[runs["scenario"] == "ep_cf"], ["civilian_harm"]).empty


# --------------------------------------------------------------------------- timelines
def test_simulated_timeline_fills_empty_days_and_replicates_with_zero():
    runs = runs_table([{"scenario": "ep", "replicate": r, "horizon_days": 3} for r in range(3)])
    events = pd.DataFrame({
        "scenario": "ep", "replicate": [0, 0, 0, 1], "day": [0, 0, 2, 0],
        "source": ["RUS", "RUS", "RUS", "RUS"], "quad_class": [4, 4, 4, 4],
    })  # fmt: skip
    tl = an.simulated_timeline(events, runs, ["ep"], start_dates={"ep": "2016-01-25"})
    rus = tl[(tl["source"] == "RUS") & (tl["quad_class"] == 4)].set_index("day")
    # day 0: counts 2, 1, 0 (replicate 2 emitted nothing); day 1: 0, 0, 0; day 2: 1, 0, 0
    assert rus["median"].tolist() == [1.0, 0.0, 0.0]
    assert rus["mean"].tolist() == pytest.approx([1.0, 0.0, 1 / 3])
    assert rus.loc[0, "high"] == pytest.approx(np.quantile([2, 1, 0], 0.95))
    assert str(rus.loc[2, "date"].date()) == "2016-01-27"
    assert set(tl["source"]) == set(an.ACTORS) and set(tl["quad_class"]) == {1, 2, 3, 4}
    assert (tl["replicates"] == 3).all()


def test_observed_timeline_keeps_the_episode_window():
    observed = pd.DataFrame({
        "event_date": ["2016-01-24", "2016-01-25", "2016-01-25", "2016-02-03", "2016-03-30"],
        "source": ["RUS", "ENVOY", "ENVOY", "GOV", "USA"], "quad_class": [4, 1, 1, 3, 3],
        "date_precision": ["day", "day", "approx", "day", "day"],
    })  # fmt: skip
    tl = an.observed_timeline(observed, "2016-01-25", 60)
    assert tl[["day", "source", "quad_class", "count", "approx"]].values.tolist() == [
        [0, "ENVOY", 1, 2, 1], [9, "GOV", 3, 1, 0]]


def test_the_committed_observed_events_fall_in_both_episode_windows():
    observed = an.observed_events()
    assert an.observed_timeline(observed, "2016-01-25", 60)["count"].sum() > 10
    assert an.observed_timeline(observed, "2016-09-09", 60)["count"].sum() > 10


def test_probability_table_text():
    probs = an.outcome_probabilities(
        runs_table([{"scenario": "a", "replicate": r, "talks_paused": r < 8} for r in range(10)]), ["talks_paused"])
    table = an.probability_table(probs)
    assert table.columns.tolist() == ["scenario", "runs", "P(talks paused)"]
    assert table.iloc[0].tolist() == ["a", 10, "0.80 [0.49, 0.94]"]
    assert an.probability_table(probs, header="{}", digits=1).columns.tolist() == ["scenario", "runs", "talks paused"]


def test_outcome_lists_come_from_the_outcome_table():
    from sim.model.outcomes import OUTCOMES, outcome_table

    table = outcome_table()
    assert set(an.BINARY_OUTCOMES) <= {n for n, s in table.items() if s.kind == "binary"}
    assert an.BINARY_OUTCOMES[:2] == ("talks_paused", "opp_walked_out")  # reading order, derived ones in place
    assert set(an.DERIVED_BINARY) <= set(an.BINARY_OUTCOMES) and not set(an.DERIVED_BINARY) & set(OUTCOMES)
    assert all(table[day].kind == "time" for day in an.DERIVED_BINARY.values())
    assert an.label("civilian_harm") == "civilian harm" and an.label("n_RUS_OPP_19") == "n RUS OPP 19"
