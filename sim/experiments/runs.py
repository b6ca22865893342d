"""Run one episode: the function behind `run.py simulate` and the unit of every batch."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.model.model import DAILY_COLUMNS, DiplomacyModel
from sim.model.outcomes import outcome_record
from sim.scenario_types import Scenario


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        scenario: the scenario run.
        seed: the run's seed.
        parameters: the parameters used (before interventions).
        outcomes: the outcome record (see sim.model.outcomes).
        model: the finished model (world, networks, event log).
    """

    scenario: Scenario
    seed: int
    parameters: dict[str, float]
    outcomes: dict
    model: DiplomacyModel = field(repr=False)

    @property
    def events(self) -> pd.DataFrame:
        """The simulated events in the event schema."""
        return self.model.events_frame()

    @property
    def daily(self) -> pd.DataFrame:
        """The daily state trajectory (empty unless the run recorded it)."""
        return pd.DataFrame(self.model.daily, columns=list(DAILY_COLUMNS))

    def outcomes_json(self) -> dict:
        """Outcomes for JSON: NaN -> null, numpy scalars -> Python numbers."""
        out = {"scenario": self.scenario.name, "seed": self.seed}
        for key, value in self.outcomes.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            out[key] = value
        return json.loads(json.dumps(out))


def simulate(
    scenario: Scenario | str,
    seed: int,
    days: int | None = None,
    parameters: Mapping[str, float] | None = None,
    scenario_dir: str | Path | None = None,
    record_daily: bool = False,
) -> RunResult:
    """Run one scenario to its horizon.

    Args:
        scenario: a loaded Scenario, a scenario name or a path to a scenario file.
        seed: the run's seed (same seed, same result).
        days: horizon in days (default: the scenario's).
        parameters: parameter overrides (e.g. one posterior draw).
        scenario_dir: folder of scenario files (default: the project's scenarios/).
        record_daily: keep the daily state trajectory.

    Returns:
        The run's RunResult.
    """
    model = DiplomacyModel(
        scenario=scenario,
        parameters=parameters,
        horizon_days=days,
        record_daily=record_daily,
        scenario_dir=scenario_dir,
        rng=seed,
    )
    model.run()
    return RunResult(model.scenario_spec, model.seed, dict(model.params), outcome_record(model), model)
