"""The behaviour parameters: defaults, prior ranges, basis and evidence, in one table.

The table is `sim/model/parameters.csv`; one row per parameter with the rule that owns it (other
rules may read it too: each rule declares what it reads, `sim.model.rules`), its default, its
prior range (uniform on [low, high]), its unit, the basis of the default, whether calibration
estimates it, and the evidence. Bases:

- `evidence`: an article gives the number or the direction (or, for the ceasefire's delay and
  the JIC's quiet days, the terms of the September 2016 deal; for policy levers, what the
  parties did);
- `assumption`: a behavioural number the articles do not give (calibration estimates it);
- `structural`: a number of the model's make-up (a memory window, a weight, a scale), fixed.

Every number a rule uses is a row here; new rows go at the end (results tables hold one column
per parameter in table order, and calibration estimates the calibrated ones in that order).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Mapping

from sim.model.tables import table_rows

BASES = ("evidence", "assumption", "structural")


@dataclass(frozen=True)
class ParameterSpec:
    """One behaviour parameter.

    Attributes:
        name: identifier used in scenarios, posteriors and results.
        rule: the rule that owns it (see `sim.model.rules`).
        default: value used without calibration.
        low: lower end of the prior (uniform) and of the allowed range.
        high: upper end of the prior and of the allowed range.
        unit: unit of the value.
        basis: 'evidence', 'assumption' or 'structural'.
        calibrated: whether calibration estimates it (policy levers, the deal's terms and
            structural numbers stay fixed).
        evidence: article id, sentence and quote behind the value (or 'none: ...').
        description: what the parameter does.
    """

    name: str
    rule: str
    default: float
    low: float
    high: float
    unit: str
    basis: str
    calibrated: bool
    evidence: str
    description: str


@cache
def parameter_table() -> Mapping[str, ParameterSpec]:
    """All parameters by name, in table order (read once per process)."""
    specs = {}
    for row in table_rows("parameters.csv"):
        spec = ParameterSpec(
            name=row["name"],
            rule=row["rule"],
            default=float(row["default"]),
            low=float(row["low"]),
            high=float(row["high"]),
            unit=row["unit"],
            basis=row["basis"],
            calibrated={"yes": True, "no": False}[row["calibrated"]],
            evidence=row["evidence"],
            description=row["description"],
        )
        specs[spec.name] = spec
    return MappingProxyType(specs)


def default_parameters() -> dict[str, float]:
    """A fresh dict of every parameter at its default."""
    return {name: spec.default for name, spec in parameter_table().items()}


def check_parameter(name: str, value, where: str = "parameters") -> float:
    """Validate one parameter value; returns it as float.

    Args:
        name: parameter name.
        value: proposed value.
        where: what to name in the error (file and table).

    Raises:
        ValueError: unknown name, not a number, or outside [low, high]; the message names
            the key and what is allowed.
    """
    table = parameter_table()
    if name not in table:
        raise ValueError(f"{where}: unknown parameter {name!r}; allowed: {', '.join(table)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {name} must be a number, got {value!r}")
    spec = table[name]
    if not spec.low <= value <= spec.high:
        raise ValueError(
            f"{where}: {name} = {value} is outside its allowed range [{spec.low:g}, {spec.high:g}]"
        )
    return float(value)


def resolve_parameters(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Defaults with `overrides` applied, every override validated."""
    params = default_parameters()
    for name, value in (overrides or {}).items():
        params[name] = check_parameter(name, value)
    return params
