"""The calibration's observed record: one event table composed from declared sources.

    from calibration.record import compose_record, read_measurements, record_hash
    record = compose_record()              # the sources declared in calibration/data/sources.toml
    record.events                          # the event schema (sim.events) + record_source, provenance, milestone
    record.rows_per_source, record.merged, record.sha256
    record_hash()                          # the hash of the record's inputs (also in every study manifest)

The sources file (`sim.paths.RECORD_SOURCES`) lists event files, each with a name and a format:
`events` (the project's event schema: the events extracted from the articles), `chronology`
(the hand-coded chronology of ../shared/chronology) or `icews` (any other layout, with its
columns and actor names mapped to the project's in the entry), and the measurements file.

Every row becomes one row of the event schema, with `record_source` (the source's name),
`provenance` (articles: story id and sentence; chronology: file, line and its `sources` text;
icews: file, line, story and sentence), `milestone` (the chronology's episode state change,
empty otherwise) and `date_precision` ('day' or 'approx'). An OTHER actor's name (the
chronology's `other_name`) goes where the schema names actors: `source_text`/`target_text`.

Cross-source duplicates. The same act (CAMEO code) by the same dyad (source, target) in two
sources is one event when the dates are at most `DAY_TOLERANCE` (1) day apart, or, when either
date is approximate, at most `APPROX_TOLERANCE` (7) days apart. Seven days because an
approximate date is mostly an article's publication date standing in for an undated act
("on Wednesday", "this week") or a chronology's "end of October": the act lies within the week
before; a wider window would join distinct acts of the same kind (the strikes, the offensives of
a month), a narrower one would miss the articles' reports of the chronology's acts. Pairs are
matched closest first (precise pairs before approximate ones at equal distance); an event takes
at most one row of each source, and rows of one source are never merged with each other (the
chronology has one row per direction of a joint act on purpose). A merged event keeps the
fields of its row from the source listed first, the earliest precise date (the earliest date
when none is precise), the first milestone, and the union of the provenances in source order
("chronology: geneva_2016_02.csv line 9 (...); articles: 000_8409ae2a58630124 s0").
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.events import (
    ACTOR_CODES,
    EVENT_COLUMNS,
    OTHER,
    UnknownCameoCode,
    cameo,
    cameo_table,
    event_row,
    events_frame,
)
from sim.paths import PROJECT_ROOT, display_path
from sim.results.provenance import declared_paths, read_record_sources, record_sha256

#: Dates at most this many days apart are one act (both dates precise).
DAY_TOLERANCE = 1
#: ... and at most this many when either date is approximate (see the module's docstring).
APPROX_TOLERANCE = 7
#: The record's columns beyond the event schema.
RECORD_COLUMNS: tuple[str, ...] = ("record_source", "provenance", "milestone")
#: How precisely a date is known.
PRECISIONS = ("day", "approx")
#: The formats of a source's files.
FORMATS = ("events", "chronology", "icews")
#: What an ICEWS-style source does with an actor name it does not map.
UNMAPPED = ("error", "other", "drop")
#: Keys of a [[source]] entry, common to all formats and by format.
COMMON_KEYS = ("name", "format", "path", "paths", "root")
FORMAT_KEYS = {
    "events": (),
    "chronology": (),
    "icews": ("columns", "actors", "delimiter", "date_precision", "unmapped"),
}
#: Columns of a chronology file (../shared/chronology/README.md).
CHRONOLOGY_COLUMNS = ("event_date", "date_precision", "source", "target", "other_name", "cameo_code",
                      "milestone", "action", "description", "sources")  # fmt: skip
#: The chronology's milestones (its README).
MILESTONES = (
    "talks_open", "talks_pause", "talks_postponed", "talks_scheduled", "talks_resume", "round_ends",
    "opp_absent", "opp_attends", "ceasefire_agreed", "ceasefire_terms", "ceasefire_accepted",
    "ceasefire_endorsed", "ceasefire_in_effect", "ceasefire_collapse", "humanitarian_pause",
    "strikes_escalate", "strikes_reduce", "rus_refuses_halt", "rus_drawdown", "supply_route_cut",
    "capture", "offensive_start", "opp_offensive", "us_threat", "channel_suspend",
)  # fmt: skip
#: Event-schema columns an ICEWS-style source may map (the first four it must), plus milestone.
ICEWS_REQUIRED = ("event_date", "source_text", "target_text", "cameo_code")
ICEWS_COLUMNS = ICEWS_REQUIRED + ("event_id", "story_id", "sentence_no", "pub_date", "trigger", "date_text",
                                  "date_precision", "milestone")  # fmt: skip
#: Columns an `events` source must have: the schema's, but those derived from the code.
DERIVED = ("cameo_root", "quad_class", "goldstein")

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, eq=False)
class Source:
    """One declared source.

    Attributes:
        name: its name (the record's `record_source`).
        format: 'events', 'chronology' or 'icews'.
        paths: its files.
        options: the format's other keys (icews: columns, actors, delimiter, date_precision, unmapped).
        key: where it is declared (`source[2]`), for messages.
    """

    name: str
    format: str
    paths: tuple[Path, ...]
    options: dict = field(default_factory=dict)
    key: str = ""


@dataclass
class ObservedRecord:
    """The composed observed record.

    Attributes:
        events: one row per act: the event schema, then `record_source`, `provenance`, `milestone`;
            in date order.
        sha256: SHA-256 of the table's canonical CSV (sorted rows, fixed columns, '\\n' lines).
        rows_per_source: rows each source gave (before merging), in declaration order.
        merged: rows merged into an event of another source (input rows minus events).
        sources: the declared sources.
        sources_file: the file that declared them.
    """

    events: pd.DataFrame
    sha256: str
    rows_per_source: dict[str, int]
    merged: int
    sources: list[Source]
    sources_file: Path


# ---------------------------------------------------------------- the sources file


def load_sources(sources_file: str | Path | None = None) -> tuple[Path, list[Source]]:
    """The sources the sources file declares, checked.

    Raises:
        UserError: a bad entry (one line naming the file, the key and what is allowed).
    """
    path, tables = read_record_sources(sources_file)
    where = display_path(path)
    unknown = sorted(set(tables) - {"source", "measurements"})
    if unknown:
        raise UserError(f"{where}: unknown table {unknown[0]!r}; allowed: [[source]], [measurements]")
    entries = tables.get("source")
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{where}: source: no [[source]] entries; declare at least one event file")
    sources, names = [], set()
    for i, entry in enumerate(entries, start=1):
        key = f"source[{i}]"
        if not isinstance(entry, dict):
            raise UserError(f"{where}: {key}: expected a table ([[source]])")
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise UserError(f"{where}: {key}.name: expected a name of letters, digits, '_' or '-', got {name!r}")
        if name in names:
            raise UserError(f"{where}: {key}.name: {name!r} is declared twice; names must be unique")
        names.add(name)
        fmt = entry.get("format")
        if fmt not in FORMATS:
            raise UserError(f"{where}: {key}.format: unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
        allowed = COMMON_KEYS + FORMAT_KEYS[fmt]
        extra = sorted(set(entry) - set(allowed))
        if extra:
            raise UserError(f"{where}: {key}.{extra[0]}: unknown key for format {fmt!r}; allowed: {', '.join(allowed)}")
        paths = tuple(declared_paths(entry, key, path))
        options = {k: entry[k] for k in FORMAT_KEYS[fmt] if k in entry}
        if fmt == "icews":
            options = _icews_options(options, f"{where}: {key}")
        sources.append(Source(name, fmt, paths, options, key))
    return path, sources


def _icews_options(options: dict, where: str) -> dict:
    """An ICEWS-style entry's mapping, checked (and its defaults filled in)."""
    columns = options.get("columns")
    if not isinstance(columns, dict):
        raise UserError(f"{where}.columns: missing [source.columns] (event-schema column = the file's column; "
                        f"required: {', '.join(ICEWS_REQUIRED)})")
    for col, given in columns.items():
        if col not in ICEWS_COLUMNS:
            raise UserError(f"{where}.columns.{col}: not a mappable column; allowed: {', '.join(ICEWS_COLUMNS)}")
        if not isinstance(given, str) or not given:
            raise UserError(f"{where}.columns.{col}: expected the file's column name as text")
    missing = [c for c in ICEWS_REQUIRED if c not in columns]
    if missing:
        raise UserError(f"{where}.columns.{missing[0]}: required (required: {', '.join(ICEWS_REQUIRED)})")
    actors = options.get("actors", {})
    if not isinstance(actors, dict):
        raise UserError(f"{where}.actors: expected a table of name = actor code")
    for name, code in actors.items():
        if code not in ACTOR_CODES:
            raise UserError(f"{where}.actors.{name!r}: unknown actor code {code!r}; allowed: {', '.join(ACTOR_CODES)}")
    unmapped = options.get("unmapped", "error")
    if unmapped not in UNMAPPED:
        raise UserError(f"{where}.unmapped: {unmapped!r}; allowed: {', '.join(UNMAPPED)}")
    precision = options.get("date_precision", "day")
    if precision not in PRECISIONS:
        raise UserError(f"{where}.date_precision: {precision!r}; allowed: {', '.join(PRECISIONS)}")
    delimiter = options.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise UserError(f"{where}.delimiter: expected one character, got {delimiter!r}")
    return {"columns": columns, "actors": actors, "unmapped": unmapped, "date_precision": precision,
            "delimiter": delimiter}  # fmt: skip


# ---------------------------------------------------------------- reading event files


def _read_rows(path: Path, required=(), what: str = "", delimiter: str = ",") -> tuple[list[str], list[tuple[int, dict]]]:
    """A CSV file's header and its rows, each with the line it starts on.

    Args:
        required: columns the header must have (`what` needs them, for the message).
    """
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if not header:
                raise UserError(f"{display_path(path)}: empty file (expected a header line)")
            header = [h.strip() for h in header]
            _require_columns(path, header, required, what)
            rows = []
            while True:
                line = reader.line_num + 1
                values = next(reader, None)
                if values is None:
                    break
                if not values or all(not v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    raise UserError(f"{display_path(path)} line {line}: {len(values)} fields, the header has {len(header)}")
                rows.append((line, dict(zip(header, (v.strip() for v in values), strict=True))))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise UserError(f"{display_path(path)}: unreadable event file ({getattr(err, 'strerror', None) or err})") from None
    return header, rows


def _require_columns(path: Path, header: list[str], required, what: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise UserError(f"{display_path(path)}: missing column {missing[0]!r} ({what} needs: {', '.join(required)})")


def _date(path: Path, line: int, column: str, text: str) -> str:
    try:
        if not _DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UserError(f"{display_path(path)} line {line}: {column}: bad date {text!r} (expected YYYY-MM-DD)") from None


def _actor(path: Path, line: int, column: str, code: str) -> str:
    if code not in ACTOR_CODES:
        raise UserError(f"{display_path(path)} line {line}: {column}: unknown actor code {code!r}; "
                        f"allowed: {', '.join(ACTOR_CODES)}")  # fmt: skip
    return code


def _code(path: Path, line: int, column: str, code: str, pad: bool = False) -> str:
    if pad and code not in cameo_table() and code.isdigit() and len(code) < 4:
        code = "0" + code  # an ICEWS-style file that lost the leading zero ('42' for '042')
    try:
        return cameo(code).code
    except UnknownCameoCode as err:
        raise UserError(f"{display_path(path)} line {line}: {column}: {err}") from None


def _precision(path: Path, line: int, column: str, text: str) -> str:
    if text not in PRECISIONS:
        raise UserError(f"{display_path(path)} line {line}: {column}: {text!r}; allowed: {', '.join(PRECISIONS)}")
    return text


def _milestone(path: Path, line: int, column: str, text: str) -> str:
    if text and text not in MILESTONES:
        raise UserError(f"{display_path(path)} line {line}: {column}: unknown milestone {text!r}; "
                        f"allowed: empty or {', '.join(MILESTONES)}")  # fmt: skip
    return text


def _record_row(origin: Source, provenance: str, milestone: str = "", /, **fields) -> dict:
    """A record row: the event schema's (from `fields`) and the record's columns."""
    row = event_row(**fields)
    row.update(record_source=origin.name, provenance=provenance, milestone=milestone)
    return row


def _article_provenance(row: dict) -> str:
    """'<story> s<sentence>' of each report: the extractor's provenance column, else the row's own."""
    reports = []
    for part in filter(None, row.get("provenance", "").split(";")):
        story, _, rest = part.strip().partition(":")
        sentence = rest.partition(":")[0]
        report = f"{story} s{sentence}" if sentence.isdigit() else part.strip()
        if report not in reports:  # two rules on one sentence: one report
            reports.append(report)
    if not reports and row.get("story_id"):
        reports = [f"{row['story_id']} s{row['sentence_no']}" if row.get("sentence_no") else row["story_id"]]
    return ", ".join(reports)


def _read_events_format(source: Source, path: Path) -> list[dict]:
    required = [c for c in EVENT_COLUMNS if c not in DERIVED]
    _, rows = _read_rows(path, required, "an event table (sim.events)")
    out = []
    for line, r in rows:
        fields = {c: r[c] for c in required}
        fields["event_date"] = _date(path, line, "event_date", r["event_date"])
        fields["source"] = _actor(path, line, "source", r["source"])
        fields["target"] = _actor(path, line, "target", r["target"])
        fields["cameo_code"] = _code(path, line, "cameo_code", r["cameo_code"])
        fields["date_precision"] = _precision(path, line, "date_precision", r["date_precision"])
        if fields["sentence_no"] and not fields["sentence_no"].isdigit():
            raise UserError(f"{display_path(path)} line {line}: sentence_no: {fields['sentence_no']!r} is not a number")
        where = _article_provenance(r) or f"{path.name} line {line}"
        milestone = _milestone(path, line, "milestone", r.get("milestone", ""))
        out.append(_record_row(source, f"{source.name}: {where}", milestone, **fields))
    return out


def _read_chronology(source: Source, path: Path) -> list[dict]:
    _, rows = _read_rows(path, CHRONOLOGY_COLUMNS, "a chronology file")
    out = []
    for line, r in rows:
        src = _actor(path, line, "source", r["source"])
        tgt = _actor(path, line, "target", r["target"])
        names = r["other_name"]
        src_text = tgt_text = ""
        if src == OTHER and tgt == OTHER and "->" in names:  # 'unattributed attacker -> UN/SARC convoy'
            src_text, tgt_text = (n.strip() for n in names.split("->", 1))
        else:
            src_text = names if src == OTHER else ""
            tgt_text = names if tgt == OTHER else ""
        out.append(_record_row(
            source,
            f"{source.name}: {path.name} line {line} ({r['sources']})",
            _milestone(path, line, "milestone", r["milestone"]),
            event_id=f"{path.stem}:{line}", story_id=path.stem,
            event_date=_date(path, line, "event_date", r["event_date"]),
            source=src, target=tgt, source_text=src_text, target_text=tgt_text,
            cameo_code=_code(path, line, "cameo_code", r["cameo_code"]),
            trigger=r["action"], date_precision=_precision(path, line, "date_precision", r["date_precision"]),
            coder="chronology@hand",
        ))  # fmt: skip
    return out


def _read_icews(source: Source, path: Path) -> list[dict]:
    opts = source.options
    columns, actors = opts["columns"], opts["actors"]
    _, rows = _read_rows(path, list(columns.values()), f"{source.key}.columns", opts["delimiter"])
    out = []
    for line, r in rows:
        got = {k: r[c] for k, c in columns.items()}
        codes = []
        for col in ("source_text", "target_text"):
            name = got[col]
            code = actors.get(name)
            if code is None and opts["unmapped"] == "error":
                raise UserError(f"{display_path(path)} line {line}: {columns[col]}: {name!r} has no actor code in "
                                f"{source.key}.actors; add it (allowed codes: {', '.join(ACTOR_CODES)}) or set "
                                f"unmapped = 'other' or 'drop'")  # fmt: skip
            codes.append(code if code is not None else (OTHER if opts["unmapped"] == "other" else None))
        if None in codes:
            continue  # unmapped = 'drop'
        sentence = got.get("sentence_no", "")
        if sentence and not sentence.isdigit():
            raise UserError(f"{display_path(path)} line {line}: {columns['sentence_no']}: {sentence!r} is not a number")
        story = got.get("story_id", "")
        where = f"{path.name} line {line}" + (f" (story {story}" + (f" s{sentence}" if sentence else "") + ")" if story else "")
        out.append(_record_row(
            source, f"{source.name}: {where}",
            _milestone(path, line, columns.get("milestone", "milestone"), got.get("milestone", "")),
            event_id=f"{source.name}:{got['event_id']}" if got.get("event_id") else f"{source.name}:{line}",
            story_id=story, sentence_no=sentence,
            event_date=_date(path, line, columns["event_date"], got["event_date"]),
            pub_date=_date(path, line, columns["pub_date"], got["pub_date"]) if got.get("pub_date") else "",
            source=codes[0], target=codes[1], source_text=got["source_text"], target_text=got["target_text"],
            cameo_code=_code(path, line, columns["cameo_code"], got["cameo_code"], pad=True),
            trigger=got.get("trigger", ""), date_text=got.get("date_text", ""),
            date_precision=_precision(path, line, columns.get("date_precision", "date_precision"),
                                      got.get("date_precision") or opts["date_precision"]),
            coder=f"icews@{source.name}",
        ))  # fmt: skip
    return out


_READERS = {"events": _read_events_format, "chronology": _read_chronology, "icews": _read_icews}


def read_source(source: Source) -> list[dict]:
    """The rows of one source's files, as record rows (event schema + record columns).

    Raises:
        UserError: an unreadable or ill-formed file (missing column, unknown actor code or
            CAMEO code, bad date), naming the file and line.
    """
    return [row for path in source.paths for row in _READERS[source.format](source, path)]


# ---------------------------------------------------------------- composing


def _merge_group(members: list[dict]) -> dict:
    """One event of several sources' rows (members in source order)."""
    row = dict(members[0])
    for col in ("source_text", "target_text", "trigger", "date_text", "pub_date", "story_id"):
        if not row[col]:
            row[col] = next((m[col] for m in members if m[col]), "")
    precise = [m["event_date"] for m in members if m["date_precision"] == "day"]
    row["event_date"] = min(precise) if precise else min(m["event_date"] for m in members)
    row["date_precision"] = "day" if precise else "approx"
    row["milestone"] = next((m["milestone"] for m in members if m["milestone"]), "")
    row["provenance"] = "; ".join(m["provenance"] for m in members)
    row["record_source"] = "+".join(m["record_source"] for m in members)
    return row


def _date_of(members: list[dict]) -> tuple[dt.date, bool]:
    """A group's current date and whether it is approximate (as the merged row would have it)."""
    merged = _merge_group(members) if len(members) > 1 else members[0]
    return dt.date.fromisoformat(merged["event_date"]), merged["date_precision"] == "approx"


def merge_sources(rows_by_source: dict[str, list[dict]]) -> tuple[list[dict], int]:
    """Cross-source de-duplication of record rows (see the module docstring).

    Args:
        rows_by_source: each source's rows, in the sources' order of priority.

    Returns:
        The events (merged rows) and the number of rows merged into another source's event.
    """
    groups: list[list[dict]] = []
    merged = 0
    for rows in rows_by_source.values():
        by_act: dict[tuple, list[int]] = {}
        for g, members in enumerate(groups):
            first = members[0]
            by_act.setdefault((first["cameo_code"], first["source"], first["target"]), []).append(g)
        dates = {g: _date_of(members) for g, members in enumerate(groups)}
        pairs = []
        for j, row in enumerate(rows):
            date, approx = dt.date.fromisoformat(row["event_date"]), row["date_precision"] == "approx"
            for g in by_act.get((row["cameo_code"], row["source"], row["target"]), ()):
                g_date, g_approx = dates[g]
                loose = approx or g_approx
                gap = abs((date - g_date).days)
                if gap <= (APPROX_TOLERANCE if loose else DAY_TOLERANCE):
                    pairs.append((gap, loose, g_date, g, j))
        taken_groups, taken_rows = set(), set()
        for _, _, _, g, j in sorted(pairs):
            if g in taken_groups or j in taken_rows:
                continue
            taken_groups.add(g)
            taken_rows.add(j)
            groups[g].append(rows[j])
            merged += 1
        groups += [[row] for j, row in enumerate(rows) if j not in taken_rows]
    return [_merge_group(m) if len(m) > 1 else m[0] for m in groups], merged


def canonical_csv(events: pd.DataFrame) -> str:
    """The record's canonical serialisation: its columns in order, rows as sorted, '\\n' lines."""
    return events.to_csv(index=False, lineterminator="\n")


def compose_record(sources_file: str | Path | None = None) -> ObservedRecord:
    """Compose the observed record from the declared sources.

    Args:
        sources_file: the sources file (default `calibration/data/sources.toml`).

    Raises:
        UserError: a bad sources entry or event file (one line naming the file, key or line).
    """
    path, sources = load_sources(sources_file)
    rows_by_source = {s.name: read_source(s) for s in sources}
    rows, merged = merge_sources(rows_by_source)
    columns = list(EVENT_COLUMNS) + list(RECORD_COLUMNS)
    frame = events_frame([{c: r[c] for c in EVENT_COLUMNS} for r in rows])
    for col in RECORD_COLUMNS:
        frame[col] = [r[col] for r in rows]
    frame = frame[columns].sort_values(["event_date", "source", "target", "cameo_code", "event_id"], kind="stable")
    frame = frame.reset_index(drop=True)
    return ObservedRecord(
        events=frame,
        sha256=hashlib.sha256(canonical_csv(frame).encode("utf-8")).hexdigest(),
        rows_per_source={name: len(r) for name, r in rows_by_source.items()},
        merged=merged,
        sources=sources,
        sources_file=path,
    )


def read_measurements(sources_file: str | Path | None = None) -> pd.DataFrame:
    """The measurements the sources file declares (../shared/chronology/measurements.csv), as
    they are, with `from_date` and `to_date` parsed as dates.

    Raises:
        UserError: no [measurements] declared, the file unreadable, or a bad date.
    """
    path, tables = read_record_sources(sources_file)
    if "measurements" not in tables:
        raise UserError(f"{display_path(path)}: measurements: no [measurements] table (path = 'FILE')")
    file = declared_paths(tables["measurements"], "measurements", path)[0]
    try:
        frame = pd.read_csv(file)
    except (OSError, ValueError) as err:
        raise UserError(f"{display_path(file)}: unreadable measurements ({err})") from None
    _require_columns(file, list(frame.columns), ("from_date", "to_date"), "a measurements file")
    for col in ("from_date", "to_date"):
        try:
            frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d")
        except (ValueError, TypeError) as err:
            raise UserError(f"{display_path(file)}: {col}: bad date ({err}; expected YYYY-MM-DD)") from None
    return frame


def record_hash(sources_file: str | Path | None = None) -> str:
    """The hash of the observed record, as every study manifest records it.

    SHA-256 over the sources file, every event file it declares and the measurements (their
    names and bytes): it changes when any of them changes. The composed table's own hash is
    `ObservedRecord.sha256`.
    """
    return record_sha256(sources_file)


# ---------------------------------------------------------------- an episode's timeline


def episode_window(episode: str, scenario_dir: str | Path | None = None) -> tuple[str, str]:
    """An episode's first and last day (ISO): its scenario's start date and `horizon_days` days.

    Raises:
        UserError: an unknown scenario (as `sim.scenarios.load_scenario` says).
    """
    from sim.scenarios import load_scenario  # the model's rules come with it: only for a window

    scenario = load_scenario(episode, **({"scenario_dir": scenario_dir} if scenario_dir else {}))
    last = scenario.start_date + dt.timedelta(days=scenario.horizon_days - 1)
    return scenario.start_date.isoformat(), last.isoformat()


def episode_events(record: ObservedRecord, episode: str, scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """The record's events in an episode's window, in date order."""
    first, last = episode_window(episode, scenario_dir)
    frame = record.events
    return frame[(frame["event_date"] >= first) & (frame["event_date"] <= last)].reset_index(drop=True)


def format_episode(record: ObservedRecord, episode: str, scenario_dir: str | Path | None = None) -> str:
    """An episode's observed timeline, one event per line with its provenance beneath."""
    first, last = episode_window(episode, scenario_dir)
    events = episode_events(record, episode, scenario_dir)
    counts = events["record_source"].value_counts()
    by_source = ", ".join(f"{n} {name}" for name, n in counts.items())
    title = (f"# {episode}: observed record {first} to {last}, {len(events)} events ({by_source}); "
             f"'~' marks an approximate date")  # fmt: skip
    return format_timeline(events, title)


def format_timeline(events: pd.DataFrame, title: str = "") -> str:
    """Two lines per event: date ('~' when approximate), dyad, code and label, milestone; then
    its provenance (each part led by its source's name)."""
    lines = [title] if title else []
    for r in events.itertuples(index=False):
        date = r.event_date + ("~" if r.date_precision == "approx" else " ")
        src = r.source + (f" ({r.source_text})" if r.source == OTHER and r.source_text else "")
        tgt = r.target + (f" ({r.target_text})" if r.target == OTHER and r.target_text else "")
        milestone = f" [{r.milestone}]" if r.milestone else ""
        lines.append(f"{date} {src} -> {tgt}  {r.cameo_code} {cameo(r.cameo_code).label}{milestone}")
        lines.append(f"    {r.provenance}")  # each part names its source
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """A path relative to the project when it lies in it or beside it (../shared/...)."""
    path = Path(path).resolve()
    if path.is_relative_to(PROJECT_ROOT.parent) and not path.is_relative_to(PROJECT_ROOT):
        return os.path.relpath(path, PROJECT_ROOT)
    return display_path(path)


def format_summary(record: ObservedRecord) -> str:
    """Rows per source, duplicates merged, events, and the hashes."""
    lines = [f"observed record from {_shown(record.sources_file)}:"]
    for source in record.sources:
        files = ", ".join(_shown(p) for p in source.paths)
        lines.append(f"  {source.name:12} {record.rows_per_source[source.name]:4} rows  ({source.format}: {files})")
    lines += [
        f"  {record.merged} rows merged as duplicates across sources -> {len(record.events)} events",
        f"  milestones: {int((record.events['milestone'] != '').sum())} events",
        f"record hash (sources, files, measurements): {record_hash(record.sources_file)}",
        f"composed table sha256: {record.sha256}",
    ]
    return "\n".join(lines)
