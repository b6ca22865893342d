"""Reviewed corrections applied over the extracted event table.

A corrections file is a CSV with one row per correction:

    action,story_id,sentence_no,source,target,cameo_code,event_date,date_precision,source_text,target_text,trigger,reason

- ``drop`` removes the extracted rows matching every key given among story_id (required),
  sentence_no, source, target and cameo_code; it must match at least one row.
- ``add`` adds a row: story_id, sentence_no, source, target, cameo_code and event_date are
  required (date_precision defaults to 'day'); it must not duplicate an extracted row.
- ``reason`` is required for both: the reviewer's justification, kept in the `coder` column
  as ``correction:<file>:<line>``, so every row still says where it came from.

Any problem is a `UserError` naming the file, the line and what is allowed.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

from calibration.extraction.ingest import read_csv_text
from sim.errors import UserError
from sim.events import ACTOR_CODES, UnknownCameoCode, event_row, events_frame

COLUMNS = (
    "action", "story_id", "sentence_no", "source", "target", "cameo_code", "event_date",
    "date_precision", "source_text", "target_text", "trigger", "reason",
)  # fmt: skip
MATCH_KEYS = ("story_id", "sentence_no", "source", "target", "cameo_code")


def read_corrections(path) -> list[tuple[int, dict]]:
    p = Path(path)
    text = read_csv_text(p, "corrections file")
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in reader.fieldnames or []]
    for need in ("action", "story_id", "reason"):
        if need not in cols:
            raise UserError(f"{p}: lacks the column '{need}'; columns: {', '.join(COLUMNS)}")
    unknown = [c for c in cols if c not in COLUMNS]
    if unknown:
        raise UserError(f"{p}: unknown column '{unknown[0]}'; allowed: {', '.join(COLUMNS)}")
    return [(n, {k.strip(): (v or "").strip() for k, v in r.items() if k}) for n, r in enumerate(reader, start=2)]


def apply_corrections(frame: pd.DataFrame, path, pub_dates: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The event table with the corrections applied, and one summary line per correction."""
    p = Path(path)
    pub_dates = pub_dates or {}
    frame = frame.copy()
    adds, log = [], []
    for line, r in read_corrections(p):
        where = f"{p}: line {line}"
        action = r.get("action", "").lower()
        if action not in ("add", "drop"):
            raise UserError(f"{where}: action {r.get('action')!r} is not allowed; use 'add' or 'drop'")
        if not r.get("reason"):
            raise UserError(f"{where}: a {action} needs a reason")
        for key in ("source", "target"):
            if r.get(key) and r[key] not in ACTOR_CODES:
                raise UserError(f"{where}: {key} {r[key]!r} is not an actor code; allowed: {' '.join(ACTOR_CODES)}")
        if action == "drop":
            keys = {k: r[k] for k in MATCH_KEYS if r.get(k)}
            if "story_id" not in keys:
                raise UserError(f"{where}: a drop needs story_id (and any of sentence_no, source, target, cameo_code)")
            mask = pd.Series(True, index=frame.index)
            for k, v in keys.items():
                mask &= frame[k].astype(str) == v
            if not mask.any():
                raise UserError(f"{where}: drop matches no extracted row ({', '.join(f'{k}={v}' for k, v in keys.items())})")
            log.append(f"dropped {int(mask.sum())} row(s) at {where}: {r['reason']}")
            frame = frame[~mask]
            continue
        missing = [k for k in ("story_id", "sentence_no", "source", "target", "cameo_code", "event_date") if not r.get(k)]
        if missing:
            raise UserError(f"{where}: an add needs {', '.join(missing)}")
        try:
            dt.date.fromisoformat(r["event_date"])
            sentence_no = int(r["sentence_no"])
        except ValueError:
            raise UserError(f"{where}: event_date must be YYYY-MM-DD and sentence_no an integer") from None
        precision = r.get("date_precision") or "day"
        if precision not in ("day", "approx"):
            raise UserError(f"{where}: date_precision {precision!r} is not allowed; use 'day' or 'approx'")
        dup = (
            (frame["story_id"] == r["story_id"]) & (frame["sentence_no"].astype(str) == str(sentence_no))
            & (frame["source"] == r["source"]) & (frame["target"] == r["target"]) & (frame["cameo_code"] == r["cameo_code"])
        )
        if dup.any():
            raise UserError(f"{where}: add duplicates an extracted row; nothing to add")
        try:
            row = event_row(
                event_id=f"{r['story_id']}:{sentence_no}:c{line}",
                story_id=r["story_id"], sentence_no=sentence_no, event_date=r["event_date"],
                pub_date=pub_dates.get(r["story_id"], ""), source=r["source"], target=r["target"],
                source_text=r.get("source_text", ""), target_text=r.get("target_text", ""),
                cameo_code=r["cameo_code"], trigger=r.get("trigger", ""), date_text="",
                date_precision=precision, coder=f"correction:{p.name}:{line}",
            )  # fmt: skip
        except UnknownCameoCode:
            raise UserError(f"{where}: cameo_code {r['cameo_code']!r} is not a CAMEO code (text with leading zeros, e.g. '042')") from None
        adds.append(row)
        log.append(f"added {r['source']}->{r['target']} {r['cameo_code']} at {where}: {r['reason']}")
    if adds:
        frame = pd.concat([frame, events_frame(adds)], ignore_index=True)
        frame = frame.sort_values(["story_id", "sentence_no"], kind="stable").reset_index(drop=True)
    return frame, log
