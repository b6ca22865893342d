"""The model against an earlier commit of itself: same runs, same machine, one run of the command.

A change that must not slow the model (a refactor, a new rule's plumbing) is measured here: the
reference commit's `sim/` and `scenarios/` are unpacked from git into a temporary folder and
both versions run the same workload in fresh interpreters, alternately, so that a busy moment
of the machine falls on both. Times are the process's CPU time (time spent waiting for a CPU
is not counted); each version's time is its fastest round (the one the rest of the machine
disturbed least: on a shared machine single rounds vary by a third), the median beside it.

    python -m benchmarks.bench_reference [--ref COMMIT] [--runs N] [--rounds K]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: The last commit before the whole-window mechanisms (the ceasefire's stages, monitoring, the
#: truce's end, the drawdown, the talks' rounds, milestones): what they cost per run.
REFERENCE_COMMIT = "c03bc7b"
SCENARIO = "geneva_2016_02"

# Runs in a fresh interpreter whose working directory is the tree to measure; it finds the model
# under either layout (sim/model.py before the layout, the sim/model/ package after it).
_WORKLOAD = """
import sys, time
sys.path.insert(0, ".")
try:
    from sim.model.model import DiplomacyModel
except ImportError:
    from sim.model import DiplomacyModel
import inspect
from sim.scenarios import load_scenario
scenario = load_scenario("{scenario}")
# a batch's model: without the live DataCollector of later commits (the stored tables record a run)
batch = {{"collect": False}} if "collect" in inspect.signature(DiplomacyModel).parameters else {{}}
for seed in range({warm}):  # warm caches (rule tables, CAMEO lookups) before the clock
    DiplomacyModel(scenario, rng=seed, **batch).run().outcomes()
start = time.process_time()  # CPU time: a moment the process waits for the CPU is not counted
for seed in range({runs}):
    DiplomacyModel(scenario, rng=seed, **batch).run().outcomes()
print(time.process_time() - start)
"""


def unpack(commit: str, into: Path) -> Path:
    """The commit's sim/ and scenarios/ under `into` (from git, nothing checked out)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "sim", "scenarios"],
        cwd=PROJECT_ROOT, capture_output=True, check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _time(tree: Path, runs: int) -> float:
    code = _WORKLOAD.format(scenario=SCENARIO, runs=runs, warm=30)
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _instructions(tree: Path, runs: int) -> int:
    """Instructions (valgrind callgrind) of the workload with `runs` runs and no warm-up runs,
    string hashing fixed so that two counts of one tree are equal."""
    code = _WORKLOAD.format(scenario=SCENARIO, runs=runs, warm=0)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", sys.executable, "-c", code],
            cwd=tree, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def instructions_per_run(ref: str = REFERENCE_COMMIT, runs: int = 40) -> list[dict]:
    """Rows: instructions per run of the reference and this tree (deterministic, unlike time).

    Each count is (workload with `runs` runs) - (workload with none), so imports cancel out.
    Needs valgrind; four runs under callgrind take a few minutes.
    """
    if shutil.which("valgrind") is None:
        return [{"version": "instructions", "note": "valgrind not installed; skipped"}]
    with tempfile.TemporaryDirectory(prefix="parley-ref-") as tmp:
        reference = unpack(ref, Path(tmp))
        trees = {"reference": reference, "this tree": PROJECT_ROOT}
        with cf.ThreadPoolExecutor(max_workers=2) as pool:
            counts = {(name, n): pool.submit(_instructions, tree, n) for name, tree in trees.items() for n in (0, runs)}
            per_run = {name: (counts[(name, runs)].result() - counts[(name, 0)].result()) / runs for name in trees}
    rows = []
    for version, label in (("reference", f"reference {ref}"), ("this tree", "this tree")):
        rows.append({
            "version": label,
            "instructions per run (M)": f"{per_run[version] / 1e6:.2f}",
            "ratio to reference": f"{per_run[version] / per_run['reference']:.3f}",
        })
    return rows


def bench_reference(ref: str = REFERENCE_COMMIT, runs: int = 300, rounds: int = 7) -> list[dict]:
    """Rows for the reference commit and this tree: ms per run, runs/s, ratio to the reference."""
    try:
        subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=PROJECT_ROOT,
                       capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return [{"version": f"reference {ref}", "note": "not in this clone's history; skipped"}]
    with tempfile.TemporaryDirectory(prefix="parley-ref-") as tmp:
        reference = unpack(ref, Path(tmp))
        times: dict[str, list[float]] = {"reference": [], "this tree": []}
        for _ in range(rounds):
            times["reference"].append(_time(reference, runs))
            times["this tree"].append(_time(PROJECT_ROOT, runs))
    ref_best, ref_median = min(times["reference"]), statistics.median(times["reference"])
    rows = []
    for version, label in (("reference", f"reference {ref}"), ("this tree", "this tree")):
        best, median = min(times[version]), statistics.median(times[version])
        rows.append({
            "version": label,
            "ms/run (fastest round)": f"{best / runs * 1e3:.3f}",
            "runs/s": f"{runs / best:.1f}",
            "time / reference": f"{best / ref_best:.3f}",
            "median ratio": f"{median / ref_median:.3f}",
            "rounds (s)": ", ".join(f"{t:.2f}" for t in times[version]),
        })
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default=REFERENCE_COMMIT, help="reference commit")
    parser.add_argument("--runs", type=int, default=300, help="runs per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per version")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    args = parser.parse_args(argv)
    from benchmarks.__main__ import print_table

    print_table(f"model vs {args.ref}: {SCENARIO}, 60 days, default parameters, one core",
                bench_reference(args.ref, args.runs, args.rounds))
    if args.instructions:
        print_table(f"model vs {args.ref}: instructions per run (valgrind)", instructions_per_run(args.ref))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
