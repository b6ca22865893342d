"""Calibration targets: the statistics of an episode computed from an event table.

The same functions compute the observed targets (from `calibration/data/events_dedup.csv`)
and the simulated ones (from a run's events), so observed and simulated are compared like with
like. Two kinds of statistics, per episode:

**Timeline.** Days between two anchor events (the first event of each anchor in the window):
talks opening -> pause, the opposition's first threat or boycott -> pause, ceasefire agreement
-> first US-Russian blame (the collapse) -> the US threat -> the suspension of the channel ...
and indicators (Russia refused a call to halt its strikes). An interval is

- missing (NaN) when its start anchor does not occur in the window (an observed statistic with
  a missing anchor is dropped from the distance; a simulated one is penalised there);
- censored when the end anchor does not occur in [start, window end): value = window end -
  start day, one more than any uncensored value could be.

**Profile.** Presence (0/1) of each (source, target, CAMEO root) the model can emit among its
five actors, in the window. Presence is robust to reporting volume: the model emits a strike
event per actor per day and daily criticism, a newspaper reports 'dozens of strikes' once.

**The window.** Both sides are read over the same days: [0, T) from the episode's start date,
T = 1 + the last day with an observed event inside [start_date, start_date + horizon). The
articles are snapshots that stop at their publication dates; an act not reported by then is
not evidence it never happened later, so nothing after the last reported day is compared.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from sim.events import MODEL_ACTORS, event_actor, read_events
from sim.model.rules import RULES, envoy, government, opposition, russia, united_states, world_rules
from sim.model.rules.base import Emission
from sim.paths import OBSERVED_EVENTS
from sim.scenarios import EPISODES, load_scenario

#: Short prefix of each episode's statistics.
PREFIX = {"geneva_2016_02": "feb", "ceasefire_2016_09": "sep"}

#: A record: (day since the episode's start, source code, target code, CAMEO code).
Record = tuple[int, str, str, str]


@dataclass(frozen=True)
class Anchor:
    """A kind of event that anchors a timeline: any of `triples` (source, target, code);
    '*' as target matches any target."""

    name: str
    label: str
    triples: tuple[tuple[str, str, str], ...]

    def matches(self, src: str, tgt: str, code: str) -> bool:
        return any(s == src and (t == "*" or t == tgt) and c == code for s, t, c in self.triples)


def _any_target(emission: Emission) -> tuple[tuple[str, str, str], ...]:
    """The emission's (source, code) to any target ('*')."""
    return ((emission.source, "*", emission.code),)


#: The anchors, named by the model's emissions (`sim.model.rules`); an observed event anchors
#: when its (source, target, code) is one the model would emit for it.
ANCHORS = {
    a.name: a
    for a in (
        Anchor("talks_open", "talks formally opened (ENVOY>GOV/OPP 045)", envoy.OPEN.triples),
        Anchor("pause", "envoy pauses the talks (ENVOY>GOV/OPP 165)", envoy.PAUSE.triples),
        Anchor("opp_threat", "opposition's first ultimatum or walk-out (OPP>GOV 139, OPP>ENVOY 164)",
               opposition.ULTIMATUM.triples + opposition.WALKOUT.triples),
        Anchor("ceasefire_agreed", "US-Russian ceasefire agreement (USA<>RUS 057)",
               world_rules.AGREE_BY_US.triples + world_rules.AGREE_BY_RUS.triples),
        Anchor("us_rus_blame", "US-Russian blame (USA<>RUS 112; the model's collapse)",
               world_rules.BLAME_BY_US.triples + world_rules.BLAME_BY_RUS.triples),
        Anchor("us_threat", "US threat to suspend the channel (USA>RUS 134)", united_states.THREATEN.triples),
        Anchor("suspension", "US suspends the channel (USA>RUS 164)", united_states.SUSPEND.triples),
        Anchor("gov_capture", "government captures a locality (GOV>OPP 192)", government.CAPTURE.triples),
        Anchor("rus_refusal", "Russia refuses a call to halt (RUS>any 1246)", _any_target(russia.REFUSE)),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Interval:
    """Days from the first `start` anchor to the first `end` anchor on or after it."""

    name: str
    start: str
    end: str
    label: str


@dataclass(frozen=True)
class Indicator:
    """1 if the anchor occurs in the window, else 0."""

    name: str
    anchor: str
    label: str


#: Timeline statistics of each episode (names without the episode prefix).
TIMELINE: dict[str, tuple[Interval | Indicator, ...]] = {
    "geneva_2016_02": (
        Interval("open_to_pause", "talks_open", "pause", "talks opening -> envoy's pause"),
        Interval("open_to_threat", "talks_open", "opp_threat", "talks opening -> opposition's first threat or walk-out"),
        Interval("threat_to_pause", "opp_threat", "pause", "opposition's first threat or walk-out -> pause"),
        Indicator("rus_refused", "rus_refusal", "Russia refused a call to halt its strikes"),
    ),
    "ceasefire_2016_09": (
        Interval("agree_to_collapse", "ceasefire_agreed", "us_rus_blame", "ceasefire agreement -> collapse (first US-Russian blame)"),
        Interval("agree_to_threat", "ceasefire_agreed", "us_threat", "ceasefire agreement -> US threat"),
        Interval("threat_to_suspend", "us_threat", "suspension", "US threat -> suspension of the channel"),
        Interval("agree_to_capture", "ceasefire_agreed", "gov_capture", "ceasefire agreement -> first government capture"),
        Indicator("rus_refused", "rus_refusal", "Russia refused a call to halt its strikes"),
    ),
}  # fmt: skip


@cache
def profile_keys() -> tuple[tuple[str, str, str], ...]:
    """(source, target, CAMEO root) the model can emit among its five actors (BACKER = USA)."""
    keys = set()
    for rule in RULES.values():
        for src, tgt, code in rule.emits:
            src = "USA" if src == "BACKER" else src
            tgt = "USA" if tgt == "BACKER" else tgt
            if src in MODEL_ACTORS and tgt in MODEL_ACTORS:
                keys.add((src, tgt, code[:2]))
    return tuple(sorted(keys))


def profile_name(prefix: str, key: tuple[str, str, str]) -> str:
    return f"{prefix}_has_{key[0]}_{key[1]}_{key[2]}"


@dataclass(frozen=True)
class EpisodeSpec:
    """What is compared for one episode.

    Attributes:
        episode: scenario name.
        prefix: prefix of its statistics ('feb', 'sep').
        start_date: day 0.
        horizon_days: the scenario's horizon.
        window_days: T, the compared window [0, T) (see the module docstring).
    """

    episode: str
    prefix: str
    start_date: dt.date
    horizon_days: int
    window_days: int
    timeline: tuple[Interval | Indicator, ...] = field(repr=False)

    def timeline_names(self) -> list[str]:
        return [f"{self.prefix}_{s.name}" for s in self.timeline]

    def profile_names(self) -> list[str]:
        return [profile_name(self.prefix, k) for k in profile_keys()]

    def names(self) -> list[str]:
        return self.timeline_names() + self.profile_names()


def _first_days(records: Iterable[Record], window: int) -> dict[str, list[int]]:
    """Sorted days of each anchor's events inside [0, window)."""
    days: dict[str, list[int]] = {name: [] for name in ANCHORS}
    for day, src, tgt, code in records:
        if 0 <= day < window:
            for name, anchor in ANCHORS.items():
                if anchor.matches(src, tgt, code):
                    days[name].append(day)
    return {k: sorted(v) for k, v in days.items()}


def statistics_from_records(records: Iterable[Record], spec: EpisodeSpec) -> dict[str, float]:
    """The episode's statistics from (day, source, target, code) records (any order)."""
    records = list(records)
    window = spec.window_days
    days = _first_days(records, window)
    out: dict[str, float] = {}
    for stat in spec.timeline:
        name = f"{spec.prefix}_{stat.name}"
        if isinstance(stat, Indicator):
            out[name] = 1.0 if days[stat.anchor] else 0.0
            continue
        starts = days[stat.start]
        if not starts:
            out[name] = math.nan
            continue
        start = starts[0]
        ends = [d for d in days[stat.end] if d >= start]
        out[name] = float(ends[0] - start) if ends else float(window - start)
    present = {(src, tgt, code[:2]) for day, src, tgt, code in records if 0 <= day < window}
    for key in profile_keys():
        out[profile_name(spec.prefix, key)] = 1.0 if key in present else 0.0
    return out


def records_from_events(frame: pd.DataFrame, spec: EpisodeSpec) -> list[Record]:
    """Records of an event table (schema of sim.events) inside [start_date, start + horizon)."""
    out = []
    for date, src, tgt, code in zip(frame["event_date"], frame["source"], frame["target"], frame["cameo_code"]):
        if not date:
            continue
        day = (dt.date.fromisoformat(str(date)[:10]) - spec.start_date).days
        if 0 <= day < spec.horizon_days:
            out.append((day, str(src), str(tgt), str(code)))
    return out


def records_from_model(model) -> list[Record]:
    """Records of a finished model's event log (the fast path: no event table is built)."""
    code_of = event_actor
    return [(day, code_of(src), code_of(tgt), code) for day, src, tgt, code, _m, _t in model.event_log]


def statistics_from_events(frame: pd.DataFrame, spec: EpisodeSpec) -> dict[str, float]:
    """The episode's statistics from an event table (observed or simulated)."""
    return statistics_from_records(records_from_events(frame, spec), spec)


def statistics_from_model(model, spec: EpisodeSpec) -> dict[str, float]:
    """The episode's statistics from a finished model (equal to `statistics_from_events` of
    its event table; a test checks it)."""
    return statistics_from_records(records_from_model(model), spec)


def window_days(frame: pd.DataFrame, episode: str) -> int:
    """T = 1 + the last day with an observed event inside the episode (the horizon if none)."""
    scenario = load_scenario(episode)
    spec = EpisodeSpec(episode, PREFIX[episode], scenario.start_date, scenario.horizon_days,
                       scenario.horizon_days, TIMELINE[episode])
    days = [r[0] for r in records_from_events(frame, spec)]
    return max(days) + 1 if days else scenario.horizon_days


def read_observed(path: str | Path | None = None) -> pd.DataFrame:
    """The observed (deduplicated) event table."""
    return read_events(path or OBSERVED_EVENTS)


def episode_specs(observed: pd.DataFrame | None = None, episodes=EPISODES) -> dict[str, EpisodeSpec]:
    """The comparison spec of each episode; the window comes from the observed events."""
    observed = read_observed() if observed is None else observed
    specs = {}
    for episode in episodes:
        scenario = load_scenario(episode)
        specs[episode] = EpisodeSpec(
            episode=episode,
            prefix=PREFIX[episode],
            start_date=scenario.start_date,
            horizon_days=scenario.horizon_days,
            window_days=window_days(observed, episode),
            timeline=TIMELINE[episode],
        )
    return specs


def observed_statistics(observed: pd.DataFrame | None = None, specs=None) -> dict[str, float]:
    """Every statistic of every episode from the observed events (NaN where an anchor is missing)."""
    observed = read_observed() if observed is None else observed
    specs = specs or episode_specs(observed)
    out = {}
    for spec in specs.values():
        out.update(statistics_from_events(observed, spec))
    return out


def describe(name: str) -> str:
    """A readable label of a statistic."""
    prefix, _, rest = name.partition("_")
    episode = {v: k for k, v in PREFIX.items()}.get(prefix)
    if episode:
        for stat in TIMELINE[episode]:
            if stat.name == rest:
                return stat.label
    if rest.startswith("has_"):
        src, tgt, root = rest[4:].split("_")
        return f"{src}>{tgt} root {root} present"
    return name
