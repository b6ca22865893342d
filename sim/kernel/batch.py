"""The batch engine: a block of replicates of one scenario in one compiled call.

    from sim.kernel.batch import run_block
    block = run_block(scenario, parameter_rows, seeds, horizon, events=True)
    block.outcomes        # (runs, len(COLUMNS)) floats, the outcome records
    block.events          # (n, EVENT_WIDTH) ints: run, day, source, target, code, rule, text...

Each replicate draws its streams (`sim.kernel.streams`), starts from the scenario's day-0
state and runs `sim.kernel.engine.simulate_days` over the horizon: the same compiled code the
Mesa model steps, so a replicate here equals the Mesa model's run with its seed, number for
number (tests/test_kernel_engines.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from sim.kernel import jit
from sim.kernel.engine import DAILY_WIDTH, simulate_days
from sim.kernel.layout import DRAWS_PER_DAY, EV, PARAMETER_NAMES, CF, P, S
from sim.kernel.record import COLUMNS, outcome_row, record_tables
from sim.kernel.replicate import RULE_KEYS, scenario_arrays
from sim.kernel.rules import rounded
from sim.kernel.state import new_state
from sim.kernel.streams import fill_rule_streams, stream_offsets
from sim.model.parameters import resolve_parameters
from sim.scenario_types import Scenario

_DRAWS = np.array(DRAWS_PER_DAY, dtype=np.int64)
#: Columns of the block's event rows: the run (its row in the block), the event log's columns
#: (`sim.kernel.layout.EV`), and for a strike report its total and its three most struck
#: localities with their strikes (-1 when fewer).
EVENT_COLUMNS: tuple[str, ...] = ("run", *EV._fields, "strikes", "top1", "k1", "top2", "k2", "top3", "k3")
EVENT_WIDTH = len(EVENT_COLUMNS)


class Block(NamedTuple):
    """What a block of replicates produced.

    Attributes:
        outcomes: (runs, len(COLUMNS)) outcome rows.
        parameters: (runs, parameters) the parameters each run used (before interventions).
        events: (n, EVENT_WIDTH) event rows of every run, in run then log order (None unless
            kept).
        daily: (runs, horizon, DAILY_WIDTH) daily rows (None unless kept).
        milestones: (n, 4) rows (run, day, milestone id, scripted) (None unless events kept).
    """

    outcomes: np.ndarray
    parameters: np.ndarray
    events: np.ndarray | None
    daily: np.ndarray | None
    milestones: np.ndarray | None


@jit
def _reset(st, template):
    """Copy the day-0 state `template` into the working state `st`."""
    st[0][:] = template[0]
    st[1][:] = template[1]
    st[2][:] = template[2]
    st[3][:] = 0
    st[4][:] = 0.0
    st[14][:] = template[14]
    st[17][:] = 0


@jit
def _strike_report(STRIKE_LOG, row, name_rank, out):
    """The total and the three most struck localities of one strike event (by strikes, then by
    name, as `StrikeReport` sorts them); -1 where there are fewer."""
    counts = STRIKE_LOG[row]
    total = 0
    for i in range(counts.shape[0]):
        total += counts[i]
    out[0] = total
    taken = np.zeros(counts.shape[0], dtype=np.bool_)
    for slot in range(3):
        best = -1
        for i in range(counts.shape[0]):
            if counts[i] > 0 and not taken[i] and (best < 0 or counts[i] > counts[best] or (
                    counts[i] == counts[best] and name_rank[i] < name_rank[best])):
                best = i
        out[1 + 2 * slot] = best
        out[2 + 2 * slot] = counts[best] if best >= 0 else 0
        if best >= 0:
            taken[best] = True


@jit
def _block(sc, st, template, initial_control, PARAMS, seeds, horizon, count_column, dyad_column, goldstein,
           keep_events, record_daily, starts_with_terms, OUT, DAILY, events_capacity, name_rank):
    n_runs = PARAMS.shape[0]
    n_rules = _DRAWS.shape[0]
    offsets = stream_offsets(_DRAWS * horizon)
    U = np.empty(offsets[n_rules])
    p = np.empty(PARAMS.shape[1])
    forced = np.empty(n_rules)
    daily = np.empty((horizon, DAILY_WIDTH))
    events = np.empty((events_capacity if keep_events else 0, 15), dtype=np.int64)
    milestones = np.empty((events_capacity // 8 + 16 if keep_events else 0, 4), dtype=np.int64)
    n_events = 0
    n_milestones = 0
    report = np.empty(7, dtype=np.int64)
    for i in range(n_runs):
        base_p = PARAMS[i]
        fill_rule_streams(np.uint64(seeds[i]), RULE_KEYS, offsets, U)
        _reset(st, template)
        I = st[0]
        if starts_with_terms:
            I[S.ceasefire_effect_due] = rounded(base_p[P.ceasefire_start_days])
        simulate_days(st, sc, base_p, p, forced, U, offsets, 0, horizon, horizon, daily, record_daily)
        outcome_row(st, initial_control, horizon, horizon, count_column, dyad_column, goldstein, OUT[i])
        if record_daily:
            DAILY[i] = daily
        if keep_events:
            n = I[S.n_events]
            if n_events + n > events.shape[0]:
                grown = np.empty((max(2 * events.shape[0], n_events + n), 15), dtype=np.int64)
                grown[:n_events] = events[:n_events]
                events = grown
            EVENTS = st[5]
            for k in range(n):
                row = events[n_events + k]
                row[0] = i
                row[1:8] = EVENTS[k]
                row[8:15] = -1
                if EVENTS[k, 5] == 0:  # a strike report (text id 0)
                    _strike_report(st[15], EVENTS[k, 6], name_rank, report)
                    row[8:15] = report
            n_events += n
            m = I[S.n_milestones]
            if n_milestones + m > milestones.shape[0]:
                grown_m = np.empty((max(2 * milestones.shape[0], n_milestones + m), 4), dtype=np.int64)
                grown_m[:n_milestones] = milestones[:n_milestones]
                milestones = grown_m
            for k in range(m):
                milestones[n_milestones + k, 0] = i
                milestones[n_milestones + k, 1:4] = st[10][k]
            n_milestones += m
    return events[:n_events], milestones[:n_milestones]


def name_ranks(names: Sequence[str]) -> np.ndarray:
    """Each locality's place among the names sorted (the strike report's tie order)."""
    order = sorted(names)
    return np.array([order.index(name) for name in names], dtype=np.int64)


def parameter_rows(scenario: Scenario, parameters: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Each run's parameters as a row (`sim.kernel.layout.P`): the given values, then the
    scenario's own, checked against their ranges (`DiplomacyModel`'s order of overrides)."""
    rows = np.empty((len(parameters), len(PARAMETER_NAMES)))
    for i, given in enumerate(parameters):
        resolved = resolve_parameters({**given, **scenario.parameters})
        rows[i] = [resolved[name] for name in PARAMETER_NAMES]
    return rows


def run_block(scenario: Scenario, parameters: Sequence[Mapping[str, float]] | np.ndarray, seeds: Sequence[int],
              horizon: int | None = None, events: bool = False, daily: bool = False) -> Block:
    """Run replicates of one scenario, each with its parameters and seed.

    Args:
        scenario: the loaded scenario.
        parameters: per run, its parameter values (mappings, resolved here), or a matrix of
            resolved rows (`parameter_rows`).
        seeds: per run, its seed.
        horizon: days (default: the scenario's).
        events: keep every run's events and milestones.
        daily: keep every run's daily rows.
    """
    horizon = int(scenario.horizon_days if horizon is None else horizon)
    rows = parameters if isinstance(parameters, np.ndarray) else parameter_rows(scenario, parameters)
    seeds = np.asarray(seeds, dtype=np.uint64)
    if rows.shape[0] != seeds.shape[0]:
        raise ValueError(f"run_block: {rows.shape[0]} parameter rows for {seeds.shape[0]} seeds")
    arrays = scenario_arrays(scenario)
    template = new_state(arrays, scenario, rows[0] if len(rows) else np.zeros(len(PARAMETER_NAMES)), horizon)
    st = tuple(a.copy() for a in template)
    tables = record_tables(arrays.actors)
    out = np.zeros((rows.shape[0], len(COLUMNS)))
    daily_rows = np.full((rows.shape[0] if daily else 0, horizon, DAILY_WIDTH), np.nan)
    starts_with_terms = template[0][S.ceasefire] == CF.TERMS
    event_rows, milestone_rows = _block(
        arrays.constants, st, template, arrays.initial_control, rows, seeds.astype(np.int64), horizon,
        tables.count_column, tables.dyad_column, tables.goldstein, events, daily, starts_with_terms, out,
        daily_rows, max(1024, rows.shape[0] * horizon * 4) if events else 0, name_ranks(arrays.terrain.names))
    return Block(out, rows, event_rows if events else None, daily_rows if daily else None,
                 milestone_rows if events else None)


def warm_up(scenario: Scenario) -> None:
    """Compile the engine (or load it from the cache) with a one-day run of `scenario`: done in a
    parent process before it starts workers, so that they all load the cached code instead of
    each compiling it (`sim.kernel.CACHE_DIR`)."""
    run_block(scenario, [{}], [0], 1, events=True, daily=True)
