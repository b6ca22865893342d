"""Time and memory of the report's tables streamed from a study's parts (`sim.results.summaries`).

Synthetic studies of growing size are written with the store's own writer (`StudyStore.
write_part`, the full runs schema: 196 columns), shaped like the default study: its twelve
scenarios (two episodes, ten counterfactuals), replicate r of every scenario with the same seed
and correlated outcomes (common random numbers), parameters from 350 posterior-like draws, a
few failed runs. Each size's tables are computed in a fresh interpreter, so one size's peak
does not carry over to the next; the peak is the growth of resident memory over the child's
memory after its imports (the kernel's high-water mark, `ru_maxrss`, and a sampling thread).
It must stay flat from 100,000 to 1,000,000 runs: the tables keep counts and sums, and hold
at most one scenario's projected outcome columns (the paired bootstrap and the exact median).

    python -m benchmarks.bench_summaries [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa

from benchmarks.bench_batch import PeakMemory
from sim.experiments.default_study import DEFAULT_SCENARIOS
from sim.scenarios import load_scenario

#: The default study's scenarios, each episode first.
SCENARIOS = list(DEFAULT_SCENARIOS)
#: Rows of one part (one task of the study).
PART_ROWS = 5_000
HORIZON = 60
DRAWS = 350
#: Share of runs recorded as failed (error set, outcomes empty), as a crash in the model would.
FAILED_SHARE = 0.001


def _part_columns(scenario: str, episode: str, first: int, rows: int, draws: np.ndarray,
                  failed_share: float = FAILED_SHARE) -> dict:
    """The runs table of one part: every column of the runs schema, outcomes of replicate r drawn
    from a stream of r alone (so a counterfactual pairs with its baseline), shifted by scenario."""
    from sim.model.outcomes import outcome_table
    from sim.results.store import runs_schema

    schema = runs_schema()
    specs = outcome_table()
    replicate = np.arange(first, first + rows)
    s = SCENARIOS.index(scenario)
    draw = replicate % DRAWS
    # failures differ between scenarios (a pair needs both runs finished)
    failed = np.random.default_rng([7, s, first]).random(rows) < failed_share
    columns = {"scenario": pa.array([scenario] * rows), "episode": pa.array([episode] * rows),
               "replicate": pa.array(replicate), "seed": pa.array(1_000_003 + replicate),
               "draw_id": pa.array(draw),
               "error": pa.array([("RuntimeError: synthetic (at model.py:1)" if f else None) for f in failed],
                                 type=pa.string())}  # fmt: skip
    params = [n for n in schema.names if n.startswith("param_")]
    for j, name in enumerate(params):
        columns[name] = pa.array(draws[draw, j])
    days: dict[str, np.ndarray] = {}
    outcomes = [n for n in schema.names if n not in columns]
    for j, name in enumerate(outcomes):
        u = np.random.default_rng([j, first]).random(rows)  # the replicate's common random number
        shift = 0.04 * (((s * 7 + j) % 5) - 2)  # the scenario's effect on this outcome
        p = float(np.clip(0.35 + shift, 0.02, 0.98))
        spec = specs.get(name)
        kind = spec.kind if spec else ("count" if name.startswith("n_") else "continuous")
        if name == "horizon_days":
            values = np.full(rows, HORIZON)
        elif name == "ceasefire_collapse_day":  # after the ceasefire was agreed, when it was
            agreed = days.get("ceasefire_agreed_day", np.full(rows, np.nan))
            values = np.where(u < 2 * p, agreed + np.floor(u / (2 * p) * (HORIZON - 1 - agreed)), np.nan)
        elif kind == "time":
            values = np.where(u < p, np.floor(u / p * (HORIZON - 1)), np.nan)
            days[name] = values
        elif kind == "binary":
            values = u < p
        elif kind == "count":
            values = np.floor(u * (20 + 10 * shift * 25)).astype(np.int64)
        else:
            values = u * (1 + shift) * (900.0 if name == "civilian_harm" else 1.0)
        field = schema.field(name)
        columns[name] = pa.array(values, type=field.type, mask=failed)
    return columns


def write_synthetic_study(root: str | Path, runs: int, part_rows: int = PART_ROWS, seed: int = 1,
                          failed_share: float = FAILED_SHARE):
    """Write a synthetic study of about `runs` runs (whole replicates of the twelve scenarios).

    Args:
        root: the study folder (created).
        runs: the number of runs (rounded down to a multiple of the scenarios).
        part_rows: rows of each part.
        seed: seed of the parameter draws.
        failed_share: share of runs recorded as failed.

    Returns:
        The `Study` (its manifest names the design's scenarios; the parts are not indexed, as in
        a study written before the part index, so `summaries.RunsScan` reads every part on disk).
    """
    from sim.results.store import Study, StudyStore

    root = Path(root)
    store = StudyStore(root)
    replicates = runs // len(SCENARIOS)
    draws = np.random.default_rng(seed).random((DRAWS, sum(n.startswith("param_") for n in _schema_names())))
    episode_of = {name: load_scenario(name).episode for name in SCENARIOS}
    for scenario in SCENARIOS:
        for first in range(0, replicates, part_rows):
            rows = min(part_rows, replicates - first)
            data = _part_columns(scenario, episode_of[scenario], first, rows, draws, failed_share)
            store.write_part("runs", f"{scenario}-{first:07d}-{first + rows - 1:07d}", data)
    manifest = {"study": root.name, "design": {"scenarios": SCENARIOS, "replicates": replicates}}
    return Study(root, manifest)


def _schema_names() -> list[str]:
    from sim.results.store import runs_schema

    return runs_schema().names


def report_tables(study) -> dict:
    """The report's tables of a study, streamed: what `write_report` and the headline need.

    Returns:
        table name -> its DataFrame (or list).
    """
    from sim.results import summaries as sm

    scan = sm.RunsScan(study)
    out = {"failed_runs": sm.failed_runs(scan), "probabilities": sm.outcome_probabilities(scan),
           "survival_medians": sm.time_medians(scan), "paired_differences": sm.paired_differences(scan),
           "civilian_harm_median": sm.medians(scan, "civilian_harm")}  # fmt: skip
    outcomes = sm.BINARY_OUTCOMES + sm.CONTINUOUS_OUTCOMES + sm.TIME_OUTCOMES
    out["relevant"] = {episode: sm.relevant_outcomes(scan, outcomes, names)
                       for episode, names in sm.families(scan).items()}  # fmt: skip
    for outcome in ("talks_pause_day", "ceasefire_collapse_day", "channel_suspend_day", "supply_cut_day"):
        out[f"survival_{outcome}"] = sm.survival_curves(scan, outcome, origin=sm.CLOCKS.get(outcome))
    return out


def _child(folder: str) -> dict:
    """In a fresh interpreter: the tables of the study in `folder`, timed, with the peak memory
    growth over the interpreter's memory after its imports."""
    from sim.results.store import Study

    import sim.results.summaries  # noqa: F401 - imported before the baseline is taken

    study = Study(Path(folder), {"study": "bench", "design": {"scenarios": SCENARIOS}})
    base = psutil.Process().memory_info().rss
    start = time.perf_counter()
    with PeakMemory(interval=0.005) as sampler:  # in a fresh child: no children of its own
        tables = report_tables(study)
    seconds = time.perf_counter() - start
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"seconds": seconds, "peak_bytes": max(high_water, sampler.peak) - base, "base_bytes": base,
            "runs": int(tables["failed_runs"]["runs"].sum()),
            "pairs": int(tables["paired_differences"].groupby("scenario")["pairs"].max().sum())}  # fmt: skip


def bench_summaries(sizes=(100_000, 1_000_000)) -> list[dict]:
    """Write a synthetic study of each size, then time its streamed tables in a child process.

    Args:
        sizes: run counts of the studies (rounded down to whole replicates of 12 scenarios).

    Returns:
        One row per size: runs, seconds (the tables), peak MiB (resident memory growth while
        computing them), and, for reference, the seconds to write the parts and their MiB on disk.
    """
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-summaries-") as tmp:
            folder = Path(tmp) / "study"
            start = time.perf_counter()
            write_synthetic_study(folder, size)
            written = time.perf_counter() - start
            on_disk = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
            done = subprocess.run([sys.executable, "-m", "benchmarks.bench_summaries", "--child", str(folder)],
                                  capture_output=True, text=True, check=True)  # fmt: skip
            measured = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append({"runs": measured["runs"], "seconds": round(measured["seconds"], 2),
                     "peak MiB": round(measured["peak_bytes"] / 2**20, 1),
                     "baseline MiB": round(measured["base_bytes"] / 2**20, 1), "pairs": measured["pairs"],
                     "write s": round(written, 1), "parts MiB": round(on_disk / 2**20, 1)})  # fmt: skip
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="run counts, comma-separated")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: measure one study folder
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    for row in bench_summaries(tuple(int(s) for s in args.sizes.split(","))):
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
