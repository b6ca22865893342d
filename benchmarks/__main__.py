"""`make bench`: every benchmark of the project, printed as tables in one run.

    python -m benchmarks [--quick] [--million] [--instructions]

--quick runs smaller workloads (a smoke test of the benchmarks, not numbers to report).
--million adds the 1,000,000-run study to the study-size table (100,000 runs without it; the
must-show's table alone: `python -m benchmarks.bench_million --runs 100000 1000000`).
--instructions adds the instruction counts under valgrind (over half an hour: callgrind loads the
compiled kernel's machine code slowly).
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
    parser.add_argument("--million", action="store_true", help="also a 1,000,000-run study (some 20 minutes more)")
    # Under callgrind, loading the compiled kernel's machine code (LLVM) takes over half an hour
    # (measured: one of the four counts had not finished after 37 minutes).
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions per run under valgrind (over half an hour)")
    args = parser.parse_args(argv)
    from benchmarks.bench_article_size import bench_article_size
    from benchmarks.bench_batch import bench_batch
    from benchmarks.bench_engines import OLD_ENGINE_COMMIT, bench_compile, bench_engines
    from benchmarks.bench_extract import bench_extract
    from benchmarks.bench_million import bench_million
    from benchmarks.bench_reference import REFERENCE_COMMIT, bench_reference, instructions_per_run
    from benchmarks.bench_sensitivity import bench_sensitivity

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f} at start")
    started = time.perf_counter()
    if args.quick:
        print_table("model runs (quick)", bench_batch(runs=100, memory_runs=(200, 400)))
        print_table("engines: runs per second (per core), events kept (quick)", bench_engines(runs=500, dask=False))
        print_table("a study of N runs and its report's tables (quick)", bench_million((2_000,)))
        print_table(f"model vs {REFERENCE_COMMIT} (quick)", bench_reference(runs=100, rounds=2))
        print_table("extraction (quick)", bench_extract(target=50))
        print_table("extraction: one article of growing size (quick)", bench_article_size((0.25, 10)))
        print_table("sensitivity studies by size (quick)", bench_sensitivity((4, 8)))
    else:
        print_table(f"engines, old (the Python rules at commit {OLD_ENGINE_COMMIT[:7]}) vs this tree's Mesa path vs "
                    "the kernel: geneva_2016_02, posterior draws, events kept, runs per second (per core)",
                    bench_engines())
        print_table("engine: first-run compile time (cached on disk afterwards)", bench_compile())
        print_table("a study of N runs (the default study's scenarios, posterior draws, no events, 2 workers): "
                    "wall time, peak memory of the process tree; then the report's tables streamed from it",
                    bench_million((100_000, 1_000_000) if args.million else (100_000,)))
        print_table("model runs: geneva_2016_02, 60 days, default parameters", bench_batch())
        print_table(f"model vs commit {REFERENCE_COMMIT}: geneva_2016_02, 60 days, default parameters, "
                    "one core, alternating rounds", bench_reference())
        if args.instructions:
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
