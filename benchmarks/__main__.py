"""`make bench`: every benchmark of the project, printed as tables in one run.

    python -m benchmarks [--quick]

--quick runs smaller workloads (a smoke test of the benchmarks, not numbers to report).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import psutil


def print_table(title: str, rows: list[dict]) -> None:
    """Rows with the same keys side by side, one column per key."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(f"\n## {title}")
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small workloads (smoke test)")
    args = parser.parse_args(argv)
    from benchmarks.bench_article_size import bench_article_size
    from benchmarks.bench_batch import bench_batch
    from benchmarks.bench_engines import bench_compile, bench_engines
    from benchmarks.bench_extract import bench_extract
    from benchmarks.bench_reference import REFERENCE_COMMIT, bench_reference, instructions_per_run
    from benchmarks.bench_sensitivity import bench_sensitivity

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f} at start")
    started = time.perf_counter()
    if args.quick:
        print_table("model runs (quick)", bench_batch(runs=100, memory_runs=(200, 400)))
        print_table("engines: runs per second, events kept (quick)", bench_engines(runs=500, dask=False))
        print_table(f"model vs {REFERENCE_COMMIT} (quick)", bench_reference(runs=100, rounds=2))
        print_table("extraction (quick)", bench_extract(target=50))
        print_table("extraction: one article of growing size (quick)", bench_article_size((0.25, 10)))
        print_table("sensitivity studies by size (quick)", bench_sensitivity((4, 8)))
    else:
        print_table("engines, old (mesa: the Python model) vs new (kernel): geneva_2016_02, posterior draws, "
                    "events kept, runs per second", bench_engines())
        print_table("engine: first-run compile time (cached on disk afterwards)", bench_compile())
        print_table("model runs: geneva_2016_02, 60 days, default parameters", bench_batch())
        print_table(f"model vs commit {REFERENCE_COMMIT}: geneva_2016_02, 60 days, default parameters, "
                    "one core, alternating rounds", bench_reference())
        print_table(f"model vs commit {REFERENCE_COMMIT}: instructions per run (valgrind callgrind, "
                    "deterministic)", instructions_per_run())
        print_table("extraction: articles replicated to ~1,000", bench_extract())
        print_table("extraction: one article of growing size (fresh process each; over the limit: refused)",
                    bench_article_size())
        print_table("sensitivity studies by size: 15 parameters + a group of 51, geneva_2016_02_no_strikes, "
                    "talks_paused", bench_sensitivity())
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
