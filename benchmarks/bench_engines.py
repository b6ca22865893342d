"""The engines side by side: the old engine (the Python rules, from the project's git history),
this tree's Mesa path and the compiled kernel, in runs per second on one core, on 2 local workers
and on a 2-worker Dask cluster, at 60 and 365 days with events kept; the kernel's first-run
compile time (cold and cached); and run-for-run equality over many seeds of every shipped scenario.

    python -m benchmarks.bench_engines [--runs 2000] [--no-dask] [--old COMMIT] [--equality 1000]

The three engines:

- "old": `run_task(task, engine="mesa")` of commit `OLD_ENGINE_COMMIT`, the last one whose
  `DiplomacyModel` runs the rules in Python (one Python object loop per run). Its whole tree is
  unpacked from git (`git archive`) into a temporary folder and measured there: without git or
  that commit (a tarball of the project) the table says so in a row and the rest is measured.
- "mesa path": `run_task(task, engine="mesa")` of this tree (`DiplomacyModel`, one model per run).
- "kernel": `run_task(task)`, the compiled engine studies use (one call per block of runs).

Each engine is measured in a fresh interpreter (`sys.executable`) whose working directory and
first PYTHONPATH entry are the tree measured, so that it, its local workers and its Dask workers
import that tree's `sim` (checked: the child reports where `sim` and the workers' `sim` come
from, and refuses another). Every engine runs the same tasks: scenario geneva_2016_02, events
kept, replicate r with seed r and posterior draw r of this tree's posterior (the draws are handed
to the children, so the old tree runs this tree's draws), blocks of 250 runs (smaller when that
would give fewer than 8 blocks, so both workers stay busy); the slower engines run fewer runs.
Times are steady state: every process has run a warm-up block first (imports, caches, the
kernel's compiled code loaded), and the local pool and the Dask cluster are started before the
clock (`benchmarks.bench_batch` times whole studies, pool start included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: The old engine. The last commit whose `DiplomacyModel` runs the rules in Python: after it the
#: Python rules are deleted and `DiplomacyModel` steps the compiled kernel (one implementation of
#: the rules), so the only Python-rules engine left to compare with is this commit's tree.
OLD_ENGINE_COMMIT = "c8db9c38890267da6347ac21d8e20cc42ea529e7"
SCENARIO = "geneva_2016_02"
#: Replicates per task, as studies send them (`StudyDesign.task_size`'s default order of size).
TASK_SIZE = 250
#: Blocks a measurement is cut into at least (both workers busy to the end).
MIN_BLOCKS = 8
WORKERS = 2
EXECUTORS = ("1 core", f"{WORKERS} workers", f"Dask, {WORKERS} workers")
HORIZONS = (60, 365)


# --------------------------------------------------------------------------- in the child process
# These functions run in a fresh interpreter whose `sim` is the tree being measured (this file is
# loaded there with runpy, so it imports nothing of `sim` at its top). What they send to workers
# is that tree's own code: `in_worker` and `run_task` by reference, and the stdlib.
def _blocks(runs: int) -> list[tuple[int, ...]]:
    size = max(1, min(TASK_SIZE, -(-runs // MIN_BLOCKS)))
    return [tuple(range(start, min(start + size, runs))) for start in range(0, runs, size)]


def _child_tasks(runs: int, days: int, draws: list[dict]) -> list:
    """The benchmark's tasks in the measured tree's own types: replicate r has seed r and draw r."""
    from sim.experiments.design import Task
    from sim.scenarios import load_scenario

    scenario = load_scenario(SCENARIO)
    return [Task(key=f"bench-{block[0]}", scenario=scenario, replicates=block, seeds=block, draw_ids=block,
                 parameters=tuple(draws[r] for r in block), days=days, events=True, daily=False)
            for block in _blocks(runs)]  # fmt: skip


def _origin(spec) -> str:
    return str(Path(spec.origin).resolve().parents[1])


def _child(job: dict) -> dict:
    """Runs/s of `job['engine']` of this interpreter's tree on each executor and horizon.

    `job`: engine, tree (the folder `sim` must come from), draws_file, runs ({days: runs}),
    dask. Returns rates {days: {executor: runs/s}}, failed runs, the engines that ran the blocks,
    where `sim` came from (this process and its workers), the draws' parameters the tree lacks.
    """
    import concurrent.futures as cf
    import importlib.util
    from functools import partial

    import sim
    from sim.experiments import tasks as tasks_module
    from sim.experiments.executors import completed, in_worker, local_pool

    tree = str(Path(job["tree"]).resolve())
    here = str(Path(sim.__file__).resolve().parents[1])
    out = {"sim": sim.__file__, "rates": {}, "failed": 0, "engines": [], "dropped": [], "workers_sim": []}
    if here != tree:
        raise RuntimeError(f"imported sim from {sim.__file__}, not from the tree measured ({tree})")
    engines = getattr(tasks_module, "ENGINES", ("mesa",))
    if job["engine"] not in engines:
        out["unavailable"] = f"no engine {job['engine']!r} in this tree (engines: {', '.join(engines)})"
        return out
    draws = json.loads(Path(job["draws_file"]).read_text())
    try:  # parameters this tree does not know would make every run fail
        from sim.model.parameters import parameter_table

        known = set(parameter_table())
        out["dropped"] = sorted({name for d in draws for name in d} - known)
        draws = [{k: v for k, v in d.items() if k in known} for d in draws]
    except ImportError:
        pass
    fn = partial(tasks_module.run_task, engine=job["engine"])
    jobs = {int(days): (_child_tasks(runs, int(days), draws), _child_tasks(1, int(days), draws)[0])
            for days, runs in job["runs"].items()}  # fmt: skip

    def record(result) -> None:
        out["failed"] += result.failed
        engine = getattr(result, "engine", job["engine"])
        if engine not in out["engines"]:
            out["engines"].append(engine)

    def timed(results) -> float:
        """Runs per second of the task results `results()` yields (the clock starts before it is called)."""
        started = time.perf_counter()
        runs = 0
        for result in results():
            record(result)
            runs += result.n_runs
        return runs / (time.perf_counter() - started)

    for days, (tasks, warm) in jobs.items():  # one core, in this process (compiles or loads the kernel)
        record(fn(warm))
        out["rates"].setdefault(str(days), {})[EXECUTORS[0]] = timed(lambda: map(fn, tasks))
    with local_pool(WORKERS) as pool:
        # warm-up blocks, twice as many as workers, sent at once: each worker's first one is slow
        # (imports, the compiled code), so every worker takes at least one
        spec = importlib.util.find_spec
        out["workers_sim"] += sorted({_origin(pool.submit(spec, "sim").result()) for _ in range(2 * WORKERS)})
        for days, (tasks, warm) in jobs.items():
            for future in cf.as_completed([pool.submit(in_worker, fn, warm) for _ in range(2 * WORKERS)]):
                record(future.result())
            out["rates"][str(days)][EXECUTORS[1]] = timed(lambda: (  # all sent at once: no worker waits
                f.result() for f in cf.as_completed([pool.submit(in_worker, fn, task) for task in tasks])))
    if job["dask"]:
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:  # fmt: skip
            out["workers_sim"] += sorted({_origin(s) for s in client.run(importlib.util.find_spec, "sim").values()})
            for days, (tasks, warm) in jobs.items():
                for result in client.run(in_worker, fn, warm).values():  # every worker warms up
                    record(result)
                out["rates"][str(days)][EXECUTORS[2]] = timed(lambda: completed(fn, tasks, client=client))
    wrong = [w for w in out["workers_sim"] if w != tree]
    if wrong:
        raise RuntimeError(f"workers imported sim from {', '.join(wrong)}, not from {tree}")
    return out


def child_main(argv: list[str]) -> None:
    """Entry point in the child: one JSON job on the command line, its result as JSON on stdout."""
    print(json.dumps(_child(json.loads(argv[0]))))


# --------------------------------------------------------------------------- in this process
def commit_problem(commit: str) -> str | None:
    """Why `commit` cannot be unpacked from this project's git history (None: it can)."""
    try:
        subprocess.run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=PROJECT_ROOT,
                       capture_output=True, check=True)  # fmt: skip
    except OSError:
        return "git is not installed"
    except subprocess.CalledProcessError as err:
        detail = (err.stderr or b"").decode(errors="replace").strip().splitlines()
        if any("not a git repository" in line for line in detail):
            return "this copy of the project is not a git clone"
        return f"commit {commit[:12]} is not in this clone's history"
    return None


def unpack_tree(commit: str, into: Path) -> Path:
    """The whole tree of `commit` under `into` (`git archive`: nothing checked out, the clone untouched)."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=PROJECT_ROOT,
                             capture_output=True, check=True).stdout  # fmt: skip
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _measure(tree: Path, engine: str, runs: dict[int, int], draws_file: Path, dask: bool) -> dict:
    """`_child` in a fresh interpreter whose working directory and first PYTHONPATH entry are `tree`."""
    job = {"engine": engine, "tree": str(tree), "runs": {str(d): n for d, n in runs.items()},
           "draws_file": str(draws_file), "dask": dask}  # fmt: skip
    code = (f"import runpy, sys; runpy.run_path({str(Path(__file__).resolve())!r}, "
            "run_name='bench_engines_child')['child_main'](sys.argv[1:])")
    path = os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", code, json.dumps(job)], cwd=tree,
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"unavailable": f"failed: {last[:160]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(rate: float | None, cores: int) -> str:
    return "n/a" if rate is None else f"{rate:,.0f} ({rate / cores:,.0f})"


def bench_engines(runs: int = 2000, dask: bool = True, old: str = OLD_ENGINE_COMMIT) -> list[dict]:
    """Rows per horizon and executor: runs/s (per core) of the old engine, this tree's Mesa path
    and the kernel, and the kernel's speed-up over the old engine.

    Args:
        runs: kernel runs per measurement at 60 days (a quarter of it at 365 days); the old
            engine and the Mesa path run a quarter of the kernel's (at least 250).
        dask: also measure on a 2-worker Dask LocalCluster.
        old: the commit of the old engine.
    """
    from sim.experiments.posterior import load_posterior

    fast = {60: runs, 365: max(TASK_SIZE, runs // 4)}
    slow = {days: max(TASK_SIZE, n // 4) for days, n in fast.items()}
    executors = EXECUTORS if dask else EXECUTORS[:2]
    short = old[:7]
    with tempfile.TemporaryDirectory(prefix="parley-engines-") as tmp:
        draws_file = Path(tmp) / "draws.json"
        draws_file.write_text(json.dumps(load_posterior().parameter_sets(max(fast.values()), 1)))
        problem = commit_problem(old)
        if problem is None:
            try:
                tree = unpack_tree(old, Path(tmp) / "old")
            except (OSError, subprocess.CalledProcessError, tarfile.TarError) as err:
                problem = f"git archive {old[:12]} failed ({type(err).__name__})"
        if problem is None:
            results = {"old": _measure(tree, "mesa", slow, draws_file, dask)}
        else:
            results = {"old": {"unavailable": f"{problem}: not measured"}}
        results["mesa"] = _measure(PROJECT_ROOT, "mesa", slow, draws_file, dask)
        results["kernel"] = _measure(PROJECT_ROOT, "kernel", fast, draws_file, dask)
    labels = {"old": f"old: Python rules @{short}", "mesa": "mesa path (this tree)", "kernel": "kernel"}
    rows = []
    for days in HORIZONS:
        for executor in executors:
            cores = 1 if executor == EXECUTORS[0] else WORKERS
            rate = {name: r.get("rates", {}).get(str(days), {}).get(executor) for name, r in results.items()}
            row = {"days": days, "events": "kept", "executor": executor}
            row.update({f"{labels[name]} runs/s (per core)": _cell(rate[name], cores) for name in results})
            for name in ("old", "mesa"):
                ok = rate["kernel"] is not None and rate[name] is not None
                row[f"kernel / {name}"] = f"{rate['kernel'] / rate[name]:.1f}x" if ok else "n/a"
            rows.append(row)
    notes = []
    for name, result in results.items():
        if "unavailable" in result:
            notes.append(f"{labels[name]}: {result['unavailable']}")
            continue
        if result["failed"]:
            notes.append(f"{labels[name]}: {result['failed']} runs failed (their time is not a run's)")
        if name == "kernel" and result["engines"] != ["kernel"]:
            notes.append(f"kernel: blocks ran on {', '.join(result['engines'])} (the compiled block raised)")
        if result["dropped"]:
            notes.append(f"{labels[name]}: draws' parameters unknown to it, left at its defaults: "
                         f"{', '.join(result['dropped'])}")
    if "unavailable" not in results["old"]:
        notes.append(f"old engine: commit {old} unpacked from git; sim imported from its tree in the process "
                     "and its workers")
    runs_note = (f"runs per measurement (60/365 days): kernel {fast[60]}/{fast[365]}, old and mesa path "
                 f"{slow[60]}/{slow[365]}")
    rows.extend({"days": "note", "note": note} for note in [*notes, runs_note])
    return rows


def bench_compile() -> list[dict]:
    """The engine's first run in a fresh process: compiling into an empty cache, then loading it."""
    code = ("import time; t = time.perf_counter(); from sim.kernel.batch import warm_up; "
            "from sim.scenarios import load_scenario; warm_up(load_scenario('geneva_2016_02')); "
            "print(time.perf_counter() - t)")
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PARLEY_KERNEL_CACHE": cache}
        for label in ("cold (empty cache)", "cached"):
            out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
            rows.append({"first run": label, "seconds (import, compile or load, one run)": f"{float(out.stdout):.1f}"})
    return rows


def bench_equality(seeds: int = 1000) -> list[dict]:
    """Per shipped scenario: runs whose runs, events or daily rows differ between the engines."""
    from sim.experiments.design import Task
    from sim.experiments.posterior import load_posterior
    from sim.experiments.tasks import run_task
    from sim.results.store import arrow_table
    from sim.scenarios import list_scenarios, load_scenario

    draws = tuple(load_posterior().parameter_sets(seeds, 77))
    rows = []
    for info in list_scenarios():
        task = Task("equality", load_scenario(info.name), tuple(range(seeds)), tuple(range(seeds)),
                    tuple(range(seeds)), draws, None, True, True)
        kernel, mesa = run_task(task), run_task(task, engine="mesa")
        differing = set() if kernel.engine == "kernel" else {"the kernel fell back to Mesa"}
        for kind in ("runs", "events", "daily"):
            left, right = (arrow_table(kind, getattr(r, kind)).to_pandas() for r in (kernel, mesa))
            if left.shape != right.shape:
                differing.add(f"{kind}: shape")
                continue
            for column in left.columns:
                if not left[column].equals(right[column]):
                    differing.add(f"{kind}.{column}")
        events = len(arrow_table("events", kernel.events))
        rows.append({"scenario": info.name, "seeds": seeds, "events compared": f"{events:,}",
                     "differing columns": ", ".join(sorted(differing)) or "none"})
    return rows


def main(argv=None) -> int:
    from benchmarks.__main__ import print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="kernel runs per measurement at 60 days")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    parser.add_argument("--old", default=OLD_ENGINE_COMMIT, help="commit of the old engine (the Python rules)")
    parser.add_argument("--equality", type=int, default=0, help="also compare the engines over this many seeds")
    args = parser.parse_args(argv)
    print_table(f"engines: {SCENARIO}, posterior draws, events kept, runs per second (per core)",
                bench_engines(args.runs, dask=not args.no_dask, old=args.old))
    print_table("engine: first-run compile time", bench_compile())
    if args.equality:
        print_table(f"engines: run-for-run equality over {args.equality} seeds", bench_equality(args.equality))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
