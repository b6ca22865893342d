"""Sensitivity studies by size: runs/s on 2 workers, the analysis's time, and the peak memory of
the process tree while running and while analysing (flat in the number of runs when the parts
stream to disk and the analysis reads only the columns it needs).

    python -m benchmarks.bench_sensitivity [--n 64,256,1024]

The design is the record's (`make sensitivity`): 15 parameters on their own and the other 51
calibrated ones as one group, the Geneva halt to the strikes, its effect on the pause.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.bench_batch import PeakMemory

BASELINE, COUNTERFACTUAL, OUTCOME = "geneva_2016_02", "geneva_2016_02_no_strikes", "talks_paused"
ON_THEIR_OWN = 15


def bench_sensitivity(sizes: tuple[int, ...] = (64, 256, 1024)) -> list[dict]:
    """Rows (base points, runs, seconds, runs/s, peak MiB) of the study and of its analysis."""
    from sim.experiments.sensitivity import run_sensitivity, varied_parameters
    from sim.reporting.sensitivity_report import write_sensitivity
    from sim.scenarios import load_scenario

    names = [s.name for s in varied_parameters(load_scenario(BASELINE), load_scenario(COUNTERFACTUAL))][:ON_THEIR_OWN]
    rows = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        for n in sizes:
            with PeakMemory() as running:
                start = time.perf_counter()
                study = run_sensitivity(f"n{n}", BASELINE, COUNTERFACTUAL, n=n, parameters=names, others=True,
                                        workers=2, results_dir=Path(tmp), progress=False)  # fmt: skip
                seconds = time.perf_counter() - start
            with PeakMemory() as analysing:
                start = time.perf_counter()
                write_sensitivity(study, OUTCOME)
                analysis = time.perf_counter() - start
            runs = study.manifest["n_runs"]
            rows.append({"base points": n, "points": runs // 2, "runs": runs, "study s": round(seconds, 1),
                         "runs/s (2 workers)": round(runs / seconds, 1),
                         "peak MiB, study": round(running.peak / 2**20), "analysis s": round(analysis, 1),
                         "peak MiB, analysis": round(analysing.peak / 2**20),
                         "note": "driver + 2 workers; analysis: Sobol, PRIM x2, CART, extra trees, figures"})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="64,256,1024", help="base points of each study, comma-separated")
    args = parser.parse_args(argv)
    from benchmarks.__main__ import print_table

    print_table("sensitivity studies by size", bench_sensitivity(tuple(int(x) for x in args.n.split(",") if x)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
