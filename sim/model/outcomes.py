"""The outcome record of a run: one flat row of named values, and the outcome table.

Names are stable (later analyses and the results store read them). Times are days since the
episode's start date; an event that never happened has NaN as its day. Event counts are given
for every (source, target, CAMEO root) the model's rules can emit (`n_RUS_OPP_19`), and the mean
Goldstein score for every dyad (`goldstein_RUS_OPP`, NaN without events), so the columns of a
results table never vary between runs.

The outcome table `outcomes.csv` is the one list of outcomes, read by the record's types, the
docs, the analysis, the report and the batch's summary. One row per outcome:

- `name`, `type` (bool, int, float), `kind` (binary, time, count, continuous), `label` and
  `unit` (for tables and figures), `description`.
- `derived_from`: a binary outcome the analysis derives from a day column (happened = the
  day is not NaN); such rows are not in the record. Record rows keep the record's order.
- `report`, `headline`, `summary`, `difference_figure`, `survival`: the outcome's place (1, 2,
  ...) in that list, empty when it is not in it: the outcomes the report compares, its
  headline table, the batch's closing summary, the paired-difference figure, the survival
  panels. `clock_from`: a survival panel's clock starts at that day column (else day 0).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

from sim.events import cameo, event_actor, expand_backer
from sim.model.rules import RULES
from sim.model.tables import table_rows
from sim.scenario_types import TalksState

NAN = math.nan
_TYPES = {"bool": bool, "int": int, "float": float}
#: The columns of the outcome table that place an outcome in a list (1, 2, ...; empty: not in it).
LISTS = ("report", "headline", "summary", "difference_figure", "survival")


@dataclass(frozen=True)
class OutcomeSpec:
    """One row of the outcome table (see the module docstring for the columns).

    Attributes:
        name: the outcome's column name.
        type: bool, int or float.
        kind: binary, time, count or continuous.
        derived_from: the day column a derived binary outcome reads ('' for record outcomes).
        label: short readable name.
        unit: unit of its values ('' for binary outcomes).
        places: list name -> the outcome's place in it (only the lists it is in).
        clock_from: the day column a survival panel's clock starts at ('' for day 0).
        description: what it means.
    """

    name: str
    type: type
    kind: str
    derived_from: str
    label: str
    unit: str
    places: dict[str, int]
    clock_from: str
    description: str


@cache
def outcome_table() -> dict[str, OutcomeSpec]:
    """Every outcome of `outcomes.csv` (record and derived), in the table's order."""
    table = {}
    for row in table_rows("outcomes.csv"):
        table[row["name"]] = OutcomeSpec(
            name=row["name"],
            type=_TYPES[row["type"]],
            kind=row["kind"],
            derived_from=row["derived_from"],
            label=row["label"],
            unit=row["unit"],
            places={name: int(row[name]) for name in LISTS if row[name]},
            clock_from=row["clock_from"],
            description=row["description"],
        )
    return table


def outcome_list(name: str, kinds: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The outcomes of one list of the table (e.g. 'headline'), in their places' order.

    Args:
        name: one of LISTS.
        kinds: keep only outcomes of these kinds.
    """
    if name not in LISTS:
        raise KeyError(f"no outcome list {name!r}; allowed: {', '.join(LISTS)}")
    specs = [s for s in outcome_table().values() if name in s.places and (kinds is None or s.kind in kinds)]
    return tuple(s.name for s in sorted(specs, key=lambda s: s.places[name]))


#: The outcomes of the record, their types and what they mean (docs/model.md repeats this table).
OUTCOMES: dict[str, tuple[type, str]] = {
    s.name: (s.type, s.description) for s in outcome_table().values() if not s.derived_from
}
OUTCOME_DESCRIPTIONS: dict[str, str] = {name: text for name, (_, text) in OUTCOMES.items()}


def _day(value) -> float:
    return NAN if value is None else float(value)


@cache
def count_columns() -> tuple[tuple[str, str, str], ...]:
    """(source, target, root) of every count column, from the rules' declared events."""
    keys = {
        (s, t, cameo(code).root)
        for rule in RULES.values()
        for declared in rule.emits
        for s, t, code in expand_backer(*declared)
    }
    return tuple(sorted(keys))


@cache
def dyads() -> tuple[tuple[str, str], ...]:
    """Every (source, target) the model can emit."""
    return tuple(sorted({(s, t) for s, t, _ in count_columns()}))


@cache
def _count_names() -> tuple[tuple[str, tuple[str, str, str]], ...]:
    return tuple(("n_{}_{}_{}".format(*key), key) for key in count_columns())


@cache
def _dyad_names() -> tuple[tuple[str, tuple[str, str]], ...]:
    return tuple(("goldstein_{}_{}".format(*key), key) for key in dyads())


#: (source, target, CAMEO code) of an event-log entry.
_TRIPLE = itemgetter(1, 2, 3)


def outcome_columns() -> list[str]:
    """All outcome names, in record order."""
    return list(outcome_types())


@cache
def outcome_types() -> dict[str, type]:
    """Every outcome column and its type (bool, int or float), in record order."""
    types = {name: kind for name, (kind, _) in OUTCOMES.items()}
    types.update({name: int for name, _ in _count_names()})
    types.update({name: float for name, _ in _dyad_names()})
    return types


def outcome_record(model) -> dict:
    """The outcome record of a finished (or stopped) run.

    Args:
        model: a `DiplomacyModel` after `run()`.
    """
    w = model.world
    terrain = model.terrain
    initial_gov = {loc.name for loc in model.scenario_spec.terrain.localities if loc.control == "GOV"}
    record = {
        "talks_opened": w.talks_open_day is not None,
        "talks_paused": w.talks_pause_day is not None,
        "talks_pause_day": _day(w.talks_pause_day),
        "talks_resumed": w.talks_resumed,
        "talks_days_in_session": w.days_in_session,
        "talks_collapsed": w.talks is TalksState.COLLAPSED,
        "agreement": w.agreement_day is not None,
        "opp_ultimatum_day": _day(w.first_ultimatum_day),
        "opp_walkout_day": _day(w.first_walkout_day),
        "ceasefire_agreed": w.ceasefire_agreed_day is not None,
        "ceasefire_agreed_day": _day(w.ceasefire_agreed_day),
        "ceasefire_in_effect_day": _day(w.milestones["ceasefire_in_effect"][0] if "ceasefire_in_effect" in w.milestones
                                        else w.ceasefire_effect_day),
        "ceasefire_in_effect_days": w.ceasefire_effect_days,
        "ceasefire_collapse_day": _day(w.ceasefire_collapse_day),
        "jic_in_force": w.jic_day is not None,
        "us_threat_day": _day(w.us_threat_day),
        "channel_suspended": w.channel_suspend_day is not None,
        "channel_suspend_day": _day(w.channel_suspend_day),
        "rus_refusals": w.rus_refusals,
        "rus_strikes_total": sum(w.rus_strikes),
        "gov_strikes_total": sum(w.gov_strikes),
        "localities_captured": sum(
            1 for n, c in terrain.control.items() if c == "GOV" and n not in initial_gov
        ),
        "supply_route_cut": not w.supply_open,
        "supply_cut_day": _day(w.supply_cut_day),
        "opp_territory_share": terrain.opp_share(),
        "civilian_harm": w.civilian_harm,
        "horizon_days": model.horizon,
    }
    # Count each (source, target, code) once (C speed), describe the few dozen kinds, then sum
    # the Goldstein scores per dyad in event order (the order fixes the float sum).
    tally = Counter(map(_TRIPLE, model.event_log))
    kinds = {}
    for source, target, code in tally:
        info = cameo(code)
        src, tgt = event_actor(source), event_actor(target)
        kinds[(source, target, code)] = ((src, tgt, info.root), (src, tgt), info.goldstein)
    counts: Counter = Counter()
    goldstein_n: Counter = Counter()
    for triple, n in tally.items():
        key, dyad, _ = kinds[triple]
        counts[key] += n
        goldstein_n[dyad] += n
    goldstein_sum: dict[tuple[str, str], float] = defaultdict(float)
    for triple in map(_TRIPLE, model.event_log):
        _, dyad, goldstein = kinds[triple]
        goldstein_sum[dyad] += goldstein
    for name, key in _count_names():
        record[name] = counts.get(key, 0)
    for name, key in _dyad_names():
        n = goldstein_n.get(key, 0)
        record[name] = goldstein_sum[key] / n if n else NAN
    return record
