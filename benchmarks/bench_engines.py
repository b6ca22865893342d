"""The two engines side by side: runs per second on one core, on 2 local workers and on a
2-worker Dask cluster, at 60 and 365 days with events kept; the engine's first-run compile time
(cold and cached); and run-for-run equality over many seeds of every shipped scenario.

    python -m benchmarks.bench_engines [--runs 2000] [--equality 1000]

"mesa" is the model as it was before the compiled kernel (`DiplomacyModel`, one Python object
loop per run: `run_task(task, engine="mesa")`); "kernel" the compiled engine studies use.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from functools import partial


from sim.experiments.design import Task
from sim.experiments.executors import completed
from sim.experiments.posterior import load_posterior
from sim.experiments.tasks import ENGINES, run_task
from sim.results.store import arrow_table
from sim.scenarios import list_scenarios, load_scenario

SCENARIO = "geneva_2016_02"
#: Replicates per task, as studies send them (`StudyDesign.task_size`'s default order of size).
TASK_SIZE = 250


def _tasks(runs: int, days: int, events: bool = True) -> list[Task]:
    scenario = load_scenario(SCENARIO)
    draws = load_posterior().parameter_sets(runs, 1)
    blocks = [tuple(range(start, min(start + TASK_SIZE, runs))) for start in range(0, runs, TASK_SIZE)]
    # replicate r has seed r and draw r
    return [Task(f"bench-{block[0]}", scenario, block, block, block, tuple(draws[block[0]:block[-1] + 1]), days,
                 events, False) for block in blocks]


def _rate(engine: str, tasks: list[Task], workers: int = 1, client=None) -> float:
    """Runs per second of `tasks` on `engine` (after a warm-up task, so the compile is not counted)."""
    list(completed(partial(run_task, engine=engine), tasks[:1], workers, client))
    runs = sum(len(t.replicates) for t in tasks)
    started = time.perf_counter()
    for _ in completed(partial(run_task, engine=engine), tasks, workers, client):
        pass
    return runs / (time.perf_counter() - started)


def bench_engines(runs: int = 2000, dask: bool = True) -> list[dict]:
    """Runs/s of each engine, per core and on 2 workers (local processes, Dask), 60 and 365 days."""
    client = cluster = None
    if dask:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    rows = []
    try:
        for days in (60, 365):
            n = runs if days == 60 else max(TASK_SIZE, runs // 4)
            rates = {}
            for engine in ENGINES:
                few = n if engine == "kernel" else max(TASK_SIZE, n // 10)  # the Mesa engine is slow
                tasks = _tasks(few, days)
                rates[engine] = {"1 core": _rate(engine, tasks), "2 workers": _rate(engine, tasks, 2)}
                if client is not None:
                    rates[engine]["Dask, 2 workers"] = _rate(engine, tasks, client=client)
            for executor in rates["kernel"]:
                mesa, kernel = rates["mesa"][executor], rates["kernel"][executor]
                rows.append({"days": days, "events": "kept", "executor": executor, "mesa runs/s": f"{mesa:,.0f}",
                             "kernel runs/s": f"{kernel:,.0f}", "speed-up": f"{kernel / mesa:.1f}x"})
    finally:
        if client is not None:
            client.close()
            cluster.close()
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
    parser.add_argument("--runs", type=int, default=2000, help="runs per measurement at 60 days")
    parser.add_argument("--equality", type=int, default=0, help="also compare the engines over this many seeds")
    args = parser.parse_args(argv)
    print_table("engines: runs per second (events kept)", bench_engines(args.runs))
    print_table("engine: first-run compile time", bench_compile())
    if args.equality:
        print_table(f"engines: run-for-run equality over {args.equality} seeds", bench_equality(args.equality))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
