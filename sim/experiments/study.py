"""A study: scenarios x replicates (x posterior draws), its seeds, and its tasks.

Replicate r of every scenario gets the same seed and the same posterior draw, so a baseline
and its counterfactuals pair up replicate by replicate (common random numbers). Seeds come from
the study seed through numpy `SeedSequence` (`spawn_key=(r,)`): they do not depend on the
number of replicates, the scenarios, the executor or the number of workers.

A task is a block of consecutive replicates of one scenario: the unit sent to a worker and the
unit written to the results store (one part per task). Tasks carry loaded scenarios and
parameter values, so a worker on another machine needs the package, not the project's files.
"""

from __future__ import annotations

import hashlib
import math
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.paths import DEFAULT_POSTERIOR
from sim.events import MODEL_ACTORS, cameo
from sim.model.model import DAILY_COLUMNS, DiplomacyModel
from sim.model.outcomes import outcome_record, outcome_types
from sim.model.parameters import parameter_table
from sim.scenario_types import Scenario

#: The posterior sample written by calibration (draw_id, weight, one column per parameter).
#: spawn_key under the study seed for the assignment of posterior draws to replicates
#: (replicate seeds use keys 0 .. replicates-1; this one is far from them).
_DRAW_KEY = 2**32 - 1


@dataclass(frozen=True)
class StudyDesign:
    """What a study runs; two runs of one design give identical results.

    Attributes:
        name: study name (its folder under the results directory).
        scenarios: scenario names, in the order given.
        replicates: replicates per scenario.
        seed: the study seed.
        parameters: 'posterior' (one draw per replicate) or 'defaults'.
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
class Posterior:
    """A weighted posterior sample of parameter vectors.

    Attributes:
        path: the file read.
        draw_ids: draw identifiers.
        weights: normalised weights.
        values: parameter name -> values (aligned with draw_ids).
        sha256: hash of the file (recorded in study manifests).
    """

    path: Path
    draw_ids: np.ndarray
    weights: np.ndarray
    values: dict[str, np.ndarray]
    sha256: str

    def draw(self, index: int) -> dict[str, float]:
        """Parameter values of the draw at position `index`."""
        return {name: float(column[index]) for name, column in self.values.items()}

    def assign(self, study_seed: int, replicates: int) -> np.ndarray:
        """Positions of the draws given to replicates 0..n-1 (weighted, with replacement).

        Replicate r's draw depends only on the study seed and r, not on how many replicates
        the study has: a study extended from 100 to 1,000 replicates keeps its first 100 pairs.
        """
        cumulative = np.cumsum(self.weights)
        cumulative[-1] = 1.0
        positions = np.empty(replicates, dtype=np.int64)
        for r in range(replicates):
            u = np.random.default_rng(np.random.SeedSequence(study_seed, spawn_key=(_DRAW_KEY, r))).random()
            positions[r] = int(np.searchsorted(cumulative, u, side="right"))
        return positions


def load_posterior(path: str | Path = DEFAULT_POSTERIOR) -> Posterior:
    """Read a posterior sample (draw_id, weight, parameter columns).

    Raises:
        UserError: missing file, missing columns, unknown parameters, bad weights (one line).
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no posterior sample here; run `run.py calibrate` or use --defaults")
    frame = pd.read_csv(path)
    for column in ("draw_id", "weight"):
        if column not in frame.columns:
            raise UserError(f"{path}: missing column {column!r}; expected draw_id, weight, parameters")
    table = parameter_table()
    names = [c for c in frame.columns if c not in ("draw_id", "weight")]
    unknown = [n for n in names if n not in table]
    if unknown:
        raise UserError(f"{path}: unknown parameters {unknown}; allowed: the names in sim/data/parameters.csv")
    weights = frame["weight"].to_numpy(dtype=float)
    if len(weights) == 0 or not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
        raise UserError(f"{path}: weight must be non-negative numbers with a positive sum")
    for name in names:
        spec = table[name]
        values = frame[name].to_numpy(dtype=float)
        if np.any((values < spec.low) | (values > spec.high)):
            raise UserError(f"{path}: {name} has values outside its range [{spec.low:g}, {spec.high:g}]")
    return Posterior(
        path=path,
        draw_ids=frame["draw_id"].to_numpy(),
        weights=weights / weights.sum(),
        values={name: frame[name].to_numpy(dtype=float) for name in names},
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


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


@dataclass
class TaskResult:
    """What a task produced: rows for each table of the store.

    Attributes:
        key: the task's key.
        runs: one dict per run.
        events: columns of the events table (name -> list), or None.
        daily: columns of the daily table, or None.
        failed: runs that raised.
    """

    key: str
    runs: list[dict]
    events: dict[str, list] | None = None
    daily: dict[str, list] | None = None
    failed: int = 0


def make_tasks(design: StudyDesign, scenarios: dict[str, Scenario], posterior: Posterior | None) -> list[Task]:
    """The study's tasks, in a fixed order (scenario by scenario, replicate blocks)."""
    seeds = [replicate_seed(design.seed, r) for r in range(design.replicates)]
    if posterior is not None:
        positions = posterior.assign(design.seed, design.replicates)
        draw_ids = [int(posterior.draw_ids[p]) for p in positions]
        params = [posterior.draw(int(p)) for p in positions]
    else:
        draw_ids = [-1] * design.replicates
        params = [{} for _ in range(design.replicates)]
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


def run_task(task: Task) -> TaskResult:
    """Run a task's replicates; a run that raises is recorded with its error, the rest go on.

    This is the function every executor calls (a local process pool, a Dask worker, or the
    calling process itself).
    """
    names = list(parameter_table())
    types = outcome_types()
    events = _empty_columns(_EVENT_FIELDS) if task.events else None
    daily = _empty_columns(_DAILY_FIELDS) if task.daily else None
    rows, failed = [], 0
    for replicate, seed, draw_id, params in zip(task.replicates, task.seeds, task.draw_ids, task.parameters):
        row = {
            "scenario": task.scenario.name,
            "episode": task.scenario.episode,
            "replicate": replicate,
            "seed": seed,
            "draw_id": draw_id,
            "error": None,
        }
        try:
            model = DiplomacyModel(task.scenario, parameters=params, horizon_days=task.days,
                                   record_daily=task.daily, rng=seed)
            model.run()
            outcomes = outcome_record(model)
            used = model.params
        except Exception as err:  # a failing run is data, not the end of the study
            failed += 1
            where = traceback.extract_tb(err.__traceback__)[-1]
            row["error"] = f"{type(err).__name__}: {err} (at {Path(where.filename).name}:{where.lineno})"
            outcomes = {name: None for name in types}
            used = {**{n: parameter_table()[n].default for n in names}, **params}
            model = None
        row.update({f"param_{n}": float(used[n]) for n in names})
        row.update(outcomes)
        rows.append(row)
        if model is not None and events is not None:
            _append_events(events, model, replicate)
        if model is not None and daily is not None:
            _append_daily(daily, model, replicate)
    return TaskResult(task.key, rows, events, daily, failed)


_EVENT_FIELDS = (
    "scenario", "replicate", "day", "event_date", "source", "target", "source_text", "target_text",
    "cameo_code", "cameo_root", "quad_class", "goldstein", "trigger", "coder",
)  # fmt: skip
_DAILY_FIELDS = ("scenario", "replicate") + DAILY_COLUMNS


def _empty_columns(fields) -> dict[str, list]:
    return {f: [] for f in fields}


def _append_events(columns: dict[str, list], model: DiplomacyModel, replicate: int) -> None:
    """Simulated events in the event schema's columns (story 'sim'), with scenario and replicate."""
    name = model.scenario_spec.name
    for day, source, target, code, mechanism, text in model.event_log:
        info = cameo(code)
        columns["scenario"].append(name)
        columns["replicate"].append(replicate)
        columns["day"].append(day)
        columns["event_date"].append(model.date_of(day).isoformat())
        columns["source"].append(source if source in MODEL_ACTORS else "OTHER")
        columns["target"].append(target if target in MODEL_ACTORS else "OTHER")
        columns["source_text"].append(source)
        columns["target_text"].append(target)
        columns["cameo_code"].append(code)
        columns["cameo_root"].append(info.root)
        columns["quad_class"].append(info.quad_class)
        columns["goldstein"].append(info.goldstein)
        columns["trigger"].append(str(text))
        columns["coder"].append(f"{mechanism}@{name}")


def _append_daily(columns: dict[str, list], model: DiplomacyModel, replicate: int) -> None:
    name = model.scenario_spec.name
    for row in model.daily:
        columns["scenario"].append(name)
        columns["replicate"].append(replicate)
        for field_name, value in zip(DAILY_COLUMNS, row):
            columns[field_name].append(value.isoformat() if field_name == "date" else value)


@dataclass
class StudyPlan:
    """A design with its loaded scenarios, posterior and tasks (what the runner executes).

    Attributes:
        design: the design.
        scenarios: name -> loaded scenario.
        posterior: the posterior sample, or None.
        tasks: all tasks of the study.
    """

    design: StudyDesign
    scenarios: dict[str, Scenario]
    posterior: Posterior | None
    tasks: list[Task] = field(default_factory=list)
