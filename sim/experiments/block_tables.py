"""A block of compiled replicates as the results store's tables, built column by column.

The kernel records codes (actor ids, code ids, rule ids, text ids with one argument); this
module turns a `sim.kernel.batch.Block` into the columns of the runs, events and daily parts,
the same values `DiplomacyModel` runs give (tests/test_kernel_engines.py). Strings are made
once per distinct value and taken by index (a dictionary array), so a block of a thousand
runs with its events costs a few numpy takes, not a Python loop per event.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.events import cameo, event_actor
from sim.kernel.batch import EVENT_COLUMNS, Block
from sim.kernel.layout import CODES, RULE_NAMES, text_id
from sim.kernel.record import COLUMNS
from sim.kernel.replicate import scenario_arrays
from sim.kernel.texts import event_text
from sim.model.model import DAILY_TYPES
from sim.model.outcomes import outcome_types
from sim.model.parameters import parameter_table
from sim.scenario_types import CeasefireState, Scenario, TalksState

STRIKE_TEXT = text_id("STRIKES")
_COL = {name: i for i, name in enumerate(EVENT_COLUMNS)}
#: The kernel's state ids -> the values the daily table stores.
_STATE_VALUES = {"talks": [s.value for s in TalksState], "ceasefire": [s.value for s in CeasefireState]}


def _dictionary(indices: np.ndarray, values: Sequence) -> pa.Array:
    """values[indices] as a plain arrow string or number array (built from the few distinct values)."""
    dictionary = pa.array(list(values))
    return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int32()), dictionary).cast(dictionary.type)


def _dates(scenario: Scenario, days: np.ndarray, horizon: int) -> pa.Array:
    """The ISO dates of `days` (all below `horizon`)."""
    return _dictionary(days, [scenario.date_of(d).isoformat() for d in range(horizon)])


def run_columns(scenario: Scenario, block: Block, replicates: Sequence[int], seeds: Sequence[int],
                draw_ids: Sequence[int]) -> dict[str, object]:
    """The runs part's columns: the run key, seed and draw, each parameter, each outcome."""
    n = block.outcomes.shape[0]
    columns: dict[str, object] = {
        "scenario": [scenario.name] * n,
        "episode": [scenario.episode] * n,
        "replicate": np.asarray(replicates, dtype=np.int64),
        "seed": np.asarray(seeds, dtype=np.int64),
        "draw_id": np.asarray(draw_ids, dtype=np.int64),
        "error": [None] * n,
    }
    for k, name in enumerate(parameter_table()):
        columns[f"param_{name}"] = block.parameters[:, k]
    index = {name: k for k, name in enumerate(COLUMNS)}
    for name, kind in outcome_types().items():
        values = block.outcomes[:, index[name]]
        if kind is bool:
            columns[name] = values != 0
        elif kind is int:
            columns[name] = values.astype(np.int64)
        else:
            columns[name] = values
    return columns


def _strike_texts(labels: Sequence[str], keys: np.ndarray) -> pa.Array:
    """Strike reports ('41 strikes, most on A (9), B (7), C (5)': the text of
    `sim.model.rules.base.StrikeReport`) of rows (text, arg, total, top1, k1, top2, k2, top3, k3),
    joined in arrow: nearly every report is distinct, so making them one by one in Python would
    cost more than running the block."""
    label_array = pa.array(list(labels))
    join = pc.binary_join_element_wise
    empty = pa.scalar("")
    parts = [pa.array(keys[:, 2]).cast(pa.string()), pa.scalar(" strikes, most on ")]
    for j in range(3):  # the j-th most struck locality, when there is one: ", Label (k)"
        place, count = keys[:, 3 + 2 * j], keys[:, 4 + 2 * j]
        missing = pa.array(place < 0)
        label = label_array.take(pa.array(np.where(place < 0, 0, place)))
        part = join(pa.scalar(", " if j else ""), label, pa.scalar(" ("), pa.array(count).cast(pa.string()),
                    pa.scalar(")"), empty)
        parts.append(pc.if_else(missing, empty, part))
    return join(*parts, empty)


def _event_texts(scenario: Scenario, rows: np.ndarray) -> pa.Array:
    """Each event's text: strike reports joined in arrow, the others made once per distinct
    (text, argument)."""
    terrain = scenario_arrays(scenario).terrain
    labels = dict(zip(terrain.names, terrain.labels))
    keys = rows[:, _COL["text"]:]
    is_strike = keys[:, 0] == STRIKE_TEXT
    others = np.where(is_strike, -1, keys[:, 0] * (1 << 40) + keys[:, 1])
    inverse, unique = pd.factorize(others)
    texts = [str(event_text(int(key >> 40), int(key & ((1 << 40) - 1)), terrain.names, labels)) if key >= 0 else ""
             for key in unique.tolist()]
    plain = _dictionary(inverse, texts)
    if not is_strike.any():
        return plain
    return pc.if_else(pa.array(is_strike), _strike_texts(terrain.labels, keys), plain)


def event_columns(scenario: Scenario, block: Block, replicates: Sequence[int]) -> dict[str, object]:
    """The events part's columns (`sim.events.SIMULATED_EVENT_COLUMNS` after the run key)."""
    rows = block.events
    actors = scenario_arrays(scenario).actors
    run, day = rows[:, _COL["run"]], rows[:, _COL["day"]]
    source, target = rows[:, _COL["source"]], rows[:, _COL["target"]]
    code, rule = rows[:, _COL["code"]], rows[:, _COL["rule"]]
    info = [cameo(c) for c in CODES]
    horizon = int(day.max()) + 1 if len(day) else 1
    return {
        "scenario": [scenario.name] * len(rows),
        "replicate": np.asarray(replicates, dtype=np.int64)[run],
        "day": day,
        "event_date": _dates(scenario, day, horizon),
        "source": _dictionary(source, [event_actor(a) for a in actors]),
        "target": _dictionary(target, [event_actor(a) for a in actors]),
        "source_text": _dictionary(source, actors),
        "target_text": _dictionary(target, actors),
        "cameo_code": _dictionary(code, CODES),
        "cameo_root": _dictionary(code, [c.root for c in info]),
        "quad_class": _dictionary(code, [int(c.quad_class) for c in info]),
        "goldstein": _dictionary(code, [c.goldstein for c in info]),
        "trigger": _event_texts(scenario, rows),
        "coder": _dictionary(rule, [f"{name}@{scenario.name}" for name in RULE_NAMES]),
    }


def daily_columns(scenario: Scenario, block: Block, replicates: Sequence[int]) -> dict[str, object]:
    """The daily part's columns (`DAILY_TYPES` after the run key)."""
    runs, horizon, _ = block.daily.shape
    flat = block.daily.reshape(runs * horizon, -1)
    day = flat[:, 0].astype(np.int64)
    columns: dict[str, object] = {
        "scenario": [scenario.name] * (runs * horizon),
        "replicate": np.repeat(np.asarray(replicates, dtype=np.int64), horizon),
    }
    for k, (name, kind) in enumerate(DAILY_TYPES.items()):
        values = flat[:, k]
        if name == "date":
            columns[name] = _dates(scenario, day, horizon)
        elif name in _STATE_VALUES:
            columns[name] = _dictionary(values.astype(np.int64), _STATE_VALUES[name])
        elif kind is bool:
            columns[name] = values != 0
        elif kind is float:
            columns[name] = values
        else:
            columns[name] = values.astype(np.int64)
    return columns
