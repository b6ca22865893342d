"""`run.py validate`: how well the model predicts what it was not fitted to, and whether the
calibration's intervals mean what they say.

Four checks (each a function a notebook can call; this module runs them and writes the report):

1. Forecast past a cut-off (`calibration.validation.forecast`): calibrate on the record up to
   day T, simulate the whole window, score the milestones after T; the same scores for the
   prior predictive and for the calibration on the other episode; skill 1 - CRPS / CRPS_ref.
2. Leave one episode out: calibrate on one episode, score the other.
3. Simulation-based calibration (`calibration.validation.sbc`).
4. Identifiability: the published posterior's sd ratios and the information bound
   (`calibration.inference.information`) of the SBC's pilot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from calibration.calibrate import MAX_INFERRED, SCREEN_THRESHOLD
from calibration.checks import identifiability
from calibration.inference.episode_model import observed_packed
from calibration.inference.information import CANDIDATE_MEASUREMENTS, pilot_information
from calibration.inference.prior import calibrated_parameters
from calibration.inference.sampler import SeededMapSampler
from calibration.inference.screening import simulate_pilot
from calibration.seeds import Offset, offset_seed
from calibration.targets import episode_specs, observed_statistics, read_observed
from calibration.validation.forecast import (Budget, calibrate, cutoff_specs, predictive_runs, score, skill_table,
                                             unseen_targets)
from calibration.validation.report import RUNTIME_FILE, trust_section, update_readme, write_report
from calibration.validation.sbc import SbcBudget, run_sbc, sbc_summary
from sim.paths import DEFAULT_POSTERIOR, PROJECT_ROOT, RESULTS_DIR

DEFAULT_SEED = 20161018
DEFAULT_WORKERS = 2
#: The published report is versioned with the code it measured (docs/validation/).
DEFAULT_OUT = PROJECT_ROOT / "docs" / "validation"
QUICK_OUT = RESULTS_DIR / "validation-quick"
README = PROJECT_ROOT / "README.md"

#: Forecast names in the score tables.
MODEL, PRIOR, OTHER = "posterior", "prior", "other episode"


@dataclass(frozen=True)
class ValidationBudget:
    """What `run_validation` runs.

    Attributes:
        cutoffs: the cut-off days T.
        calibration: each cut-off's and each left-out episode's calibration.
        sbc: the simulation-based calibration.
        sbc_pilot: prior runs of the SBC's shared pilot (also the information bound's).
    """

    cutoffs: tuple[int, ...]
    calibration: Budget
    sbc: SbcBudget
    sbc_pilot: int


#: About 41 minutes on 2 cores (2,435 s measured on a slow shared host; the SBC is three quarters of it).
DEFAULT_BUDGET = ValidationBudget((20, 40), Budget(1000, 200, 4, 300), SbcBudget(40, 100, 3), 1000)
#: Under two minutes: for tests and smoke runs; never written over the default report.
QUICK_BUDGET = ValidationBudget((20,), Budget(60, 16, 2, 30), SbcBudget(2, 12, 2), 60)


@dataclass
class Validation:
    """Everything the report shows.

    Attributes:
        command, seed, workers, budget, quick: how it was run.
        cutoff_scores: per cut-off, episode, forecast and unseen target: `forecast_scores`' row.
        cutoff_skill: per cut-off and episode (and 'both'), the skill table.
        loo_scores: per left-out episode, its targets' scores under the other's calibration.
        sbc_ranks, sbc: the SBC's ranks and its per-parameter summary.
        identifiability: the published posterior's sd ratios.
        information: the information bound of the SBC's pilot.
        timings: seconds per step.
        record_sha256: the observed record's hash.
    """

    command: str
    seed: int
    workers: int
    budget: ValidationBudget
    quick: bool
    cutoff_scores: pd.DataFrame
    cutoff_skill: pd.DataFrame
    loo_scores: pd.DataFrame
    sbc_ranks: pd.DataFrame
    sbc: pd.DataFrame
    identifiability: pd.DataFrame
    information: pd.DataFrame
    record_sha256: str
    timings: dict[str, float] = field(default_factory=dict)


def _progress(msg: str) -> None:
    print(f"[validate {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def leave_one_out(specs, observed, budget: Budget, seed: int, sampler, tmp: Path,
                  progress: Callable[[str], None]) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Calibrate on each episode alone and predict the other's whole window.

    Returns:
        The left-out episodes' scores (column `left_out`), and each left-out episode's
        predictive runs (the 'other episode' reference of the cut-off forecasts).
    """
    names = list(specs)
    tables, runs = [], {}
    for fit, left in ((names[0], names[1]), (names[1], names[0])):
        progress(f"leave one out: calibrate on {fit}, predict {left}")
        s = offset_seed(seed, Offset.VALIDATION_ABC) + 100 * (1 + names.index(fit))
        res = calibrate([specs[fit]], observed, budget, s, sampler, str(tmp / f"loo_{fit}.db"),
                        SCREEN_THRESHOLD, MAX_INFERRED)
        sim = predictive_runs(res.posterior, [specs[left]], budget.draws, s + 1, sampler)
        runs[left] = sim
        table = score(sim, [specs[left]], observed, specs[left].timeline_names(), OTHER, s + 2)
        table.insert(0, "left_out", left)
        tables.append(table)
    return pd.concat(tables, ignore_index=True), runs


def forecast_cutoff(day: int, record, specs, observed, budget: Budget, prior_runs: pd.DataFrame,
                    other_runs: dict[str, pd.DataFrame], seed: int, sampler, tmp: Path,
                    progress: Callable[[str], None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Calibrate on the record up to `day`, score every episode's unseen targets against the
    prior and the other episode's calibration.

    Returns:
        The scores (cutoff, episode, forecast, statistic, ...) and the skill tables.
    """
    cspecs = cutoff_specs(specs, observed, day)
    seen = observed_statistics(record, cspecs)
    progress(f"cut-off day {day}: calibrate on the record up to day {day}")
    s = offset_seed(seed, Offset.VALIDATION_ABC) + day
    res = calibrate(list(cspecs.values()), seen, budget, s, sampler, str(tmp / f"cutoff_{day}.db"),
                    SCREEN_THRESHOLD, MAX_INFERRED)
    model_runs = predictive_runs(res.posterior, list(specs.values()), budget.draws,
                                 offset_seed(seed, Offset.VALIDATION_DRAWS) + day, sampler)
    scores, skills = [], []
    for name, spec in specs.items():
        unseen = unseen_targets(spec, observed, day)
        if not unseen:
            continue
        parts = [score(model_runs, [spec], observed, unseen, MODEL, s + 1),
                 score(prior_runs, [spec], observed, unseen, PRIOR, s + 2),
                 score(other_runs[name], [spec], observed, unseen, OTHER, s + 3)]
        table = pd.concat(parts, ignore_index=True)
        table.insert(0, "episode", name)
        table.insert(0, "cutoff", day)
        scores.append(table)
        sk = skill_table(table, MODEL, [PRIOR, OTHER])
        sk.insert(0, "episode", name)
        sk.insert(0, "cutoff", day)
        skills.append(sk)
    both = pd.concat(scores, ignore_index=True)
    overall = skill_table(both, MODEL, [PRIOR, OTHER]).tail(1).assign(cutoff=day, episode="both")
    return both, pd.concat(skills + [overall[skills[0].columns]], ignore_index=True)


def run_validation(cutoffs: Sequence[int] | None = None, quick: bool = False, workers: int = DEFAULT_WORKERS,
                   seed: int = DEFAULT_SEED, out_dir: str | Path | None = None, sbc_replications: int | None = None,
                   command: str | None = None, progress: Callable[[str], None] = _progress) -> Validation:
    """Run the four checks and write the report (`out_dir/report.md`, tables, figures).

    Args:
        cutoffs: the cut-off days (default 20 and 40; quick 20).
        quick: a tiny budget (under two minutes, for tests); written to results/validation-quick
            unless `out_dir` is given, so it never replaces the published report.
        workers: processes (the result does not depend on it).
        seed: the base seed of every step.
        out_dir: the output folder (default docs/validation, the published report).
        sbc_replications: the SBC's replications (default 40; quick 2).
        command: the command line recorded in the report.
    """
    budget = QUICK_BUDGET if quick else DEFAULT_BUDGET
    if cutoffs is not None:
        budget = replace(budget, cutoffs=tuple(int(c) for c in cutoffs))
    if sbc_replications is not None:
        budget = replace(budget, sbc=replace(budget.sbc, replications=int(sbc_replications)))
    out = Path(out_dir) if out_dir is not None else (QUICK_OUT if quick else DEFAULT_OUT)
    command = command or "python run.py validate" + (" --quick" if quick else "")
    record = read_observed()
    specs = episode_specs(record)
    observed = observed_statistics(record, specs)
    timings: dict[str, float] = {}
    sampler = SeededMapSampler(workers)
    tmp = out / "work"
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        loo_scores, other_runs = leave_one_out(specs, observed, budget.calibration, seed, sampler, tmp, progress)
        timings["leave one episode out"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        progress(f"prior predictive: {budget.calibration.draws} draws")
        prior_runs = predictive_runs(None, list(specs.values()), budget.calibration.draws,
                                     offset_seed(seed, Offset.PRIOR_DRAWS), sampler)
        cut_scores, cut_skill = [], []
        for day in budget.cutoffs:
            sc, sk = forecast_cutoff(day, record, specs, observed, budget.calibration, prior_runs, other_runs, seed,
                                     sampler, tmp, progress)
            cut_scores.append(sc)
            cut_skill.append(sk)
        timings["forecasts past the cut-offs"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        progress(f"simulation-based calibration: {budget.sbc.replications} replications "
                 f"(population {budget.sbc.population}, {budget.sbc.generations} generations)")
        episodes = list(specs.values())
        pilot = simulate_pilot(episodes, budget.sbc_pilot, offset_seed(seed, Offset.SBC_RECORDS) + 7, sampler,
                               CANDIDATE_MEASUREMENTS)
        ranks = run_sbc(episodes, observed, pilot, budget.sbc, seed, sampler, SCREEN_THRESHOLD, MAX_INFERRED,
                        progress)
        timings["simulation-based calibration"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        bounds = {s.name: (s.low, s.high) for s in calibrated_parameters()}
        information = pilot_information(pilot, observed_packed(observed, episodes), episodes, bounds, seed,
                                        sampler.map)
        ident = identifiability(pd.read_csv(DEFAULT_POSTERIOR))
        timings["identifiability"] = time.perf_counter() - t0
    finally:
        sampler.close()
    for db in tmp.glob("*.db"):
        db.unlink()
    tmp.rmdir()
    result = Validation(command, seed, workers, budget, quick, pd.concat(cut_scores, ignore_index=True),
                        pd.concat(cut_skill, ignore_index=True), loo_scores, ranks, sbc_summary(ranks), ident,
                        information, record.sha256, timings)
    write_report(result, out)
    if not quick and out.resolve() == DEFAULT_OUT.resolve():  # the published run rewrites the README's section
        update_readme(README, trust_section(result))
    return result


def overall_skill(result: Validation) -> dict[int, dict[str, float]]:
    """Cut-off -> reference -> the overall skill of both episodes' unseen targets."""
    rows = result.cutoff_skill[result.cutoff_skill["episode"] == "both"]
    return {int(r["cutoff"]): {ref: float(r[f"skill_vs_{ref}"]) for ref in (PRIOR, OTHER)} for _, r in rows.iterrows()}


def load_validation(out: str | Path = DEFAULT_OUT, command: str = "python run.py validate",
                    budget: ValidationBudget = DEFAULT_BUDGET, seed: int = DEFAULT_SEED) -> Validation:
    """A written validation's tables read back (for a notebook, or to rewrite the README's
    section from a finished run without running it again)."""
    out = Path(out)
    ranks = pd.read_csv(out / "sbc_ranks.csv")
    runtime = out / RUNTIME_FILE
    timings = (dict(pd.read_csv(runtime).itertuples(index=False, name=None)) if runtime.is_file() else {})
    return Validation(command, seed, DEFAULT_WORKERS, budget, False, pd.read_csv(out / "cutoff_scores.csv"),
                      pd.read_csv(out / "cutoff_skill.csv"), pd.read_csv(out / "leave_one_out.csv"), ranks,
                      sbc_summary(ranks), identifiability(pd.read_csv(DEFAULT_POSTERIOR)),
                      pd.read_csv(out / "information.csv"), read_observed().sha256, timings)
