"""A study of a million runs on 2 workers: its wall time and the peak memory of its whole process
tree, then the report's tables made from it, by size (memory must stay flat from 100,000 to
1,000,000 runs).

    python -m benchmarks.bench_million --runs 100000 1000000    # the must-show
    python -m benchmarks.bench_million --runs 20000              # a quick check of the bench

`make bench` runs it at 100,000 runs only; `python -m benchmarks --million` adds the
1,000,000-run study. The must-show's numbers come from the first command above: on a 2-core
machine shared with other work a 20,000-run study ran at about 1,300 runs/s, so the million
takes some 13 minutes, its tables some more (each table reads all 5,004 parts; about 20 s per
20,000 runs there), and its parts about 1.3 GiB of disk while it lasts.

For each size N, in a temporary results folder (or --results):

1. The study, in a fresh interpreter: `sim.experiments.batch.run_study` of the default study's
   twelve scenarios (`sim.experiments.default_study.default_scenarios`) x ceil(N / 12)
   replicates (N rounded up to whole replicates), posterior draws, no events, no daily rows, 2
   local workers, the default task size. Its wall time (the interpreter's start and imports
   too), and inside it the time of `run_study`, of its runs (the manifest's `last_session`) and
   of opening the stored study (`load_study`, run again after it: `run_study` ends with it, and
   it checks every part's size and sha256), so that what a big study costs before and after
   its runs shows. Memory: the peak of the resident memory of the whole process tree (the study's
   process, its 2 workers, their helpers) summed, sampled every 0.2 s from outside it
   (`benchmarks.bench_batch.PeakMemory`: psutil, or /proc without it).
2. The report's tables of that study, in another fresh interpreter: what `write_report` writes
   as CSV (probabilities, times to events, paired differences, failed runs), the survival curves
   its figures draw, the headline table and the closing summary of `run.py batch`, all streamed
   from the Parquet parts (`sim.results.summaries`: columns projected, one part at a time; not
   `write_report` itself, which loads every run for its figures). Wall time, peak resident
   memory of the process (its high-water mark, `ru_maxrss`, and the samples from outside), and
   its growth over the memory after the imports.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_batch import PeakMemory, tree_rss

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
SEED = 1
#: Sizes of the must-show (runs).
SIZES = (100_000, 1_000_000)
#: Seconds between memory samples.
INTERVAL = 0.2


# --------------------------------------------------------------------------- in the child processes
def _study_child(job: dict) -> dict:
    """Run the study of `job` (name, replicates, results) and time its parts."""
    from sim.experiments.batch import run_study
    from sim.experiments.default_study import default_scenarios
    from sim.results.store import load_study

    scenarios = default_scenarios()
    runs = job["replicates"] * len(scenarios)
    started = time.perf_counter()
    study = run_study(job["name"], scenarios, replicates=job["replicates"], seed=SEED, parameters="auto",
                      workers=WORKERS, events=False, daily=False, results_dir=job["results"], progress=False,
                      max_runs=max(runs, 1))  # fmt: skip
    seconds = time.perf_counter() - started
    opened = time.perf_counter()
    load_study(study.path)  # what run_study ends with, timed on its own
    session = study.manifest["last_session"]
    return {"seconds": seconds, "runs_seconds": session["seconds"], "open_seconds": time.perf_counter() - opened,
            "runs": study.manifest["n_runs"], "tasks": study.manifest["n_tasks"], "failed": session["failed"],
            "parameters": study.manifest["design"]["parameters"], "scenarios": len(scenarios)}  # fmt: skip


def _tables_child(job: dict) -> dict:
    """The report's tables of the study in `job['study']`, streamed, written as CSV to `job['out']`."""
    from benchmarks.bench_summaries import report_tables
    from sim.reporting.report import headline_table
    from sim.reporting.summary import summary_table
    from sim.results.store import load_study

    base = tree_rss()[0]  # after the imports
    started = time.perf_counter()
    study = load_study(job["study"])
    tables = report_tables(study)
    tables["headline"] = headline_table(study)
    tables["batch_summary"] = summary_table(study)
    seconds = time.perf_counter() - started
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if hasattr(table, "to_csv"):
            table.to_csv(out / f"{name}.csv")
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"seconds": seconds, "peak_bytes": high_water, "base_bytes": base,
            "runs": int(tables["failed_runs"]["runs"].sum()), "tables": sorted(tables),
            "pairs": int(tables["paired_differences"].groupby("scenario")["pairs"].max().sum())}  # fmt: skip


# --------------------------------------------------------------------------- in this process
def _child(kind: str, job: dict) -> tuple[dict, float, PeakMemory]:
    """`kind`'s child in a fresh interpreter: its result, its wall time, its process tree's memory."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_million", f"--{kind}", json.dumps(job)],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    with PeakMemory(INTERVAL, pid=proc.pid) as memory:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"bench_million --{kind} failed:\n{stderr[-3000:]}")
    return json.loads(stdout.strip().splitlines()[-1]), wall, memory


def _mib(n: float) -> float:
    return round(n / 2**20, 1)


def bench_million(sizes=SIZES, results: str | Path | None = None) -> list[dict]:
    """One row per size: the study's times and peak memory, its tables' time and peak memory.

    Args:
        sizes: run counts (each rounded up to whole replicates of the default study's scenarios).
        results: the results folder to write the studies in (default: a temporary one); a study
            is removed once its tables are made.
    """
    from sim.experiments.default_study import default_scenarios

    n_scenarios = len(default_scenarios())
    rows = []
    with tempfile.TemporaryDirectory(prefix="parley-million-") as tmp:
        root = Path(results) if results else Path(tmp)
        for size in sizes:
            replicates = math.ceil(size / n_scenarios)
            name = f"million-bench-{replicates * n_scenarios}"
            if (root / name).exists():
                shutil.rmtree(root / name)  # a fresh study, not a resumed one
            study, wall, memory = _child("study", {"name": name, "replicates": replicates, "results": str(root)})
            on_disk = sum(p.stat().st_size for p in (root / name).rglob("*.parquet"))
            tables, tables_wall, tables_memory = _child("tables", {"study": str(root / name),
                                                                   "out": str(root / f"{name}-tables")})
            tables_peak = max(tables["peak_bytes"], tables_memory.peak)
            rows.append({
                "runs": f"{study['runs']:,}", "tasks": study["tasks"],
                "study wall s": round(wall, 1), "run_study s": round(study["seconds"], 1),
                "of which runs s": round(study["runs_seconds"], 1),
                "open study s": round(study["open_seconds"], 1),
                "runs/s": f"{study['runs'] / study['runs_seconds']:,.0f}",
                "study peak MiB (tree)": _mib(memory.peak), "processes": memory.processes,
                "parts MiB": _mib(on_disk),
                "tables s": round(tables["seconds"], 1), "tables wall s": round(tables_wall, 1),
                "tables peak MiB": _mib(tables_peak),
                "tables growth MiB": _mib(tables_peak - tables["base_bytes"]),
                "failed runs": study["failed"],
            })  # fmt: skip
            if tables["runs"] != study["runs"]:
                rows[-1]["note"] = f"the tables count {tables['runs']:,} runs"
            shutil.rmtree(root / name, ignore_errors=True)
            shutil.rmtree(root / f"{name}-tables", ignore_errors=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, nargs="+", default=list(SIZES), help="study sizes (runs)")
    parser.add_argument("--results", help="results folder for the studies (default: a temporary one)")
    parser.add_argument("--study", help=argparse.SUPPRESS)  # internal: run one study (a JSON job)
    parser.add_argument("--tables", help=argparse.SUPPRESS)  # internal: one study's tables (a JSON job)
    args = parser.parse_args(argv)
    if args.study:
        print(json.dumps(_study_child(json.loads(args.study))))
        return 0
    if args.tables:
        print(json.dumps(_tables_child(json.loads(args.tables))))
        return 0
    from benchmarks.__main__ import print_table

    print_table(f"a study of N runs: the default study's scenarios, posterior draws, no events, {WORKERS} workers; "
                "then the report's tables streamed from it (fresh process each)",
                bench_million(args.runs, args.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
