"""The outcome record of a run, compiled: one float64 row in the columns of
`sim.model.outcomes.outcome_types()` (booleans 0/1, days NaN when they never happened).

`outcome_row` computes it from the kernel's state (the one implementation of the record):
the world's outcomes, then the event counts per (source, target, CAMEO root) and the mean
Goldstein score per dyad, summed in event order (the order fixes the float sum).
`RecordTables` maps the kernel's (actor, actor, code) ids to those columns for one scenario.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sim.events import cameo, event_actor
from sim.kernel import jit
from sim.kernel.layout import CODES, EV, NONE, L, M, S, SF, T
from sim.model.outcomes import OUTCOMES, count_columns, dyads, outcome_types

#: The record's columns, in record order.
COLUMNS: tuple[str, ...] = tuple(outcome_types())
#: The world's outcomes (before the count and Goldstein columns), in record order.
WORLD_OUTCOMES: tuple[str, ...] = tuple(OUTCOMES)
_FIRST_COUNT = len(WORLD_OUTCOMES)
_FIRST_DYAD = _FIRST_COUNT + len(count_columns())
assert COLUMNS[_FIRST_COUNT].startswith("n_") and COLUMNS[_FIRST_DYAD].startswith("goldstein_")
assert WORLD_OUTCOMES == (
    "talks_opened", "talks_paused", "talks_pause_day", "talks_resumed", "talks_days_in_session", "talks_collapsed",
    "agreement", "opp_ultimatum_day", "opp_walkout_day", "ceasefire_agreed", "ceasefire_agreed_day",
    "ceasefire_in_effect_day", "ceasefire_in_effect_days", "ceasefire_collapse_day", "jic_in_force",
    "us_threat_day", "channel_suspended", "channel_suspend_day", "rus_refusals", "rus_strikes_total",
    "gov_strikes_total", "localities_captured", "supply_route_cut", "supply_cut_day", "opp_territory_share",
    "civilian_harm", "horizon_days",
), "outcome_row writes the world's outcomes in this order"  # fmt: skip


class RecordTables(NamedTuple):
    """Where an event counts, for one scenario's actors.

    Attributes:
        count_column: [source, target, code] -> its count column (-1: none).
        dyad_column: [source, target] -> its Goldstein column (-1: none).
        goldstein: code id -> its Goldstein score.
    """

    count_column: np.ndarray
    dyad_column: np.ndarray
    goldstein: np.ndarray


def record_tables(actors: tuple[str, ...]) -> RecordTables:
    """The column maps of the record for a run with these actors (added ones count as OTHER)."""
    counts = {key: _FIRST_COUNT + i for i, key in enumerate(count_columns())}
    pairs = {key: _FIRST_DYAD + i for i, key in enumerate(dyads())}
    n = len(actors)
    count_column = np.full((n, n, len(CODES)), -1, dtype=np.int64)
    dyad_column = np.full((n, n), -1, dtype=np.int64)
    for i, source in enumerate(actors):
        for j, target in enumerate(actors):
            src, tgt = event_actor(source), event_actor(target)
            dyad_column[i, j] = pairs.get((src, tgt), -1)
            for k, code in enumerate(CODES):
                count_column[i, j, k] = counts.get((src, tgt, cameo(code).root), -1)
    goldstein = np.array([cameo(code).goldstein for code in CODES], dtype=np.float64)
    return RecordTables(count_column, dyad_column, goldstein)


@jit
def _day(value) -> float:
    return np.nan if value == NONE else float(value)


@jit
def outcome_row(st, initial_control, horizon, days_run, count_column, dyad_column, goldstein, out):
    """The outcome record of a run after `days_run` days into `out` (len(COLUMNS) floats)."""
    I, F, LOC, HIST, EVENTS, MILESTONES = st[0], st[1], st[2], st[3], st[5], st[10]
    out[:] = 0.0
    out[0] = I[S.talks_open_day] != NONE
    out[1] = I[S.talks_pause_day] != NONE
    out[2] = _day(I[S.talks_pause_day])
    out[3] = I[S.talks_resumed]
    out[4] = I[S.days_in_session]
    out[5] = I[S.talks] == T.COLLAPSED
    out[6] = I[S.agreement_day] != NONE
    out[7] = _day(I[S.first_ultimatum_day])
    out[8] = _day(I[S.first_walkout_day])
    out[9] = I[S.ceasefire_agreed_day] != NONE
    out[10] = _day(I[S.ceasefire_agreed_day])
    in_effect = I[S.ceasefire_effect_day]
    for k in range(I[S.n_milestones]):
        if MILESTONES[k, 1] == M.ceasefire_in_effect:
            in_effect = MILESTONES[k, 0]
            break
    out[11] = _day(in_effect)
    out[12] = I[S.ceasefire_effect_days]
    out[13] = _day(I[S.ceasefire_collapse_day])
    out[14] = I[S.jic_day] != NONE
    out[15] = _day(I[S.us_threat_day])
    out[16] = I[S.channel_suspend_day] != NONE
    out[17] = _day(I[S.channel_suspend_day])
    out[18] = I[S.rus_refusals]
    rus = 0
    gov = 0
    for d in range(days_run):
        rus += HIST[0, d]
        gov += HIST[1, d]
    out[19], out[20] = rus, gov
    control = LOC[L.control]
    captured = 0
    opp = 0
    for i in range(control.shape[0]):
        if control[i] == 0 and initial_control[i] != 0:
            captured += 1
        if control[i] == 1:
            opp += 1
    out[21] = captured
    out[22] = I[S.supply_open] == 0
    out[23] = _day(I[S.supply_cut_day])
    out[24] = opp / control.shape[0]
    out[25] = F[SF.civilian_harm]
    out[26] = horizon
    n_dyads = out.shape[0]
    sums = np.zeros(n_dyads)
    seen = np.zeros(n_dyads, dtype=np.int64)
    for k in range(I[S.n_events]):
        source, target, code = EVENTS[k, EV.source], EVENTS[k, EV.target], EVENTS[k, EV.code]
        column = count_column[source, target, code]
        if column >= 0:
            out[column] += 1.0
        dyad = dyad_column[source, target]
        if dyad >= 0:
            sums[dyad] += goldstein[code]
            seen[dyad] += 1
    for column in range(_FIRST_DYAD, n_dyads):
        out[column] = sums[column] / seen[column] if seen[column] else np.nan


def record_dict(row: np.ndarray) -> dict:
    """An outcome row as the record dict, with the record's types (`outcome_types`)."""
    types = outcome_types()
    out = {}
    for name, value in zip(COLUMNS, row.tolist()):
        kind = types[name]
        if kind is bool:
            out[name] = bool(value)
        elif kind is int:
            out[name] = int(value)
        else:
            out[name] = value if not math.isnan(value) else math.nan
    return out


