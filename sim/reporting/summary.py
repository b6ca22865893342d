"""The closing summary `run.py batch` prints: per scenario, runs, failures, key probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.outcomes import outcome_list
from sim.reporting import analysis as an
from sim.results.store import Study

#: Outcomes shown in the closing summary (the outcome table's 'summary' list).
SUMMARY_OUTCOMES = outcome_list("summary")


def summary_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario (in table order): runs, failed runs, P(outcome) of the summary's outcomes
    over the finished runs (`analysis.outcome_probabilities`), and the median civilian harm."""
    finished, failed = an.valid_runs(runs)
    probs = an.outcome_probabilities(finished, SUMMARY_OUTCOMES).set_index(["scenario", "outcome"])["p"]
    rows = []
    for count in failed.itertuples(index=False):
        row = {"scenario": count.scenario, "runs": count.runs, "failed": count.failed}
        for outcome in SUMMARY_OUTCOMES:
            row[f"P({outcome})"] = probs.get((count.scenario, outcome), np.nan)
        harm = finished.loc[finished["scenario"] == count.scenario, "civilian_harm"]
        row["median civilian_harm"] = harm.median() if len(harm) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def format_summary(study: Study) -> str:
    """The closing summary printed by `run.py batch`."""
    table = summary_table(study.runs)
    session = study.manifest.get("last_session", {})
    lines = [
        f"study {study.manifest['study']}: {len(study.runs)} runs in {study.path}",
        f"last session: {session.get('runs', 0)} runs in {session.get('seconds', 0):.1f} s on {session.get('executor', '?')}"
        + (", resumed" if session.get("resumed") else ""),
        f"failed runs: {int(table['failed'].sum())}" if len(table) else "no runs",
        "",
        table.to_string(index=False, float_format=lambda x: f"{x:.3f}"),
    ]
    return "\n".join(lines)
