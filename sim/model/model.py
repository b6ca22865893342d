"""The diplomacy model: five actors on a network, a terrain, one step per day.

Each day:

1. the morning: scheduled events of the day and counterfactual interventions take effect;
2. observe: the model freezes a `Situation` (the world as of yesterday and what was addressed
   to each actor yesterday);
3. decide: every agent returns its actions from that same situation;
4. resolve: the actions are applied in a fixed order of effects (not of agents), then the rules
   of the world (ceasefire, Joint Implementation Center, political agreement) run, and every
   action is recorded as an event in the event schema.

No result depends on the order in which agents are called: they all read one frozen situation,
each rule draws from its own random stream (`sim.model.randomness`), and resolution is ordered by
effect.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from operator import itemgetter

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
from sim.model.agents import ACTION_ORDER, AGENT_CLASSES, Backer, DiplomacyAgent
from sim.model.networks import ActorNetwork, TerrainNetwork
from sim.model.outcomes import OUTCOME_DESCRIPTIONS, outcome_record
from sim.model.parameters import resolve_parameters
from sim.model.randomness import RuleUniforms
from sim.model.rules import EFFECTS, RULES, SCRIPTS, Action
from sim.model.rules.russia import PRESSURE_PARAMETERS, pressure_on_russia
from sim.model.rules.world_rules import EVENING
from sim.model.world import Situation, StrikeTargets, World
from sim.scenario_types import CeasefireState, Scenario, TalksState

#: Uniforms each rule draws per day (its declaration).
DRAWS_PER_DAY = {name: rule.draws_per_day for name, rule in RULES.items()}
_DAY_LOST = itemgetter(1)

#: The daily state trajectory: column -> its type as stored (the date as ISO text).
DAILY_TYPES: dict[str, type] = {
    "day": int, "date": str, "talks": str, "ceasefire": str, "channel_open": bool, "offensive": bool,
    "opp_present": bool, "jic": bool, "rus_strikes": int, "gov_strikes": int, "violations": int,
    "opp_localities": int, "supply_open": bool, "civilian_harm": float, "pressure_on_rus": float,
}  # fmt: skip
#: Columns of the daily state trajectory, in the order of a daily row.
DAILY_COLUMNS: tuple[str, ...] = tuple(DAILY_TYPES)


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
    added backer, written OTHER); emitting anything else is a bug in a rule."""
    return frozenset(
        (name, *triple) for name, rule in RULES.items() for declared in rule.emits for triple in expand_backer(*declared)
    )


#: (rule, source, target, code) with the actors' own codes (an added backer as itself), found
#: declared: a run checks each kind of event once, not every event (a few dozen kinds, hundreds
#: of events).
_DECLARED_SEEN: set[tuple[str, str, str, str]] = set()


def _check_declared(key: tuple[str, str, str, str]) -> None:
    rule, source, target, code = key
    src, tgt = event_actor(source), event_actor(target)
    if (rule, src, tgt, code) not in allowed_emissions():
        raise AssertionError(f"{rule} emitted an undeclared event {src}->{tgt} {code}")
    _DECLARED_SEEN.add(key)


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """Run without the cyclic garbage collector; restore it after.

    A run allocates tens of thousands of small tuples and lists; with the collector on, it
    runs hundreds of times per run and its full collections rescan every object the process
    holds (the imported libraries' are most of them): a sixth to a fifth of a run's time,
    measured. A run's temporaries hold no reference cycles, so reference counting frees them
    at once; what a run keeps (its event log) lives until the model is dropped, and the cycles
    between the model and its agents are collected after the run as usual. Nothing the model
    computes depends on it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
        params_today: today's parameters (after `set` interventions).
        forced_today: today's forced rules -> value.
        uniforms: rule -> its uniforms of the run (`uniforms.on(rule, day)`).
        actor_network: the typed actor network.
        actors: actor code -> its agent (the agents are also Mesa's `agents`).
        terrain: the terrain network.
        world: the world state.
        today: the day's tallies while its actions are resolved: strikes by actor ('RUS',
            'GOV'), 'violations' (attacks during a ceasefire), 'by_locality'.
        day: the current day (0 on the start date).
        horizon: days simulated.
        event_log: (day, source, target, code, rule, text) of every emitted event.
        daily: the daily state rows (when record_daily).
        datacollector: Mesa's DataCollector, collected after every day (None when not
            `collect`): the daily state of `DAILY_COLUMNS` and the outcome record on the last
            day, with the reporters given.
        events_today: actor code -> events it emitted on the last day simulated.
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
        self.params_today = self.params
        self.forced_today: dict[str, float] = {}
        self.record_daily = record_daily

        self.terrain = TerrainNetwork(scenario.terrain)
        self.uniforms = RuleUniforms(seed, self.horizon, DRAWS_PER_DAY)
        self.extra_actors = {a.code: a for a in scenario.actors}
        actor_codes = list(MODEL_ACTORS) + list(self.extra_actors)
        self.actor_network = ActorNetwork(actor_codes, scenario.edges)
        self.actors: dict[str, DiplomacyAgent] = {
            code: AGENT_CLASSES.get(code, Backer)(self, code) for code in actor_codes
        }
        self._backers = tuple(sorted(code for code in actor_codes if code == "USA" or code in self.extra_actors))
        self._effects = {name: effect.apply for name, effect in EFFECTS.items()}
        self._evening: tuple | None = None  # (name, decision, stream, draws per day), made on day 0

        self.world = World(
            talks=scenario.state.talks,
            ceasefire=scenario.state.ceasefire,
            offensive=scenario.state.offensive,
            opp_present=scenario.state.opp_present,
            offensive_start_day=0 if scenario.state.offensive else None,
        )
        if scenario.state.talks is TalksState.IN_SESSION:
            self.world.talks_open_day = 0
        self._scripting = False  # a scheduled event's script is running (its milestones are inputs)
        if scenario.state.ceasefire is not CeasefireState.NONE:
            # A ceasefire under way at the start: its earlier stages happened before day 0.
            self.world.ceasefire_agreed_day = 0
        if scenario.state.ceasefire is CeasefireState.TERMS:
            self.world.ceasefire_terms_day = 0
            self.world.ceasefire_effect_due = int(round(self.params["ceasefire_start_days"]))
        if scenario.state.ceasefire is CeasefireState.IN_EFFECT:
            self.world.ceasefire_effect_day = 0
            self.world.ceasefire_accepted_by = ("GOV", "OPP")
        if not scenario.state.channel_open:
            self.actor_network.set_open("USA", "RUS", "channel", False)
            self.world.channel_suspend_day = 0
        self.world.supply_open = self.terrain.supply_route_open()
        if not self.world.supply_open:
            self.world.supply_cut_day = 0

        self.day = 0
        self.event_log: list[tuple] = []
        self.daily: list[tuple] = []
        self.today: dict = {}
        self._inbox: dict[str, list[tuple[str, str]]] = {}
        self._edge_restore: dict[int, list] = {}
        self._schedule = self._day_index(scenario)
        self._strike_targets: StrikeTargets | None = None
        self._strike_targets_version = -1
        self._network_view: tuple = ()
        self._network_version = -1
        self.running = True
        self.events_today: dict[str, int] = {}
        self._state_today: dict = {}
        self._final_record: dict | None = None
        self.datacollector: DataCollector | None = None
        if collect:
            self.datacollector = DataCollector(
                model_reporters={**DEFAULT_MODEL_REPORTERS, **(model_reporters or {})},
                agent_reporters=dict(agent_reporters or {}),
            )

    # ------------------------------------------------------------------ set-up helpers
    def _day_index(self, scenario: Scenario) -> dict[int, list[tuple[str, object]]]:
        """Scheduled events and interventions by the day they start or end."""
        index: dict[int, list[tuple[str, object]]] = {}
        for event in scenario.schedule:
            index.setdefault(event.day, []).append(("schedule", event.event))
        for iv in scenario.interventions:
            if iv.kind == "schedule":
                index.setdefault(iv.from_day, []).append(("schedule", iv.event))
            elif iv.kind == "edge":
                index.setdefault(iv.from_day, []).append(("edge", iv))
        self._set_ivs = [iv for iv in scenario.interventions if iv.kind == "set"]
        self._force_ivs = [iv for iv in scenario.interventions if iv.kind == "force"]
        return index

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """Simulate one day: morning, observe, decide, resolve, then collect the day (Mesa
        counts the step and advances `time` by one)."""
        if self.day >= self.horizon:
            self.running = False
            return
        events_before = len(self.event_log)
        self._simulate_day()
        if self.datacollector is not None:
            self._collect_day(events_before)

    def _collect_day(self, events_before: int) -> None:
        """The DataCollector's row of the day just simulated (the reporters read `_state_today`)."""
        counts: dict[str, int] = {}
        for entry in self.event_log[events_before:]:
            counts[entry[1]] = counts.get(entry[1], 0) + 1
        self.events_today = counts
        row = self.daily[-1] if self.record_daily else self._daily_row(self.day - 1)
        self._state_today = dict(zip(DAILY_COLUMNS, row))
        self._final_record = None if self.running else self.outcomes()
        self.datacollector.collect(self)

    def _simulate_day(self) -> None:
        if self.day >= self.horizon:
            self.running = False
            return
        self._morning()
        situation = self._observe()
        actions: list[tuple] = []
        for agent in self.agents:  # all read the same frozen situation: the order cannot matter
            agent.decide(situation, actions)
        self._resolve(situation, actions)
        self.day += 1
        if self.day >= self.horizon:
            self.running = False

    def run(self) -> DiplomacyModel:
        """Run to the horizon through Mesa's clock (after it, `steps` and `time` equal the
        horizon); returns self."""
        with _no_cyclic_collection():
            remaining = self.horizon - self.day
            if remaining > 0:
                self.run_for(remaining)
        return self

    def _morning(self) -> None:
        day = self.day
        if self._set_ivs:
            active = [iv for iv in self._set_ivs if iv.active(day)]
            if active:
                self.params_today = dict(self.params)
                for iv in active:
                    self.params_today[iv.parameter] = iv.value
            else:
                self.params_today = self.params
        if self._force_ivs:
            self.forced_today = {iv.mechanism: iv.value for iv in self._force_ivs if iv.active(day)}
        for restore in self._edge_restore.pop(day, ()):
            self.set_channel_or_edge(*restore)
        for kind, item in self._schedule.get(day, ()):
            if kind == "edge":
                before = self.actor_network.is_open(item.source, item.target, item.edge_kind)
                self.set_channel_or_edge(item.source, item.target, item.edge_kind, item.open)
                if item.to_day is not None and item.to_day + 1 < self.horizon:
                    self._edge_restore.setdefault(item.to_day + 1, []).append(
                        (item.source, item.target, item.edge_kind, before)
                    )
            else:
                self._scripting = True
                try:
                    SCRIPTS[item](self)  # a scheduled event: its rule's own effect
                finally:
                    self._scripting = False

    def set_channel_or_edge(self, source: str, target: str, kind: str, is_open: bool) -> None:
        """Open or close an edge of the actor network (a closed channel counts as suspended)."""
        was_open = self.actor_network.is_open(source, target, kind)
        self.actor_network.set_open(source, target, kind, is_open)
        if kind == "channel" and was_open and not is_open:
            if self.world.channel_suspend_day is None:
                self.world.channel_suspend_day = self.day
            self.milestone("channel_suspend")

    def milestone(self, name: str) -> None:
        """Record that a milestone of the episode happened today (the chronology's names, which
        calibration compares: `calibration/data/milestone_targets.csv`); one a scheduled event
        makes is marked scripted (an input of the run, not a decision)."""
        w = self.world
        days = w.milestones.get(name)
        if days is None:
            days = w.milestones[name] = []
            if self._scripting:
                w.scripted.add(name)
        days.append(self.day)

    def _observe(self) -> Situation:
        w, day, terrain, network = self.world, self.day, self.terrain, self.actor_network
        if terrain.version != self._strike_targets_version:
            self._strike_targets = StrikeTargets(terrain)
            self._strike_targets_version = terrain.version
        targets = self._strike_targets
        if network.version != self._network_version:
            # (channel open, the opposition's backers, the envoy's reach) until an edge changes
            self._network_view = (
                network.is_open("USA", "RUS", "channel"), network.backer_codes("OPP"), network.reach_of("ENVOY")
            )
            self._network_version = network.version
        channel_open, opp_backers, envoy_reach = self._network_view
        inbox = {code: tuple(msgs) for code, msgs in self._inbox.items()}
        self._inbox = {}
        lost_yesterday: tuple[str, ...] = ()
        lost_held: tuple[tuple[str, int], ...] = ()
        if w.lost_on:
            lost_yesterday = tuple(n for n, d in w.lost_on.items() if d == day - 1)
            control = terrain.control
            lost_held = tuple(item for item in sorted(w.lost_on.items(), key=_DAY_LOST) if control[item[0]] == "GOV")
        target = targets.axis_target
        air_support = 0
        if target is not None and w.offensive:
            by = w.strikes_by_locality
            air_support = by.get(target, 0) + sum(by.get(n, 0) for n in terrain.neighbours[target])
        return Situation(
            day=day,
            talks=w.talks,
            opp_present=w.opp_present,
            ultimatum_running=w.ultimatum_deadline is not None,
            ultimatum_expired=w.ultimatum_deadline is not None and day > w.ultimatum_deadline,
            ceasefire=w.ceasefire,
            jic=w.jic,
            monitored=w.monitored,
            ceasefire_accepted=len(w.ceasefire_accepted_by) == 2,
            quiet_streak=w.quiet_streak,
            channel_open=channel_open,
            offensive=w.offensive,
            strikes=tuple(w.strikes),
            rus_strikes_yesterday=w.rus_strikes[-1] if w.rus_strikes else 0,
            lost_yesterday=lost_yesterday,
            lost_held=lost_held,
            us_threat_day=w.us_threat_day,
            escalation_days=w.escalation_days,
            grievance=tuple(w.attacks_on_gov),
            pressure_received=tuple(w.pressure),
            resume_due=w.resume_due,
            talks_paused_yesterday=w.pause_announced,
            opp_walked_out_yesterday=w.walkout_announced,
            inbox=inbox,
            last_envoy_ceasefire_call=w.last_envoy_ceasefire_call,
            ceasefire_collapse_day=w.ceasefire_collapse_day,
            rus_halt_until=w.rus_halt_until,
            rus_drawn_down=w.rus_drawdown_day is not None,
            round_end_due=w.round_end_due,
            round_scheduled_day=w.round_scheduled_day,
            support_until=w.support_until,
            axis_target=target,
            axis_target_retaken=w.retaken_on.get(target) if target is not None else None,
            air_support=air_support,
            strike_targets=targets,
            opp_backers=opp_backers,
            envoy_reach=envoy_reach,
            backers=self._backers,
            labels=terrain.labels,
        )

    # ------------------------------------------------------------------ resolution
    def _resolve(self, s: Situation, actions: list[tuple]) -> None:
        """Apply the day's actions in the order of their effects, tally the day's strikes,
        then run the world's evening rules (each one's actions take effect before the next)."""
        w, day = self.world, self.day
        w.pause_announced = w.walkout_announced = False
        today = self.today = {"RUS": 0, "GOV": 0, "violations": 0, "by_locality": {}}
        harm_before = w.civilian_harm
        actions.sort(key=ACTION_ORDER)
        effects = self._effects
        for _, _, _, action in actions:
            if action.effect is None:  # talk only: most actions
                self.emit(action.rule, action.events)
            else:
                effects[action.effect](self, action)
        rus, gov = today["RUS"], today["GOV"]
        w.rus_strikes.append(rus)
        w.gov_strikes.append(gov)
        w.strikes.append(rus + gov)
        w.strikes_by_locality = today["by_locality"]
        w.harm.append(w.civilian_harm - harm_before)
        # Strikes and attacks under a ceasefire in effect are its violations.
        w.violations.append(rus + gov + today["violations"] if w.ceasefire is CeasefireState.IN_EFFECT else 0)
        params, forced = self.params_today, self.forced_today
        if self._evening is None:
            self._evening = tuple(
                (name, RULES[name].decide, self.uniforms[name], RULES[name].draws_per_day) for name in EVENING
            )
        for name, decide, stream, k in self._evening:
            start = day * k
            for action in decide(s, w, params, stream[start:start + k], forced.get(name)):
                self.apply(action)
        if w.talks is TalksState.IN_SESSION:
            w.days_in_session += 1
        if w.ceasefire is CeasefireState.IN_EFFECT:
            w.ceasefire_effect_days += 1
        if self.record_daily:
            self._record_day()

    def apply(self, action: Action) -> None:
        """Apply one action's effect (its rule's) and record its events."""
        if action.effect is None:
            self.emit(action.rule, action.events)
        else:
            self._effects[action.effect](self, action)

    # ------------------------------------------------------------------ events
    def record(self, action: Action) -> None:
        """Record the events of an action that took effect."""
        self.emit(action.rule, action.events)

    def emit(self, rule: str, events) -> None:
        """Record events of a rule: the event log, the addressees' inboxes, pressure on Russia.

        Raises:
            AssertionError: the rule emitted an event it does not declare (a bug in the rule).
        """
        day, inbox, log, seen = self.day, self._inbox, self.event_log, _DECLARED_SEEN
        for source, target, code, text in events:
            key = (rule, source, target, code)
            if key not in seen:
                _check_declared(key)
            received = inbox.get(target)
            if received is None:
                received = inbox[target] = []
            received.append((source, code))
            if target == "RUS" and code in PRESSURE_PARAMETERS:
                self._pressure(source, code)
            if source == "ENVOY" and code == "020":
                self.world.last_envoy_ceasefire_call = day
            log.append((day, source, target, code, rule, text))

    def _pressure(self, source: str, code: str) -> None:
        """Pressure on Russia travels along the network: the channel, or envoy -> party <- backer."""
        if source == "USA":
            weight = self.actor_network.weight("USA", "RUS", "channel")
        elif source == "ENVOY":
            weight = self.actor_network.backers_reached_by_mediator("ENVOY").get("RUS", 0.0)
        else:
            weight = 0.0
        if weight > 0:
            self.world.pressure.append((self.day, code, weight))

    def _record_day(self) -> None:
        self.daily.append(self._daily_row(self.day))

    def _daily_row(self, day: int) -> tuple:
        """The state at the end of `day` (the day being resolved, or the last one), in the order
        of `DAILY_COLUMNS`."""
        w = self.world
        return (
            day,
            self.scenario_spec.date_of(day),
            w.talks.value,
            w.ceasefire.value,
            self.actor_network.is_open("USA", "RUS", "channel"),
            w.offensive,
            w.opp_present,
            w.jic,
            w.rus_strikes[-1],
            w.gov_strikes[-1],
            w.violations[-1],
            sum(1 for c in self.terrain.control.values() if c == "OPP"),
            w.supply_open,
            w.civilian_harm,
            pressure_on_russia(w.pressure, day, self.params_today),
        )

    def date_of(self, day: int) -> dt.date:
        """Calendar date of a day of the run."""
        return self.scenario_spec.date_of(day)

    def outcomes(self) -> dict:
        """The outcome record of the run so far (see sim.model.outcomes)."""
        return outcome_record(self)

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

