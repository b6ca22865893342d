"""The closing summary `run.py batch` prints: per scenario, runs, failures, key probabilities.

Its table is the report's headline table (`sim.reporting.report.headline_table`) on the
summary's outcomes, so the terminal and summary.md show the same labels and the same 95%
intervals: 'P(talks paused)' as '0.51 [0.46, 0.57]'.
"""

from __future__ import annotations

import pandas as pd

from sim.model.outcomes import outcome_list
from sim.reporting import analysis as an
from sim.reporting.report import headline_table
from sim.results import summaries as sm
from sim.results.store import Study

#: Outcomes shown in the closing summary (the outcome table's 'summary' list).
SUMMARY_OUTCOMES = outcome_list("summary")


def summary_table(runs: pd.DataFrame | Study | sm.RunsScan) -> pd.DataFrame:
    """Per scenario (in table order): runs, failed runs, then the report's headline columns on the
    summary's outcomes over the finished runs: P(label) [95% Wilson interval], '-' where the
    outcome happens in no run of the episode, and the median civilian harm. A scenario whose
    runs all failed has '-' in those.

    Args:
        runs: a runs table, or a study (or its `summaries.RunsScan`), then read from its parts
            by columns (`sim.results.summaries`: the same table without loading the runs).
    """
    if isinstance(runs, pd.DataFrame):
        _, failed = an.valid_runs(runs)
        any_finished = not (runs[runs["error"].isna()] if "error" in runs else runs).empty
        order = an.scenario_order(runs)
    else:
        runs = sm.RunsScan.of(runs)
        failed = sm.failed_runs(runs)
        any_finished = bool((failed["runs"] > failed["failed"]).any())
        order = runs.scenario_order(finished=False)
    counts = failed[["scenario", "runs", "failed"]]
    if not any_finished:
        return counts.reset_index(drop=True)
    table = headline_table(runs, SUMMARY_OUTCOMES).drop(columns="runs")
    out = counts.merge(table, on="scenario", how="left").fillna("-")
    return out.set_index("scenario").loc[[s for s in order if s in set(out["scenario"])]].reset_index()


def _text(table: pd.DataFrame) -> str:
    """A table as aligned text columns, left-aligned, two spaces apart."""
    cells = [list(map(str, table.columns))] + [[str(v) for v in row] for row in table.itertuples(index=False)]
    widths = [max(len(row[j]) for row in cells) for j in range(len(table.columns))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def format_summary(study: Study) -> str:
    """The closing summary printed by `run.py batch`."""
    # runs already in memory are what is summarised; else the parts, read by columns
    table = summary_table(study.runs if "runs" in vars(study) else study)
    session = study.manifest.get("last_session", {})
    lines = [
        f"study {study.manifest['study']}: {int(table['runs'].sum())} runs in {study.path}",
        f"last session: {session.get('runs', 0)} runs in {session.get('seconds', 0):.1f} s on {session.get('executor', '?')}"
        + (", resumed" if session.get("resumed") else ""),
        f"failed runs: {int(table['failed'].sum())}" if len(table) else "no runs",
        "",
        "P(outcome) [95% Wilson interval] over the finished runs ('-': it happens in no run of the episode):",
        _text(table),
    ]
    return "\n".join(lines)
