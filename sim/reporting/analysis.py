"""Outcome analysis of a study: pandas in, pandas out.

    from sim.results.store import load_study
    from sim.reporting import analysis
    study = load_study("results/default")
    runs, failed = analysis.valid_runs(study.runs)
    analysis.outcome_probabilities(runs)                 # P(outcome) with a Wilson 95% interval
    analysis.survival_curves(runs, "talks_pause_day")    # Kaplan-Meier, censored at the horizon
    analysis.survival_medians(runs)                      # median time with a Brookmeyer-Crowley interval
    analysis.paired_differences(runs)                    # counterfactual - baseline, pair by pair
    analysis.calibration_change(posterior_runs, prior_runs)   # the same, posterior beside prior
    analysis.simulated_timeline(study.events([...]), runs)   # daily counts: median and 5-95% band
    analysis.observed_timeline(observed_events(), "geneva_2016_02")

The statistics, stated once:

- **Probabilities**: share of runs, Wilson score interval (95%).
- **Times to an event** (columns `*_day`, NaN when it never happened): Kaplan-Meier estimate of
  the share of runs in which the event has not happened by day t. A run without the event is
  censored at its horizon (`horizon_days`), never dropped. Pointwise 95% band from Greenwood's
  variance on the log(-log) scale; the median's interval is the set of days where the band
  contains 0.5 (Brookmeyer-Crowley).
- **Paired differences**: replicate r of a counterfactual and replicate r of its episode share
  the seed and the parameter draw (common random numbers). Per pair, d = counterfactual -
  baseline; the mean of d with a 95% percentile interval from a paired bootstrap (resampling
  pairs, 2,000 resamples, seeded, so the numbers are reproducible); the share of pairs where the
  outcome changed (d != 0), up (d > 0) and down (d < 0).
- **Failed runs** (non-null `error`) are left out of every statistic and counted by
  `valid_runs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from sim.events import MODEL_ACTORS, QuadClass
from sim.model.outcomes import outcome_list, outcome_table
from sim.paths import OBSERVED_EVENTS

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20160203

# The outcome vocabulary, from the one outcome table (sim/model/outcomes.csv).
#: Outcomes derived from a day column: happened = the day is not NaN.
DERIVED_BINARY: dict[str, str] = {s.name: s.derived_from for s in outcome_table().values() if s.derived_from}
#: Binary outcomes the report compares, in reading order (record and derived ones).
BINARY_OUTCOMES: tuple[str, ...] = outcome_list("report", ("binary",))
#: Time-to-event outcomes (days since the episode's start; NaN = never within the horizon).
TIME_OUTCOMES: tuple[str, ...] = outcome_list("report", ("time",))
#: Continuous (or count) outcomes compared by paired differences.
CONTINUOUS_OUTCOMES: tuple[str, ...] = outcome_list("report", ("count", "continuous"))
#: Short readable names (figures and tables).
LABELS: dict[str, str] = {s.name: s.label for s in outcome_table().values()}
#: Units of the outcomes that have one (axis labels).
UNITS: dict[str, str] = {s.name: s.unit for s in outcome_table().values() if s.unit}
#: The five model actors and the quad classes of CAMEO (1 'verbal cooperation' .. 4).
ACTORS: tuple[str, ...] = MODEL_ACTORS
QUAD_CLASSES: dict[int, str] = {int(q): q.name.lower().replace("_", " ") for q in QuadClass}


def label(outcome: str) -> str:
    """A readable name of an outcome column."""
    return LABELS.get(outcome, outcome.replace("_", " "))


def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


# --------------------------------------------------------------------------- runs
def valid_runs(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a runs table into the runs that finished and a count of the failed ones.

    Returns:
        (runs without error, with the derived binary outcomes added;
         a table scenario, runs, failed, first_error - one row per scenario).
    """
    error = runs["error"].notna() if "error" in runs else pd.Series(False, index=runs.index)
    ok = add_derived(runs[~error])
    rows = []
    for scenario, group in runs.groupby("scenario", sort=False):
        bad = group[error.loc[group.index]]
        rows.append({
            "scenario": scenario,
            "runs": len(group),
            "failed": len(bad),
            "first_error": bad["error"].iloc[0] if len(bad) else "",
        })  # fmt: skip
    return ok.reset_index(drop=True), pd.DataFrame(rows, columns=["scenario", "runs", "failed", "first_error"])


def add_derived(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs table with the derived binary outcomes (e.g. ceasefire_collapsed) added."""
    out = runs.copy()
    for name, day in DERIVED_BINARY.items():
        if day in out and name not in out:
            out[name] = out[day].notna()
    return out


def scenario_order(runs: pd.DataFrame) -> list[str]:
    """Scenarios in the order of the table, each episode followed by its counterfactuals."""
    names = list(dict.fromkeys(runs["scenario"]))
    if "episode" not in runs:
        return names
    episode_of = runs.drop_duplicates("scenario").set_index("scenario")["episode"].to_dict()
    episodes = list(dict.fromkeys(episode_of[n] for n in names))
    ordered = []
    for ep in episodes:
        if ep in episode_of:
            ordered.append(ep)
        ordered += [n for n in names if episode_of[n] == ep and n != ep]
    return ordered


def relevant_outcomes(runs: pd.DataFrame, outcomes: Iterable[str]) -> list[str]:
    """Outcomes that happen (true / not NaN / not constant) in at least one run of the table."""
    keep = []
    for name in outcomes:
        if name not in runs:
            continue
        col = runs[name]
        if col.dtype == bool or name in BINARY_OUTCOMES:
            if col.astype(float).fillna(0).any():
                keep.append(name)
        elif name in TIME_OUTCOMES:
            if col.notna().any():
                keep.append(name)
        elif col.nunique(dropna=True) > 1 or col.fillna(0).abs().sum() > 0:
            keep.append(name)
    return keep


# --------------------------------------------------------------------------- probabilities
def wilson_interval(k, n, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n (NaN, NaN when n = 0).

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    low = np.where(n > 0, low, np.nan)
    high = np.where(n > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def outcome_probabilities(
    runs: pd.DataFrame, outcomes: Sequence[str] = BINARY_OUTCOMES, level: float = LEVEL
) -> pd.DataFrame:
    """Per scenario and binary outcome: runs, runs with the outcome, probability, Wilson interval.

    Args:
        runs: a runs table (failed runs are left out here too).
        outcomes: binary outcome columns (derived ones such as ceasefire_collapsed allowed).
        level: interval level.

    Returns:
        Long table: scenario, episode, outcome, n, k, p, low, high.
    """
    runs, _ = valid_runs(runs) if "error" in runs else (add_derived(runs), None)
    rows = []
    for scenario in scenario_order(runs):
        group = runs[runs["scenario"] == scenario]
        episode = group["episode"].iloc[0] if "episode" in group else scenario
        for outcome in outcomes:
            if outcome not in group:
                continue
            values = group[outcome].astype(float)
            n, k = int(values.notna().sum()), int(values.fillna(0).sum())
            low, high = wilson_interval(k, n, level)
            rows.append({"scenario": scenario, "episode": episode, "outcome": outcome, "n": n, "k": k,
                         "p": k / n if n else np.nan, "low": low, "high": high})  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "episode", "outcome", "n", "k", "p", "low", "high"])


# --------------------------------------------------------------------------- survival
def kaplan_meier(times, observed, level: float = LEVEL) -> pd.DataFrame:
    """Kaplan-Meier estimate of the survival function with a pointwise log(-log) band.

    Args:
        times: time of the event, or of censoring, per subject.
        observed: True where the event happened at `times`, False where censored.
        level: band level.

    Returns:
        One row per distinct time (events before censorings at a tied time): time, at_risk,
        events, censored, survival, low, high (Greenwood variance, log(-log) transform; the
        band is [1, 1] before the first event and [0, 0] once the survival is 0).
    """
    t = np.asarray(times, dtype=float)
    d = np.asarray(observed, dtype=bool)
    if t.shape != d.shape:
        raise ValueError("times and observed differ in length")
    if np.isnan(t).any():
        raise ValueError("times contain NaN: give the censoring time of runs without the event")
    columns = ["time", "at_risk", "events", "censored", "survival", "low", "high"]
    if t.size == 0:
        return pd.DataFrame(columns=columns)
    grid = np.unique(t)
    events = np.array([np.sum(d & (t == u)) for u in grid])
    censored = np.array([np.sum(~d & (t == u)) for u in grid])
    at_risk = np.array([np.sum(t >= u) for u in grid])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 - events / at_risk
        survival = np.cumprod(factor)
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        terms = np.where(events == 0, 0.0, terms)
        greenwood = np.cumsum(terms)  # Var(S) / S^2
        z = _z(level)
        log_s = np.log(survival)
        se = np.sqrt(greenwood) / np.abs(log_s)  # se of log(-log S)
        lls = np.log(-log_s)
        low = np.exp(-np.exp(lls + z * se))
        high = np.exp(-np.exp(lls - z * se))
    before_first = greenwood == 0
    low = np.where(before_first, survival, low)
    high = np.where(before_first, survival, high)
    zero = survival <= 0
    low = np.where(zero, 0.0, low)
    high = np.where(zero, 0.0, high)
    return pd.DataFrame({
        "time": grid, "at_risk": at_risk, "events": events, "censored": censored,
        "survival": survival, "low": low, "high": high,
    }, columns=columns)  # fmt: skip


def _first_time_at_or_below(curve: pd.DataFrame, column: str, level: float = 0.5) -> float:
    hit = curve.loc[curve[column] <= level + 1e-12, "time"]
    return float(hit.iloc[0]) if len(hit) else np.nan


def km_median(curve: pd.DataFrame) -> tuple[float, float, float]:
    """Median survival time of a Kaplan-Meier curve and its interval (Brookmeyer-Crowley).

    The median is the first time the curve is at or below 0.5; the interval runs from the first
    time the lower band is at or below 0.5 to the first time the upper band is. NaN where the
    curve (or band) never gets there within the follow-up ('not reached').
    """
    if curve.empty:
        return np.nan, np.nan, np.nan
    return (
        _first_time_at_or_below(curve, "survival"),
        _first_time_at_or_below(curve, "low"),
        _first_time_at_or_below(curve, "high"),
    )


def durations(runs: pd.DataFrame, outcome: str, origin: str | None = None) -> pd.DataFrame:
    """Time to an event per run, censored at the horizon when it never happened.

    Args:
        runs: runs table (finished runs) with `outcome` and `horizon_days`.
        outcome: a day column (NaN = never).
        origin: optional day column the clock starts from (e.g. 'ceasefire_agreed_day'); runs
            where the origin is NaN are not at risk and are left out.

    Returns:
        scenario, replicate, time, observed.
    """
    frame = runs[runs[origin].notna()] if origin else runs
    start = frame[origin].astype(float) if origin else 0.0
    day = frame[outcome].astype(float)
    horizon = frame["horizon_days"].astype(float)
    observed = day.notna()
    time = np.where(observed, day, horizon) - start
    return pd.DataFrame({
        "scenario": frame["scenario"].to_numpy(),
        "replicate": frame["replicate"].to_numpy() if "replicate" in frame else np.arange(len(frame)),
        "time": np.asarray(time, dtype=float),
        "observed": observed.to_numpy(),
    })  # fmt: skip


def survival_curves(
    runs: pd.DataFrame, outcome: str, scenarios: Sequence[str] | None = None,
    origin: str | None = None, level: float = LEVEL,
) -> pd.DataFrame:
    """Kaplan-Meier curves of one time-to-event outcome, per scenario.

    Returns:
        scenario, outcome, time, at_risk, events, censored, survival, low, high, horizon (the
        end of follow-up, for drawing the curve to the end).
    """
    runs = _finished(runs)
    parts = []
    for scenario in scenarios or scenario_order(runs):
        d = durations(runs[runs["scenario"] == scenario], outcome, origin)
        curve = kaplan_meier(d["time"], d["observed"], level)
        curve.insert(0, "outcome", outcome)
        curve.insert(0, "scenario", scenario)
        group = runs[runs["scenario"] == scenario]
        if origin:
            group = group[group[origin].notna()]
        ends = group["horizon_days"].astype(float) - (group[origin].astype(float) if origin else 0.0)
        curve["horizon"] = float(ends.max()) if len(ends) else np.nan  # end of follow-up
        parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=["scenario", "outcome", "time", "at_risk", "events", "censored",
                                     "survival", "low", "high", "horizon"])
    return pd.concat(parts, ignore_index=True)


def survival_medians(
    runs: pd.DataFrame, outcomes: Sequence[str] = TIME_OUTCOMES, level: float = LEVEL
) -> pd.DataFrame:
    """Per scenario and time-to-event outcome: runs, events, median day and its interval.

    Returns:
        scenario, episode, outcome, n, events, median, low, high, horizon (NaN median or high:
        not reached by the horizon).
    """
    runs = _finished(runs)
    rows = []
    for scenario in scenario_order(runs):
        group = runs[runs["scenario"] == scenario]
        for outcome in outcomes:
            if outcome not in group:
                continue
            d = durations(group, outcome)
            curve = kaplan_meier(d["time"], d["observed"], level)
            median, low, high = km_median(curve)
            rows.append({"scenario": scenario, "episode": group["episode"].iloc[0], "outcome": outcome,
                         "n": len(d), "events": int(d["observed"].sum()), "median": median,
                         "low": low, "high": high, "horizon": float(group["horizon_days"].max())})  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "episode", "outcome", "n", "events", "median", "low",
                                       "high", "horizon"])


def _finished(runs: pd.DataFrame) -> pd.DataFrame:
    if "error" in runs and runs["error"].notna().any():
        return valid_runs(runs)[0]
    return add_derived(runs)


# --------------------------------------------------------------------------- paired differences
def paired_runs(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Counterfactual runs joined to the baseline run of the same replicate of their episode.

    Pairs where either run failed are dropped (both runs must have finished). Counterfactuals
    whose episode is not in the table have no pairs.

    Returns:
        scenario, episode, replicate, and for each outcome `<outcome>` (counterfactual) and
        `<outcome>_base` (baseline).
    """
    runs = _finished(runs)
    cols = [c for c in outcomes if c in runs]
    base = runs[runs["scenario"] == runs["episode"]][["episode", "replicate", "seed", *cols]]
    cf = runs[runs["scenario"] != runs["episode"]][["scenario", "episode", "replicate", "seed", *cols]]
    pairs = cf.merge(base, on=["episode", "replicate"], suffixes=("", "_base"), how="inner")
    if (pairs["seed"] != pairs["seed_base"]).any():
        raise ValueError("paired runs have different seeds: the study does not use common random numbers")
    return pairs.drop(columns=["seed", "seed_base"]).reset_index(drop=True)


def _bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _paired_bootstrap(cf: np.ndarray, base: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the per-pair differences where both are defined, the bootstrap means over `idx`'s
    resamples, the mask of those pairs).

    A NaN in either run (a continuous outcome undefined in it) leaves the pair out of the mean.
    """
    keep = ~(np.isnan(cf) | np.isnan(base))
    d = np.where(keep, cf - base, 0.0)
    if keep.all():
        boot = d[idx].mean(axis=1)
    else:
        w = keep[idx]
        with np.errstate(invalid="ignore"):  # a resample with no defined pair: NaN, left out of the quantiles
            boot = (d[idx] * w).sum(axis=1) / w.sum(axis=1)
    return d[keep], boot, keep


def paired_differences(
    runs: pd.DataFrame,
    outcomes: Sequence[str] = BINARY_OUTCOMES + CONTINUOUS_OUTCOMES,
    level: float = LEVEL,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Paired differences, counterfactual - baseline, per counterfactual and outcome.

    Binary outcomes are compared as 0/1 (the mean difference is a difference in probability);
    continuous ones in their units. The interval is a percentile interval of the mean difference
    over `resamples` paired-bootstrap resamples (pairs drawn with replacement; the same resampled
    pairs for every outcome of a scenario; generator seeded with `seed`).

    Returns:
        scenario, episode, outcome, kind (binary/continuous), pairs, mean_cf, mean_base,
        diff (mean of d), low, high, changed (share of pairs with d != 0), up (d > 0),
        down (d < 0).
    """
    pairs = paired_runs(runs, outcomes)
    columns = ["scenario", "episode", "outcome", "kind", "pairs", "mean_cf", "mean_base", "diff", "low",
               "high", "changed", "up", "down"]  # fmt: skip
    alpha = (1 - level) / 2
    rows = []
    for scenario in scenario_order(pairs) if len(pairs) else []:
        group = pairs[pairs["scenario"] == scenario]
        idx = _bootstrap_indices(len(group), resamples, seed)
        for outcome in outcomes:
            if outcome not in group:
                continue
            cf = group[outcome].astype(float).to_numpy()
            base = group[f"{outcome}_base"].astype(float).to_numpy()
            dd, boot, keep = _paired_bootstrap(cf, base, idx)
            if len(dd) == 0:
                continue
            kind = "binary" if outcome in BINARY_OUTCOMES else "continuous"
            rows.append({
                "scenario": scenario, "episode": group["episode"].iloc[0], "outcome": outcome,
                "kind": kind, "pairs": len(dd), "mean_cf": float(cf[keep].mean()),
                "mean_base": float(base[keep].mean()), "diff": float(dd.mean()),
                "low": float(np.nanquantile(boot, alpha)), "high": float(np.nanquantile(boot, 1 - alpha)),
                "changed": float(np.mean(dd != 0)), "up": float(np.mean(dd > 0)),
                "down": float(np.mean(dd < 0)),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def calibration_change(
    posterior: pd.DataFrame,
    prior: pd.DataFrame,
    outcomes: Sequence[str] = BINARY_OUTCOMES + CONTINUOUS_OUTCOMES,
    level: float = LEVEL,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """How much the calibration changed each paired difference.

    `posterior` and `prior` are the runs tables of one design (scenarios, replicates, seed) run
    with posterior draws and with draws from the priors alone. Replicate r has the same seed in
    both, so the change, (cf - base under the posterior) - (cf - base under the prior), is
    bootstrapped over the replicates present in both, resampling the same r in both studies.
    Each study's paired difference is estimated on those common replicates too.

    Returns:
        scenario, episode, outcome, kind, pairs, and per study (`_posterior`, `_prior`) the
        baseline's mean, diff, low and high; change (diff_posterior - diff_prior), change_low,
        change_high.
    """
    pairs = {label: paired_runs(frame, outcomes) for label, frame in (("posterior", posterior), ("prior", prior))}
    both = pairs["posterior"].merge(pairs["prior"], on=["scenario", "episode", "replicate"],
                                    suffixes=("_posterior", "_prior"))
    alpha = (1 - level) / 2
    rows = []
    for scenario in scenario_order(both) if len(both) else []:
        group = both[both["scenario"] == scenario]
        idx = _bootstrap_indices(len(group), resamples, seed)
        for outcome in outcomes:
            if f"{outcome}_posterior" not in group:
                continue
            row = {"scenario": scenario, "episode": group["episode"].iloc[0], "outcome": outcome,
                   "kind": "binary" if outcome in BINARY_OUTCOMES else "continuous"}
            boots, defined = {}, True
            for label in ("posterior", "prior"):
                cf = group[f"{outcome}_{label}"].astype(float).to_numpy()
                base = group[f"{outcome}_base_{label}"].astype(float).to_numpy()
                dd, boots[label], keep = _paired_bootstrap(cf, base, idx)
                if len(dd) == 0:
                    defined = False
                    break
                row |= {f"pairs_{label}": len(dd), f"mean_base_{label}": float(base[keep].mean()),
                        f"diff_{label}": float(dd.mean()),
                        f"low_{label}": float(np.nanquantile(boots[label], alpha)),
                        f"high_{label}": float(np.nanquantile(boots[label], 1 - alpha))}
            if not defined:
                continue
            change = boots["posterior"] - boots["prior"]
            row |= {"change": row["diff_posterior"] - row["diff_prior"],
                    "change_low": float(np.nanquantile(change, alpha)),
                    "change_high": float(np.nanquantile(change, 1 - alpha))}
            rows.append(row)
    return pd.DataFrame(rows)


def changed_beyond_interval(change: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `calibration_change` table whose change's interval excludes 0."""
    return change[(change["change_low"] > 0) | (change["change_high"] < 0)]


# --------------------------------------------------------------------------- timelines
def _episode_window(runs: pd.DataFrame, scenario: str, start_date=None) -> tuple[dt.date, int]:
    """(start date, horizon) of a scenario: the horizon from the runs, the date from its file."""
    horizon = int(runs.loc[runs["scenario"] == scenario, "horizon_days"].max())
    if start_date is None:
        from sim.scenarios import load_scenario

        start_date = load_scenario(scenario).start_date
    return pd.Timestamp(start_date).date(), horizon


def daily_counts(
    events: pd.DataFrame, runs: pd.DataFrame, scenario: str, by: Sequence[str] = ("source", "quad_class"),
    horizon: int | None = None,
) -> tuple[np.ndarray, list[tuple]]:
    """Counts of a scenario's simulated events per replicate, day and group, zeros filled.

    Returns:
        (array [replicate, day, group], the group keys in order).
    """
    finished = _finished(runs)
    reps = np.sort(finished.loc[finished["scenario"] == scenario, "replicate"].unique())
    if horizon is None:
        horizon = int(finished.loc[finished["scenario"] == scenario, "horizon_days"].max())
    ev = events[(events["scenario"] == scenario) & events["replicate"].isin(reps)]
    ev = ev[(ev["day"] >= 0) & (ev["day"] < horizon)]
    keys = sorted(set(map(tuple, ev[list(by)].itertuples(index=False, name=None)))) if len(ev) else []
    if list(by) == ["source", "quad_class"]:
        keys = sorted(set(keys) | {(a, q) for a in ACTORS for q in QUAD_CLASSES}, key=lambda k: (str(k[0]), k[1]))
    counts = np.zeros((len(reps), horizon, len(keys)), dtype=np.int32)
    if len(ev):
        rep_index = np.searchsorted(reps, ev["replicate"].to_numpy())
        key_index = {k: i for i, k in enumerate(keys)}
        group = np.array([key_index[k] for k in ev[list(by)].itertuples(index=False, name=None)])
        np.add.at(counts, (rep_index, ev["day"].to_numpy(), group), 1)
    return counts, keys


def simulated_timeline(
    events: pd.DataFrame, runs: pd.DataFrame, scenarios: Sequence[str] | None = None,
    by: Sequence[str] = ("source", "quad_class"), band: tuple[float, float] = (0.05, 0.95),
    start_dates: dict | None = None,
) -> pd.DataFrame:
    """Daily simulated event counts per group: median, mean and band across replicates.

    Days on which a replicate emitted nothing count as 0 (every finished replicate counts).

    Returns:
        scenario, day, date, <by columns>, median, mean, low, high, replicates.
    """
    finished = _finished(runs)
    parts = []
    for scenario in scenarios or list(dict.fromkeys(events["scenario"])):
        start, horizon = _episode_window(finished, scenario, (start_dates or {}).get(scenario))
        counts, keys = daily_counts(events, finished, scenario, by, horizon)
        if counts.shape[0] == 0 or not keys:
            continue
        q = np.quantile(counts, [0.5, band[0], band[1]], axis=0)  # [3, day, group]
        mean = counts.mean(axis=0)
        days = np.repeat(np.arange(horizon), len(keys))
        frame = pd.DataFrame({"scenario": scenario, "day": days})
        frame["date"] = pd.to_datetime(start) + pd.to_timedelta(frame["day"], unit="D")
        for j, col in enumerate(by):
            frame[col] = [k[j] for k in keys] * horizon
        frame["median"] = q[0].ravel()
        frame["mean"] = mean.ravel()
        frame["low"] = q[1].ravel()
        frame["high"] = q[2].ravel()
        frame["replicates"] = counts.shape[0]
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=["scenario", "day", "date", *by, "median", "mean", "low", "high", "replicates"])
    return pd.concat(parts, ignore_index=True)


def observed_events(path: str | Path = OBSERVED_EVENTS) -> pd.DataFrame:
    """The observed (extracted) events, one row per act, codes kept as text."""
    from sim.events import read_events

    return read_events(path)


def observed_timeline(
    observed: pd.DataFrame, start_date, horizon: int, by: Sequence[str] = ("source", "quad_class"),
) -> pd.DataFrame:
    """Daily counts of observed events in an episode's window [start, start + horizon).

    Returns:
        day, date, <by columns>, count, approx (events whose date is approximate).
    """
    start = pd.Timestamp(start_date)
    frame = observed.copy()
    frame["date"] = pd.to_datetime(frame["event_date"], errors="coerce")
    frame = frame[frame["date"].notna()]
    frame["day"] = (frame["date"] - start).dt.days
    frame = frame[(frame["day"] >= 0) & (frame["day"] < horizon)]
    approx = frame.get("date_precision", pd.Series("day", index=frame.index)).astype(str).eq("approx")
    frame = frame.assign(approx=approx.astype(int))
    if frame.empty:
        return pd.DataFrame(columns=["day", "date", *by, "count", "approx"])
    frame["quad_class"] = frame["quad_class"].astype(int)
    out = frame.groupby(["day", "date", *by], as_index=False).agg(count=("approx", "size"), approx=("approx", "sum"))
    return out.sort_values(["day", *by]).reset_index(drop=True)


# --------------------------------------------------------------------------- tables for readers
def probability_table(
    probabilities: pd.DataFrame, outcomes: Sequence[str] | None = None, digits: int = 2, header: str = "P({})",
) -> pd.DataFrame:
    """Wide table of `outcome_probabilities`: one row per scenario, runs, 'p [low, high]' per outcome.

    Args:
        probabilities: the long table of `outcome_probabilities`.
        outcomes: the outcomes to show, in order (default: those of the table).
        digits: decimals of the cells.
        header: column header of an outcome, from its label ('P(talks paused)').
    """
    if outcomes is not None:
        probabilities = probabilities[probabilities["outcome"].isin(outcomes)]
    text = probabilities.assign(
        cell=[f"{p:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]" for p, lo, hi in
              zip(probabilities["p"], probabilities["low"], probabilities["high"])]
    )  # fmt: skip
    order = [o for o in (outcomes or dict.fromkeys(text["outcome"])) if o in set(text["outcome"])]
    wide = text.pivot(index="scenario", columns="outcome", values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(text["scenario"])), columns=order)
    wide.insert(0, "runs", text.groupby("scenario")["n"].max().reindex(wide.index).astype(int))
    wide.columns = ["runs", *[header.format(label(c)) for c in order]]
    return wide.rename_axis(columns=None).reset_index()


def format_day_interval(median: float, low: float, high: float, horizon: float) -> str:
    """'12 [10, 14]', with '>60' where the median or a bound is not reached by the horizon."""

    def fmt(x):
        return f">{horizon:g}" if np.isnan(x) else f"{x:g}"

    return f"{fmt(median)} [{fmt(low)}, {fmt(high)}]"
