"""The event schema shared by observed (extracted) and simulated events.

This module owns the columns of the event table and the CAMEO lookup (root code, quad class,
Goldstein score). Everything that reads or writes events imports it, so that the table the
extractor writes and the table a simulation emits are the same table.

The CAMEO lookup is `sim/data/cameo_codes.tsv`: CAMEO 1.1b3 codes with labels, merged from
GDELT's public lookup tables `CAMEO.eventcodes.txt` and `CAMEO.goldsteinscale.txt` (the
Goldstein scale as GDELT publishes it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

import pandas as pd

from sim.atomic import atomic_path

#: Columns of the event table, in order (see DESIGN.md, "Event table").
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "story_id",
    "sentence_no",
    "event_date",
    "pub_date",
    "source",
    "target",
    "source_text",
    "target_text",
    "cameo_code",
    "cameo_root",
    "quad_class",
    "goldstein",
    "plover",
    "trigger",
    "date_text",
    "date_precision",
    "coder",
)

#: The columns that are numbers; every other column is text, even when it looks like a number
#: ('042' is not 42).
NUMBER_COLUMNS: dict[str, type] = {"sentence_no": int, "quad_class": int, "goldstein": float}
#: Each column's type.
EVENT_TYPES: dict[str, type] = {c: NUMBER_COLUMNS.get(c, str) for c in EVENT_COLUMNS}
#: Columns whose values are text even when they look like numbers.
TEXT_COLUMNS: tuple[str, ...] = tuple(c for c in EVENT_COLUMNS if EVENT_TYPES[c] is str)
#: A simulated event as a study stores it, with its type: the day of the run it happened on,
#: then the columns of the event schema a simulation fills (no article, sentence, publication
#: date, PLOVER type or date text). `coder` is `<mechanism>@<scenario>`.
SIMULATED_EVENT_COLUMNS: dict[str, type] = {
    "day": int,
    **{c: EVENT_TYPES[c] for c in ("event_date", "source", "target", "source_text", "target_text", "cameo_code",
                                   "cameo_root", "quad_class", "goldstein", "trigger", "coder")},
}  # fmt: skip

#: The story id of simulated events.
SIMULATED_STORY = "sim"


class Actor(str, Enum):
    """Actor codes of the event table; the first five are the model's agents."""

    ENVOY = "ENVOY"
    GOV = "GOV"
    OPP = "OPP"
    RUS = "RUS"
    USA = "USA"
    OTHER = "OTHER"


#: The five actors the model simulates, in a fixed order (used for dyad names).
MODEL_ACTORS: tuple[str, ...] = ("ENVOY", "GOV", "OPP", "RUS", "USA")
ACTOR_CODES: tuple[str, ...] = tuple(a.value for a in Actor)
#: The event-table code of any actor beyond the five (e.g. a backer a scenario adds).
OTHER = Actor.OTHER.value
#: In a rule's declared emissions: any backer of a party, the US or an added actor.
BACKER = "BACKER"
#: What BACKER stands for in the event table.
BACKER_CODES: tuple[str, ...] = ("USA", OTHER)

_MODEL_ACTOR_SET = frozenset(MODEL_ACTORS)


def event_actor(code: str) -> str:
    """An actor code as the event table writes it: one of the five, else OTHER."""
    return code if code in _MODEL_ACTOR_SET else OTHER


def expand_backer(source: str, target: str, cameo_code: str) -> tuple[tuple[str, str, str], ...]:
    """A declared (source, target, code) with BACKER spelt out as each code it stands for."""
    sources = BACKER_CODES if source == BACKER else (source,)
    targets = BACKER_CODES if target == BACKER else (target,)
    return tuple((s, t, cameo_code) for s in sources for t in targets)


class QuadClass(int, Enum):
    """CAMEO quad classes."""

    VERBAL_COOPERATION = 1
    MATERIAL_COOPERATION = 2
    VERBAL_CONFLICT = 3
    MATERIAL_CONFLICT = 4


# PLOVER event types by CAMEO root (the PLOVER specification's CAMEO crosswalk, coarsened to
# the root: codes whose PLOVER type depends on the sub-code take the root's usual type). PLOVER
# has no type for CAMEO's neutral public statements (01): they are marked STATEMENT.
PLOVER_BY_ROOT: dict[str, str] = {
    "01": "STATEMENT", "02": "REQUEST", "03": "AGREE", "04": "CONSULT", "05": "SUPPORT",
    "06": "COOPERATE", "07": "AID", "08": "CONCEDE", "09": "INVESTIGATE", "10": "DEMAND",
    "11": "ACCUSE", "12": "REJECT", "13": "THREATEN", "14": "PROTEST", "15": "MOBILIZE",
    "16": "SANCTION", "17": "COERCE", "18": "ASSAULT", "19": "FIGHT", "20": "ASSAULT",
}  # fmt: skip


@dataclass(frozen=True)
class CameoCode:
    """One row of the CAMEO lookup.

    Attributes:
        code: the code as text, leading zeros kept ('042').
        root: the first two digits ('04').
        quad_class: 1 verbal cooperation .. 4 material conflict.
        goldstein: Goldstein score (-10 .. +10).
        label: short label.
    """

    code: str
    root: str
    quad_class: int
    goldstein: float
    label: str


class UnknownCameoCode(ValueError):
    """A CAMEO code that is not in the lookup table."""


@cache
def cameo_table() -> dict[str, CameoCode]:
    """The CAMEO lookup, code -> CameoCode (read once per process)."""
    text = resources.files("sim").joinpath("data/cameo_codes.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        r["cameo_code"]: CameoCode(
            code=r["cameo_code"],
            root=r["cameo_root"],
            quad_class=int(r["quad_class"]),
            goldstein=float(r["goldstein"]),
            label=r["label"],
        )
        for r in rows
    }


def cameo(code: str) -> CameoCode:
    """Look up one CAMEO code given as text.

    Args:
        code: the code with its leading zeros ('042', '0256', '195').

    Raises:
        UnknownCameoCode: the code is not a CAMEO 1.1b3 code (the message names it).
    """
    table = cameo_table()
    try:
        return table[code]
    except KeyError:
        raise UnknownCameoCode(
            f"unknown CAMEO code {code!r} (codes are text with leading zeros, e.g. '042', '195')"
        ) from None


def event_row(**fields) -> dict:
    """A complete event row: fills root, quad class, Goldstein and PLOVER from the code.

    Args:
        **fields: any of EVENT_COLUMNS; `cameo_code` is required. Unknown names are an error.

    Returns:
        A dict with every column of EVENT_COLUMNS (missing text fields are empty strings).
    """
    unknown = set(fields) - set(EVENT_COLUMNS)
    if unknown:
        raise KeyError(f"not event columns: {sorted(unknown)}; allowed: {list(EVENT_COLUMNS)}")
    info = cameo(str(fields["cameo_code"]))
    row = {c: "" for c in EVENT_COLUMNS}
    row.update(fields)
    row["cameo_code"] = info.code
    row["cameo_root"] = info.root
    row["quad_class"] = info.quad_class
    row["goldstein"] = info.goldstein
    if not row["plover"]:
        row["plover"] = PLOVER_BY_ROOT.get(info.root, "")
    return row


def events_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """An event table with the schema's columns and types (codes stay text).

    Args:
        rows: event dicts as made by `event_row` (or None for an empty table).
    """
    frame = pd.DataFrame(rows or [], columns=list(EVENT_COLUMNS))
    return coerce_event_types(frame)


def coerce_event_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Give an event table the schema's column types (in place-free: returns a new frame)."""
    frame = frame.copy()
    for col in TEXT_COLUMNS:
        frame[col] = frame[col].fillna("").astype(str)
    for col, kind in NUMBER_COLUMNS.items():  # integers nullable: an unparsed sentence number stays <NA>
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64" if kind is int else float)
    return frame


def read_events(path) -> pd.DataFrame:
    """Read an event table CSV, keeping codes as text.

    Raises:
        ValueError: a schema column is missing (the message names the file and the columns).
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not an event table, missing columns {missing}")
    return coerce_event_types(frame)


def write_events(frame: pd.DataFrame, path) -> None:
    """Write an event table CSV atomically, schema columns first (extra columns kept after)."""
    extra = [c for c in frame.columns if c not in EVENT_COLUMNS]
    with atomic_path(path) as tmp:
        frame[list(EVENT_COLUMNS) + extra].to_csv(tmp, index=False)
