"""The report's tables of a study, streamed from its Parquet parts, in memory about flat in the runs.

`sim.reporting.analysis` computes the report's statistics from the whole runs table in memory
(`Study.runs`: every column of every run, about 3.7 KiB a run). The functions here compute the
same tables from the stored parts through `pyarrow.dataset`, reading only the columns a table
needs (Parquet column projection), one part and one record batch at a time, and keeping counts
and sums. `sim.reporting.report.write_report` and the batch's closing summary use them for a
study whose runs are not in memory::

    from sim.results.store import load_study
    from sim.results import summaries
    scan = summaries.RunsScan(load_study("default"))       # or summaries.outcome_probabilities("default")
    summaries.failed_runs(scan)                            # = analysis.valid_runs(runs)[1]
    summaries.outcome_probabilities(scan)                  # = analysis.outcome_probabilities(runs)
    summaries.survival_curves(scan, "talks_pause_day")     # = analysis.survival_curves(runs, ...)
    summaries.survival_medians(scan)                       # = analysis.survival_medians(runs)
    summaries.time_medians(scan)                           # = sim.reporting.report.time_medians(runs)
    summaries.paired_differences(scan)                     # = analysis.paired_differences(runs)
    summaries.relevant_outcomes(scan, outcomes, names)     # = analysis.relevant_outcomes(runs of names, ...)
    summaries.medians(scan, "civilian_harm")               # = runs.groupby("scenario")[...].median()

What each holds, and what is exact (tests/test_summaries.py: every table equals the in-memory
one, bit for bit but for the bootstrap bounds):

- **Counts** (runs, failed runs, the first error), **probabilities** (n, k per scenario and
  outcome; the Wilson interval is scipy's from those counts): exact, O(scenarios x outcomes).
- **Kaplan-Meier** curves and medians: per scenario and outcome, the number of events and of
  censorings at each distinct time (the days of a horizon), from which the curve, Greenwood's
  log(-log) band and the Brookmeyer-Crowley median interval follow with scipy's own arithmetic
  (`scipy.stats.ecdf`): exact, O(distinct days).
- **Medians of a column** (the headline's median civilian harm): exact, so they hold that one
  column of one scenario at a time (8 bytes a run of the largest scenario).
- **Paired differences**: the means, shares changed/up/down and the all-alike test are exact.
  The paired-bootstrap interval resamples pairs, so it needs every pair's difference: it holds
  the projected outcome columns of one counterfactual and its baseline at a time (8 bytes per
  outcome per run of that scenario), never the whole study. The resamples are scipy's exactly
  (the same `rng.integers(0, n, (resamples, n))` stream, drawn a block of resamples at a
  time), and each resample's mean is computed from how often each pair was drawn (a count
  matrix times the differences) instead of gathering the resampled values, so the bounds
  equal scipy's to floating rounding (about 1e-14), not bit for bit. The blocks are capped at
  `BOOTSTRAP_CELLS` draws, so the bootstrap's own memory does not grow with the pairs (scipy's
  holds resamples x pairs indices at once: 1.3 GB for 83,000 pairs).

The statistics are those of `sim.reporting.analysis` (its docstring states them); they are
restated here because this layer may not import the reporting layer (results is below it).
Failed runs (non-null `error`) are left out of every statistic, as there.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from scipy import special, stats

from sim.model.outcomes import outcome_list, outcome_table
from sim.results.store import Study, StudyStore, load_study

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20160203
#: Rows per record batch read from the parts (the memory of one batch of projected columns).
BATCH_ROWS = 65_536
#: Resampled pair indices drawn at once by the paired bootstrap (resamples x pairs of a block);
#: three arrays of this many 8-byte cells are alive at a time, 24 MiB.
BOOTSTRAP_CELLS = 2**20

# The outcome vocabulary, from the one outcome table (sim/model/outcomes.csv).
#: Outcomes derived from a day column: happened = the day is not NaN.
DERIVED_BINARY: dict[str, str] = {s.name: s.derived_from for s in outcome_table().values() if s.derived_from}
#: Binary outcomes the report compares, in reading order (record and derived ones).
BINARY_OUTCOMES: tuple[str, ...] = outcome_list("report", ("binary",))
#: Time-to-event outcomes (days since the episode's start; NaN = never within the horizon).
TIME_OUTCOMES: tuple[str, ...] = outcome_list("report", ("time",))
#: Continuous (or count) outcomes compared by paired differences.
CONTINUOUS_OUTCOMES: tuple[str, ...] = outcome_list("report", ("count", "continuous"))
#: Time-to-event outcome -> the day column its clock starts at (None: day 0).
CLOCKS: dict[str, str | None] = {s.name: s.clock_from or None for s in outcome_table().values() if s.kind == "time"}


# --------------------------------------------------------------------------- reading the parts
def _scenario_of(part: Path) -> str:
    """The scenario of a runs part, from its task key ('<scenario>-<first>-<last>')."""
    return part.stem.rsplit("-", 2)[0]


def _floats(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A column as float64, null -> NaN, booleans 0/1 (as `astype(float)` does in the analysis)."""
    return pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)


@dataclass
class _Census:
    """One scenario's runs, failed runs and first error (that of the lowest failed replicate)."""

    episode: str
    runs: int = 0
    failed: int = 0
    first_error: tuple[int, str] | None = None

    @property
    def finished(self) -> int:
        return self.runs - self.failed


class RunsScan:
    """The runs parts of one study, read by projected columns, batch by batch.

    Build one per study and pass it to every function here: the census (runs per scenario,
    episodes, order) is read once.

    Args:
        study: a loaded `Study`, or its folder / name (loaded, and so checked, by `load_study`).
    """

    def __init__(self, study: Study | str | Path):
        self.study = study if isinstance(study, Study) else load_study(study)
        # the store's own rule for which parts count: the indexed ones (every one on disk for a
        # study written before the index)
        self.parts: list[Path] = StudyStore(self.study.path)._part_files("runs")

    @classmethod
    def of(cls, study: RunsScan | Study | str | Path) -> RunsScan:
        """`study` itself when it is a scan, else a new scan of it."""
        return study if isinstance(study, RunsScan) else cls(study)

    @cached_property
    def columns(self) -> set[str]:
        """The columns the parts have (the first part's schema: the store writes one schema)."""
        if not self.parts:
            return set()
        return set(ds.dataset([str(self.parts[0])], format="parquet").schema.names)

    def batches(
        self, columns: Sequence[str], scenarios: Sequence[str] | None = None, finished: bool = True,
    ) -> Iterator[tuple[str, pa.RecordBatch]]:
        """(scenario, record batch of `columns` of that scenario's runs), batch by batch.

        Args:
            columns: the columns to read (nothing else is read from the files but `scenario`,
                and `error` when filtering on it).
            scenarios: only these scenarios (only their parts are opened).
            finished: only the runs that finished (null `error`).
        """
        parts = self.parts if scenarios is None else [p for p in self.parts if _scenario_of(p) in set(scenarios)]
        if not parts:
            return
        wanted = list(dict.fromkeys(["scenario", *columns]))
        condition = pc.field("error").is_null() if finished else None
        if scenarios is not None:  # a part's rows are its task's scenario; checked, not assumed
            named = pc.field("scenario").isin(list(scenarios))
            condition = named if condition is None else condition & named
        for part in parts:
            # one dataset per part, dropped after it: a dataset of many parts keeps every part's
            # decoded footer (about 0.6 MiB for the runs schema's 196 columns), which would grow
            # with the study
            dataset = ds.dataset(str(part), format="parquet")
            for batch in dataset.to_batches(columns=wanted, filter=condition, batch_size=BATCH_ROWS):
                if batch.num_rows == 0:
                    continue
                names = pc.unique(batch.column("scenario")).to_pylist()
                if len(names) == 1:
                    yield names[0], batch
                    continue
                for name in names:
                    yield name, batch.filter(pc.equal(batch.column("scenario"), name))

    def arrays(self, scenario: str, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """The finished runs of one scenario: `columns` as float arrays, sorted by replicate
        (the order of `Study.runs`); 'replicate' and 'seed' stay integers."""
        wanted = list(dict.fromkeys(["replicate", *columns]))
        size = self.census[scenario].finished if scenario in self.census else 0
        # filled in place, batch by batch: no list of chunks and concatenated copy beside it
        out = {c: np.empty(size, np.int64 if c in ("replicate", "seed") else float) for c in wanted}
        filled = 0
        for _, batch in self.batches(wanted, [scenario]):
            stop = filled + batch.num_rows
            if stop > size:  # more rows than the census counted (cannot happen in a store's study)
                size = max(stop, 2 * size)
                out = {c: np.resize(v, size) for c, v in out.items()}
            for c in wanted:
                column = batch.column(c)
                out[c][filled:stop] = column.to_numpy(zero_copy_only=False) if out[c].dtype == np.int64 \
                    else _floats(column)
            filled = stop
        out = {c: v[:filled] for c, v in out.items()}
        if filled > 1 and (np.diff(out["replicate"]) < 0).any():
            order = np.argsort(out["replicate"], kind="stable")
            out = {c: v[order] for c, v in out.items()}
        return out

    @cached_property
    def census(self) -> dict[str, _Census]:
        """Scenario -> its runs, failed runs, first error and episode, in design order."""
        found: dict[str, _Census] = {}
        for name, batch in self.batches(["episode", "replicate", "error"], finished=False):
            error = batch.column("error")
            failed = pc.is_valid(error)
            entry = found.setdefault(name, _Census(str(batch.column("episode")[0])))
            entry.runs += batch.num_rows
            bad = int(pc.sum(failed).as_py() or 0)
            if bad:
                entry.failed += bad
                reps = batch.column("replicate").filter(failed).to_numpy()
                i = int(np.argmin(reps))
                candidate = (int(reps[i]), error.filter(failed)[i].as_py())
                entry.first_error = min(filter(None, (entry.first_error, candidate)))
        design = list(self.study.manifest["design"]["scenarios"])
        order = [s for s in design if s in found] + [s for s in found if s not in design]
        return {s: found[s] for s in order}

    def scenario_order(self, finished: bool = True) -> list[str]:
        """Scenarios as `analysis.scenario_order` of the (finished) runs: in design order, each
        episode followed by its counterfactuals."""
        names = [s for s, c in self.census.items() if c.finished or not finished]
        return order_by_episode(names, {s: self.census[s].episode for s in names})

    def source(self, outcome: str) -> tuple[str, bool] | None:
        """(column, derived) of an outcome: its own column, or the day column a derived binary
        outcome comes from (`analysis.add_derived`); None when the parts have neither."""
        if outcome in self.columns:
            return outcome, False
        day = DERIVED_BINARY.get(outcome)
        return (day, True) if day in self.columns else None

    def values(self, batch: pa.RecordBatch, outcome: str) -> np.ndarray:
        """An outcome's values in a batch as floats (a derived one: 1.0 where its day is set)."""
        column, derived = self.source(outcome)
        x = _floats(batch.column(column))
        return (~np.isnan(x)).astype(float) if derived else x


def order_by_episode(names: Sequence[str], episode_of: dict[str, str]) -> list[str]:
    """`names` grouped by episode, episodes in order of first appearance, each episode's own
    scenario first (the order of the report's tables)."""
    episodes = list(dict.fromkeys(episode_of[n] for n in names))
    ordered = []
    for ep in episodes:
        if ep in episode_of:
            ordered.append(ep)
        ordered += [n for n in names if episode_of[n] == ep and n != ep]
    return ordered


def families(study: RunsScan | Study | str | Path) -> dict[str, list[str]]:
    """Episode -> its scenarios with finished runs (the episode first), as `report.families`."""
    scan = RunsScan.of(study)
    out: dict[str, list[str]] = {}
    for name in scan.scenario_order():
        out.setdefault(scan.census[name].episode, []).append(name)
    return out


# --------------------------------------------------------------------------- counts
def failed_runs(study: RunsScan | Study | str | Path) -> pd.DataFrame:
    """Per scenario: runs, failed runs and the first error (`analysis.valid_runs(runs)[1]`).

    Returns:
        scenario, runs, failed, first_error (one row per scenario, in design order).
    """
    scan = RunsScan.of(study)
    rows = [{"scenario": s, "runs": c.runs, "failed": c.failed,
             "first_error": c.first_error[1] if c.first_error else ""} for s, c in scan.census.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "runs", "failed", "first_error"])


def wilson_interval(k, n, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n (NaN, NaN when n = 0):
    `scipy.stats.binomtest(k, n).proportion_ci(level, method='wilson')`, element by element
    when k and n are arrays.

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    k_all, n_all = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    low = np.full(k_all.shape, np.nan)
    high = np.full(k_all.shape, np.nan)
    for i in np.ndindex(k_all.shape):
        if n_all[i] > 0:  # scipy lacks n = 0 (binomtest refuses it): NaN
            ci = stats.binomtest(_count(k_all[i]), _count(n_all[i])).proportion_ci(level, method="wilson")
            low[i], high[i] = ci.low, ci.high
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _count(x: float) -> int:
    if not float(x).is_integer():
        raise ValueError(f"a count must be a whole number, not {x}")
    return int(x)


def outcome_probabilities(
    study: RunsScan | Study | str | Path, outcomes: Sequence[str] = BINARY_OUTCOMES, level: float = LEVEL,
) -> pd.DataFrame:
    """Per scenario and binary outcome: finished runs with a value (n), runs with the outcome
    (k), p = k/n and its Wilson interval; as `analysis.outcome_probabilities`.

    Reads `scenario`, `error` and the outcomes' columns (a derived outcome's day column).

    Returns:
        Long table: scenario, episode, outcome, n, k, p, low, high.
    """
    scan = RunsScan.of(study)
    present = [o for o in outcomes if scan.source(o)]
    counts: dict[tuple[str, str], list[int]] = {}
    columns = list(dict.fromkeys(scan.source(o)[0] for o in present))
    for name, batch in scan.batches(columns):
        for o in present:
            x = scan.values(batch, o)
            tally = counts.setdefault((name, o), [0, 0])
            tally[0] += int(np.count_nonzero(~np.isnan(x)))
            tally[1] += int(np.nansum(x))
    rows = []
    for scenario in scan.scenario_order():
        for o in present:
            n, k = counts.get((scenario, o), (0, 0))
            low, high = wilson_interval(k, n, level)
            rows.append({"scenario": scenario, "episode": scan.census[scenario].episode, "outcome": o, "n": n,
                         "k": k, "p": k / n if n else np.nan, "low": low, "high": high})  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "episode", "outcome", "n", "k", "p", "low", "high"])


def relevant_outcomes(
    study: RunsScan | Study | str | Path, outcomes: Sequence[str], scenarios: Sequence[str] | None = None,
) -> list[str]:
    """Outcomes that happen in at least one finished run of `scenarios` (all: None), as
    `analysis.relevant_outcomes`: a binary one true somewhere, a time one set somewhere, any
    other not constant or not all zero."""
    scan = RunsScan.of(study)
    present = [o for o in outcomes if scan.source(o)]
    binary = {o for o in present if o in BINARY_OUTCOMES or scan.source(o)[1]
              or _arrow_type(scan, scan.source(o)[0]) == pa.bool_()}  # fmt: skip
    seen = {o: {"nonzero": False, "set": False, "low": np.inf, "high": -np.inf} for o in present}
    for _, batch in scan.batches(list(dict.fromkeys(scan.source(o)[0] for o in present)), scenarios):
        for o in present:
            x = scan.values(batch, o)
            defined = x[~np.isnan(x)]
            s = seen[o]
            s["set"] |= defined.size > 0
            s["nonzero"] |= bool(np.any(defined != 0))
            if defined.size:
                s["low"], s["high"] = min(s["low"], defined.min()), max(s["high"], defined.max())
    keep = []
    for o in present:
        s = seen[o]
        if o in binary:
            hit = s["nonzero"]
        elif o in TIME_OUTCOMES:
            hit = s["set"]
        else:
            hit = s["high"] > s["low"] or s["nonzero"]
        if hit:
            keep.append(o)
    return keep


def _arrow_type(scan: RunsScan, column: str) -> pa.DataType:
    return ds.dataset([str(scan.parts[0])], format="parquet").schema.field(column).type


def medians(study: RunsScan | Study | str | Path, column: str) -> pd.Series:
    """Per scenario, the median of a column over its finished runs (NaN left out), exact:
    `runs.groupby('scenario')[column].median()` of the finished runs. Holds that one column of
    one scenario at a time.

    Returns:
        A Series indexed by scenario, in the scenarios' order.
    """
    scan = RunsScan.of(study)
    out = {}
    for scenario in scan.scenario_order():
        x = scan.arrays(scenario, [column])[column]
        x = x[~np.isnan(x)]
        out[scenario] = float(np.median(x)) if x.size else np.nan
    return pd.Series(out, name=column, dtype=float).rename_axis("scenario")


# --------------------------------------------------------------------------- survival
@dataclass
class _Tally:
    """Events and censorings per distinct time of one scenario and outcome (and clock)."""

    events: dict[float, int]
    censored: dict[float, int]
    n: int = 0
    end: float = -np.inf  # the longest follow-up: max(horizon - origin)
    horizon: float = -np.inf  # max horizon_days over the scenario's finished runs

    def add(self, times: np.ndarray, counts: dict[float, int]) -> None:
        values, k = np.unique(times, return_counts=True)
        for t, c in zip(values.tolist(), k.tolist()):
            counts[t] = counts.get(t, 0) + c


def _tallies(
    scan: RunsScan, panels: Sequence[tuple[str, str | None]], scenarios: Sequence[str] | None = None,
) -> dict[tuple[str, str, str | None], _Tally]:
    """One pass over the parts: a `_Tally` per (scenario, outcome, origin) of `panels`.

    The time of a run is its event's day, or its horizon when the event never happened
    (censored), minus the origin's day; runs whose origin is NaN are not at risk (as
    `analysis.durations`).
    """
    columns = ["horizon_days", *(o for o, _ in panels), *(g for _, g in panels if g)]
    tallies: dict[tuple[str, str, str | None], _Tally] = {}
    for name, batch in scan.batches(list(dict.fromkeys(columns)), scenarios):
        horizon = _floats(batch.column("horizon_days"))
        for outcome, origin in panels:
            tally = tallies.setdefault((name, outcome, origin), _Tally({}, {}))
            tally.horizon = max(tally.horizon, float(horizon.max()))
            day = _floats(batch.column(outcome))
            at_risk = np.ones(day.shape, bool)
            start = 0.0
            if origin:
                start = _floats(batch.column(origin))
                at_risk = ~np.isnan(start)
                start = start[at_risk]
            day, ends = day[at_risk], horizon[at_risk]
            observed = ~np.isnan(day)
            time = np.where(observed, day, ends) - start
            if np.isnan(time).any():
                raise ValueError("times contain NaN: give the censoring time of runs without the event")
            tally.n += time.size
            if time.size:
                tally.end = max(tally.end, float((ends - start).max()))
            tally.add(time[observed], tally.events)
            tally.add(time[~observed], tally.censored)
    return tallies


KM_COLUMNS = ["time", "at_risk", "events", "censored", "survival", "low", "high"]


def kaplan_meier_counts(times, events, censored, level: float = LEVEL) -> pd.DataFrame:
    """Kaplan-Meier estimate from counts per distinct time, with a pointwise log(-log) band.

    The same table as `analysis.kaplan_meier` of the subjects these counts describe, by the
    arithmetic of `scipy.stats.ecdf` (survival = cumprod((n - d) / n), or 1 - the empirical CDF
    when nothing is censored; Greenwood's variance on
    the log(-log) scale, clipped to [0, 1]); where that band is undefined it is [1, 1] before
    the first event and [0, 0] once the survival is 0.

    Args:
        times: the distinct times (any order; rows with no event and no censoring are dropped).
        events: events at each time.
        censored: censorings at each time (events come before censorings at a tied time).
        level: band level.

    Returns:
        time, at_risk, events, censored, survival, low, high (one row per distinct time).
    """
    t = np.asarray(times, dtype=float)
    e = np.asarray(events, dtype=np.int64)
    c = np.asarray(censored, dtype=np.int64)
    order = np.argsort(t, kind="stable")
    t, e, c = t[order], e[order], c[order]
    used = (e + c) > 0
    t, e, c = t[used], e[used], c[used]
    if t.size == 0:
        return pd.DataFrame(columns=KM_COLUMNS)
    total = int((e + c).sum())
    n = total - np.concatenate(([0], np.cumsum(e + c)[:-1]))  # at risk just before each time
    # scipy's two branches (bit for bit): without censoring 1 - the ECDF, else the product
    sf = 1 - np.cumsum(e) / total if not c.any() else np.cumprod((n - e) / n)
    with np.errstate(divide="ignore", invalid="ignore"):  # undefined where S is 1 or 0: set below
        var = 1 / np.log(sf) ** 2 * np.cumsum(e / (n * (n - e)))
        lnl = np.log(-np.log(sf))
    z_se = special.ndtri(1 / 2 + level / 2) * np.sqrt(var)
    low = np.clip(np.exp(-np.exp(lnl + z_se)), 0, 1)
    high = np.clip(np.exp(-np.exp(lnl - z_se)), 0, 1)
    no_event_yet = np.cumsum(e) == 0
    zero = sf <= 0
    low = np.where(no_event_yet, 1.0, np.where(zero, 0.0, low))
    high = np.where(no_event_yet, 1.0, np.where(zero, 0.0, high))
    return pd.DataFrame({"time": t, "at_risk": n, "events": e, "censored": c, "survival": sf, "low": low,
                         "high": high}, columns=KM_COLUMNS)  # fmt: skip


def _curve(tally: _Tally | None, level: float) -> pd.DataFrame:
    if tally is None:
        return pd.DataFrame(columns=KM_COLUMNS)
    times = sorted(set(tally.events) | set(tally.censored))
    return kaplan_meier_counts(times, [tally.events.get(t, 0) for t in times],
                               [tally.censored.get(t, 0) for t in times], level)  # fmt: skip


def km_median(curve: pd.DataFrame) -> tuple[float, float, float]:
    """(median, low, high) of a Kaplan-Meier curve, as `analysis.km_median`: the first times
    the curve, its lower and its upper band are at or below 0.5 (NaN: not reached)."""
    if curve.empty:
        return np.nan, np.nan, np.nan

    def first(column: str) -> float:
        hit = curve.loc[curve[column] <= 0.5 + 1e-12, "time"]
        return float(hit.iloc[0]) if len(hit) else np.nan

    return first("survival"), first("low"), first("high")


def survival_curves(
    study: RunsScan | Study | str | Path, outcome: str, scenarios: Sequence[str] | None = None,
    origin: str | None = None, level: float = LEVEL,
) -> pd.DataFrame:
    """Kaplan-Meier curves of one time-to-event outcome per scenario, as `analysis.survival_curves`.

    Reads `scenario`, `error`, `horizon_days`, the outcome and the origin.

    Returns:
        scenario, outcome, time, at_risk, events, censored, survival, low, high, horizon (the
        end of follow-up).
    """
    scan = RunsScan.of(study)
    names = list(scenarios or scan.scenario_order())
    tallies = _tallies(scan, [(outcome, origin)], names)
    parts = []
    for scenario in names:
        tally = tallies.get((scenario, outcome, origin))
        curve = _curve(tally, level)
        curve.insert(0, "outcome", outcome)
        curve.insert(0, "scenario", scenario)
        curve["horizon"] = tally.end if tally is not None and tally.n else np.nan
        parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=["scenario", "outcome", *KM_COLUMNS, "horizon"])
    return pd.concat(parts, ignore_index=True)


def survival_medians(
    study: RunsScan | Study | str | Path, outcomes: Sequence[str] = TIME_OUTCOMES, level: float = LEVEL,
) -> pd.DataFrame:
    """Per scenario and time-to-event outcome: runs, events, median day and its interval, as
    `analysis.survival_medians` (the clock starts at day 0).

    Returns:
        scenario, episode, outcome, n, events, median, low, high, horizon.
    """
    scan = RunsScan.of(study)
    present = [o for o in outcomes if o in scan.columns]
    tallies = _tallies(scan, [(o, None) for o in present])
    rows = []
    for scenario in scan.scenario_order():
        for o in present:
            tally = tallies[scenario, o, None]
            median, low, high = km_median(_curve(tally, level))
            rows.append({"scenario": scenario, "episode": scan.census[scenario].episode, "outcome": o,
                         "n": tally.n, "events": sum(tally.events.values()), "median": median, "low": low,
                         "high": high, "horizon": tally.horizon})  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "episode", "outcome", "n", "events", "median", "low",
                                       "high", "horizon"])


def time_medians(
    study: RunsScan | Study | str | Path, outcomes: Sequence[str] = TIME_OUTCOMES,
    clocks: dict[str, str | None] | None = None, level: float = LEVEL,
) -> pd.DataFrame:
    """`survival_medians` on each outcome's own clock, the report's times table
    (`sim.reporting.report.time_medians`): an outcome whose clock starts at another day column
    is estimated from that day on, over the runs in which that day came (n); its horizon is the
    longest follow-up from it.

    Args:
        clocks: outcome -> the day column its clock starts at (default: the outcome table's).

    Returns:
        scenario, episode, outcome, clock, n, events, median, low, high, horizon.
    """
    scan = RunsScan.of(study)
    clocks = CLOCKS if clocks is None else clocks
    medians = survival_medians(scan, outcomes, level)
    medians.insert(3, "clock", "episode start")
    panels = [(o, clocks[o]) for o in dict.fromkeys(medians["outcome"]) if clocks.get(o) in scan.columns]
    tallies = _tallies(scan, panels) if panels else {}
    for i, r in medians.iterrows():
        origin = clocks.get(r["outcome"])
        if not origin or origin not in scan.columns:
            continue
        tally = tallies.get((r["scenario"], r["outcome"], origin))
        curve = _curve(tally, level)
        median, low, high = km_median(curve)
        n = tally.n if tally is not None else 0
        # the same assignment as the report's, so the columns keep the same types
        medians.loc[i, ["clock", "n", "events", "median", "low", "high", "horizon"]] = [
            origin, n, int(curve["events"].sum()) if len(curve) else 0, median, low, high,
            float(tally.end) if len(curve) else np.nan]
    return medians


# --------------------------------------------------------------------------- paired differences
@functools.cache
def no_change_bound(n: int, level: float = LEVEL) -> float:
    """Exact one-sided upper `level` bound of a rate seen in none of n pairs: Clopper-Pearson,
    `scipy.stats.binomtest(0, n, alternative='less').proportion_ci(level, method='exact').high`
    = 1 - (1 - level)^(1/n), about 3/n at 95% (the rule of three)."""
    return float(stats.binomtest(0, n, alternative="less").proportion_ci(level, method="exact").high)


def alike_interval(alike: float | None, pairs: int, low: float, high: float, binary: bool, level: float,
                   span: float = 1.0) -> tuple[float, float, str, float]:
    """(low, high, interval label, bound) of a mean of per-pair values whose percentile
    interval is (low, high), `alike` their common value c when every pair has the same one
    (None when they differ or are not comparable); scipy lacks this.

    When every pair has the same value c (no pair changed: c = 0), every resample's mean is c and
    the bootstrap interval is the point [c, c], which bounds nothing unseen. Then, with b =
    `no_change_bound(n)` (exact: the share of pairs that would differ from c is <= b at `level`):

    - a binary outcome's value lies in [-span, +span] (span 1 for cf - base, 2 for a change of a
      difference), so the mean lies in [c - b (c + span), c + b (span - c)]: [-b, +b] when no
      pair changed. Label 'exact, no pair changed' ('exact, every pair alike' when c != 0).
    - a continuous outcome's change is unbounded: a rare large change can move the mean by any
      amount, so 'no pair changed' bounds only how often it changes (b), not the mean. The
      interval stays the bootstrap's [c, c], labelled 'bootstrap, degenerate: no pair changed'
      (or '... every pair alike'), and b is returned.

    Otherwise (`alike` None) the percentile interval, labelled 'bootstrap', and NaN. (A bootstrap
    interval that is a point while the values differ does not occur in practice: at least a share
    1 - (1 - 1/n)^n > 63% of resamples draw a pair off the majority value.)
    """
    if alike is None:
        return low, high, "bootstrap", np.nan
    c, b = float(alike), no_change_bound(pairs, level)
    what = "no pair changed" if c == 0 else "every pair alike"
    if binary:
        return c - b * (c + span), c + b * (span - c), f"exact, {what}", b
    return low, high, f"bootstrap, degenerate: {what}", b


def bootstrap_means(differences: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES,
                    seed: int = BOOTSTRAP_SEED, overwrite: bool = False) -> np.ndarray:
    """The paired bootstrap distribution of each row's mean over its defined (non-NaN) pairs.

    The resampled pairs are those of `scipy.stats.bootstrap(paired=True)` with
    `np.random.default_rng(seed)`: `rng.integers(0, n, (resamples, n))`, drawn here a block of
    rows at a time (the same stream). A resample's mean is (how often each pair was drawn) @
    (the differences) / (defined pairs drawn), which equals the mean of the gathered values to
    rounding; NaN where a resample drew no defined pair.

    Args:
        differences: outcomes x pairs (NaN where a pair's difference is undefined).
        resamples: bootstrap resamples.
        seed: the generator's seed.
        overwrite: set the NaN of a float64 `differences` to 0 in place instead of copying it
            (one copy of the differences less).

    Returns:
        outcomes x resamples.
    """
    d = np.atleast_2d(np.asarray(differences, dtype=float))
    k, n = d.shape
    keep = ~np.isnan(d)
    if overwrite and d is differences:
        d[~keep] = 0.0
        filled = d.T  # pairs x outcomes
    else:
        filled = np.where(keep, d, 0.0).T
    partial = ~keep.all(axis=1)
    rng = np.random.default_rng(seed)
    out = np.empty((k, resamples))
    rows = max(1, min(resamples, BOOTSTRAP_CELLS // max(n, 1)))
    for start in range(0, resamples, rows):
        m = min(rows, resamples - start)
        index = rng.integers(0, n, (m, n))
        index += (np.arange(m) * n)[:, None]  # one bincount for the block: row b's pairs in b*n..
        drawn = np.bincount(index.ravel(), minlength=m * n).reshape(m, n).astype(float)
        del index
        sums = drawn @ filled  # m x outcomes
        count = np.full((m, k), float(n))
        if partial.any():
            count[:, partial] = drawn @ keep[partial].T.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, start:start + m] = (sums / count).T
    return out


def _interval(boot: np.ndarray, level: float) -> tuple[float, float]:
    """The percentile interval of one bootstrap distribution, as scipy's (`stats.quantile` at
    alpha and 1 - alpha), leaving out NaN resamples as `analysis._paired_bootstrap` does."""
    alpha = (1 - level) / 2
    q = np.asarray([alpha, 1 - alpha])
    if np.isnan(boot).any():
        low, high = stats.quantile(boot, q, nan_policy="omit")
    else:
        low, high = stats.quantile(boot, q)
    return float(low), float(high)


def paired_differences(
    study: RunsScan | Study | str | Path,
    outcomes: Sequence[str] = BINARY_OUTCOMES + CONTINUOUS_OUTCOMES,
    level: float = LEVEL,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Paired differences, counterfactual - baseline, per counterfactual and outcome, as
    `analysis.paired_differences`.

    Replicate r of a counterfactual pairs with replicate r of its episode's baseline (both
    finished; their seeds must agree). Per counterfactual it reads only `replicate`, `seed`
    and the outcomes' columns of that scenario's and its baseline's parts.

    Returns:
        scenario, episode, outcome, kind, pairs, mean_cf, mean_base, diff, low, high, changed,
        up, down, interval, changed_bound.

    Raises:
        ValueError: paired runs with different seeds.
    """
    scan = RunsScan.of(study)
    present = [o for o in outcomes if scan.source(o)]
    columns = list(dict.fromkeys(["seed", *(scan.source(o)[0] for o in present)]))
    census = scan.census
    order = scan.scenario_order()
    counterfactuals = [s for s in order if census[s].episode != s and census[s].episode in order]
    rows: dict[str, list[dict]] = {}  # counterfactual -> its rows
    base_of: tuple[str, dict] | None = None
    for scenario in counterfactuals:  # one counterfactual's pairs in memory at a time
        episode = census[scenario].episode
        if base_of is None or base_of[0] != episode:  # each baseline read once: order groups them
            base_of = None  # the last episode's baseline goes before the next is read
            base_of = (episode, scan.arrays(episode, columns))
        found = _pair_rows(scan, scenario, episode, base_of[1], scan.arrays(scenario, columns), present,
                           level, resamples, seed)  # fmt: skip
        if found is not None:
            rows[scenario] = found
    # the table's order is that of `analysis.scenario_order` of the pairs (which come in design
    # order there, so episodes in the order of their first counterfactual with a pair)
    names = [s for s in census if s in rows]
    ordered = order_by_episode(names, {s: census[s].episode for s in names})
    return pd.DataFrame([row for s in ordered for row in rows[s]],
                        columns=["scenario", "episode", "outcome", "kind", "pairs", "mean_cf", "mean_base", "diff",
                                 "low", "high", "changed", "up", "down", "interval", "changed_bound"])  # fmt: skip


def _pair_rows(
    scan: RunsScan, scenario: str, episode: str, base: dict, cf: dict, present: Sequence[str],
    level: float, resamples: int, seed: int,
) -> list[dict] | None:
    """The rows of `paired_differences` of one counterfactual (None: no replicate finished in
    both it and its baseline).

    The pairs are an inner join on the replicate, in the counterfactual's replicate order (that
    of `analysis.paired_runs`). Only the differences are kept (outcomes x pairs); each outcome's
    values are built, summed and dropped in turn.

    Raises:
        ValueError: a pair's seeds differ.
    """
    if not len(base["replicate"]) or not len(cf["replicate"]):
        return None
    at = np.minimum(np.searchsorted(base["replicate"], cf["replicate"]), len(base["replicate"]) - 1)
    match = base["replicate"][at] == cf["replicate"]
    if not match.any():
        return None
    at = at[match]
    if (cf["seed"][match] != base["seed"][at]).any():
        raise ValueError("paired runs have different seeds: the study does not use common random numbers")
    d = np.empty((len(present), len(at)))
    stats_of = {}
    for j, o in enumerate(present):
        x, y = _derived(cf, scan, o)[match], _derived(base, scan, o)[at]
        np.subtract(x, y, out=d[j])  # NaN where either run lacks the outcome
        keep = ~np.isnan(d[j])
        if keep.any():
            dd = d[j][keep]
            stats_of[o] = {
                "pairs": len(dd), "mean_cf": float(x[keep].mean()), "mean_base": float(y[keep].mean()),
                "diff": float(dd.mean()), "changed": float(np.mean(dd != 0)), "up": float(np.mean(dd > 0)),
                "down": float(np.mean(dd < 0)), "row": j,
                "alike": float(dd[0]) if np.all(dd == dd[0]) else None,  # every pair's difference the same
            }  # fmt: skip
    defined = [o for o in present if o in stats_of]
    if not defined:
        return []
    rows_of = [stats_of[o]["row"] for o in defined]
    d = d if len(rows_of) == len(present) else d[rows_of]
    if d.shape[1] < 2:  # scipy needs two pairs; every resample of one pair is that pair
        intervals = {o: (float(d[j, 0]),) * 2 for j, o in enumerate(defined)}
    else:
        boot = bootstrap_means(d, resamples, seed, overwrite=True)
        intervals = {o: _interval(boot[j], level) for j, o in enumerate(defined)}
    rows = []
    for o in defined:
        st = stats_of[o]
        kind = "binary" if o in BINARY_OUTCOMES else "continuous"
        low, high, how, bound = alike_interval(st["alike"], st["pairs"], *intervals[o], kind == "binary", level)
        rows.append({"scenario": scenario, "episode": episode, "outcome": o, "kind": kind,
                     **{k: st[k] for k in ("pairs", "mean_cf", "mean_base", "diff")}, "low": low, "high": high,
                     **{k: st[k] for k in ("changed", "up", "down")}, "interval": how,
                     "changed_bound": bound})  # fmt: skip
    return rows


def _derived(arrays: dict[str, np.ndarray], scan: RunsScan, outcome: str) -> np.ndarray:
    """An outcome's values from a scenario's arrays (a derived one: 1.0 where its day is set)."""
    column, derived = scan.source(outcome)
    x = arrays[column]
    return (~np.isnan(x)).astype(float) if derived else x
