"""A run as a readable, dated timeline (like a news feed) followed by its outcomes."""

from __future__ import annotations

import math
from itertools import groupby

from sim.model.outcomes import OUTCOME_DESCRIPTIONS


def timeline_lines(result) -> list[str]:
    """One line per act: '2016-02-03 ENVOY -> GOV,OPP 165 pauses the talks for 22 days'."""
    model = result.model
    lines = []
    log = sorted(enumerate(model.event_log), key=lambda item: (item[1][0], item[0]))
    for day, day_events in groupby((e for _, e in log), key=lambda e: e[0]):
        date = model.date_of(day).isoformat()
        groups: dict[tuple, list] = {}
        for _, source, target, code, _, text in day_events:
            groups.setdefault((source, code, str(text)), []).append(target)
        for (source, code, text), targets in groups.items():
            lines.append(f"{date} {source} -> {','.join(dict.fromkeys(targets))} {code} {text}")
    return lines


def format_outcomes(outcomes: dict) -> list[str]:
    """The main outcomes (not the per-dyad counts), one per line."""
    lines = []
    for key in OUTCOME_DESCRIPTIONS:
        value = outcomes[key]
        if isinstance(value, float):
            value = "never" if math.isnan(value) else f"{value:.3g}"
        lines.append(f"  {key:26} {value}")
    return lines


def format_timeline(result) -> str:
    """Header, timeline and outcomes of a run, as printed by `run.py simulate`."""
    s = result.scenario
    end = s.date_of(result.model.horizon - 1)
    header = [
        f"# {s.name} (seed {result.seed}): {s.start_date} to {end}, {result.model.horizon} days",
        f"# {s.description}",
    ]
    body = timeline_lines(result)
    return "\n".join(header + body + ["", "outcomes:"] + format_outcomes(result.outcomes))
