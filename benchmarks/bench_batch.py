"""Throughput and memory of running the model: bare loop, the batch runner, Dask, mesa.batch_run.

Every row runs the same model, scenario (geneva_2016_02, 60 days) and number of runs, with
default parameters, so the rows compare executors, not workloads. Memory is the peak resident
memory of the whole process tree (driver and workers) during studies of growing size: it must
stay flat, since parts are written as tasks finish and nothing accumulates.

    python -m benchmarks.bench_batch [--runs N] [--memory-runs 5000,10000,20000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # the samplers read /proc instead
    psutil = None

SCENARIO = "geneva_2016_02"


def _tree_rss_psutil(root: int) -> tuple[int, int]:
    """(resident bytes, processes) of process `root` and all its descendants, with psutil."""
    try:
        top = psutil.Process(root)
        procs = [top, *top.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = alive = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
            alive += 1
        except psutil.Error:
            continue
    return total, alive


def _tree_rss_proc(root: int) -> tuple[int, int]:
    """(resident bytes, processes) of process `root` and all its descendants, from /proc (Linux):
    parents from /proc/<pid>/stat, VmRSS from /proc/<pid>/status."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()  # after the command name, which may hold spaces
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total = alive = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                rss = next((line for line in f if line.startswith(b"VmRSS:")), None)
        except OSError:
            continue
        if rss is not None:  # a zombie has none
            total += int(rss.split()[1]) * 1024
            alive += 1
    return total, alive


def tree_rss(root: int | None = None) -> tuple[int, int]:
    """(resident bytes, processes) of a process tree: `root` (default this process) and all its
    descendants (workers, their own children), with psutil when installed, else from /proc."""
    root = os.getpid() if root is None else root
    return _tree_rss_psutil(root) if psutil is not None else _tree_rss_proc(root)


class PeakMemory:
    """Samples the resident memory of a process tree until stopped: a process (default this
    one) and all its descendants, summed (`tree_rss`).

    Args:
        interval: seconds between samples.
        pid: the tree's root process (default this process).

    Attributes:
        peak: the largest sum seen (bytes).
        processes: the most processes seen at once.
    """

    def __init__(self, interval: float = 0.1, pid: int | None = None):
        self.interval = interval
        self.pid = os.getpid() if pid is None else pid
        self.peak = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total, alive = tree_rss(self.pid)
            self.peak = max(self.peak, total)
            self.processes = max(self.processes, alive)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _bare_loop(runs: int) -> float:
    from sim.experiments.design import replicate_seed
    from sim.model.model import DiplomacyModel
    from sim.scenarios import load_scenario

    scenario = load_scenario(SCENARIO)
    start = time.perf_counter()
    for r in range(runs):
        DiplomacyModel(scenario, rng=replicate_seed(1, r), collect=False).run().outcomes()
    return time.perf_counter() - start


def _study(runs: int, root: Path, name: str, **kwargs) -> float:
    from sim.experiments.batch import run_study

    start = time.perf_counter()
    run_study(name, [SCENARIO], replicates=runs, seed=1, parameters="defaults", results_dir=root,
              progress=False, **kwargs)
    return time.perf_counter() - start


def _dask(runs: int, root: Path) -> tuple[float, float]:
    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:  # fmt: skip
        client.run(lambda: __import__("sim.experiments.tasks"))  # workers import the model before the clock
        up = time.perf_counter() - start
        seconds = _study(runs, root, "dask", client=client)
    return seconds, up


def _mesa_batch_run(runs: int, processes: int) -> float:
    import mesa

    from sim.experiments.design import replicate_seed
    from sim.model.model import DiplomacyModel
    from sim.scenarios import load_scenario

    scenario = load_scenario(SCENARIO)  # the model takes a loaded scenario
    start = time.perf_counter()
    mesa.batch_run(DiplomacyModel, parameters={"scenario": [scenario]}, rng=[replicate_seed(1, r) for r in range(runs)],
                   max_steps=60, number_processes=processes, display_progress=False)
    return time.perf_counter() - start


def bench_batch(runs: int = 2000, memory_runs: tuple[int, ...] = (5000, 10000, 20000)) -> list[dict]:
    """Rows (name, value, unit, ...): runs/s of each executor and peak memory by study size."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        root = Path(tmp)
        _study(5, root, "warm-up", workers=1)  # imports and caches are not what is measured
        bare = _bare_loop(runs)
        one = _study(runs, root, "one", workers=1)
        two = _study(runs, root, "two", workers=2)
        dask_seconds, dask_up = _dask(runs, root)
        mesa_one = _mesa_batch_run(runs, 1)
        mesa_two = _mesa_batch_run(runs, 2)
        table = [
            ("bare model loop (1 process)", bare, 1, ""),
            ("batch runner, 1 worker", one, 1, f"overhead {100 * (one / bare - 1):+.1f}% vs bare loop"),
            ("batch runner, 2 workers", two, 2, f"{mesa_two / two:.2f}x mesa.batch_run (2); includes starting 2 processes"),
            ("batch runner on Dask, 2 workers", dask_seconds, 2, f"cluster start {dask_up:.1f} s not counted"),
            ("mesa.batch_run, 1 process", mesa_one, 1, f"batch runner 1 worker is {mesa_one / one:.2f}x faster"),
            ("mesa.batch_run, 2 processes", mesa_two, 2, ""),
        ]
        for name, seconds, cores, note in table:
            rows.append({"name": name, "runs": runs, "seconds": round(seconds, 2),
                         "ms per run (per core)": round(1000 * seconds * cores / runs, 2),
                         "runs/s": round(runs / seconds, 1), "runs/s per core": round(runs / seconds / cores, 1),
                         "note": note})
        for size in memory_runs:
            with PeakMemory() as memory:
                seconds = _study(size, root, f"memory{size}", workers=2)
            rows.append({"name": f"study of {size} runs, 2 workers: peak memory", "runs": size,
                         "seconds": round(seconds, 1), "runs/s": round(size / seconds, 1),
                         "peak MiB": round(memory.peak / 2**20, 1), "note": "driver + workers"})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--memory-runs", default="5000,10000,20000")
    args = parser.parse_args(argv)
    sizes = tuple(int(x) for x in args.memory_runs.split(",") if x)
    from benchmarks.__main__ import print_table

    print_table("batch", bench_batch(args.runs, sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
