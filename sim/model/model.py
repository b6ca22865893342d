"""The diplomacy model: five actors on a network, a terrain, one step per day.

Each day:

1. the morning: scheduled events of the day and counterfactual interventions take effect;
2. observe: the model freezes the situation (the world as of yesterday and what was addressed
   to each actor yesterday);
3. decide: every agent's rules return their actions from that same situation;
4. resolve: the actions are applied in a fixed order of effects (not of agents), then the rules
   of the world (ceasefire, Joint Implementation Center, political agreement) run, and every
   action is recorded as an event in the event schema.

The day itself is the compiled kernel's (`sim.kernel.engine`): the rules, their effects and the
day loop exist once, and this Mesa model steps them one day at a time (`sim.kernel.replicate.
KernelRun`), the batch engine a block of runs at a time. After each step the model reads the
day back as Python objects: the event log, the daily row, the world (`world`), the terrain's
control and the actor network's open edges, which Mesa's DataCollector, the interactive page
and a notebook read.

No result depends on the order in which agents are called: they all read one frozen situation,
each rule draws from its own random stream (`sim.model.randomness`), and resolution is ordered by
effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache

import numpy as np
from mesa import DataCollector, Model

from sim.events import (
    MODEL_ACTORS,
    SIMULATED_STORY,
    event_actor,
    event_row,
    events_frame,
    expand_backer,
)
from sim.kernel.layout import CEASEFIRE_STATES, TALKS_STATES
from sim.kernel.replicate import KernelRun
from sim.model.agents import AGENT_CLASSES, Backer, DiplomacyAgent
from sim.model.networks import ActorNetwork, TerrainNetwork
from sim.model.outcomes import OUTCOME_DESCRIPTIONS
from sim.model.parameters import resolve_parameters
from sim.model.randomness import RuleUniforms
from sim.model.rules import RULES
from sim.model.world import World
from sim.scenario_types import Scenario

#: The daily state trajectory: column -> its type as stored (the date as ISO text).
DAILY_TYPES: dict[str, type] = {
    "day": int, "date": str, "talks": str, "ceasefire": str, "channel_open": bool, "offensive": bool,
    "opp_present": bool, "jic": bool, "rus_strikes": int, "gov_strikes": int, "violations": int,
    "opp_localities": int, "supply_open": bool, "civilian_harm": float, "pressure_on_rus": float,
}  # fmt: skip
#: Columns of the daily state trajectory, in the order of a daily row.
DAILY_COLUMNS: tuple[str, ...] = tuple(DAILY_TYPES)
#: The kernel's state ids of the daily columns that hold a state -> the value the row stores.
_STATE_VALUES = {"talks": [s.value for s in TALKS_STATES], "ceasefire": [s.value for s in CEASEFIRE_STATES]}


def _state_reporter(column: str):
    return lambda model: model._state_today[column]


def _outcome_reporter(name: str):
    return lambda model: None if model._final_record is None else model._final_record[name]


#: The DataCollector's model reporters: each day's state (`DAILY_COLUMNS`), then the outcome
#: record, filled on the last day only (it describes the whole run, and costs more than the day;
#: `model.outcomes()` gives it so far at any time). civilian_harm is in both: the day's value.
DEFAULT_MODEL_REPORTERS = {
    **{column: _state_reporter(column) for column in DAILY_COLUMNS},
    **{name: _outcome_reporter(name) for name in OUTCOME_DESCRIPTIONS if name not in DAILY_TYPES},
}
#: Agent reporters to pass as `agent_reporters=` (none are on by default: with any, Mesa's
#: DataCollector and `mesa.batch_run` give one row per agent per day instead of one per day).
AGENT_REPORTERS = {
    "actor": "code",
    "events_today": lambda agent: agent.model.events_today.get(agent.code, 0),
}


def _seed_from(rng) -> int:
    """An integer seed from what Mesa accepts as `rng` (None draws a fresh one)."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63))
    if isinstance(rng, np.integer | int) and not isinstance(rng, bool) and rng >= 0:
        return int(rng)
    raise ValueError(f"rng must be a non-negative integer seed, a numpy Generator or None, got {rng!r}")


@cache
def allowed_emissions() -> frozenset[tuple[str, str, str, str]]:
    """(rule, source, target, CAMEO code) of every event a rule declares (BACKER: the US or an
    added backer, written OTHER); an event outside them is a bug in a rule."""
    return frozenset(
        (name, *triple) for name, rule in RULES.items() for declared in rule.emits for triple in expand_backer(*declared)
    )


#: (rule, source, target, code) with the actors' own codes (an added backer as itself), found
#: declared: a run checks each kind of event once, not every event (a few dozen kinds, hundreds
#: of events).
_DECLARED_SEEN: set[tuple[str, str, str, str]] = set()


def check_declared(key: tuple[str, str, str, str]) -> None:
    """Check that (rule, source, target, code) of an event is one its rule declares.

    Raises:
        AssertionError: the rule emitted an undeclared event (a bug in the rule).
    """
    rule, source, target, code = key
    src, tgt = event_actor(source), event_actor(target)
    if (rule, src, tgt, code) not in allowed_emissions():
        raise AssertionError(f"{rule} emitted an undeclared event {src}->{tgt} {code}")
    _DECLARED_SEEN.add(key)


class DiplomacyModel(Model):
    """Conflict diplomacy of five actors over an episode, one step per day.

    Args:
        scenario: a loaded `Scenario` (`sim.load_scenario(name)`; the model reads no files, so
            a name is resolved before it is built, e.g. by `sim.experiments.runs.build_model`).
        parameters: base parameter values (name -> value), e.g. one posterior draw; the
            scenario's own `[parameters]` override them, and keyword overrides override both.
            Each value is checked against its allowed range.
        horizon_days: days to simulate (default: the scenario's).
        record_daily: keep the daily state trajectory (`daily`, as a batch stores it).
        rng: the run's seed (non-negative int); None draws one (see `seed`).
        seed: the same as `rng` (Mesa's older name); give one of them.
        collect: keep a live Mesa `datacollector` that collects every day (False: none, as a
            batch runs the model, where the stored tables record the run).
        model_reporters: more model reporters for the DataCollector (name -> function of the
            model, or attribute name), added to the defaults (`DEFAULT_MODEL_REPORTERS`).
        agent_reporters: agent reporters (none by default; `AGENT_REPORTERS` has the actor and
            its events of the day).
        **parameter_overrides: parameters as keyword arguments (for `mesa.batch_run`).

    Attributes:
        scenario_spec: the scenario (Mesa reserves `scenario` for its own class).
        seed: the integer seed of the run (record it to reproduce the run).
        params: the run's parameters before interventions.
        params_today: the last day's parameters (after `set` interventions).
        forced_today: the last day's forced rules -> value.
        uniforms: rule -> its uniforms of the run (`uniforms.on(rule, day)`).
        kernel: the run on the compiled kernel, which the model steps.
        actor_network: the typed actor network (its open edges as the run left them).
        actors: actor code -> its agent (the agents are also Mesa's `agents`).
        terrain: the terrain network (its control as the run left it).
        world: the world state as of the last day simulated (a fresh `World` read from the
            kernel on each access after a step: changing it changes nothing in the run).
        day: the current day (0 on the start date).
        horizon: days simulated.
        event_log: (day, source, target, code, rule, text) of every emitted event.
        daily: the daily state rows (when record_daily).
        datacollector: Mesa's DataCollector, collected after every day (None when not
            `collect`): the daily state of `DAILY_COLUMNS` and the outcome record on the last
            day, with the reporters given.
        events_today: actor code -> events it emitted on the last day simulated (when collecting).
    """

    def __init__(
        self,
        scenario: Scenario,
        parameters: Mapping[str, float] | None = None,
        horizon_days: int | None = None,
        record_daily: bool = False,
        rng=None,
        seed: int | None = None,
        collect: bool = True,
        model_reporters: Mapping | None = None,
        agent_reporters: Mapping | None = None,
        **parameter_overrides,
    ):
        if seed is not None:
            if rng is not None:
                raise ValueError(f"give the seed once: rng={rng!r} and seed={seed!r}")
            rng = seed
        seed = _seed_from(rng)
        super().__init__(rng=seed)
        advance_clock = self.step  # Mesa's: advances `steps` and `time`, then runs ours
        def step_within_horizon() -> None:  # past the horizon there is no day: the clock stays
            if self.day < self.horizon:
                advance_clock()
            else:
                self.running = False
        self.step = step_within_horizon
        if not isinstance(scenario, Scenario):
            raise TypeError(
                f"scenario must be a loaded Scenario, got {scenario!r}; "
                "pass sim.load_scenario(name_or_path) (the model reads no files)"
            )
        self.scenario_spec = scenario
        self.seed = seed
        self.horizon = int(scenario.horizon_days if horizon_days is None else horizon_days)
        if self.horizon < 1:
            raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
        overrides = dict(parameters or {})
        overrides.update(scenario.parameters)
        overrides.update(parameter_overrides)
        self.params = resolve_parameters(overrides)
        self.record_daily = record_daily

        self.kernel = KernelRun(scenario, self.params, seed, self.horizon, record_daily=True)
        self.uniforms = RuleUniforms(self.kernel)
        self.extra_actors = {a.code: a for a in scenario.actors}
        actor_codes = list(MODEL_ACTORS) + list(self.extra_actors)
        self._terrain = TerrainNetwork(scenario.terrain)
        self._actor_network = ActorNetwork(actor_codes, scenario.edges)
        self.actors: dict[str, DiplomacyAgent] = {
            code: AGENT_CLASSES.get(code, Backer)(self, code) for code in actor_codes
        }
        self.day = 0
        self._event_log: list[tuple] = []
        self.daily: list[tuple] = []
        self._read: dict[str, int] = {}  # view -> the day it was last read back from the kernel
        self._world: World | None = None
        self.running = True
        self.events_today: dict[str, int] = {}
        self._collected_events = 0
        self._state_today: dict = {}
        self._final_record: dict | None = None
        self.datacollector: DataCollector | None = None
        if collect:
            self.datacollector = DataCollector(
                model_reporters={**DEFAULT_MODEL_REPORTERS, **(model_reporters or {})},
                agent_reporters=dict(agent_reporters or {}),
            )

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """Simulate one day on the kernel, then collect it (Mesa counts the step and advances
        `time` by one)."""
        if self.day >= self.horizon:
            self.running = False
            return
        self.kernel.step(1)
        self.day = self.kernel.day
        if self.record_daily:
            self.daily.append(self._daily_row(self.day - 1))
        if self.day >= self.horizon:
            self.running = False
        if self.datacollector is not None:
            self._collect_day()

    def run(self) -> DiplomacyModel:
        """Run to the horizon through Mesa's clock (after it, `steps` and `time` equal the
        horizon); returns self."""
        remaining = self.horizon - self.day
        if remaining > 0:
            self.run_for(remaining)
        return self

    def _collect_day(self) -> None:
        """The DataCollector's row of the day just simulated (the reporters read `_state_today`)."""
        day, log = self.day - 1, self.event_log
        counts: dict[str, int] = {}
        for entry in log[self._collected_events:]:
            counts[entry[1]] = counts.get(entry[1], 0) + 1
        self._collected_events = len(log)
        self.events_today = counts
        self._state_today = dict(zip(DAILY_COLUMNS, self.daily[-1] if self.record_daily else self._daily_row(day)))
        self._final_record = None if self.running else self.outcomes()
        self.datacollector.collect(self)

    def _daily_row(self, day: int) -> tuple:
        """The kernel's row of the state at the end of `day`, typed as `DAILY_TYPES`."""
        values = []
        for (name, kind), value in zip(DAILY_TYPES.items(), self.kernel.daily[day].tolist()):
            if name == "date":
                values.append(self.scenario_spec.date_of(day))
            elif name in _STATE_VALUES:
                values.append(_STATE_VALUES[name][int(value)])
            else:
                values.append(kind(value))
        return tuple(values)

    # ------------------------------------------------------------------ the run, read back
    # Each view is read from the kernel's arrays when it is asked for after a step, not on every
    # step: a batch of runs asks for the record and the events once, at the end.
    def _stale(self, view: str) -> bool:
        if self._read.get(view) == self.day:
            return False
        self._read[view] = self.day
        return True

    @property
    def event_log(self) -> list[tuple]:
        """(day, source, target, code, rule, text) of every event emitted so far.

        Raises:
            AssertionError: a rule emitted an event it does not declare (a bug in the rule).
        """
        if self._stale("events"):
            new_events = self.kernel.events(len(self._event_log))
            for _, source, target, code, rule, _ in new_events:
                key = (rule, source, target, code)
                if key not in _DECLARED_SEEN:
                    check_declared(key)
            self._event_log += new_events
        return self._event_log

    @property
    def world(self) -> World:
        """The world state as of the last day simulated (`KernelRun.world`)."""
        if self._stale("world"):
            self._world = self.kernel.world()
        return self._world

    @property
    def terrain(self) -> TerrainNetwork:
        """The terrain network, its control as the run left it."""
        if self._stale("terrain"):
            for name, holder in self.kernel.control().items():
                if self._terrain.control[name] != holder:
                    self._terrain.set_control(name, holder)
        return self._terrain

    @property
    def actor_network(self) -> ActorNetwork:
        """The typed actor network, its open edges as the run left them."""
        if self._stale("network"):
            self._actor_network.set_open_flags(self.kernel.edge_open())
        return self._actor_network

    @property
    def params_today(self) -> dict[str, float]:
        """The last day's parameters, after `set` interventions (the base ones before day 0)."""
        return self.kernel.parameters_today()

    @property
    def forced_today(self) -> dict[str, float]:
        """The last day's forced rules -> value."""
        return self.kernel.forced_today()

    def date_of(self, day: int) -> dt.date:
        """Calendar date of a day of the run."""
        return self.scenario_spec.date_of(day)

    def outcomes(self) -> dict:
        """The outcome record of the run so far (see sim.model.outcomes)."""
        return self.kernel.outcomes()

    def events_frame(self):
        """The run's events as an event table (the schema of sim.events)."""
        rows = []
        for i, (day, source, target, code, mechanism, text) in enumerate(self.event_log):
            rows.append(
                event_row(
                    event_id=f"sim:{self.scenario_spec.name}:{self.seed}:{i}",
                    story_id=SIMULATED_STORY,
                    event_date=self.date_of(day).isoformat(),
                    source=event_actor(source),
                    target=event_actor(target),
                    source_text=source,
                    target_text=target,
                    cameo_code=code,
                    trigger=str(text),
                    date_precision="day",
                    coder=f"{mechanism}@{self.scenario_spec.name}",
                )
            )
        return events_frame(rows)
