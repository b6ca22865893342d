"""`run.py calibrate`: ABC-SMC of the behaviour parameters on both episodes, then its checks.

    run_calibration(population=None, generations=None, quick=False, workers=2, seed=20160203,
                    out_dir=<project>/results/calibration, publish=None, command=None) -> str

1. Targets: the observed statistics of both episodes (`calibration.targets`).
2. Screening: which parameters the targets can inform (`calibration.inference.screening`).
3. ABC-SMC with one shared parameter set for both episodes (`calibration.inference.smc`); the pyabc
   database goes to `<out_dir>/abc.db`, the weighted posterior to `<out_dir>/posterior.csv`.
4. Posterior predictive check against the prior predictive (one run per draw and episode).
5. Cross-episode check: ABC on one episode alone (a smaller budget), predict the other's
   targets; both directions.
6. Identifiability: posterior vs prior width per parameter (4-6: `calibration.checks`).
7. Report (`calibration.report`: `<out_dir>/report.md`, tables as CSV, figures as PNG). A default
   (not quick) run also publishes the posterior and the report to `calibration/data/posterior.csv`
   and `calibration/data/posterior_report.md`, the committed files the batch runs read.

Same seed, same posterior, for any number of workers (see `calibration.inference.sampler`); every
seed derived from the base seed: `calibration.seeds`.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from calibration import checks, report
from calibration.inference.episode_model import observed_packed
from calibration.inference.information import CANDIDATE_MEASUREMENTS, pilot_information
from calibration.inference.prior import calibrated_parameters
from calibration.inference.sampler import SeededMapSampler
from calibration.inference.screening import screen_parameters
from calibration.inference.smc import run_abc
from calibration.targets import episode_specs, observed_statistics, read_observed
from sim.atomic import atomic_path
from sim.paths import DEFAULT_POSTERIOR, POSTERIOR_REPORT, RESULTS_DIR
from sim.results.provenance import now

DEFAULT_SEED = 20160203
#: Worker processes of a calibration (the result does not depend on it).
DEFAULT_WORKERS = 2
DEFAULT_OUT = RESULTS_DIR / "calibration"

#: Budgets: prior draws of the screening (also the pilot runs the ABC's summaries are fitted on),
#: ABC-SMC population, most generations and most particles in all, predictive draws, and the
#: cross-episode ABC's population, generations and draws. The default took 117 s on an idle
#: 2-core machine once the simulations ran on the compiled kernel (270 s on the Python rules;
#: earlier, population 400 with 6 generations and 4 cross-episode generations took 934 s, 35k
#: particles); the particle cap bounds a run given more
#: generations, whose acceptance rate falls as epsilon does (same seed, same cap, same
#: posterior).
DEFAULT_BUDGET = dict(screen_draws=2000, population=350, generations=6, max_simulations=40000, ppc_draws=300,
                      cross_population=150, cross_generations=3, cross_draws=150)
QUICK_BUDGET = dict(screen_draws=80, population=30, generations=2, max_simulations=2000, ppc_draws=40,
                    cross_population=16, cross_generations=2, cross_draws=20)
#: Screening: a parameter is inferred when its largest |Spearman| with a target reaches this,
#: at most MAX_INFERRED of them (ABC-SMC importance weights degenerate in high dimension).
SCREEN_THRESHOLD = 0.15
MAX_INFERRED = 28


def _progress(msg: str) -> None:
    print(f"[calibrate {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def _quiet_pyabc() -> None:
    logging.getLogger("ABC").setLevel(logging.INFO)  # pyabc prints it with its own handler
    for noisy in ("ABC.Sampler", "ABC.Distance", "ABC.Epsilon", "ABC.Acceptor", "ABC.Transition", "ABC.Population"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_calibration(
    population: int | None = None,
    generations: int | None = None,
    quick: bool = False,
    workers: int = DEFAULT_WORKERS,
    seed: int = DEFAULT_SEED,
    out_dir: str | Path = DEFAULT_OUT,
    publish: bool | None = None,
    command: str | None = None,
) -> str:
    """Calibrate, check and report; returns the summary to print.

    Args:
        population: ABC-SMC population size (default 300; quick 30).
        generations: maximum number of ABC-SMC generations (default 7; quick 2).
        quick: a tiny budget (about a minute) for tests and smoke runs; never published.
        workers: processes (1 = this process; default 2, the machines' cores). The result does
            not depend on it. More than one needs an `if __name__ == "__main__":` guard in a
            script (the workers are fresh interpreters).
        seed: the base seed of everything (pyabc's numpy state, the runs' seeds, the checks).
        out_dir: folder of the pyabc database, posterior, report, tables and figures.
        publish: copy posterior and report to calibration/data/ (default: not quick).
        command: the command line to record in the report.
    """
    t_start = time.perf_counter()
    started = now()
    budget = dict(QUICK_BUDGET if quick else DEFAULT_BUDGET)
    if population is not None:
        budget["population"] = int(population)
    if generations is not None:
        budget["generations"] = int(generations)
    publish = (not quick) if publish is None else publish
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    command = command or (
        "python run.py calibrate" + (" --quick" if quick else "")
        + (f" --population {population}" if population else "") + (f" --generations {generations}" if generations else "")
        + (f" --workers {workers}" if workers != DEFAULT_WORKERS else "")
        + (f" --seed {seed}" if seed != DEFAULT_SEED else "")
    )
    _quiet_pyabc()

    record = read_observed()
    specs = episode_specs(record)
    episodes = list(specs.values())
    observed = observed_statistics(record, specs)
    sampler = SeededMapSampler(workers)
    timings: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        _progress(f"screening: {budget['screen_draws']} prior draws x 2 episodes")
        screen, pilot = screen_parameters(episodes, observed, budget["screen_draws"], seed, sampler, SCREEN_THRESHOLD,
                                          MAX_INFERRED, CANDIDATE_MEASUREMENTS)
        _write_csv(screen, out / "screening.csv")
        inferred = list(screen.loc[screen["inferred"], "parameter"])
        timings["screening (prior predictive)"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        _progress("information bound: gradient boosting of each parameter on the pilot's targets")
        bounds = {s.name: (s.low, s.high) for s in calibrated_parameters()}
        information = pilot_information(pilot, observed_packed(observed, episodes), episodes, bounds, seed, sampler.map)
        _write_csv(information, out / "information.csv")
        timings["information bound (prior predictive)"] = time.perf_counter() - t0
        _progress(f"inferred by the SMC ({len(inferred)}): {', '.join(inferred)}")

        db = out / "abc.db"
        if db.exists():
            db.unlink()
        _progress(f"ABC-SMC on both episodes: population {budget['population']}, up to "
                  f"{budget['generations']} generations, {workers} worker(s), seed {seed}")
        main = run_abc(episodes, observed, budget["population"], budget["generations"], seed, sampler, str(db),
                       inferred=inferred, pilot=pilot, max_simulations=budget["max_simulations"])
        timings["ABC-SMC, both episodes"] = main.seconds
        _write_csv(main.posterior, out / "posterior.csv")
        _progress(f"ABC done: {main.generations} generations, {main.n_simulations} particles simulated "
                  f"(x2 episodes), {main.seconds:.0f} s")

        t0 = time.perf_counter()
        _progress(f"posterior predictive check: {budget['ppc_draws']} draws x 2 episodes (and as many from the prior)")
        ppc = checks.predictive_check(main.posterior, episodes, observed, budget["ppc_draws"], seed, sampler)
        _write_csv(ppc.timeline, out / "ppc_timeline.csv")
        _write_csv(ppc.profile, out / "ppc_profile.csv")
        _write_csv(ppc.posterior_runs, out / "ppc_runs.csv")
        timings["posterior and prior predictive runs"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        cross, cross_tables = checks.cross_episode(specs, observed, ppc.timeline, inferred, budget, seed, sampler, out,
                                                   _progress, pilot)
        for direction, tab in cross_tables.items():
            _write_csv(tab, out / f"cross_{direction.replace('->', '_to_')}.csv")
        _write_csv(cross, out / "cross_episode.csv")
        timings["cross-episode checks"] = time.perf_counter() - t0

        ident = checks.identifiability(main.posterior, inferred)
        before = checks.identifiability(main.smc_posterior, inferred).set_index("parameter")["sd_ratio"]
        ident["sd_ratio_smc"] = ident["parameter"].map(before)
        ident["expected_sd_ratio"] = ident["parameter"].map(information.set_index("parameter")["expected_sd_ratio"])
        _write_csv(ident, out / "identifiability.csv")
    finally:
        sampler.close()

    report.ppc_figure(ppc.timeline, ppc.prior_timeline, out / "ppc_timeline.png",
                      "Timeline targets: posterior predictive (blue) vs prior (grey)")
    report.identifiability_figure(ident, out / "identifiability.png")
    report.marginals_figure(main.posterior, ident, out / "posterior_marginals.png")
    timings["total"] = time.perf_counter() - t_start
    run = report.CalibrationRun(
        command=command, seed=seed, workers=workers, budget=budget, quick=quick, specs=specs, observed=observed,
        observed_acts=len(record.events), record_sha256=record.sha256, rows_per_source=dict(record.rows_per_source),
        merged=record.merged, screening=screen, screen_threshold=SCREEN_THRESHOLD,
        max_inferred=MAX_INFERRED, information=information, main=main, predictive=ppc, cross=cross, identifiability=ident, timings=timings,
        started=started, out=out, publish=publish,
    )
    with atomic_path(out / "report.md") as tmp:
        Path(tmp).write_text(report.report_text(run), encoding="utf-8")
    if publish:
        shutil.copyfile(out / "posterior.csv", DEFAULT_POSTERIOR)
        shutil.copyfile(out / "report.md", POSTERIOR_REPORT)
    return report.summary(run)
