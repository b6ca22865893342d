"""Articles -> the observed event table (`calibration/data/events.csv`).

    python run.py extract --articles DIR [--manifest FILE] [--out FILE] [--corrections FILE] [--date YYYY-MM-DD]

Pipeline: `ingest` (read the folder) -> `sentences` (split) -> `coder` (actors, verb patterns,
modality, dates, within-article duplicates) -> `corrections` (a reviewer's adds and drops) ->
`dedup` (cross-article episodes). Writes the event table (one row per article mention, with
`episode_key`) and beside it `<out stem>_dedup.csv` (one row per act with its provenance), both
atomically and only when everything succeeded.
"""

from __future__ import annotations

import errno

from pathlib import Path

import pandas as pd

from calibration.extraction.coder import code_article
from calibration.extraction.corrections import apply_corrections
from calibration.extraction.dedup import assign_episodes, deduplicated
from calibration.extraction.ingest import Corpus, load_corpus
from sim.atomic import atomic_path
from sim.errors import UserError
from sim.events import EVENT_COLUMNS, event_row, events_frame
from sim.paths import EXTRACT_DIR, EXTRACTED_EVENTS


def extract_events(corpus: Corpus) -> pd.DataFrame:
    """The event table of a corpus (no episode keys yet)."""
    rows = []
    for article in corpus.articles:
        rows.extend(event_row(**r) for r in code_article(article))
    return events_frame(rows)


def dedup_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}_dedup{out.suffix or '.csv'}")


def summary(frame: pd.DataFrame, dedup: pd.DataFrame, corpus: Corpus, out: Path, notes: list[str]) -> str:
    lines = [
        f"extracted {len(frame)} events from {len(corpus.articles)} articles "
        f"({len(dedup)} distinct acts after cross-article deduplication)",
        f"wrote {out} and {dedup_path(out)}",
    ]
    if len(frame):
        pairs = frame.assign(dyad=frame["source"] + "->" + frame["target"])
        table = pd.crosstab(pairs["dyad"], pairs["cameo_root"], margins=True, margins_name="total")
        lines += ["", "events by actor pair (rows) and CAMEO root code (columns):", table.to_string()]
    for w in corpus.warnings:
        lines.append(f"warning: {w}")
    lines += notes
    return "\n".join(lines)


def run_extract(articles, manifest=None, out=None, corrections=None, default_date=None) -> str:
    """Extract the event table of a folder of articles and write it; returns the summary.

    Args:
        articles: folder of articles (.txt, .html, front matter + HTML).
        manifest: CSV with columns file, published[, outlet, ...] (default: DIR/manifest.csv).
        out: the event table to write (default `results/extract/events.csv`; the committed
            calibration input, `calibration/data/events.csv`, only when named); the
            deduplicated table goes beside it as `<stem>_dedup.csv`.
        corrections: CSV of reviewed rows to add or drop, each with a reason.
        default_date: publication date for files that carry none.

    Raises:
        UserError: bad input (one line naming the file); nothing is written then.
    """
    out = Path(out) if out else EXTRACT_DIR / EXTRACTED_EVENTS.name
    corpus = load_corpus(articles, manifest=manifest, default_date=default_date)
    frame = extract_events(corpus)
    notes: list[str] = []
    if corrections:
        pubs = {a.story_id: a.pub_date.isoformat() for a in corpus.articles}
        frame, notes = apply_corrections(frame, corrections, pubs)
        notes = [f"correction: {n}" for n in notes]
    frame = assign_episodes(frame)
    dedup = deduplicated(frame)
    extra = [c for c in frame.columns if c not in EVENT_COLUMNS]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(out) as tmp_events, atomic_path(dedup_path(out)) as tmp_dedup:
            frame[list(EVENT_COLUMNS) + extra].to_csv(tmp_events, index=False)
            dedup.to_csv(tmp_dedup, index=False)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):  # a system fault, not the user's: run.py says so
            raise
        raise UserError(f"{out}: cannot write the event table ({err.strerror or err})") from None
    return summary(frame, dedup, corpus, out, notes)
