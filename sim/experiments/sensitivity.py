"""A sensitivity study: a Sobol/Saltelli sample of the behaviour parameters, each point run as a
baseline and its counterfactual paired, with replicates.

    from sim.experiments.sensitivity import run_sensitivity
    study = run_sensitivity("sens_geneva", "geneva_2016_02", "geneva_2016_02_no_strikes", n=256)

The sample is SALib's scrambled Sobol sequence in Saltelli's scheme without second-order terms:
n x (D + 2) points for D parameters (the rows A, B and the D mixed rows AB_i of each of the n
base points). Point p is replicates p*K .. p*K + K - 1 of the study (K replicates per point); its
`draw_id` is p. Replicate k of every point gets the same seed (common random numbers): the
paired effect is then a function of the parameters with the chance of the random streams held
fixed, and a mixed row differs from its base row by one parameter only. The study is stored,
resumed and run on local processes or Dask like any other (`sim.experiments.batch.run_plan`);
its sample and space are part of its identity, so another sample is refused in the same folder.

Space: 'prior' samples each varied parameter uniformly on its documented range (the
calibration's prior); 'posterior' samples uniformly on the posterior sample's support (its
smallest to largest value), with the parameters not varied at the posterior's weighted median.
Parameters not varied otherwise keep their defaults, and a scenario's own settings apply on top.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import UserError
from sim.experiments.batch import open_store, run_plan
from sim.experiments.design import (
    MAX_RUNS,
    StudyDesign,
    StudyPlan,
    block_tasks,
    check_size,
    check_study_name,
    default_task_size,
    replicate_seed,
)
from sim.experiments.posterior import Posterior, load_posterior
from sim.model.parameters import ParameterSpec, parameter_table
from sim.paths import DEFAULT_POSTERIOR, RESULTS_DIR
from sim.results.sensitivity_sample import factors, grouped_factors, sample_problem
from sim.results.store import Study
from sim.scenario_types import Scenario
from sim.scenarios import load_scenario

SPACES = ("prior", "posterior")


@dataclass(frozen=True)
class SensitivitySample:
    """The parameter sample of a sensitivity study.

    Attributes:
        names: the varied parameters, in the sample's column order.
        bounds: (low, high) of each varied parameter.
        base_points: n, the number of Saltelli base points (a power of 2).
        space: 'prior' or 'posterior'.
        fixed: values of the parameters not varied that differ from their defaults.
        points: the sample, n x (G + 2) rows by D columns, in SALib's row order (G: the groups).
        groups: each varied parameter's group (None: each parameter is its own). A group's
            parameters are swapped together in the mixed rows and get one pair of indices.
    """

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    base_points: int
    space: str
    fixed: dict[str, float]
    points: np.ndarray
    groups: tuple[str, ...] | None = None

    @property
    def problem(self) -> dict:
        """SALib's problem definition."""
        return sample_problem(self.names, self.bounds, self.groups)

    @property
    def factors(self) -> list[str]:
        """What the indices are of: the parameters, or the groups in order."""
        return factors(self.names, self.groups)

    @property
    def sha256(self) -> str:
        """Hash of the sample's values (part of the study's identity)."""
        return hashlib.sha256(np.ascontiguousarray(self.points, dtype="<f8").tobytes()).hexdigest()

    def parameters_of(self, point: int) -> dict[str, float]:
        """The parameter values of one point."""
        return {**self.fixed, **{n: float(v) for n, v in zip(self.names, self.points[point])}}

    def describe(self) -> dict:
        """The sample as plain JSON-able values (without the points: their hash)."""
        return {"names": list(self.names), "bounds": [list(b) for b in self.bounds],
                "base_points": self.base_points, "space": self.space, "fixed": dict(self.fixed),
                "points": int(len(self.points)), "sample_sha256": self.sha256,
                **({"groups": list(self.groups)} if self.groups else {})}  # fmt: skip


def check_pair(baseline: Scenario, counterfactual: Scenario) -> None:
    """Refuse a pair that is not an episode and one of its counterfactuals.

    Raises:
        UserError: naming --scenarios and what is allowed.
    """
    if baseline.kind != "episode":
        raise UserError(f"--scenarios: {baseline.name} is a {baseline.kind}, not an episode; give BASE,CF with "
                        f"BASE an episode (the baseline of {baseline.name} is {baseline.episode})")
    if counterfactual.kind != "counterfactual" or counterfactual.episode != baseline.name:
        raise UserError(f"--scenarios: {counterfactual.name} is not a counterfactual of {baseline.name}; "
                        f"allowed: a scenario that extends {baseline.name} (see `run.py scenarios`)")


def varied_parameters(baseline: Scenario, counterfactual: Scenario,
                      names: Sequence[str] | None = None) -> list[ParameterSpec]:
    """The parameters to vary: the given ones, or every calibrated one neither scenario fixes.

    Raises:
        UserError: an unknown parameter, one listed twice, or one a scenario fixes.
    """
    table = parameter_table()
    fixed = scenario_fixed(baseline, counterfactual)
    if names is None:
        return [spec for spec in table.values() if spec.calibrated and spec.name not in fixed]
    names = list(names)
    for name in names:
        if name not in table:
            raise UserError(f"--parameters: {name!r} is not a parameter; allowed: the names in "
                            "sim/model/parameters.csv (docs/model.md lists them)")
        if name in fixed:
            where, value = fixed[name]
            raise UserError(f"--parameters: {name} is fixed by scenario {where} (to {value:g}); "
                            "allowed: parameters neither scenario sets")
    if len(set(names)) != len(names):
        raise UserError(f"--parameters: a parameter is listed twice: {','.join(names)}")
    if not names:
        raise UserError("--parameters: give at least one parameter")
    return [table[n] for n in names]


def scenario_fixed(baseline: Scenario, counterfactual: Scenario) -> dict[str, tuple[str, float]]:
    """The parameters a scenario fixes, each with the scenario and the value: its [parameters],
    and a `set` intervention over the whole run (from day 0, with no end), which overrides any
    value a sample gives it. A set over part of the run leaves the sampled value in force on the
    other days, so that parameter is still varied."""
    fixed = {}
    for scenario in (baseline, counterfactual):  # a counterfactual holds what it inherits: name its own
        fixed.update({name: (scenario.name, value) for name, value in scenario.parameters.items()
                      if fixed.get(name, (None, None))[1] != value})
        fixed.update({i.parameter: (scenario.name, i.value) for i in scenario.interventions
                      if i.kind == "set" and i.from_day == 0 and i.to_day is None})  # fmt: skip
    return fixed


def parameter_space(specs: Sequence[ParameterSpec], space: str,
                    posterior: Posterior | None) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """Bounds of the varied parameters, and the values of the calibrated ones not varied.

    Raises:
        UserError: an unknown space, or the posterior space without a posterior, or a varied
            parameter the posterior does not hold.
    """
    if space not in SPACES:
        raise UserError(f"space: {space!r}; allowed: {', '.join(SPACES)}")
    if space == "prior":
        return [(spec.low, spec.high) for spec in specs], {}
    if posterior is None:
        raise UserError("--posterior: the posterior space needs calibration/data/posterior.csv (run.py calibrate)")
    bounds = []
    for spec in specs:
        if spec.name not in posterior.values:
            raise UserError(f"--parameters: {spec.name} is not in the posterior ({posterior.path}); "
                            "allowed: its calibrated columns, or the prior space")
        values = posterior.values[spec.name]
        low, high = float(values.min()), float(values.max())
        if high <= low:  # a parameter the posterior holds at one value: vary it on its prior range
            low, high = spec.low, spec.high
        bounds.append((low, high))
    varied = {spec.name for spec in specs}
    fixed = {name: _weighted_median(values, posterior.weights) for name, values in posterior.values.items()
             if name not in varied}  # fmt: skip
    return bounds, fixed


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def check_base_points(n: int) -> None:
    """Refuse a number of base points that is not a power of 2 (the Sobol sequence's balance needs it).

    Raises:
        UserError: naming --n and what is allowed.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2 or n & (n - 1):
        raise UserError(f"--n: {n} is not a power of 2; allowed: 2, 4, 8, ..., e.g. 256 or 1024")


def saltelli_sample(specs: Sequence[ParameterSpec], bounds: Sequence[tuple[float, float]], base_points: int,
                    seed: int, space: str, fixed: dict[str, float] | None = None,
                    groups: Sequence[str] | None = None) -> SensitivitySample:
    """SALib's Sobol sample in Saltelli's scheme (first and total order), scrambled with `seed`.

    Raises:
        UserError: `base_points` is not a power of 2.
    """
    from SALib.sample import sobol

    check_base_points(base_points)
    problem = sample_problem([s.name for s in specs], bounds, groups)
    points = sobol.sample(problem, base_points, calc_second_order=False, scramble=True, seed=seed)
    return SensitivitySample(tuple(problem["names"]), tuple(tuple(b) for b in bounds), base_points, space,
                             dict(fixed or {}), points, tuple(groups) if groups else None)  # fmt: skip


def others_group(count: int) -> str:
    """The name of the group that holds every varied parameter not named in --parameters."""
    return f"the other {count} parameters"


def plan_sensitivity(
    name: str,
    baseline: str,
    counterfactual: str,
    n: int = 256,
    replicates: int = 1,
    seed: int = 1,
    space: str = "prior",
    parameters: Sequence[str] | None = None,
    days: int | None = None,
    task_size: int | None = None,
    scenario_dir: str | Path | None = None,
    posterior_path: str | Path = DEFAULT_POSTERIOR,
    max_runs: int = MAX_RUNS,
    others: bool = False,
    screened_by: dict | None = None,
) -> tuple[StudyPlan, SensitivitySample]:
    """Validate a sensitivity study's arguments and make its sample and tasks.

    Args:
        name: study name.
        baseline: the episode.
        counterfactual: a counterfactual of it.
        n: Saltelli base points (a power of 2); the sample has n x (D + 2) points.
        replicates: replicates per point (K).
        seed: study seed (the sample's scrambling and the replicates' seeds).
        space: 'prior' or 'posterior'.
        parameters: the parameters to vary (None: every calibrated one neither scenario fixes).
        days: horizon override.
        task_size: replicates per task.
        scenario_dir: folder of scenario files.
        posterior_path: the posterior sample (for the posterior space).
        max_runs: the largest study allowed.
        others: vary every other calibrated parameter neither scenario fixes too, as one group
            (one pair of indices for all of them): the named parameters' indices then hold with
            nothing held fixed, and the group's total index says what a screen left out.
        screened_by: how `parameters` were chosen (a screening study's name, sample hash, outcome),
            kept in the manifest.

    Raises:
        UserError: a bad argument (one line naming it and what is allowed).
    """
    check_study_name(name)
    if replicates < 1:
        raise UserError(f"--replicates: must be at least 1, got {replicates}")
    if seed < 0:
        raise UserError(f"--seed: must be a non-negative integer, got {seed}")
    base, cf = load_scenario(baseline, scenario_dir), load_scenario(counterfactual, scenario_dir)
    check_pair(base, cf)
    specs = varied_parameters(base, cf, parameters)
    groups = None
    if others:
        if parameters is None:
            raise UserError("--others: needs --parameters (the ones analysed one by one); without --parameters every "
                            "calibrated parameter is varied and analysed on its own")
        named = {spec.name for spec in specs}
        rest = [spec for spec in varied_parameters(base, cf) if spec.name not in named]
        if rest:
            groups = [spec.name for spec in specs] + [others_group(len(rest))] * len(rest)
            specs = [*specs, *rest]
    posterior = load_posterior(posterior_path) if space == "posterior" and Path(posterior_path).is_file() else None
    bounds, fixed = parameter_space(specs, space, posterior)
    check_base_points(n)
    factors = len(set(groups)) if groups else len(specs)
    check_size(n * (factors + 2) * replicates, 2, max_runs)
    sample = saltelli_sample(specs, bounds, n, seed, space, fixed, groups)
    total = len(sample.points) * replicates
    design = StudyDesign(name=name, scenarios=(base.name, cf.name), replicates=total, seed=seed,
                         parameters="sensitivity", days=days,
                         task_size=task_size or default_task_size(total))  # fmt: skip
    # replicate k of every point shares its seed: the chance of the streams is held fixed across points
    seeds_k = [replicate_seed(seed, k) for k in range(replicates)]
    seeds = [seeds_k[r % replicates] for r in range(total)]
    points = [r // replicates for r in range(total)]
    params_of = [sample.parameters_of(p) for p in range(len(sample.points))]
    tasks = block_tasks(design, {base.name: base, cf.name: cf}, seeds, points, [params_of[p] for p in points])
    extra = {"sensitivity": {**sample.describe(), "baseline": base.name, "counterfactual": cf.name,
                             "replicates_per_point": replicates,
                             **({"screened_by": screened_by} if screened_by else {})}}  # fmt: skip
    return StudyPlan(design, {base.name: base, cf.name: cf}, posterior, tasks, extra), sample


def size_phrase(sample: SensitivitySample, replicates: int) -> str:
    """The study's size in words: points, scenarios, replicates, runs."""
    points = len(sample.points)
    return (f"{points:,} points ({sample.base_points} base points x ({factors_phrase(sample.names, sample.groups)}"
            f" + 2)) x 2 "
            f"scenarios x {replicates} replicate{'s' if replicates != 1 else ''} = {2 * points * replicates:,} runs, "
            f"{sample.space} space")


def factors_phrase(names: Sequence[str], groups: Sequence[str] | None) -> str:
    """The factors of a sample in words: '66 parameters', or '15 parameters and a group of 51'."""
    if not groups:
        return f"{len(names)} parameters"
    grouped = list(grouped_factors(groups).values())
    single = len(factors(names, groups)) - len(grouped)
    return f"{single} parameters and {len(grouped)} group{'s' if len(grouped) > 1 else ''} of {'+'.join(map(str, grouped))}"


def run_sensitivity(
    name: str,
    baseline: str,
    counterfactual: str,
    n: int = 256,
    replicates: int = 1,
    seed: int = 1,
    space: str = "prior",
    parameters: Sequence[str] | None = None,
    workers: int = 1,
    client=None,
    scheduler: str | None = None,
    days: int | None = None,
    task_size: int | None = None,
    results_dir: str | Path = RESULTS_DIR,
    scenario_dir: str | Path | None = None,
    posterior_path: str | Path = DEFAULT_POSTERIOR,
    progress: bool = True,
    command: str | None = None,
    wait: float = 0.0,
    max_runs: int = MAX_RUNS,
    others: bool = False,
    screened_by: dict | None = None,
) -> Study:
    """Run (or resume) a sensitivity study and return it loaded from disk.

    Arguments as in `plan_sensitivity`, and the executor's as in `sim.experiments.batch.run_study`.
    The study's `manifest["sensitivity"]` holds the sample's description (its hash, space,
    bounds and parameters); the points are the runs' `param_*` columns, by `draw_id`.
    """
    plan, sample = plan_sensitivity(name, baseline, counterfactual, n, replicates, seed, space, parameters, days,
                                    task_size, scenario_dir, posterior_path, max_runs, others,
                                    screened_by)  # fmt: skip
    print(f"{name}: {size_phrase(sample, replicates)}", file=sys.stderr, flush=True)
    return run_plan(plan, open_store(results_dir, name), workers=workers, client=client, scheduler=scheduler, progress=progress,
                    command=command, wait=wait)
