"""Outcome analysis of a study: pandas in, pandas out.

    from sim.results.store import load_study
    from sim.reporting import analysis
    study = load_study("results/default")
    runs, failed = analysis.valid_runs(study.runs)
    analysis.outcome_probabilities(runs)                 # P(outcome) with a Wilson 95% interval
    analysis.survival_curves(runs, "talks_pause_day")    # Kaplan-Meier, censored at the horizon
    analysis.survival_frame(runs, "talks_pause_day")     # duration, event_observed: for lifelines, scipy
    analysis.survival_medians(runs)                      # median time with a Brookmeyer-Crowley interval
    analysis.paired_differences(runs)                    # counterfactual - baseline, pair by pair
    analysis.calibration_change(posterior_runs, prior_runs)   # the same, posterior beside prior
    analysis.simulated_timeline(study.events([...]), runs)   # daily counts: median and 5-95% band
    analysis.observed_timeline(observed_events(), "geneva_2016_02")

The statistics, stated once (computed by scipy where scipy has them; what it lacks is marked
"scipy lacks" in the code):

- **Probabilities**: share of runs, Wilson score interval (95%):
  `scipy.stats.binomtest(k, n).proportion_ci(method='wilson')`.
- **Times to an event** (columns `*_day`, NaN when it never happened): Kaplan-Meier estimate of
  the share of runs in which the event has not happened by day t. A run without the event is
  censored at its horizon (`horizon_days`), never dropped. Pointwise 95% band from Greenwood's
  variance on the log(-log) scale: `scipy.stats.ecdf(scipy.stats.CensoredData(...)).sf` and its
  `confidence_interval(method='log-log')`. The median's interval is the set of days where the
  band contains 0.5 (Brookmeyer-Crowley). `survival_frame` gives the plain duration /
  event_observed columns that lifelines and scipy take.
- **Paired differences**: replicate r of a counterfactual and replicate r of its episode share
  the seed and the parameter draw (common random numbers). Per pair, d = counterfactual -
  baseline; the mean of d with a 95% percentile interval from a paired bootstrap
  (`scipy.stats.bootstrap(paired=True, method='percentile')`: resampling pairs, 2,000 resamples,
  seeded, so the numbers are reproducible); the share of pairs where the outcome changed
  (d != 0), up (d > 0) and down (d < 0). Where every pair's d is the same (e.g. no pair changed)
  the bootstrap is a point; a binary outcome then gets an exact interval instead (Clopper-Pearson
  bound on the share of pairs that would differ, about 3/n at 95%: the rule of three), flagged
  in the column `interval`.
- **Failed runs** (non-null `error`) are left out of every statistic and counted by
  `valid_runs`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.events import MODEL_ACTORS, QuadClass
from sim.model.outcomes import outcome_table
from sim.results.summaries import (  # noqa: F401 - the analysis's vocabulary, used by the report too
    BINARY_OUTCOMES,
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CONTINUOUS_OUTCOMES,
    DERIVED_BINARY,
    LEVEL,
    TIME_OUTCOMES,
    alike_interval,
    no_change_bound,
    order_by_episode,
    wilson_interval,
)
from sim.paths import OBSERVED_EVENTS

# The level, the bootstrap's settings and the outcome vocabulary (from the one outcome table,
# sim/model/outcomes.csv) are the results layer's, shared with the streamed summaries.
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
    return order_by_episode(names, runs.drop_duplicates("scenario").set_index("scenario")["episode"].to_dict())


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
        events, censored, survival, low, high. Survival and band are scipy's:
        `scipy.stats.ecdf(CensoredData.right_censored(times, ~observed)).sf` and
        `.confidence_interval(level, method='log-log')` (Greenwood variance, log(-log)
        transform); where scipy's band is undefined it is [1, 1] before the first event and
        [0, 0] once the survival is 0.
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
    sf = stats.ecdf(stats.CensoredData.right_censored(t, ~d)).sf
    grid, survival = sf.quantiles, sf.probabilities
    with warnings.catch_warnings():
        # scipy's band is NaN (with a warning) where S is 1 (no event yet) or 0: set below
        warnings.simplefilter("ignore", RuntimeWarning)
        band = sf.confidence_interval(level, method="log-log")
    low, high = band.low.probabilities, band.high.probabilities
    # scipy lacks: the counts per time in its public API (they are private there), and a band
    # where it is NaN: [1, 1] before the first event, [0, 0] once the survival is 0.
    at = np.searchsorted(grid, t)
    events = np.bincount(at[d], minlength=grid.size)
    censored = np.bincount(at[~d], minlength=grid.size)
    at_risk = t.size - np.concatenate(([0], np.cumsum(events + censored)[:-1]))
    no_event_yet = np.cumsum(events) == 0
    zero = survival <= 0
    low = np.where(no_event_yet, 1.0, np.where(zero, 0.0, low))
    high = np.where(no_event_yet, 1.0, np.where(zero, 0.0, high))
    return pd.DataFrame({
        "time": grid, "at_risk": at_risk, "events": events, "censored": censored,
        "survival": survival, "low": low, "high": high,
    }, columns=columns)  # fmt: skip


def _first_time_at_or_below(curve: pd.DataFrame, column: str, level: float = 0.5) -> float:
    hit = curve.loc[curve[column] <= level + 1e-12, "time"]
    return float(hit.iloc[0]) if len(hit) else np.nan


def km_median(curve: pd.DataFrame) -> tuple[float, float, float]:
    """Median survival time of a Kaplan-Meier curve and its interval (Brookmeyer-Crowley).
    scipy lacks both (its ECDF result has no median or quantile interval).

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


def survival_frame(runs: pd.DataFrame, outcome: str, origin: str | None = None) -> pd.DataFrame:
    """Plain survival data of one time-to-event outcome: one row per finished run, censored at
    its horizon when the event never happened.

    The columns are what survival libraries take, with no further conversion::

        f = survival_frame(runs, "talks_pause_day")
        one = f[f["scenario"] == "geneva_2016_02"]
        lifelines.KaplanMeierFitter().fit(one["duration"], one["event_observed"])
        scipy.stats.ecdf(censored_data(one)).sf

    Args:
        runs: runs table (failed runs are left out).
        outcome: a day column (NaN = never).
        origin: optional day column the clock starts from; runs where it is NaN are left out.

    Returns:
        scenario, episode, replicate, duration (float, days: to the event, or to the horizon
        when censored), event_observed (bool: False = censored).
    """
    runs = _finished(runs)
    frame = runs[runs[origin].notna()] if origin else runs
    d = durations(frame, outcome, origin)
    return pd.DataFrame({
        "scenario": d["scenario"],
        "episode": frame["episode"].to_numpy() if "episode" in frame else d["scenario"].to_numpy(),
        "replicate": d["replicate"],
        "duration": d["time"].astype(float),
        "event_observed": d["observed"].astype(bool),
    })  # fmt: skip


def censored_data(frame: pd.DataFrame) -> stats.CensoredData:
    """A `survival_frame` (of one scenario) as `scipy.stats.CensoredData` (right-censored)."""
    return stats.CensoredData.right_censored(
        frame["duration"].to_numpy(dtype=float), ~frame["event_observed"].to_numpy(dtype=bool))


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


#: Resampled values held at once by the paired bootstrap (bytes); outcomes are bootstrapped in
#: groups under it, each group with the same seed, hence the same resampled pairs.
BOOTSTRAP_MEMORY = 2**26


def _defined_means(*differences: np.ndarray, axis: int = -1) -> np.ndarray:
    """Per sample of per-pair differences, their mean over the pairs where it is defined (NaN
    where none is): the statistic the paired bootstrap resamples, stacked over the samples. A NaN
    (a continuous outcome undefined in either run) leaves that pair out of that outcome's mean."""
    x = np.stack(differences)
    if not np.isnan(x).any():
        return x.mean(axis=axis)
    keep = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):  # a resample with no defined pair: NaN
        return np.where(keep, x, 0.0).sum(axis=axis) / keep.sum(axis=axis)


def _differences_and_changes(*differences: np.ndarray, axis: int = -1) -> np.ndarray:
    """`_defined_means` of k outcomes' differences under the posterior then k under the prior,
    followed by the k changes (posterior - prior): the statistic of `calibration_change`."""
    means = _defined_means(*differences, axis=axis)
    k = len(differences) // 2
    return np.concatenate([means, means[:k] - means[k:]])


def _paired_bootstrap(
    samples: Sequence[np.ndarray], statistic, level: float, resamples: int, seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`scipy.stats.bootstrap(samples, statistic, paired=True, method='percentile')` with the
    generator `np.random.default_rng(seed)`: (its bootstrap distribution, low, high), one row
    per row of the statistic.

    scipy draws the resampled pairs as `rng.integers(0, n, (resamples, n))`, so every call with
    the same seed and number of pairs resamples the same pairs (every outcome of a scenario,
    both studies of `calibration_change`).

    scipy lacks (so done here): a percentile interval that leaves out resamples where the
    statistic is undefined (no defined pair drawn; scipy's interval would be NaN), and one pair
    (scipy needs two; every resample is then that pair).
    """
    alpha = (1 - level) / 2
    n = len(samples[0])
    if n < 2:
        value = np.asarray(statistic(*samples, axis=-1), dtype=float)
        return np.repeat(value[..., None], resamples, axis=-1), value, value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)  # NaN resamples: handled below
        res = stats.bootstrap(samples, statistic, n_resamples=resamples, paired=True, vectorized=True,
                              method="percentile", confidence_level=level, rng=np.random.default_rng(seed))
    boot = res.bootstrap_distribution
    if not np.isnan(boot).any():
        return boot, np.asarray(res.confidence_interval.low), np.asarray(res.confidence_interval.high)
    q = stats.quantile(boot, np.asarray([alpha, 1 - alpha]), axis=-1, nan_policy="omit")
    return boot, q[..., 0], q[..., 1]


def _groups(names: list[str], pairs: int, resamples: int, samples_each: int) -> list[list[str]]:
    """`names` in groups small enough for `BOOTSTRAP_MEMORY`."""
    size = max(1, BOOTSTRAP_MEMORY // (8 * resamples * max(pairs, 1) * samples_each))
    return [names[i:i + size] for i in range(0, len(names), size)]


def _alike_interval(
    values: np.ndarray | None, low: float, high: float, binary: bool, span: float, level: float,
) -> tuple[float, float, str, float]:
    """`summaries.alike_interval` of per-pair `values` (None: pairs not comparable)."""
    alike = float(values[0]) if values is not None and len(values) and np.all(values == values[0]) else None
    return alike_interval(alike, 0 if values is None else len(values), low, high, binary, level, span)


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
    over `resamples` paired-bootstrap resamples (`scipy.stats.bootstrap(paired=True,
    method='percentile')`; pairs drawn with replacement by `np.random.default_rng(seed)`, the
    same resampled pairs for every outcome of a scenario).

    Where every pair has the same difference the bootstrap interval is a point. A binary
    outcome where no pair changed then gets the exact interval [-b, +b], b =
    `no_change_bound(pairs)` (about 3/pairs), `interval` 'exact, no pair changed'; a continuous
    one keeps the point, flagged 'bootstrap, degenerate: ...' (see `_alike_interval`).

    Returns:
        scenario, episode, outcome, kind (binary/continuous), pairs, mean_cf, mean_base,
        diff (mean of d), low, high, changed (share of pairs with d != 0), up (d > 0),
        down (d < 0), interval (how low/high were had: 'bootstrap', 'exact, no pair changed',
        ...), changed_bound (where every pair is alike: the exact one-sided `level` bound b on
        the share of pairs that would differ; NaN elsewhere).
    """
    pairs = paired_runs(runs, outcomes)
    columns = ["scenario", "episode", "outcome", "kind", "pairs", "mean_cf", "mean_base", "diff", "low",
               "high", "changed", "up", "down", "interval", "changed_bound"]  # fmt: skip
    rows = []
    for scenario in scenario_order(pairs) if len(pairs) else []:
        group = pairs[pairs["scenario"] == scenario]
        cf = {o: group[o].astype(float).to_numpy() for o in outcomes if o in group}
        base = {o: group[f"{o}_base"].astype(float).to_numpy() for o in cf}
        d = {o: cf[o] - base[o] for o in cf}  # NaN where either run lacks the outcome
        defined = [o for o in cf if (~np.isnan(d[o])).any()]
        interval = {}
        for part in _groups(defined, len(group), resamples, 1):
            _, low, high = _paired_bootstrap([d[o] for o in part], _defined_means, level, resamples, seed)
            interval |= {o: (float(lo), float(hi)) for o, lo, hi in zip(part, low, high)}
        for outcome in defined:
            keep = ~np.isnan(d[outcome])
            dd = d[outcome][keep]
            kind = "binary" if outcome in BINARY_OUTCOMES else "continuous"
            low, high, how, bound = _alike_interval(dd, *interval[outcome], kind == "binary", 1.0, level)
            rows.append({
                "scenario": scenario, "episode": group["episode"].iloc[0], "outcome": outcome,
                "kind": kind, "pairs": len(dd), "mean_cf": float(cf[outcome][keep].mean()),
                "mean_base": float(base[outcome][keep].mean()), "diff": float(dd.mean()),
                "low": low, "high": high,
                "changed": float(np.mean(dd != 0)), "up": float(np.mean(dd > 0)),
                "down": float(np.mean(dd < 0)), "interval": how, "changed_bound": bound,
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
    bootstrapped over the replicates present in both, resampling the same r in both studies
    (one `scipy.stats.bootstrap(paired=True, method='percentile')` of both studies'
    differences). Each study's paired difference is estimated on those common replicates too.
    Where every pair is alike, a binary outcome gets the exact interval of `paired_differences`
    (for the change: every replicate's two differences equal, a per-replicate change in
    [-2, 2], so [-2b, +2b]; see `_alike_interval`).

    Returns:
        scenario, episode, outcome, kind, and per study (`_posterior`, `_prior`) pairs, the
        baseline's mean, diff, low, high and interval; change (diff_posterior - diff_prior),
        change_low, change_high, change_interval.
    """
    studies = ("posterior", "prior")
    pairs = {label: paired_runs(frame, outcomes) for label, frame in zip(studies, (posterior, prior))}
    both = pairs["posterior"].merge(pairs["prior"], on=["scenario", "episode", "replicate"],
                                    suffixes=("_posterior", "_prior"))
    rows = []
    for scenario in scenario_order(both) if len(both) else []:
        group = both[both["scenario"] == scenario]
        present = [o for o in outcomes if f"{o}_posterior" in group]
        base = {(o, s): group[f"{o}_base_{s}"].astype(float).to_numpy() for o in present for s in studies}
        d = {(o, s): group[f"{o}_{s}"].astype(float).to_numpy() - base[o, s] for o in present for s in studies}
        defined = [o for o in present if all((~np.isnan(d[o, s])).any() for s in studies)]
        interval = {}
        for part in _groups(defined, len(group), resamples, 2):
            samples = [d[o, s] for s in studies for o in part]
            _, low, high = _paired_bootstrap(samples, _differences_and_changes, level, resamples, seed)
            k = len(part)
            for j, o in enumerate(part):
                interval |= {(o, "posterior"): (low[j], high[j]), (o, "prior"): (low[k + j], high[k + j]),
                             (o, "change"): (low[2 * k + j], high[2 * k + j])}
        for outcome in defined:
            binary = outcome in BINARY_OUTCOMES
            row = {"scenario": scenario, "episode": group["episode"].iloc[0], "outcome": outcome,
                   "kind": "binary" if binary else "continuous"}
            keeps = {s: ~np.isnan(d[outcome, s]) for s in studies}
            for s in studies:
                dd = d[outcome, s][keeps[s]]
                lo, hi, how, _ = _alike_interval(dd, *map(float, interval[outcome, s]), binary, 1.0, level)
                row |= {f"pairs_{s}": len(dd), f"mean_base_{s}": float(base[outcome, s][keeps[s]].mean()),
                        f"diff_{s}": float(dd.mean()), f"low_{s}": lo, f"high_{s}": hi, f"interval_{s}": how}
            same_pairs = bool((keeps["posterior"] == keeps["prior"]).all())
            per_replicate = (d[outcome, "posterior"] - d[outcome, "prior"])[keeps["posterior"]] if same_pairs else None
            lo, hi, how, _ = _alike_interval(per_replicate, *map(float, interval[outcome, "change"]), binary, 2.0, level)
            row |= {"change": row["diff_posterior"] - row["diff_prior"], "change_low": lo, "change_high": hi,
                    "change_interval": how}
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
