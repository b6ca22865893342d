"""A block of compiled replicates as the results store's tables, built column by column.

The kernel records codes (actor ids, code ids, rule ids, text ids with one argument); this
module turns a `sim.kernel.batch.Block` into the columns of the runs, events and daily parts,
the same values `DiplomacyModel` runs give (tests/test_kernel_engines.py). Strings are made
once per distinct value and taken by index, so a block of a thousand runs with its events
costs a few numpy and arrow passes over its event rows, not a Python loop per event: the rows
are read in cache-sized chunks, and the event texts (a strike report included) are found by
hashing each row's text columns in arrow.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
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
    if pa.types.is_string(dictionary.type):
        return dictionary.take(indices)
    return pa.array(dictionary.to_numpy()[indices])  # numbers: numpy's take is cheaper than arrow's


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


def _transposed(rows: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """(n, w) rows as (w, n) contiguous columns. An event row is 15 int64 wide, so reading one
    of its columns walks the whole array, and numpy's own transposed copy walks it once per
    column; copied a cache-sized chunk of rows at a time, the rows are read once and every
    later comparison or take is a sequential pass."""
    columns = np.empty(rows.shape[::-1], dtype=rows.dtype)
    for start in range(0, rows.shape[0], chunk):
        columns[:, start:start + chunk] = rows[start:start + chunk].T
    return columns


def _strike_texts(labels: Sequence[str], reports: np.ndarray) -> pa.Array:
    """Strike reports ('41 strikes, most on A (9), B (7), C (5)': the text of
    `sim.model.rules.base.StrikeReport`) of rows (total, top1, k1, top2, k2, top3, k3), joined
    in arrow."""
    label_array = pa.array(list(labels))
    join = pc.binary_join_element_wise
    empty = pa.scalar("")
    parts = [pa.array(reports[:, 0]).cast(pa.string()), pa.scalar(" strikes, most on ")]
    for j in range(3):  # the j-th most struck locality, when there is one: ", Label (k)"
        place, count = reports[:, 1 + 2 * j], reports[:, 2 + 2 * j]
        label = label_array.take(np.where(place < 0, 0, place))
        part = join(pa.scalar(", " if j else ""), label, pa.scalar(" ("), pa.array(count).cast(pa.string()),
                    pa.scalar(")"), empty)
        parts.append(pc.if_else(pa.array(place < 0), empty, part))
    return join(*parts, empty)


def _event_texts(scenario: Scenario, rows: np.ndarray) -> pa.Array:
    """Each event's text, made once per distinct text and taken by index.

    An event's text is given by its text id and argument (a locality, days, a set of
    enclaves), or for a strike report by its total and its three most struck localities
    with their strikes. Those columns are hashed in arrow, each row's as one binary value: a
    block of a thousand 365-day runs has some 700,000 strike reports but only about 20,000
    distinct ones, so nothing is made per event.
    """
    terrain = scenario_arrays(scenario).terrain
    labels = dict(zip(terrain.names, terrain.labels))
    # int32 (fewer bytes to copy and hash) holds every argument a text reads: the widest is a
    # set of enclaves, one bit each (`event_text`)
    keys = rows[:, _COL["text"]:].astype(np.int32 if len(terrain.names) < 31 else np.int64)
    keys[keys[:, 0] == STRIKE_TEXT, 1] = 0  # a strike's argument is its strike log row, not its text
    encoded = pc.dictionary_encode(pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(keys.shape[1] * keys.itemsize), len(keys), [None, pa.py_buffer(keys)]))
    distinct = encoded.dictionary
    values = np.frombuffer(distinct.buffers()[1], dtype=keys.dtype).reshape(-1, keys.shape[1])
    values = values[distinct.offset:distinct.offset + len(distinct)]
    enclaves = terrain.enclaves
    plain = [str(event_text(text, arg, terrain.names, labels, enclaves=enclaves)) if text != STRIKE_TEXT else ""
             for text, arg in values[:, :2].tolist()]
    texts = pa.array(plain, type=pa.string())
    is_strike = values[:, 0] == STRIKE_TEXT
    if is_strike.any():
        texts = pc.if_else(pa.array(is_strike), _strike_texts(terrain.labels, values[:, 2:]), texts)
    return texts.take(encoded.indices)


def event_columns(scenario: Scenario, block: Block, replicates: Sequence[int]) -> dict[str, object]:
    """The events part's columns (`sim.events.SIMULATED_EVENT_COLUMNS` after the run key)."""
    rows = block.events
    run, day, source, target, code, rule = _transposed(rows[:, :_COL["text"]])
    source, target, code = source.astype(np.int32), target.astype(np.int32), code.astype(np.int32)
    actors = list(scenario_arrays(scenario).actors)
    codes = [event_actor(a) for a in actors]
    info = [cameo(c) for c in CODES]
    source_text, target_text = _dictionary(source, actors), _dictionary(target, actors)
    return {
        "scenario": [scenario.name] * len(rows),
        "replicate": np.asarray(replicates, dtype=np.int64)[run],
        "day": day.copy(),  # not a view that would keep the other columns alive
        "event_date": _dates(scenario, day.astype(np.int32), int(day.max(initial=0)) + 1),
        # the same arrays when every actor is one of the five (their codes are their names)
        "source": source_text if codes == actors else _dictionary(source, codes),
        "target": target_text if codes == actors else _dictionary(target, codes),
        "source_text": source_text,
        "target_text": target_text,
        "cameo_code": _dictionary(code, CODES),
        "cameo_root": _dictionary(code, [c.root for c in info]),
        "quad_class": _dictionary(code, [int(c.quad_class) for c in info]),
        "goldstein": _dictionary(code, [c.goldstein for c in info]),
        "trigger": _event_texts(scenario, rows),
        "coder": _dictionary(rule.astype(np.int32), [f"{name}@{scenario.name}" for name in RULE_NAMES]),
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
