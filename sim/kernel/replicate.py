"""One replicate on the kernel, from Python: its streams, its state, its days, its record.

    from sim.kernel.replicate import KernelRun
    run = KernelRun(load_scenario("geneva_2016_02"), parameters, seed=1).run()
    run.outcomes()          # the outcome record (sim.model.outcomes)

The batch engine (`sim.kernel.batch`) runs many replicates in one compiled call; this class
is the one-run path the Mesa model steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np

from sim.kernel.engine import DAILY_WIDTH, simulate_days
from sim.kernel.layout import (
    CEASEFIRE_STATES,
    CODES,
    DRAWS_PER_DAY,
    MILESTONES,
    NONE,
    PARAMETER_NAMES,
    RULE_NAMES,
    TALKS_STATES,
    H,
    L,
    S,
    SF,
    text_id,
)
from sim.kernel.record import COLUMNS, outcome_row, record_dict, record_tables
from sim.kernel.state import ScenarioArrays, new_state, parameter_vector, scenario_constants
from sim.kernel.streams import rule_streams
from sim.kernel.texts import event_text
from sim.model.randomness import rule_key
from sim.model.world import World
from sim.scenario_types import Scenario

#: The rules' stream keys (`sim.model.randomness.rule_key`), by rule id.
RULE_KEYS = np.array([rule_key(name) for name in RULE_NAMES], dtype=np.int64)
_DRAWS = np.array(DRAWS_PER_DAY, dtype=np.int64)
_STRIKES = text_id("STRIKES")
#: The record's column maps by the run's actors (the same for every run of a scenario).
_record_tables = cache(record_tables)
#: Controls of a locality by the kernel's id (0, 1, 2).
CONTROL_NAMES = ("GOV", "OPP", "OTHER")
#: `World` fields that are a day (None until it happens), an int, a flag: one state slot each.
_DAY_FIELDS = ("talks_open_day", "talks_pause_day", "resume_due", "talks_collapse_day", "agreement_day",
               "ultimatum_deadline", "first_ultimatum_day", "first_walkout_day", "ceasefire_agreed_day",
               "ceasefire_terms_day", "ceasefire_effect_due", "ceasefire_effect_day", "ceasefire_collapse_day",
               "jic_day", "offensive_start_day", "us_threat_day", "channel_suspend_day", "rus_drawdown_day",
               "round_end_due", "round_scheduled_day", "last_envoy_ceasefire_call", "supply_cut_day")
_INT_FIELDS = ("days_in_session", "ceasefire_effect_days", "quiet_streak", "escalation_days", "rus_halt_until",
               "support_until", "rus_refusals")
_FLAG_FIELDS = ("talks_resumed", "opp_present", "jic", "task_force", "offensive", "pause_announced",
                "walkout_announced", "supply_open")


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
        tables = _record_tables(self.arrays.actors)
        out = np.zeros(len(COLUMNS))
        outcome_row(self.state, self.arrays.initial_control, self.horizon, self.day, tables.count_column,
                    tables.dyad_column, tables.goldstein, out)
        return out

    def outcomes(self) -> dict:
        """The outcome record so far (the columns of `sim.model.outcomes.outcome_types`)."""
        return record_dict(self.outcome_row())

    # ------------------------------------------------------------------ the state as Python objects
    @property
    def labels(self) -> dict[str, str]:
        """Locality name -> its readable name."""
        terrain = self.arrays.terrain
        return dict(zip(terrain.names, terrain.labels))

    @property
    def n_events(self) -> int:
        """Events logged so far."""
        return int(self.state[0][S.n_events])

    def events(self, first: int = 0) -> list[tuple]:
        """The event log from entry `first` on: (day, source, target, CAMEO code, rule, text);
        a strike report's text is a `StrikeReport` (written when read)."""
        st = self.state
        actors, names, labels, strike_log = self.arrays.actors, self.arrays.terrain.names, self.labels, st[15]
        enclaves = self.arrays.terrain.enclaves
        texts: dict[tuple[int, int], object] = {}  # a run repeats a few dozen texts hundreds of times
        out = []
        for day, source, target, code, rule, text, arg in st[5][first:self.n_events].tolist():
            if text == _STRIKES:
                written = event_text(text, arg, names, labels, strike_log[arg])
            else:
                written = texts.get((text, arg))
                if written is None:
                    written = texts[(text, arg)] = event_text(text, arg, names, labels, enclaves=enclaves)
            out.append((day, actors[source], actors[target], CODES[code], RULE_NAMES[rule], written))
        return out

    def control(self) -> dict[str, str]:
        """Locality -> who holds it now ('GOV', 'OPP', 'OTHER')."""
        names = self.arrays.terrain.names
        return {name: CONTROL_NAMES[c] for name, c in zip(names, self.state[2][L.control].tolist())}

    def edge_open(self) -> list[bool]:
        """Whether each edge of the actor network is open now, in the network's edge order."""
        return [bool(flag) for flag in self.state[14].tolist()]

    def parameters_today(self) -> dict[str, float]:
        """The parameters of the last day simulated (after `set` interventions)."""
        return dict(zip(PARAMETER_NAMES, self.p.tolist()))

    def forced_today(self) -> dict[str, float]:
        """Rule -> its forced value on the last day simulated (the rules not forced left out)."""
        return {name: value for name, value in zip(RULE_NAMES, self.forced.tolist()) if value == value}

    def world(self) -> World:
        """The world state now, as a `World` (a copy: changing it changes nothing in the run)."""
        I, F, LOC, HIST, HARM = self.state[:5]
        day, names = self.day, self.arrays.terrain.names
        w = World(talks=TALKS_STATES[I[S.talks]], ceasefire=CEASEFIRE_STATES[I[S.ceasefire]])
        for name in _DAY_FIELDS:
            value = int(I[getattr(S, name)])
            setattr(w, name, None if value == NONE else value)
        for name in _INT_FIELDS:
            setattr(w, name, int(I[getattr(S, name)]))
        for name in _FLAG_FIELDS:
            setattr(w, name, bool(I[getattr(S, name)]))
        # the parties that accepted its terms (the state keeps a flag each, not their order)
        w.ceasefire_accepted_by = tuple(party for party, slot in (("GOV", S.accepted_gov), ("OPP", S.accepted_opp))
                                        if I[slot])
        w.civilian_harm = float(F[SF.civilian_harm])
        lost = sorted((int(LOC[L.lost_order, i]), names[i], int(d)) for i, d in enumerate(LOC[L.lost_day].tolist())
                      if d != NONE)
        w.lost_on = {name: d for _, name, d in lost}
        w.retaken_on = {names[i]: int(d) for i, d in enumerate(LOC[L.retaken_day].tolist()) if d != NONE}
        w.rus_strikes, w.gov_strikes = HIST[H.rus_strikes, :day].tolist(), HIST[H.gov_strikes, :day].tolist()
        w.strikes, w.violations = HIST[H.strikes, :day].tolist(), HIST[H.violations, :day].tolist()
        w.harm = HARM[:day].tolist()
        w.strikes_by_locality = {names[i]: k for i, k in enumerate(LOC[L.struck_yesterday].tolist()) if k}
        st = self.state
        w.attacks_on_gov = [(int(d), weight) for d, weight in st[9][:I[S.n_grievance]].tolist()]
        w.pressure = [(int(d), CODES[int(code)], weight) for d, code, weight in st[8][:I[S.n_pressure]].tolist()]
        for d, which, scripted in st[10][:I[S.n_milestones]].tolist():
            w.milestones.setdefault(MILESTONES[which], []).append(d)
            if scripted:
                w.scripted.add(MILESTONES[which])
        return w
