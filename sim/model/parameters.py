"""The behaviour parameters: defaults, prior ranges and article evidence, in one table.

The table is `sim/data/parameters.csv`; one row per parameter with the rule (mechanism) it
belongs to, its default, its prior range (uniform on [low, high]), its unit, the basis of the
default ('article' where an article gives the number or the direction, 'assumption' where it
does not, 'brief' for terms of the 2016 deal not stated in the articles, 'policy' for levers
that counterfactuals set and calibration leaves alone) and the evidence.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

BASES = ("article", "assumption", "brief", "policy")


@dataclass(frozen=True)
class ParameterSpec:
    """One behaviour parameter.

    Attributes:
        name: identifier used in scenarios, posteriors and results.
        mechanism: the rule it belongs to (see `sim.model.mechanisms`).
        default: value used without calibration.
        low: lower end of the prior (uniform) and of the allowed range.
        high: upper end of the prior and of the allowed range.
        unit: unit of the value.
        basis: 'article', 'assumption', 'brief' or 'policy'.
        evidence: article id, sentence and quote behind the value (or 'none').
        description: what the parameter does.
    """

    name: str
    mechanism: str
    default: float
    low: float
    high: float
    unit: str
    basis: str
    evidence: str
    description: str

    @property
    def calibrated(self) -> bool:
        """Whether calibration estimates it (policy levers and deal terms stay fixed)."""
        return self.basis in ("article", "assumption")


@cache
def parameter_table() -> Mapping[str, ParameterSpec]:
    """All parameters by name, in table order (read once per process)."""
    text = resources.files("sim.model").joinpath("parameters.csv").read_text(encoding="utf-8")
    specs = {}
    for row in csv.DictReader(text.splitlines()):
        spec = ParameterSpec(
            name=row["name"],
            mechanism=row["mechanism"],
            default=float(row["default"]),
            low=float(row["low"]),
            high=float(row["high"]),
            unit=row["unit"],
            basis=row["basis"],
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
