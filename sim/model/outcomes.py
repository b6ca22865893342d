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

from dataclasses import dataclass
from functools import cache

from sim.events import cameo, expand_backer
from sim.model.rules import RULES
from sim.model.tables import table_rows

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
