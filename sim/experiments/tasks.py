"""Run a task (a block of replicates of one scenario) into rows of the results store's tables.

`run_task` is the function every executor calls (this process, a local pool, a Dask worker).
It runs the block on the compiled engine (`sim.kernel.batch.run_block`, one call for the whole
block); `run_task(task, engine="mesa")` runs each replicate as a `DiplomacyModel` instead. The
two give the same tables, run for run (tests/test_kernel_engines.py). A run that raises is
recorded with its error and empty outcomes; the task goes on: when the block raises, its
replicates are run one by one on the Mesa path, which records each run's error.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.events import SIMULATED_EVENT_COLUMNS, cameo, event_actor
from sim.experiments.block_tables import daily_columns, event_columns, run_columns
from sim.experiments.design import Task
from sim.kernel.batch import parameter_rows, run_block
from sim.experiments.runs import RunResult, simulate
from sim.model.model import DAILY_COLUMNS
from sim.model.outcomes import outcome_types
from sim.model.parameters import parameter_table
from sim.results.store import RUN_KEY


@dataclass
class TaskResult:
    """What a task produced: rows for each table of the store.

    Attributes:
        key: the task's key.
        runs: one dict per run.
        events: columns of the events table (name -> list), or None.
        daily: columns of the daily table, or None.
        failed: runs that raised.
        engine: the engine that ran the block ('mesa' when the compiled block raised and its
            runs were run one by one).
    """

    key: str
    runs: list[dict] | dict[str, object]
    events: dict[str, list] | None = None
    daily: dict[str, list] | None = None
    failed: int = 0
    engine: str = "mesa"

    @property
    def n_runs(self) -> int:
        """Runs in the result (rows of the runs table)."""
        if isinstance(self.runs, dict):
            return len(self.runs["replicate"])
        return len(self.runs)


#: The engines a task can run on.
ENGINES = ("kernel", "mesa")


def run_task(task: Task, engine: str = "kernel") -> TaskResult:
    """Run a task's replicates on `engine` (see `ENGINES`); a run that raises is recorded with
    its error, the rest go on."""
    if engine not in ENGINES:
        raise ValueError(f"run_task: engine {engine!r}; allowed: {', '.join(ENGINES)}")
    if engine == "kernel":
        try:
            return _run_block(task)
        except Exception:  # noqa: BLE001 - the Mesa path names the failing run and its error
            pass
    return _run_mesa(task)


def _run_block(task: Task) -> TaskResult:
    """The task's replicates in one compiled call, as columns of the store's tables."""
    block = run_block(task.scenario, _parameter_matrix(task), task.seeds, task.days, events=task.events,
                      daily=task.daily)
    runs = run_columns(task.scenario, block, task.replicates, task.seeds, task.draw_ids)
    events = event_columns(task.scenario, block, task.replicates) if task.events else None
    daily = daily_columns(task.scenario, block, task.replicates) if task.daily else None
    return TaskResult(task.key, runs, events, daily, 0, "kernel")


def _parameter_matrix(task: Task) -> np.ndarray:
    """The task's parameter rows, each distinct mapping resolved once (the replicates given one
    posterior draw share its mapping, `sim.experiments.design.make_tasks`)."""
    distinct: dict[int, tuple[int, dict]] = {}  # id -> (row, mapping)
    order = [distinct.setdefault(id(given), (len(distinct), given))[0] for given in task.parameters]
    rows = parameter_rows(task.scenario, [given for _, given in distinct.values()])
    return rows[np.asarray(order, dtype=np.int64)]


def _run_mesa(task: Task) -> TaskResult:
    """The task's replicates one `DiplomacyModel` at a time."""
    table = parameter_table()
    events = _empty_columns(SIMULATED_EVENT_COLUMNS) if task.events else None
    daily = _empty_columns(DAILY_COLUMNS) if task.daily else None
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
            result = simulate(task.scenario, seed=seed, days=task.days, parameters=params, record_daily=task.daily,
                              collect=False)  # the stored parts record the run
            outcomes, used = result.outcomes, result.parameters
        except Exception as err:  # a failing run is data, not the end of the study
            failed += 1
            where = traceback.extract_tb(err.__traceback__)[-1]
            row["error"] = f"{type(err).__name__}: {err} (at {Path(where.filename).name}:{where.lineno})"
            outcomes = dict.fromkeys(outcome_types())
            used = {**{n: spec.default for n, spec in table.items()}, **params}
            result = None
        row.update({f"param_{n}": float(used[n]) for n in table})
        row.update(outcomes)
        rows.append(row)
        if result is not None and events is not None:
            _append_events(events, result, replicate)
        if result is not None and daily is not None:
            _append_daily(daily, result, replicate)
    return TaskResult(task.key, rows, events, daily, failed)


def _empty_columns(columns) -> dict[str, list]:
    """The run key's columns, then the given ones, each an empty list."""
    return {c: [] for c in (*RUN_KEY, *columns)}


def _append_events(columns: dict[str, list], result: RunResult, replicate: int) -> None:
    """A run's events in the stored simulated-event columns, with scenario and replicate."""
    model, name = result.model, result.scenario.name
    for day, source, target, code, mechanism, text in model.event_log:
        info = cameo(code)
        columns["scenario"].append(name)
        columns["replicate"].append(replicate)
        columns["day"].append(day)
        columns["event_date"].append(model.date_of(day).isoformat())
        columns["source"].append(event_actor(source))
        columns["target"].append(event_actor(target))
        columns["source_text"].append(source)
        columns["target_text"].append(target)
        columns["cameo_code"].append(code)
        columns["cameo_root"].append(info.root)
        columns["quad_class"].append(info.quad_class)
        columns["goldstein"].append(info.goldstein)
        columns["trigger"].append(str(text))
        columns["coder"].append(f"{mechanism}@{name}")


def _append_daily(columns: dict[str, list], result: RunResult, replicate: int) -> None:
    """A run's daily rows, with scenario and replicate (dates as ISO text)."""
    name = result.scenario.name
    for row in result.model.daily:
        columns["scenario"].append(name)
        columns["replicate"].append(replicate)
        for field_name, value in zip(DAILY_COLUMNS, row):
            columns[field_name].append(value.isoformat() if field_name == "date" else value)
