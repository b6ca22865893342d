"""Calibration targets: the statistics of an episode over its whole window, observed and simulated.

The same definitions give the observed statistics (the composed observed record,
`calibration.record`, and its measurements) and the simulated ones (a run's milestones, harm
and events, of a run on the compiled kernel: `run_episode`, `statistics_from_kernel`), so
observed and simulated are compared like with like. Per episode, over its window [0, T)
(T = the scenario's horizon, 60 days):

**Milestones** (`calibration/data/milestone_targets.csv`, one row per target). The day of the
first record row marking the milestone (the chronology's `milestone` column; `source` narrows
it to one actor; `after` counts only days from the first day of another milestone; a missing
milestone is implied by `implied_by` where one entails it: a supply route is cut by a
capture). The model records its milestones by the same names (`sim.kernel.layout.MILESTONES`).
- A milestone that did not happen by the window's end is **censored**: its value is T, one
  more than any day in the window, on both sides. The chronology is the dated record of every
  state change in the window, so the absence of a state change is evidence (`censored = yes`);
  an act that changes no state (a refusal) may simply not be reported, so its absence is not
  (`censored = no`: no observed value, the target is dropped).
- A milestone the episode's scenario schedules (the talks' opening in February, the deal of
  9 Sep) is an input of the run, not evidence about the rules: it is not a target of that
  episode (found from the scenario's run, `scripted_milestones`).

**Violence ratio.** Deaths a day in the first days of a ceasefire over deaths a day in the
fortnight before, from the measurements (`measurements.csv`, the quantities of
`DEATH_QUANTITIES`), where both are measured; simulated, the same ratio of the run's civilian
harm around its own entry into force (undefined when none comes into effect).

**Profile.** Presence (0/1) of each (source, target, CAMEO root) the model can emit among its
five actors, in the window of the composed record. Presence is robust to reporting volume: the
model emits a strike event per actor per day, a newspaper reports 'dozens of strikes' once.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.events import MODEL_ACTORS, event_actor
from sim.kernel.layout import CODES, EV, MILESTONES, S
from sim.kernel.replicate import KernelRun
from sim.model.parameters import resolve_parameters
from sim.model.rules import RULES
from sim.scenarios import EPISODES, load_scenario

#: Short prefix of each episode's statistics.
PREFIX = {"geneva_2016_02": "feb", "ceasefire_2016_09": "sep"}
#: The table of milestone targets.
MILESTONE_TARGETS = Path(__file__).resolve().parent / "data" / "milestone_targets.csv"
#: Days before the entry into force the violence ratio compares with (a fortnight).
RATIO_BEFORE_DAYS = 14
#: Measured quantities that count deaths in the areas a ceasefire covers (the model's theatre):
#: quantity -> whether its value is per day (else a total over its date range).
DEATH_QUANTITIES = {"deaths_per_day": True, "deaths_first_48h": False, "deaths_in_covered_areas": False}
#: Milestones of the record that are not targets, and why.
NOT_TARGETS = {
    "ceasefire_terms": "the record codes the published terms as a second ceasefire_agreed row (22 Feb 2016)",
    "ceasefire_endorsed": "the Security Council's endorsement: exogenous to the five actors, not modelled",
    "talks_postponed": "the envoy's postponement: the model extends the pause without an act",
    "opp_attends": "recorded only before the talks opened (the model's return follows a walk-out)",
    "humanitarian_pause": "Russia's announced pause falls inside its halt of strikes (rus_halt)",
    "opp_offensive": "the opposition's offensive to break a siege: no rule of the model",
}

#: A record: (day since the episode's start, source code, target code, CAMEO code).
Record = tuple[int, str, str, str]
#: The logs of a run's state tuple on the kernel that the statistics read (`sim.kernel.world`):
#: civilian harm per day, events (`sim.kernel.layout.EV`), milestones (day, id, scripted).
_HARM, _EVENTS, _MILESTONES = 4, 5, 10


@dataclass(frozen=True)
class MilestoneTarget:
    """One row of the milestone target table (see the module docstring)."""

    target: str
    milestone: str
    source: str
    after: str
    implied_by: str
    censored: bool
    label: str


@cache
def milestone_targets() -> tuple[MilestoneTarget, ...]:
    """The milestone targets, in table order."""
    with open(MILESTONE_TARGETS, newline="", encoding="utf-8") as fh:
        return tuple(
            MilestoneTarget(row["target"], row["milestone"], row["source"], row["after"], row["implied_by"],
                            row["censored"] == "yes", row["label"])
            for row in csv.DictReader(fh)
        )


@dataclass(frozen=True)
class RatioMeasure:
    """What the violence ratio of an episode compares: the observed value and the days it spans.

    Attributes:
        observed: deaths a day during / before.
        during_days: days after the entry into force the 'during' measurement covers.
        evidence: the measurements it comes from, in words.
    """

    observed: float
    during_days: int
    evidence: str


@dataclass(frozen=True)
class EpisodeSpec:
    """What is compared for one episode.

    Attributes:
        episode: scenario name.
        prefix: prefix of its statistics ('feb', 'sep').
        start_date: day 0.
        horizon_days: the scenario's horizon.
        window_days: T, the compared window [0, T).
        milestones: the milestone targets of the episode (scheduled ones left out).
        ratio: the violence ratio's measurement, or None where the record has none.
    """

    episode: str
    prefix: str
    start_date: dt.date
    horizon_days: int
    window_days: int
    milestones: tuple[MilestoneTarget, ...] = field(repr=False)
    ratio: RatioMeasure | None = None

    def ratio_name(self) -> str:
        return f"{self.prefix}_violence_ratio"

    def timeline_names(self) -> list[str]:
        """The scalar statistics: milestone days, then the violence ratio where measured."""
        names = [f"{self.prefix}_{m.target}" for m in self.milestones]
        return names + ([self.ratio_name()] if self.ratio else [])

    def profile_names(self) -> list[str]:
        return list(_profile_names(self.prefix))

    def names(self) -> list[str]:
        return self.timeline_names() + self.profile_names()


# ---------------------------------------------------------------- profile
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


@cache
def _profile_names(prefix: str) -> tuple[str, ...]:
    """The profile statistics' names of an episode, in `profile_keys()` order."""
    return tuple(profile_name(prefix, key) for key in profile_keys())


def profile_statistics(records: Iterable[Record], spec: EpisodeSpec) -> dict[str, float]:
    """Presence of every profile key among the records inside the window."""
    present = {(src, tgt, code[:2]) for day, src, tgt, code in records if 0 <= day < spec.window_days}
    return {profile_name(spec.prefix, key): 1.0 if key in present else 0.0 for key in profile_keys()}


# ---------------------------------------------------------------- milestones
def first_day(days: Mapping[str, list[int]], target: MilestoneTarget, window: int) -> float:
    """The target's value from milestone -> sorted days (inside the window): the first day on
    or after its `after` milestone, else the day of what implies it, else T if censored (NaN
    if its absence is not evidence)."""
    start = 0
    if target.after:
        after = days.get(target.after, [])
        start = after[0] if after else window
    found = [d for d in days.get(target.target, []) if start <= d < window]
    if not found and target.implied_by:
        found = [d for d in days.get(target.implied_by, []) if start <= d < window]
    if found:
        return float(found[0])
    return float(window) if target.censored else math.nan


def milestone_statistics(days: Mapping[str, list[int]], spec: EpisodeSpec) -> dict[str, float]:
    """Every milestone target of the episode from milestone -> sorted days."""
    return {f"{spec.prefix}_{m.target}": first_day(days, m, spec.window_days) for m in spec.milestones}


def observed_milestone_days(frame: pd.DataFrame, spec: EpisodeSpec) -> dict[str, list[int]]:
    """Target name -> sorted days of the record rows marking its milestone (and its source)."""
    rows = frame[frame["milestone"].fillna("").astype(str) != ""]
    by_milestone: dict[str, list[tuple[int, str]]] = {}
    for date, source, milestone in zip(rows["event_date"], rows["source"], rows["milestone"]):
        day = (dt.date.fromisoformat(str(date)[:10]) - spec.start_date).days
        if 0 <= day < spec.horizon_days:
            by_milestone.setdefault(str(milestone), []).append((day, str(source)))
    out: dict[str, list[int]] = {}
    for target in milestone_targets():
        hits = by_milestone.get(target.milestone, [])
        out[target.target] = sorted(d for d, src in hits if not target.source or src == target.source)
    return out


# ---------------------------------------------------------------- the violence ratio
def _deaths_per_day(row) -> tuple[float, dt.date, dt.date]:
    start, end = pd.Timestamp(row["from_date"]).date(), pd.Timestamp(row["to_date"]).date()
    days = (end - start).days + 1
    per_day = DEATH_QUANTITIES[row["quantity"]]
    return (float(row["value"]) if per_day else float(row["value"]) / days), start, end


def ratio_measure(measurements: pd.DataFrame, episode: str, in_effect: dt.date | None) -> RatioMeasure | None:
    """The observed violence ratio of an episode: deaths a day in the shortest measurement that
    starts on the day the ceasefire came into effect, over deaths a day in the measurement that
    covers most of the fortnight before it; None unless both are measured."""
    if in_effect is None:
        return None
    rows = measurements[(measurements["episode"] == episode) & measurements["quantity"].isin(list(DEATH_QUANTITIES))]
    during, before = [], []
    fortnight = (in_effect - dt.timedelta(days=RATIO_BEFORE_DAYS), in_effect - dt.timedelta(days=1))
    for _, row in rows.iterrows():
        rate, start, end = _deaths_per_day(row)
        what = f"{row['quantity']} {start}..{end} = {rate:g}/day"
        if start == in_effect:
            during.append(((end - start).days + 1, rate, what))
        elif end < in_effect:
            overlap = (min(end, fortnight[1]) - max(start, fortnight[0])).days + 1
            if overlap > 0:
                before.append((overlap, rate, what))
    if not during or not before:
        return None
    days, rate_during, what_during = min(during, key=lambda item: item[0])
    _, rate_before, what_before = max(before, key=lambda item: item[0])
    if rate_before <= 0:
        return None
    evidence = f"{what_during} over {what_before}"
    return RatioMeasure(rate_during / rate_before, days, evidence)


def simulated_ratio(harm: list[float], in_effect_day: int | None, during_days: int) -> float:
    """The run's violence ratio: civilian harm a day in the first `during_days` whole days of
    its first ceasefire in effect over harm a day in the fortnight before (NaN without one).

    The model's ceasefire comes into effect in the evening of `in_effect_day`, after that day's
    strikes (`sim/model/rules/world_rules.py`), so the first whole day under it is the next;
    the record's measurement starts on the day the ceasefire began at midnight."""
    if in_effect_day is None:
        return math.nan
    before = harm[max(0, in_effect_day - RATIO_BEFORE_DAYS):in_effect_day]
    during = harm[in_effect_day + 1:in_effect_day + 1 + during_days]
    if not before or not during:
        return math.nan
    level = sum(before) / len(before)
    return (sum(during) / len(during)) / level if level > 0 else math.nan


# ---------------------------------------------------------------- the statistics
def records_from_events(frame: pd.DataFrame, spec: EpisodeSpec) -> list[Record]:
    """Records of an event table (schema of sim.events) inside [start_date, start + horizon)."""
    out = []
    for date, src, tgt, code in zip(frame["event_date"], frame["source"], frame["target"], frame["cameo_code"]):
        if not isinstance(date, str) or not date:
            continue
        day = (dt.date.fromisoformat(date[:10]) - spec.start_date).days
        if 0 <= day < spec.horizon_days:
            out.append((day, str(src), str(tgt), str(code)))
    return out


@cache
def _scenario(episode: str):
    return load_scenario(episode)


def run_episode(episode: str, parameters: Mapping[str, float], seed: int) -> KernelRun:
    """One finished run of an episode's scenario on the compiled kernel, to its horizon.

    The parameters are resolved as `sim.experiments.runs.build_model` resolves them (the
    defaults, then `parameters`, then the scenario's own settings, each checked against its
    range); the scenario's interventions apply inside the run."""
    scenario = _scenario(episode)
    resolved = resolve_parameters({**parameters, **scenario.parameters})
    return KernelRun(scenario, resolved, seed, scenario.horizon_days).run()


def _milestone_log(run: KernelRun) -> list[list[int]]:
    """A kernel run's milestone log: [day, milestone id (`MILESTONES`), scripted] rows, in order."""
    return run.state[_MILESTONES][:run.state[0][S.n_milestones]].tolist()


def run_milestones(run: KernelRun) -> dict[str, list[int]]:
    """Milestone -> the days it happened, in order, of a run on the kernel
    (`sim.kernel.replicate.KernelRun`)."""
    days: dict[str, list[int]] = {}
    for day, which, _scripted in _milestone_log(run):
        days.setdefault(MILESTONES[which], []).append(day)
    return days


def run_harm(run: KernelRun) -> list[float]:
    """Civilians killed on each day of a run on the kernel (the days simulated)."""
    return run.state[_HARM][:run.day].tolist()


@cache
def _profile_index(actors: tuple[str, ...]) -> np.ndarray:
    """[source, target, code] of the kernel's ids (a run's actors, `CODES`) -> the index of its
    profile key in `profile_keys()`, -1 for an event outside the profile (an added backer is
    OTHER, as in the event table)."""
    index = {key: i for i, key in enumerate(profile_keys())}
    codes = [event_actor(a) for a in actors]
    table = np.full((len(actors), len(actors), len(CODES)), -1, dtype=np.int64)
    for i, src in enumerate(codes):
        for j, tgt in enumerate(codes):
            for k, code in enumerate(CODES):
                table[i, j, k] = index.get((src, tgt, code[:2]), -1)
    return table


def run_profile(run: KernelRun, spec: EpisodeSpec) -> dict[str, float]:
    """`profile_statistics` of a run on the kernel, from its event log's ids (no records made)."""
    events = run.state[_EVENTS][:run.state[0][S.n_events]]
    day = events[:, EV.day]
    events = events[(day >= 0) & (day < spec.window_days)]
    keys = _profile_index(run.arrays.actors)[events[:, EV.source], events[:, EV.target], events[:, EV.code]]
    present = np.zeros(len(profile_keys()), dtype=bool)
    present[keys[keys >= 0]] = True
    return {name: 1.0 if seen else 0.0 for name, seen in zip(_profile_names(spec.prefix), present.tolist())}


def statistics_from_kernel(run: KernelRun, spec: EpisodeSpec) -> dict[str, float]:
    """The episode's statistics of a finished run on the kernel (`run_episode`): its milestone
    log, its civilian harm per day and its event log."""
    days = run_milestones(run)
    out = milestone_statistics(days, spec)
    if spec.ratio:
        effect = days.get("ceasefire_in_effect")
        out[spec.ratio_name()] = simulated_ratio(run_harm(run), effect[0] if effect else None,
                                                 spec.ratio.during_days)
    out.update(run_profile(run, spec))
    return out


def observed_episode_statistics(frame: pd.DataFrame, spec: EpisodeSpec) -> dict[str, float]:
    """The episode's statistics of the composed record (milestones, ratio, profile)."""
    out = milestone_statistics(observed_milestone_days(frame, spec), spec)
    if spec.ratio:
        out[spec.ratio_name()] = spec.ratio.observed
    out.update(profile_statistics(records_from_events(frame, spec), spec))
    return out


# ---------------------------------------------------------------- the record and the specs
@dataclass(frozen=True)
class Observed:
    """The observed record the calibration reads: the composed events, the measurements and
    the record's hash (`calibration.record`)."""

    events: pd.DataFrame
    measurements: pd.DataFrame
    sha256: str
    rows_per_source: Mapping[str, int]
    merged: int


def read_observed(sources_file: str | Path | None = None) -> Observed:
    """The composed observed record and its measurements (`calibration/data/sources.toml`)."""
    from calibration.record import compose_record, read_measurements, record_hash

    record = compose_record(sources_file)
    return Observed(record.events, read_measurements(sources_file), record_hash(sources_file),
                    dict(record.rows_per_source), int(record.merged))


@cache
def scripted_milestones(episode: str) -> frozenset[str]:
    """Milestones the episode's scenario makes by its scheduled events (inputs of every run,
    whatever the parameters: a schedule does not depend on them), from a run on the kernel
    with the default parameters: a milestone is scripted when a scheduled event made it first."""
    return frozenset(MILESTONES[which] for _day, which, scripted in _milestone_log(run_episode(episode, {}, 0))
                     if scripted)


def episode_specs(observed: Observed | None = None, episodes=EPISODES) -> dict[str, EpisodeSpec]:
    """The comparison spec of each episode."""
    observed = read_observed() if observed is None else observed
    specs = {}
    for episode in episodes:
        scenario = load_scenario(episode)
        scripted = scripted_milestones(episode)
        targets = tuple(m for m in milestone_targets() if m.target not in scripted)
        base = EpisodeSpec(episode, PREFIX[episode], scenario.start_date, scenario.horizon_days,
                           scenario.horizon_days, targets)
        effect_days = observed_milestone_days(observed.events, base).get("ceasefire_in_effect", [])
        effect_date = scenario.start_date + dt.timedelta(days=effect_days[0]) if effect_days else None
        specs[episode] = EpisodeSpec(episode, PREFIX[episode], scenario.start_date, scenario.horizon_days,
                                     scenario.horizon_days, targets,
                                     ratio_measure(observed.measurements, episode, effect_date))
    return specs


def observed_statistics(observed: Observed | None = None, specs=None) -> dict[str, float]:
    """Every statistic of every episode from the observed record (NaN: no observed value)."""
    observed = read_observed() if observed is None else observed
    specs = specs or episode_specs(observed)
    out = {}
    for spec in specs.values():
        out.update(observed_episode_statistics(observed.events, spec))
    return out


def describe(name: str) -> str:
    """A readable label of a statistic."""
    _prefix, _, rest = name.partition("_")
    for target in milestone_targets():
        if rest == target.target:
            return f"day: {target.label}"
    if rest == "violence_ratio":
        return "deaths a day in the ceasefire's first days / the fortnight before"
    if rest.startswith("has_"):
        src, tgt, root = rest[4:].split("_")
        return f"{src}>{tgt} root {root} present"
    return name


def is_ratio(name: str) -> bool:
    """Whether a statistic is a violence ratio (else a milestone day or a profile key)."""
    return name.endswith("_violence_ratio")
