"""Build and run one model: the one place a `DiplomacyModel` is made from a scenario.

`simulate` is the function behind `run.py simulate` and the unit of every batch task;
`rerun` runs a stored run of a study again (its seed, horizon and parameters); `build_model`
resolves a scenario name or path into a loaded `Scenario` (the model itself loads no files).

    from sim.experiments.runs import simulate, rerun
    result = simulate("geneva_2016_02", seed=1)
    result.outcomes["talks_pause_day"], result.events.head()
    again = rerun(load_study("default"), "geneva_2016_02", replicate=0)   # its model, for figures
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.model.model import DAILY_COLUMNS, DiplomacyModel
from sim.results.store import Study
from sim.scenario_types import Scenario
from sim.scenarios import load_scenario


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


def build_model(
    scenario: Scenario | str | Path,
    parameters: Mapping[str, float] | None = None,
    days: int | None = None,
    record_daily: bool = False,
    seed: int | None = None,
    scenario_dir: str | Path | None = None,
    collect: bool = True,
) -> DiplomacyModel:
    """A model ready to run.

    Args:
        scenario: a loaded Scenario, a scenario name or a path to a scenario file.
        parameters: parameter values (e.g. one posterior draw); the scenario's own settings and
            interventions apply on top.
        days: horizon in days (default: the scenario's).
        record_daily: keep the daily state trajectory.
        seed: the run's seed (same seed, same result).
        scenario_dir: folder of scenario files for a name (default: the project's scenarios/).
        collect: keep the model's live DataCollector (False in batches and calibration, where
            the stored tables record the run: it costs about half a run's time).

    Raises:
        UserError: an unknown scenario or a bad scenario file (one line).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, scenario_dir)
    return DiplomacyModel(scenario, parameters=parameters, horizon_days=days, record_daily=record_daily, rng=seed,
                          collect=collect)


def simulate(
    scenario: Scenario | str | Path,
    seed: int,
    days: int | None = None,
    parameters: Mapping[str, float] | None = None,
    scenario_dir: str | Path | None = None,
    record_daily: bool = False,
    collect: bool = True,
) -> RunResult:
    """Run one scenario to its horizon.

    Args:
        scenario: a loaded Scenario, a scenario name or a path to a scenario file.
        seed: the run's seed (same seed, same result).
        days: horizon in days (default: the scenario's).
        parameters: parameter values (e.g. one posterior draw).
        scenario_dir: folder of scenario files (default: the project's scenarios/).
        record_daily: keep the daily state trajectory.
        collect: keep the model's live DataCollector (`result.model.datacollector`).

    Returns:
        The run's RunResult.
    """
    model = build_model(scenario, parameters, days, record_daily, seed, scenario_dir, collect)
    model.run()
    return RunResult(model.scenario_spec, model.seed, dict(model.params), model.outcomes(), model)


def rerun(
    study: Study, scenario: str, replicate: int, scenario_dir: str | Path | None = None,
    record_daily: bool = False,
) -> RunResult:
    """Run one stored run of a study again, with its seed, horizon and parameters.

    The outcome record equals the stored row (same code, same numbers); the result also holds
    the model object (for the network figures) and its events.

    Args:
        study: the stored study.
        scenario: the run's scenario name.
        replicate: the run's replicate number.
        scenario_dir: folder of scenario files (default: the project's scenarios/).
        record_daily: keep the daily state trajectory.

    Raises:
        UserError: the study has no such run.
    """
    run = study.stored_run(scenario, replicate)
    return simulate(run.scenario, seed=run.seed, days=run.days, parameters=run.parameters,
                    scenario_dir=scenario_dir, record_daily=record_daily)
