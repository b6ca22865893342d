"""What the page shows of a model, as plain data (no Solara, no figures): testable alone.

- `day_caption`: the day shown and the state of the run in one line;
- `feed_lines`: the newest events, dated, in the lines `run.py simulate` prints;
- `edge_states`: who backs, mediates, fights or negotiates with whom, and which edges are closed;
- `daily_frame`: the daily state so far, one row per simulated day;
- `control_counts`: localities held by each side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd

from sim.model.model import DAILY_COLUMNS, DiplomacyModel
from sim.reporting.timeline import timeline_lines
from sim.scenario_types import CONTROL

#: How the page says each edge kind (source <verb> target).
EDGE_VERBS = {"backs": "backs", "mediates": "mediates with", "fights": "fights",
              "channel": "negotiates with (channel)"}  # fmt: skip
#: Edge kinds stored both ways in the network: shown once per pair.
SYMMETRIC_KINDS = ("channel", "fights")
#: Events the feed shows, newest first.
FEED_LENGTH = 40


@dataclass(frozen=True)
class FeedLine:
    """One line of the event feed.

    Attributes:
        day: the day of the run the events happened.
        date: its calendar date.
        text: the rest of the line: 'ENVOY -> GOV,OPP 165 pauses the talks for 22 days'.
    """

    day: int
    date: dt.date
    text: str

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.text}"


@dataclass(frozen=True)
class EdgeState:
    """One edge of the actor network as the page lists it.

    Attributes:
        source: actor code.
        target: actor code.
        kind: backs, mediates, fights or channel.
        is_open: whether it carries anything today (a closed channel is suspended).
        weight: its weight.
    """

    source: str
    target: str
    kind: str
    is_open: bool
    weight: float

    @property
    def state(self) -> str:
        """'open', or 'suspended' (a channel) / 'closed' (any other kind)."""
        if self.is_open:
            return "open"
        return "suspended" if self.kind == "channel" else "closed"

    def __str__(self) -> str:
        return f"{self.source} {EDGE_VERBS.get(self.kind, self.kind)} {self.target}: {self.state}"


def last_day(model: DiplomacyModel) -> int | None:
    """The last day simulated (0 on the start date), or None before the first step."""
    return model.day - 1 if model.day > 0 else None


def day_caption(model: DiplomacyModel) -> str:
    """'Day 19 · Sat 13 Feb 2016 · 20 of 60 days simulated', or the start before any step."""
    day = last_day(model)
    if day is None:
        start = model.date_of(0)
        return f"Start · {start:%a %d %b %Y} · 0 of {model.horizon} days simulated"
    return f"Day {day} · {model.date_of(day):%a %d %b %Y} · {model.day} of {model.horizon} days simulated"


def state_caption(model: DiplomacyModel) -> str:
    """The state after the last day: talks, ceasefire, channel, supply route, civilian harm."""
    w = model.world
    channel = "open" if model.actor_network.is_open("USA", "RUS", "channel") else "suspended"
    route = "open" if w.supply_open else "cut"
    return (f"talks {w.talks.value.replace('_', ' ')} · ceasefire {w.ceasefire.value.replace('_', ' ')} · "
            f"US-Russia channel {channel} · supply route {route} · civilian harm {w.civilian_harm:,.0f}")


def feed_lines(model: DiplomacyModel, limit: int = FEED_LENGTH) -> list[FeedLine]:
    """The newest `limit` lines of the run's timeline, newest first.

    The lines are those `run.py simulate` prints (`sim.reporting.timeline.timeline_lines`,
    one per act, its targets joined), so the page and the command line tell a run alike.
    """
    # timeline_lines reads a run result's `.model` only: the live model stands in for a result
    lines = timeline_lines(SimpleNamespace(model=model))
    start = model.date_of(0)
    newest = []
    for line in reversed(lines[-limit:] if limit else []):
        date_text, _, text = line.partition(" ")
        date = dt.date.fromisoformat(date_text)
        newest.append(FeedLine(day=(date - start).days, date=date, text=text))
    return newest


def edge_states(model: DiplomacyModel) -> list[EdgeState]:
    """The actor network's edges today, symmetric kinds once per pair, sorted by kind then actors."""
    # a symmetric edge is named in the direction its scenario declared first ("USA negotiates
    # with RUS"), the graph holding it both ways
    declared: dict[tuple, tuple[str, str]] = {}
    for edge in model.scenario_spec.edges:
        declared.setdefault((edge.kind, frozenset((edge.source, edge.target))), (edge.source, edge.target))
    seen: set[tuple] = set()
    states = []
    for source, target, kind, data in model.actor_network.graph.edges(keys=True, data=True):
        if kind in SYMMETRIC_KINDS:
            source, target = declared.get((kind, frozenset((source, target))), tuple(sorted((source, target))))
        if (kind, source, target) in seen:
            continue
        seen.add((kind, source, target))
        states.append(EdgeState(source, target, kind, bool(data.get("open", True)), float(data.get("weight", 1.0))))
    order = {kind: i for i, kind in enumerate(EDGE_VERBS)}
    return sorted(states, key=lambda e: (order.get(e.kind, len(order)), e.source, e.target))


def daily_frame(model: DiplomacyModel) -> pd.DataFrame:
    """The daily state so far (columns `DAILY_COLUMNS`, one row per simulated day, `date` as dates).

    Read from the model's Mesa DataCollector when it holds one row per simulated day with
    those columns (a live collector), else from the model's own trajectory (`model.daily`,
    which `LiveModel` always records): the plots are the same either way.
    """
    frame = None
    collector = getattr(model, "datacollector", None)
    if collector is not None and hasattr(collector, "get_model_vars_dataframe"):
        collected = collector.get_model_vars_dataframe()
        if len(collected) == model.day and set(DAILY_COLUMNS) <= set(collected.columns):
            frame = collected.loc[:, list(DAILY_COLUMNS)].reset_index(drop=True)
    if frame is None:
        frame = pd.DataFrame(list(model.daily), columns=list(DAILY_COLUMNS))
    frame = frame.astype({"day": int})
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


def control_counts(model: DiplomacyModel) -> dict[str, int]:
    """Localities held by each side today (every side of `CONTROL`, 0 when it holds none)."""
    counts = dict.fromkeys(CONTROL, 0)
    for holder in model.terrain.control.values():
        counts[holder] = counts.get(holder, 0) + 1
    return counts
