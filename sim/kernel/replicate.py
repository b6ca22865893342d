"""One replicate on the kernel, from Python: its streams, its state, its days, its record.

    from sim.kernel.replicate import KernelRun
    run = KernelRun(load_scenario("geneva_2016_02"), parameters, seed=1).run()
    run.outcomes()          # the outcome record (sim.model.outcomes)

The batch engine (`sim.kernel.batch`) runs many replicates in one compiled call; this class
is the one-run path the Mesa model steps.
"""

from __future__ import annotations

from collections.abc import Mapping
import numpy as np

from sim.kernel.engine import DAILY_WIDTH, simulate_days
from sim.kernel.layout import DRAWS_PER_DAY, RULE_NAMES
from sim.kernel.record import COLUMNS, outcome_row, record_dict, record_tables
from sim.kernel.state import ScenarioArrays, new_state, parameter_vector, scenario_constants
from sim.kernel.streams import rule_streams
from sim.model.randomness import rule_key
from sim.scenario_types import Scenario

#: The rules' stream keys (`sim.model.randomness.rule_key`), by rule id.
RULE_KEYS = np.array([rule_key(name) for name in RULE_NAMES], dtype=np.int64)
_DRAWS = np.array(DRAWS_PER_DAY, dtype=np.int64)


_ARRAYS: dict[int, tuple[Scenario, ScenarioArrays]] = {}


def scenario_arrays(scenario: Scenario) -> ScenarioArrays:
    """The scenario's constants, made once per loaded scenario (a batch runs it many times)."""
    found = _ARRAYS.get(id(scenario))
    if found is None or found[0] is not scenario:
        if len(_ARRAYS) > 64:
            _ARRAYS.clear()
        found = _ARRAYS[id(scenario)] = (scenario, scenario_constants(scenario))
    return found[1]


def run_uniforms(seed: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Every rule's uniforms for a run: the flat values and where each rule's start."""
    return rule_streams(np.uint64(seed), RULE_KEYS, _DRAWS * horizon)


class KernelRun:
    """One replicate of a scenario on the compiled kernel.

    Args:
        scenario: the loaded scenario.
        parameters: every parameter's value (resolved, before interventions).
        seed: the run's seed.
        horizon: days to simulate.
        record_daily: keep the daily rows.

    Attributes:
        state: the state arrays (`sim.kernel.world`).
        day: days simulated so far.
    """

    def __init__(self, scenario: Scenario, parameters: Mapping[str, float], seed: int, horizon: int,
                 record_daily: bool = False):
        self.scenario = scenario
        self.arrays = scenario_arrays(scenario)
        self.seed, self.horizon, self.record_daily = int(seed), int(horizon), record_daily
        self.base_p = parameter_vector(parameters)
        self.p = self.base_p.copy()
        self.forced = np.full(len(RULE_NAMES), np.nan)
        self.uniforms, self.offsets = run_uniforms(self.seed, self.horizon)
        self.state = new_state(self.arrays, scenario, self.base_p, self.horizon)
        self.daily = np.full((self.horizon, DAILY_WIDTH), np.nan)
        self.day = 0

    def step(self, days: int = 1) -> None:
        """Simulate the next `days` days (not past the horizon)."""
        last = min(self.horizon, self.day + days)
        if last > self.day:
            simulate_days(self.state, self.arrays.constants, self.base_p, self.p, self.forced, self.uniforms,
                          self.offsets, self.day, last, self.horizon, self.daily, self.record_daily)
            self.day = last

    def run(self) -> KernelRun:
        """Simulate to the horizon; returns self."""
        self.step(self.horizon - self.day)
        return self

    def outcome_row(self) -> np.ndarray:
        """The outcome record so far, as a row of `sim.kernel.record.COLUMNS`."""
        tables = record_tables(self.arrays.actors)
        out = np.zeros(len(COLUMNS))
        outcome_row(self.state, self.arrays.initial_control, self.horizon, self.day, tables.count_column,
                    tables.dyad_column, tables.goldstein, out)
        return out

    def outcomes(self) -> dict:
        """The outcome record so far (`sim.model.outcomes.outcome_record`)."""
        return record_dict(self.outcome_row())
