"""A study's design: scenarios x replicates (x posterior draws), its seeds, and its tasks.

Replicate r of every scenario gets the same seed and the same posterior draw, so a baseline
and its counterfactuals pair up replicate by replicate (common random numbers). Seeds come from
the study seed through numpy `SeedSequence` (`spawn_key=(r,)`): they do not depend on the
number of replicates, the scenarios, the executor or the number of workers.

A task is a block of consecutive replicates of one scenario: the unit sent to a worker and the
unit written to the results store (one part per task). Tasks carry loaded scenarios and
parameter values, so a worker on another machine needs the package, not the project's files.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from sim.experiments.posterior import Posterior
from sim.errors import UserError
from sim.scenario_types import Scenario

#: A study name: its folder's name, portable and quotable (a companion adds '_prior').
STUDY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MAX_STUDY_NAME = 100
#: Runs a study may have unless the caller allows more (`max_runs`): about 2.5 hours of 2 cores
#: at the model's speed, and a design whose seeds and tasks fit easily in memory.
MAX_RUNS = 1_000_000


def check_study_name(name: str) -> None:
    """Refuse a study name that is not a plain folder name.

    Raises:
        UserError: naming --study and what is allowed.
    """
    if not isinstance(name, str) or not STUDY_NAME.fullmatch(name) or len(name) > MAX_STUDY_NAME:
        shown = name if len(str(name)) <= 40 else f"{str(name)[:40]}... ({len(name)} characters)"
        raise UserError(f"--study: {shown!r} is not a study name; allowed: 1 to {MAX_STUDY_NAME} letters, "
                        "digits, '-' and '_', starting with a letter or digit")


def check_size(replicates: int, n_scenarios: int, max_runs: int = MAX_RUNS) -> None:
    """Refuse a study larger than `max_runs` runs before anything is made for it.

    Raises:
        UserError: naming --replicates, the size and the override (--max-runs).
    """
    runs = replicates * n_scenarios
    if runs > max_runs:
        raise UserError(f"--replicates: {replicates:,} replicates x {n_scenarios} scenario"
                        f"{'s' if n_scenarios != 1 else ''} = {runs:,} runs, above the limit of {max_runs:,}; "
                        "pass --max-runs N (max_runs=N) to allow a larger study")

@dataclass(frozen=True)
class StudyDesign:
    """What a study runs; two runs of one design give identical results.

    Attributes:
        name: study name (its folder under the results directory).
        scenarios: scenario names, in the order given.
        replicates: replicates per scenario.
        seed: the study seed.
        parameters: 'posterior' (one draw per replicate), 'defaults', or 'sensitivity' (the
            points of a sensitivity study's sample, `sim.experiments.sensitivity`).
        events: also store the simulated events.
        daily: also store the daily state trajectories.
        days: horizon override (None: each scenario's own).
        task_size: replicates per task (one stored part per task).
    """

    name: str
    scenarios: tuple[str, ...]
    replicates: int
    seed: int
    parameters: str = "defaults"
    events: bool = False
    daily: bool = False
    days: int | None = None
    task_size: int = 50

    def as_dict(self) -> dict:
        """The design as plain JSON-able values."""
        out = asdict(self)
        out["scenarios"] = list(self.scenarios)
        return out

    @property
    def n_runs(self) -> int:
        """Runs in the study."""
        return len(self.scenarios) * self.replicates


def default_task_size(replicates: int) -> int:
    """Replicates per task: large enough that scheduling is cheap, small enough to resume well."""
    return int(min(200, max(10, math.ceil(replicates / 20))))


def replicate_seed(study_seed: int, replicate: int) -> int:
    """The seed of replicate r (the same in every scenario of the study)."""
    state = np.random.SeedSequence(study_seed, spawn_key=(replicate,)).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


@dataclass(frozen=True)
class Task:
    """A block of replicates of one scenario, self-contained for any worker.

    Attributes:
        key: identifier of the task and of its stored part.
        scenario: the loaded scenario.
        replicates: replicate numbers.
        seeds: their seeds.
        draw_ids: their posterior draw ids (-1 without a posterior).
        parameters: their base parameter values (a posterior draw, or empty).
        days: horizon override.
        events: collect the events.
        daily: collect the daily trajectories.
    """

    key: str
    scenario: Scenario
    replicates: tuple[int, ...]
    seeds: tuple[int, ...]
    draw_ids: tuple[int, ...]
    parameters: tuple[dict[str, float], ...]
    days: int | None = None
    events: bool = False
    daily: bool = False


def make_tasks(design: StudyDesign, scenarios: dict[str, Scenario], posterior: Posterior | None) -> list[Task]:
    """The study's tasks, in a fixed order (scenario by scenario, replicate blocks).

    Args:
        design: the study design.
        scenarios: name -> loaded scenario (every name of the design).
        posterior: the sample to draw each replicate's parameters from, or None (defaults).
    """
    seeds = [replicate_seed(design.seed, r) for r in range(design.replicates)]
    if posterior is not None:
        positions = posterior.assign(design.seed, design.replicates)
        draw_ids = [int(posterior.draw_ids[p]) for p in positions]
        # one mapping per distinct draw, shared by the replicates given it (read only): a
        # million replicates of a few hundred draws hold a few hundred mappings, not a million
        draws: dict[int, dict[str, float]] = {}
        params = [draws[p] if p in draws else draws.setdefault(p, posterior.draw(p)) for p in map(int, positions)]
    else:
        draw_ids = [-1] * design.replicates
        params = [{}] * design.replicates
    return block_tasks(design, scenarios, seeds, draw_ids, params)


def block_tasks(design: StudyDesign, scenarios: dict[str, Scenario], seeds: list[int], draw_ids: list[int],
                params: list[dict[str, float]]) -> list[Task]:
    """Tasks of blocks of `design.task_size` replicates, scenario by scenario, given each
    replicate's seed, draw id and parameters (the same in every scenario: the pairs)."""
    tasks = []
    for name in design.scenarios:
        for start in range(0, design.replicates, design.task_size):
            block = range(start, min(start + design.task_size, design.replicates))
            tasks.append(
                Task(
                    key=f"{name}-{block.start:07d}-{block.stop - 1:07d}",
                    scenario=scenarios[name],
                    replicates=tuple(block),
                    seeds=tuple(seeds[r] for r in block),
                    draw_ids=tuple(draw_ids[r] for r in block),
                    parameters=tuple(params[r] for r in block),
                    days=design.days,
                    events=design.events,
                    daily=design.daily,
                )
            )
    return tasks


@dataclass
class StudyPlan:
    """A design with its loaded scenarios, posterior and tasks (what the runner executes).

    Attributes:
        design: the design.
        scenarios: name -> loaded scenario.
        posterior: the posterior sample, or None.
        tasks: all tasks of the study.
        extra: what else defines the study beyond the design, its seeds and draws (a
            sensitivity study's parameter sample): part of its identity and its manifest.
    """

    design: StudyDesign
    scenarios: dict[str, Scenario]
    posterior: Posterior | None
    tasks: list[Task] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
