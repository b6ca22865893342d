"""The streamed tables (`sim.results.summaries`) equal the in-memory ones (`sim.reporting.analysis`),
read only the columns they need, and give a hand-computed Kaplan-Meier curve."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats
from scipy.special import ndtri

import sim.results.summaries as sm
from benchmarks.bench_summaries import write_synthetic_study
from sim.experiments.batch import run_study
from sim.reporting import analysis as an
from sim.reporting import report as report_module
from sim.reporting.summary import summary_table
from sim.reporting.tables import markdown_table
from sim.results.store import Study, load_study

SCENARIOS = ["geneva_2016_02", "geneva_2016_02_no_strikes", "ceasefire_2016_09", "ceasefire_2016_09_jic"]
#: Columns whose values come from the bootstrap (equal to rounding); every other column is exact.
BOOTSTRAP_COLUMNS = ["low", "high"]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A real small study (4 scenarios x 12 replicates, events off), loaded from disk."""
    root = tmp_path_factory.mktemp("results")
    run_study("small", SCENARIOS, replicates=12, seed=5, parameters="defaults", results_dir=root, progress=False)
    return load_study(root / "small")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic study shaped like the default one: 12 scenarios x 30 replicates in parts of 10
    rows, 5% failed runs."""
    return write_synthetic_study(tmp_path_factory.mktemp("synthetic") / "s", runs=12 * 30, part_rows=10,
                                 failed_share=0.05)  # fmt: skip


def equal(streamed: pd.DataFrame, in_memory: pd.DataFrame, rounded: list[str] = ()) -> None:
    """Equal tables: the same columns and types, every value exactly equal except `rounded`
    (to 1e-12)."""
    streamed, in_memory = streamed.reset_index(drop=True), in_memory.reset_index(drop=True)
    exact = [c for c in in_memory.columns if c not in rounded]
    pd.testing.assert_frame_equal(streamed[exact], in_memory[exact], check_exact=True)
    pd.testing.assert_frame_equal(streamed, in_memory, check_exact=False, rtol=1e-12, atol=1e-12)


def every_table_equal(study: Study) -> None:
    runs, failed = an.valid_runs(study.runs)
    scan = sm.RunsScan(Study(study.path, study.manifest))  # nothing loaded: every table from the parts
    equal(sm.failed_runs(scan), failed)
    equal(sm.outcome_probabilities(scan), an.outcome_probabilities(runs))
    equal(sm.survival_medians(scan), an.survival_medians(runs))
    equal(sm.time_medians(scan), report_module.time_medians(runs))
    for outcome in an.TIME_OUTCOMES:
        equal(sm.survival_curves(scan, outcome), an.survival_curves(runs, outcome))
    collapse = ("ceasefire_collapse_day", "ceasefire_agreed_day")
    equal(sm.survival_curves(scan, *collapse[:1], origin=collapse[1]),
          an.survival_curves(runs, collapse[0], origin=collapse[1]))  # fmt: skip
    diffs = an.paired_differences(runs)
    assert len(diffs) > 0
    equal(sm.paired_differences(scan), diffs, rounded=BOOTSTRAP_COLUMNS)
    outcomes = an.BINARY_OUTCOMES + an.CONTINUOUS_OUTCOMES + an.TIME_OUTCOMES
    for names in report_module.families(runs).values():
        assert sm.relevant_outcomes(scan, outcomes, names) == an.relevant_outcomes(
            runs[runs["scenario"].isin(names)], outcomes)
    pd.testing.assert_series_equal(sm.medians(scan, "civilian_harm"),
                                   runs.groupby("scenario")["civilian_harm"].median()
                                   .reindex(an.scenario_order(runs)), check_names=False)  # fmt: skip
    pd.testing.assert_frame_equal(report_module.headline_table(scan), report_module.headline_table(study.runs))
    pd.testing.assert_frame_equal(summary_table(scan), summary_table(study.runs))


def test_every_table_of_a_real_study_equals_the_in_memory_one(real):
    every_table_equal(real)


def test_every_table_of_synthetic_parts_equals_the_in_memory_one(synthetic):
    assert synthetic.runs["error"].notna().sum() > 0  # failed runs are left out, counted
    assert len(list((synthetic.path / "runs").glob("*.parquet"))) == 12 * 3  # several parts a scenario
    every_table_equal(synthetic)


def test_the_report_of_a_study_not_in_memory_has_the_in_memory_tables(real, tmp_path):
    """`write_report` streams its tables when the runs are not loaded: the same CSV bytes as the
    in-memory computations (the paired differences stay in memory: their bootstrap bounds would
    differ in the last digits)."""
    study = Study(real.path, real.manifest)
    written = report_module.write_report(study, out=tmp_path, networks=False, prior=None)
    runs, failed = an.valid_runs(real.runs)
    expected = {"probabilities.csv": an.outcome_probabilities(runs), "failed_runs.csv": failed,
                "survival_medians.csv": report_module.time_medians(runs),
                "paired_differences.csv": an.paired_differences(runs)}  # fmt: skip
    for name, table in expected.items():
        assert (tmp_path / name).read_text() == table.to_csv(index=False), name
    headline = report_module.headline_table(real.runs)
    pd.testing.assert_frame_equal(written.headline, headline)
    assert markdown_table(headline) in written.summary.read_text()


# --------------------------------------------------------------------------- only projected columns
def needed_columns() -> set[str]:
    """Every column some streamed table reads."""
    sources = {day for name, day in sm.DERIVED_BINARY.items()}
    origins = {o for o in sm.CLOCKS.values() if o}
    outcomes = set(sm.BINARY_OUTCOMES + sm.CONTINUOUS_OUTCOMES + sm.TIME_OUTCOMES)
    return {"scenario", "episode", "replicate", "seed", "error", "horizon_days", "civilian_harm"} | sources | origins \
        | outcomes  # fmt: skip


def corrupt_other_columns(path) -> int:
    """Overwrite the bytes of every column chunk of a part that no table needs; how many."""
    meta = pq.ParquetFile(path).metadata
    spoiled = 0
    with open(path, "r+b") as f:
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for i in range(group.num_columns):
                column = group.column(i)
                if column.path_in_schema in needed_columns():
                    continue
                f.seek(column.dictionary_page_offset or column.data_page_offset)
                f.write(b"\xff" * column.total_compressed_size)
                spoiled += 1
    return spoiled


def test_the_tables_read_only_their_columns_the_others_unreadable(real, tmp_path):
    copy = tmp_path / "small"
    shutil.copytree(real.path, copy)
    parts = sorted((copy / "runs").glob("*.parquet"))
    for part in parts:
        assert corrupt_other_columns(part) > 100  # the parameters, the dyad counts, ...
    with pytest.raises(OSError):
        pq.read_table(parts[0])  # the whole part no longer reads
    damaged = Study(copy, real.manifest)  # load_study would refuse it (sha256): opened as is
    runs, _ = an.valid_runs(real.runs)
    scan = sm.RunsScan(damaged)
    equal(sm.outcome_probabilities(scan), an.outcome_probabilities(runs))
    equal(sm.time_medians(scan), report_module.time_medians(runs))
    equal(sm.paired_differences(scan), an.paired_differences(runs), rounded=BOOTSTRAP_COLUMNS)
    pd.testing.assert_frame_equal(report_module.headline_table(scan), report_module.headline_table(real.runs))


def write_parts(folder, frames: dict[str, pd.DataFrame]) -> Study:
    """A study of hand-made parts holding only the columns given (one part per scenario)."""
    (folder / "runs").mkdir(parents=True)
    for scenario, frame in frames.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False),
                       folder / "runs" / f"{scenario}-0000000-{len(frame) - 1:07d}.parquet")  # fmt: skip
    return Study(folder, {"study": folder.name, "design": {"scenarios": list(frames)}})


def hand_runs(scenario: str, episode: str, days, horizons, harm, seeds=None) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame({
        "scenario": scenario, "episode": episode, "replicate": np.arange(n, dtype=np.int64),
        "seed": np.asarray(seeds if seeds is not None else 100 + np.arange(n), dtype=np.int64),
        "error": pd.Series([None] * n, dtype=object), "horizon_days": np.asarray(horizons, dtype=np.int64),
        "talks_pause_day": np.asarray(days, dtype=float), "talks_paused": ~np.isnan(np.asarray(days, dtype=float)),
        "civilian_harm": np.asarray(harm, dtype=float),
    })  # fmt: skip


# --------------------------------------------------------------------------- Kaplan-Meier by hand
def test_kaplan_meier_of_a_hand_computed_case(tmp_path):
    """Five runs: paused on days 2, 2 and 5; one censored at its horizon of 3, one at 6.

    S(2) = 3/5, S(5) = 3/5 * 1/2 = 0.3 (the run censored at 3 leaves the risk set before day
    5); Greenwood sums 2/(5*3) at day 2 and 2/15 + 1/(2*1) at day 5; the median is day 5.
    """
    frame = hand_runs("a", "a", [2, 2, np.nan, 5, np.nan], [6, 6, 3, 6, 6], [0, 0, 0, 0, 0])
    study = write_parts(tmp_path / "km", {"a": frame})  # only the columns the tables read
    curve = sm.survival_curves(study, "talks_pause_day")
    assert curve["time"].tolist() == [2, 3, 5, 6]
    assert curve["at_risk"].tolist() == [5, 3, 2, 1]
    assert curve["events"].tolist() == [2, 0, 1, 0] and curve["censored"].tolist() == [0, 1, 0, 1]
    assert curve["survival"].tolist() == pytest.approx([0.6, 0.6, 0.3, 0.3], abs=1e-15)
    z = ndtri(0.975)
    for i, (s, greenwood) in enumerate([(0.6, 2 / 15), (0.6, 2 / 15), (0.3, 2 / 15 + 1 / 2), (0.3, 2 / 15 + 1 / 2)]):
        se = math.sqrt(greenwood) / abs(math.log(s))  # the log(-log) scale
        assert curve["low"][i] == pytest.approx(math.exp(-math.exp(math.log(-math.log(s)) + z * se)), rel=1e-12)
        assert curve["high"][i] == pytest.approx(math.exp(-math.exp(math.log(-math.log(s)) - z * se)), rel=1e-12)
    assert curve["horizon"].iloc[0] == 6
    medians = sm.survival_medians(study, ["talks_pause_day"]).iloc[0]
    assert (medians["n"], medians["events"], medians["median"]) == (5, 3, 5.0)
    assert math.isnan(medians["high"])  # the upper band never reaches 0.5 within the follow-up
    equal(curve, an.survival_curves(frame, "talks_pause_day"))


def test_kaplan_meier_from_counts_before_the_first_event_and_at_zero():
    curve = sm.kaplan_meier_counts([3, 1, 2], [0, 0, 2], [0, 1, 0])  # time 3: nobody, left out
    assert curve["time"].tolist() == [1, 2]
    assert curve["survival"].tolist() == [1.0, 0.0]  # one censored at 1, both others at 2
    assert curve["low"].tolist() == [1.0, 0.0] and curve["high"].tolist() == [1.0, 0.0]
    equal(curve, an.kaplan_meier([1, 2, 2], [False, True, True]))
    uncensored = sm.kaplan_meier_counts([1, 2], [1, 2], [0, 0])  # scipy's other branch: 1 - ECDF
    equal(uncensored, an.kaplan_meier([1, 2, 2], [True, True, True]))


# --------------------------------------------------------------------------- paired bootstrap
@pytest.mark.filterwarnings("ignore::scipy.stats.DegenerateDataWarning")  # scipy's, on its NaN resamples
def test_the_bootstrap_resamples_scipys_pairs_in_blocks(monkeypatch):
    rng = np.random.default_rng(3)
    d = rng.normal(size=(3, 40))
    d[1, rng.random(40) < 0.9] = np.nan  # some resamples draw no defined pair: NaN there
    monkeypatch.setattr(sm, "BOOTSTRAP_CELLS", 7 * 40 + 3)  # 7 resamples a block, the last one short
    ours = sm.bootstrap_means(d, resamples=100, seed=11)
    theirs = stats.bootstrap(list(d), an._defined_means, n_resamples=100, paired=True, vectorized=True,
                             method="percentile", rng=np.random.default_rng(11)).bootstrap_distribution
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    assert np.isnan(ours[1]).any() and np.array_equal(np.isnan(ours), np.isnan(theirs))


def test_paired_differences_of_hand_made_parts(tmp_path):
    """Undefined differences (NaN), a failed baseline run, pairs all alike, a single pair."""
    base = hand_runs("e", "e", [3, np.nan, 4, 5, 6, 2], [9] * 6, [10.0, np.nan, 30.0, 40.0, 50.0, 60.0])
    base.loc[3, "error"] = "RuntimeError: boom"
    changed = hand_runs("e_cf", "e", [np.nan, 2, 4, 1, 6, 3], [9] * 6, [11.0, 20.0, np.nan, 40.0, 52.0, 60.0])
    alike = hand_runs("e_same", "e", [3, np.nan, 4, 5, 6, 2], [9] * 6, [10.0, np.nan, 30.0, 40.0, 50.0, 60.0])
    one = hand_runs("e_one", "e", [7], [9], [5.0])
    frames = {"e": base, "e_cf": changed, "e_same": alike, "e_one": one}
    outcomes = ["talks_paused", "talks_pause_day", "civilian_harm"]
    expected = an.paired_differences(pd.concat(frames.values(), ignore_index=True), outcomes)
    equal(sm.paired_differences(write_parts(tmp_path / "pairs", frames), outcomes), expected,
          rounded=BOOTSTRAP_COLUMNS)  # fmt: skip
    intervals = expected.set_index(["scenario", "outcome"])["interval"]
    assert intervals["e_cf", "civilian_harm"] == "bootstrap"
    assert intervals["e_same", "talks_paused"] == "exact, no pair changed"
    assert intervals["e_same", "civilian_harm"] == "bootstrap, degenerate: no pair changed"
    assert intervals["e_one", "talks_pause_day"] == "bootstrap, degenerate: every pair alike"
    assert expected.set_index(["scenario", "outcome"]).loc[("e_cf", "civilian_harm"), "pairs"] == 3


def test_pairs_with_different_seeds_are_refused(tmp_path):
    frames = {"e": hand_runs("e", "e", [1, 2], [9, 9], [1, 2]),
              "e_cf": hand_runs("e_cf", "e", [1, 2], [9, 9], [1, 2], seeds=[100, 999])}  # fmt: skip
    with pytest.raises(ValueError, match="different seeds"):
        sm.paired_differences(write_parts(tmp_path / "seeds", frames), ["civilian_harm"])
