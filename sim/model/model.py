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
from pathlib import Path

import networkx as nx
import numpy as np
from mesa import DataCollector, Model
from mesa.discrete_space import Network

from sim.model.agents import Action, Backer, DiplomacyAgent, Envoy, Government, Opposition, Russia, UnitedStates, hazard
from sim.events import MODEL_ACTORS, SIMULATED_STORY, event_row, events_frame
from sim.model.mechanisms import MECHANISMS
from sim.model.networks import ActorNetwork, TerrainNetwork
from sim.model.outcomes import OUTCOME_DESCRIPTIONS, outcome_record
from sim.model.parameters import resolve_parameters
from sim.model.randomness import MechanismUniforms
from sim.scenario_types import CeasefireState, Scenario, TalksState
from sim.model.world import (
    COUNTERATTACK_WINDOW_DAYS,
    PRESSURE_MEMORY_DAYS,
    PRESSURE_WEIGHTS,
    SUPPORT_DAYS,
    Situation,
    World,
)

AGENT_CLASSES: dict[str, type[DiplomacyAgent]] = {
    "ENVOY": Envoy,
    "GOV": Government,
    "OPP": Opposition,
    "RUS": Russia,
    "USA": UnitedStates,
}

#: The order in which effects are applied within a day (then by mechanism and actor).
EFFECT_ORDER = {
    name: i
    for i, name in enumerate(
        (
            None,
            "strikes",
            "violation",
            "rus_refuse",
            "rus_halt",
            "capture",
            "recapture",
            "offensive_start",
            "ultimatum",
            "walkout",
            "return",
            "pause",
            "resume",
            "talks_collapse",
            "us_threat",
            "channel_suspend",
            "support",
        )
    )
}

_MODEL_ACTOR_SET = frozenset(MODEL_ACTORS)

#: Civilians killed per strike scale with population as pop / (pop + this): a strike on a
#: densely populated district kills about `harm_per_strike`, one on a hamlet far fewer.
HARM_HALF_POPULATION = 50_000

#: Columns of the daily state trajectory.
DAILY_COLUMNS = (
    "day",
    "date",
    "talks",
    "ceasefire",
    "channel_open",
    "offensive",
    "opp_present",
    "jic",
    "rus_strikes",
    "gov_strikes",
    "violations",
    "opp_localities",
    "supply_open",
    "civilian_harm",
    "pressure_on_rus",
)


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
    """(mechanism, source, target, CAMEO code) of every event a rule declares (BACKER: the
    US or an added backer, written OTHER); emitting anything else is a bug in a rule."""
    allowed = set()
    backers = ("USA", "OTHER")
    for name, mech in MECHANISMS.items():
        for src, tgt, code in mech.emits:
            for s in backers if src == "BACKER" else (src,):
                for t in backers if tgt == "BACKER" else (tgt,):
                    allowed.add((name, s, t, code))
    return frozenset(allowed)


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
        scenario: a loaded `Scenario`, or a scenario name / path to load.
        parameters: base parameter values (name -> value), e.g. one posterior draw; the
            scenario's own `[parameters]` override them, and keyword overrides override both.
            Each value is checked against its allowed range.
        horizon_days: days to simulate (default: the scenario's).
        record_daily: keep the daily state trajectory.
        scenario_dir: folder of scenario files when `scenario` is a name.
        rng: the run's seed (non-negative int); None draws one (see `seed`).
        **parameter_overrides: parameters as keyword arguments (for `mesa.batch_run`).

    Attributes:
        scenario_spec: the scenario (Mesa reserves `scenario` for its own class).
        seed: the integer seed of the run (record it to reproduce the run).
        params: the run's parameters before interventions.
        params_today: today's parameters (after `set` interventions).
        forced_today: today's forced mechanisms -> value.
        uniforms: mechanism -> its uniforms of the run (`uniforms.on(mechanism, day)`).
        actor_network: the typed actor network.
        grid: Mesa network space over the actors (one agent per node).
        terrain: the terrain network.
        world: the world state.
        day: the current day (0 on the start date).
        horizon: days simulated.
        event_log: (day, source, target, code, mechanism, text) of every emitted event.
        daily: the daily state rows (when record_daily).
    """

    def __init__(
        self,
        scenario: Scenario | str = "geneva_2016_02",
        parameters: Mapping[str, float] | None = None,
        horizon_days: int | None = None,
        record_daily: bool = False,
        scenario_dir: str | Path | None = None,
        rng=None,
        **parameter_overrides,
    ):
        seed = _seed_from(rng)
        super().__init__(rng=seed)
        if not isinstance(scenario, Scenario):
            from sim.scenarios import load_scenario

            scenario = load_scenario(scenario, scenario_dir)
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
        self.uniforms = MechanismUniforms(seed, self.horizon)
        self.extra_actors = {a.code: a for a in scenario.actors}
        actor_codes = list(MODEL_ACTORS) + list(self.extra_actors)
        self.actor_network = ActorNetwork(actor_codes, scenario.edges)
        self.grid = Network(nx.DiGraph(self.actor_network.graph), capacity=1, random=self.random, layout=None)
        self.actors: dict[str, DiplomacyAgent] = {}
        for code in actor_codes:
            cls = AGENT_CLASSES.get(code, Backer)
            self.actors[code] = cls(self, code, self.grid[code])
        self._backers = sorted(code for code in actor_codes if code == "USA" or code in self.extra_actors)
        self._allowed = allowed_emissions()

        self.world = World(
            talks=scenario.state.talks,
            ceasefire=scenario.state.ceasefire,
            offensive=scenario.state.offensive,
            opp_present=scenario.state.opp_present,
            offensive_start_day=0 if scenario.state.offensive else None,
        )
        if scenario.state.talks is TalksState.IN_SESSION:
            self.world.talks_open_day = 0
        if scenario.state.ceasefire is CeasefireState.IN_EFFECT:
            self.world.ceasefire_effect_day = 0
        if not scenario.state.channel_open:
            self.actor_network.set_open("USA", "RUS", "channel", False)
            self.world.channel_suspend_day = 0
        self.world.supply_open = self.terrain.supply_route_open()
        if not self.world.supply_open:
            self.world.supply_cut_day = 0

        self.day = 0
        self.event_log: list[tuple] = []
        self.daily: list[tuple] = []
        self._inbox: dict[str, list[tuple[str, str]]] = {}
        self._yesterday_flags = {"pause": False, "walkout": False}
        self._envoy_ceasefire_calls: list[int] = []
        self._edge_restore: dict[int, list] = {}
        self._schedule = self._day_index(scenario)
        self._weights_key = None
        self.strike_weights: dict[str, float] = {}
        self.strike_cumulative: list[tuple[str, float]] = []
        self.axis_target: str | None = None
        self._datacollector: DataCollector | None = None
        self.running = True

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

    def backer_column(self, code: str) -> int:
        """Position of a backer among the run's backers (its column of backer_support draws)."""
        return self._backers.index(code)

    def event_code(self, actor: str) -> str:
        """Actor code as written in the event table (added actors are OTHER)."""
        return actor if actor in MODEL_ACTORS else "OTHER"

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """Simulate one day: morning, observe, decide, resolve."""
        self._simulate_day()

    def _simulate_day(self) -> None:
        if self.day >= self.horizon:
            self.running = False
            return
        self._morning()
        situation = self._observe()
        actions: list[tuple[str, Action]] = []
        append = actions.append
        for code, agent in self.actors.items():
            for action in agent.decide(situation):
                append((code, action))
        self._resolve(situation, actions)
        self.day += 1
        if self.day >= self.horizon:
            self.running = False

    def run(self) -> DiplomacyModel:
        """Run to the horizon; returns self.

        Days are advanced directly rather than through Mesa's step scheduler (the same day,
        without its per-step bookkeeping); `step()` remains the Mesa entry point, e.g. for
        `mesa.batch_run`, and gives identical results.
        """
        with _no_cyclic_collection():
            while self.running:
                self._simulate_day()
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
            self._set_channel_or_edge(*restore)
        for kind, item in self._schedule.get(day, ()):
            if kind == "edge":
                before = self.actor_network.is_open(item.source, item.target, item.edge_kind)
                self._set_channel_or_edge(item.source, item.target, item.edge_kind, item.open)
                if item.to_day is not None and item.to_day + 1 < self.horizon:
                    self._edge_restore.setdefault(item.to_day + 1, []).append(
                        (item.source, item.target, item.edge_kind, before)
                    )
            else:
                self._scheduled_event(item)

    def _set_channel_or_edge(self, source: str, target: str, kind: str, is_open: bool) -> None:
        self.actor_network.set_open(source, target, kind, is_open)
        if kind == "channel" and not is_open and self.world.channel_suspend_day is None:
            self.world.channel_suspend_day = self.day

    def _scheduled_event(self, event: str) -> None:
        """Apply a scheduled event of the episode or of an intervention."""
        w, day = self.world, self.day
        if event == "talks_open" and w.talks is not TalksState.IN_SESSION:
            w.talks, w.talks_open_day = TalksState.IN_SESSION, day
            text = "formally opens the talks"
            self._emit_all("envoy_convene", (("ENVOY", "GOV", "045", text), ("ENVOY", "OPP", "045", text)))
        elif event == "talks_pause" and w.talks is TalksState.IN_SESSION:
            self._apply(Action("envoy_pause", (("ENVOY", "GOV", "165", "pauses the talks"), ("ENVOY", "OPP", "165", "pauses the talks")), "pause", int(round(self.params_today["envoy_pause_days"]))))
        elif event == "talks_resume" and w.talks is TalksState.PAUSED:
            self._apply(Action("envoy_resume", (("ENVOY", "GOV", "045", "resumes the talks"), ("ENVOY", "OPP", "045", "resumes the talks")), "resume"))
        elif event == "ceasefire_agreed" and w.ceasefire in (CeasefireState.NONE, CeasefireState.COLLAPSED):
            self._ceasefire_agreed()
        elif event == "ceasefire_in_effect" and w.ceasefire is not CeasefireState.IN_EFFECT:
            self._ceasefire_in_effect()
        elif event == "ceasefire_collapse" and w.ceasefire is CeasefireState.IN_EFFECT:
            self._ceasefire_collapse()
        elif event == "channel_suspend" and self.actor_network.is_open("USA", "RUS", "channel"):
            self._apply(Action("us_suspend", (("USA", "RUS", "164", "suspends bilateral talks with Russia"),), "channel_suspend"))
        elif event == "channel_restore" and not self.actor_network.is_open("USA", "RUS", "channel"):
            self.actor_network.set_open("USA", "RUS", "channel", True)
            self._emit_all("us_suspend", (("USA", "RUS", "036", "restores the channel with Russia"),))
        elif event == "offensive_start" and not w.offensive:
            self._apply(Action("gov_offensive", (), "offensive_start"))
        elif event == "offensive_stop":
            w.offensive = False
        elif event == "jic_in_force" and not w.jic:
            self._jic_in_force()

    def _observe(self) -> Situation:
        w, day = self.world, self.day
        self._update_strike_weights()
        inbox = {code: tuple(msgs) for code, msgs in self._inbox.items()}
        self._inbox = {}
        memory_start = day - PRESSURE_MEMORY_DAYS
        if w.pressure and w.pressure[0][0] < memory_start:
            w.pressure = [(d, p) for d, p in w.pressure if d >= memory_start]
        lost_yesterday: tuple[str, ...] = ()
        retakeable: tuple[str, ...] = ()
        if w.lost_on:
            lost_yesterday = tuple(n for n, d in w.lost_on.items() if d == day - 1)
            retakeable = tuple(
                n
                for n, d in sorted(w.lost_on.items(), key=lambda item: item[1])
                if day - d <= COUNTERATTACK_WINDOW_DAYS and self.terrain.control[n] == "GOV"
            )
        self._envoy_ceasefire_calls = [d for d in self._envoy_ceasefire_calls if d >= day - 7]
        return Situation(
            day=day,
            talks=w.talks,
            opp_present=w.opp_present,
            ultimatum_running=w.ultimatum_deadline is not None,
            ultimatum_expired=w.ultimatum_deadline is not None and day > w.ultimatum_deadline,
            ceasefire=w.ceasefire,
            jic=w.jic,
            channel_open=self.actor_network.is_open("USA", "RUS", "channel"),
            offensive=w.offensive,
            strikes_3d=w.strikes_mean(3),
            rus_strikes_yesterday=w.rus_strikes[-1] if w.rus_strikes else 0,
            violations_yesterday=w.violations[-1] if w.violations else 0,
            lost_yesterday=lost_yesterday,
            retakeable=retakeable,
            us_threatened=w.us_threat_day is not None,
            us_threat_day=w.us_threat_day,
            violation_days=w.violation_days,
            pressure_on_rus=sum(p for _, p in w.pressure),
            resume_due=w.resume_due,
            talks_paused_yesterday=self._yesterday_flags["pause"],
            opp_walked_out_yesterday=self._yesterday_flags["walkout"],
            inbox=inbox,
            envoy_called_ceasefire=bool(self._envoy_ceasefire_calls),
            ceasefire_collapsed_recently=w.ceasefire_collapse_day is not None and day - w.ceasefire_collapse_day <= 7,
        )

    def _update_strike_weights(self) -> None:
        """Where strikes fall: frontline localities, the offensive's next target most."""
        key = (self.terrain.version, self.world.offensive)
        if key == self._weights_key:
            return
        self._weights_key = key
        control = self.terrain.control
        self.axis_target = self.terrain.next_axis_target()
        frontline = set(self.terrain.frontline("OPP", "GOV"))
        weights = {}
        for name in self.terrain.names:
            if control[name] != "OPP":
                continue
            weight = 1.0 if name in frontline else (0.2 if self.terrain.population[name] > 0 else 0.0)
            if self.world.offensive and name == self.axis_target:
                weight *= 3.0
            if weight > 0:
                weights[name] = weight
        self.strike_weights = weights
        total = sum(weights.values())
        cumulative, running = [], 0.0
        for name, weight in weights.items():
            running += weight / total
            cumulative.append((name, running))
        self.strike_cumulative = cumulative

    def air_support(self, locality: str) -> int:
        """Yesterday's strikes on a locality and its neighbours."""
        by = self.world.strikes_by_locality
        return by.get(locality, 0) + sum(by.get(n, 0) for n in self.terrain.neighbours[locality])

    # ------------------------------------------------------------------ resolution
    def _resolve(self, s: Situation, actions: list[tuple[str, Action]]) -> None:
        w, day = self.world, self.day
        self._yesterday_flags = {"pause": False, "walkout": False}
        self._today = {"RUS": 0, "GOV": 0, "violations": 0, "by_locality": {}}
        actions.sort(key=lambda ca: (EFFECT_ORDER[ca[1].effect], ca[1].mechanism, ca[0]))
        for _, action in actions:
            self._apply(action)
        # Strikes of the day: totals, harm, violations under a ceasefire in effect.
        rus, gov = self._today["RUS"], self._today["GOV"]
        w.rus_strikes.append(rus)
        w.gov_strikes.append(gov)
        w.strikes_by_locality = self._today["by_locality"]
        violations = 0
        if w.ceasefire is CeasefireState.IN_EFFECT:
            violations = rus + gov + self._today["violations"]
        w.violations.append(violations)
        quiet_level = self.params_today["ceasefire_quiet_level"]
        if w.ceasefire in (CeasefireState.IN_EFFECT, CeasefireState.COLLAPSED) and rus + gov > quiet_level:
            w.violation_days += 1
        self._world_rules(s, violations, quiet_level)
        if w.talks is TalksState.IN_SESSION:
            w.days_in_session += 1
        if w.ceasefire is CeasefireState.IN_EFFECT:
            w.ceasefire_effect_days += 1
        if self.record_daily:
            self._record_day()

    def _apply(self, action: Action) -> None:
        """Apply one action's effect and record its events."""
        w, day, effect = self.world, self.day, action.effect
        if effect is None:  # talk only: most actions
            self._emit_all(action.mechanism, action.events)
            return
        if effect == "strikes":
            actor, counts = action.payload
            total = sum(counts.values())
            self._today[actor] += total
            by = self._today["by_locality"]
            harm_per_strike = self.forced_today.get("civilian_harm", self.params_today["harm_per_strike"])
            for name, k in counts.items():
                by[name] = by.get(name, 0) + k
                pop = self.terrain.population[name]
                w.civilian_harm += k * harm_per_strike * pop / (pop + HARM_HALF_POPULATION)
        elif effect == "violation":
            self._today["violations"] += action.payload
        elif effect == "rus_refuse":
            w.rus_refusals += action.payload
        elif effect == "rus_halt":
            w.rus_halt_until = day + int(round(self.params_today["rus_halt_days"]))
        elif effect in ("capture", "recapture"):
            self._change_control(action.payload, "GOV" if effect == "capture" else "OPP", action)
            return
        elif effect == "offensive_start":
            w.offensive, w.offensive_start_day = True, day
        elif effect == "ultimatum":
            w.ultimatum_deadline = day + action.payload
            if w.first_ultimatum_day is None:
                w.first_ultimatum_day = day
        elif effect == "walkout":
            w.opp_present, w.ultimatum_deadline = False, None
            self._yesterday_flags["walkout"] = True
            if w.first_walkout_day is None:
                w.first_walkout_day = day
        elif effect == "return":
            w.opp_present = True
        elif effect == "pause":
            if w.talks is not TalksState.IN_SESSION:
                return
            w.talks, w.resume_due, w.ultimatum_deadline = TalksState.PAUSED, day + action.payload, None
            self._yesterday_flags["pause"] = True
            if w.talks_pause_day is None:
                w.talks_pause_day = day
        elif effect == "resume":
            if w.talks is not TalksState.PAUSED:
                return
            w.talks, w.talks_resumed, w.resume_due = TalksState.IN_SESSION, True, None
        elif effect == "talks_collapse":
            w.talks, w.talks_collapse_day = TalksState.COLLAPSED, day
        elif effect == "us_threat":
            w.us_threat_day = day
        elif effect == "channel_suspend":
            self._set_channel_or_edge("USA", "RUS", "channel", False)
        elif effect == "support":
            w.support_until = day + SUPPORT_DAYS
        self._emit_all(action.mechanism, action.events)

    def _change_control(self, locality: str, new_control: str, action: Action) -> None:
        w, day, terrain = self.world, self.day, self.terrain
        if terrain.control[locality] == new_control:
            return
        near_enclave = any(terrain.kind[n] == "enclave" for n in terrain.neighbours[locality])
        besieged_before = terrain.besieged_enclaves() if new_control == "GOV" and near_enclave else set()
        terrain.set_control(locality, new_control)
        self._emit_all(action.mechanism, action.events)
        if new_control == "GOV":
            w.captures.append(locality)
            w.lost_on[locality] = day
            relieved = besieged_before - terrain.besieged_enclaves() if besieged_before else set()
            if relieved:
                names = " and ".join(sorted(terrain.labels[n] for n in relieved))
                self._emit_all("gov_offensive", (("GOV", "OPP", "190", f"breaks the siege of {names}"),))
        else:
            w.lost_on.pop(locality, None)
        was_open = w.supply_open
        w.supply_open = terrain.supply_route_open()
        if was_open and not w.supply_open:
            if w.supply_cut_day is None:
                w.supply_cut_day = day
            self._emit_all("gov_offensive", (("GOV", "OPP", "191", "cuts the opposition's supply route"),))

    # ------------------------------------------------------------------ rules of the world
    def _world_rules(self, s: Situation, violations_today: int, quiet_level: float) -> None:
        """Ceasefire agreement, entry into force and collapse; the JIC; a political agreement."""
        w, day = self.world, self.day
        u = self.uniforms.on("ceasefire", day)
        forced = self.forced_today
        if w.ceasefire is CeasefireState.NONE and s.channel_open and s.envoy_called_ceasefire:
            p = forced.get("ceasefire", self.params_today["ceasefire_agree_prob"])
            if u[0] < p:
                self._ceasefire_agreed()
        elif w.ceasefire is CeasefireState.AGREED and w.ceasefire_effect_due is not None and day >= w.ceasefire_effect_due:
            self._ceasefire_in_effect()
        elif w.ceasefire is CeasefireState.IN_EFFECT and w.ceasefire_effect_day is not None and day > w.ceasefire_effect_day:
            w.quiet_streak = w.quiet_streak + 1 if violations_today <= quiet_level else 0
            h = hazard(self.params_today["ceasefire_fragility"] * w.recent_violations(3) / 10.0)
            if u[1] < h:
                self._ceasefire_collapse()
        if w.ceasefire is CeasefireState.IN_EFFECT and not w.jic and w.quiet_streak >= self.params_today["jic_quiet_days"]:
            p = forced.get("jic", self.params_today["jic_formation_prob"])
            if self.uniforms.on("jic", day)[0] < p:
                self._jic_in_force()
        if w.talks is TalksState.IN_SESSION and w.opp_present and w.ceasefire is CeasefireState.IN_EFFECT:
            p = forced.get("talks_agreement", self.params_today["talks_agreement_prob"])
            if self.uniforms.on("talks_agreement", day)[0] < p:
                w.talks, w.agreement_day = TalksState.AGREEMENT, day
                text = "reach a political agreement"
                self._emit_all("talks_agreement", (("GOV", "OPP", "057", text), ("OPP", "GOV", "057", text)))

    def _ceasefire_agreed(self) -> None:
        w = self.world
        w.ceasefire, w.ceasefire_agreed_day = CeasefireState.AGREED, self.day
        w.ceasefire_effect_due = self.day + int(round(self.params_today["ceasefire_delay_days"]))
        text = "agree a ceasefire"
        self._emit_all("ceasefire", (("USA", "RUS", "057", text), ("RUS", "USA", "057", text)))

    def _ceasefire_in_effect(self) -> None:
        w = self.world
        if w.ceasefire_agreed_day is None:
            w.ceasefire_agreed_day = self.day
        w.ceasefire, w.ceasefire_effect_day, w.quiet_streak = CeasefireState.IN_EFFECT, self.day, 0
        w.offensive = False
        text = "ceasefire comes into effect"
        self._emit_all("ceasefire", (("GOV", "OPP", "0871", text), ("OPP", "GOV", "0871", text)))

    def _ceasefire_collapse(self) -> None:
        w = self.world
        w.ceasefire, w.ceasefire_collapse_day, w.jic = CeasefireState.COLLAPSED, self.day, False
        text = "blame each other for the ceasefire's collapse"
        self._emit_all("ceasefire", (("USA", "RUS", "112", text), ("RUS", "USA", "112", text)))

    def _jic_in_force(self) -> None:
        w = self.world
        w.jic, w.jic_day = True, self.day
        text = "Joint Implementation Center comes into force"
        self._emit_all("jic", (("USA", "RUS", "062", text), ("RUS", "USA", "062", text)))

    # ------------------------------------------------------------------ events
    def _emit_all(self, mechanism: str, events) -> None:
        for source, target, code, text in events:
            self._emit(mechanism, source, target, code, text)

    def _emit(self, mechanism: str, source: str, target: str, code: str, text: str) -> None:
        src = source if source in _MODEL_ACTOR_SET else "OTHER"
        tgt = target if target in _MODEL_ACTOR_SET else "OTHER"
        if (mechanism, src, tgt, code) not in self._allowed:
            raise AssertionError(f"{mechanism} emitted an undeclared event {src}->{tgt} {code}")
        self._inbox.setdefault(target, []).append((source, code))
        if target == "RUS" and code in PRESSURE_WEIGHTS:
            self._pressure(source, code)
        if source == "ENVOY" and code == "020":
            self._envoy_ceasefire_calls.append(self.day)
        self.event_log.append((self.day, source, target, code, mechanism, text))

    def _pressure(self, source: str, code: str) -> None:
        """Pressure on Russia travels along the network: the channel, or envoy -> party <- backer."""
        if source == "USA":
            weight = self.actor_network.weight("USA", "RUS", "channel")
        elif source == "ENVOY":
            weight = self.actor_network.backers_reached_by_mediator("ENVOY").get("RUS", 0.0)
        else:
            weight = 0.0
        if weight > 0:
            self.world.pressure.append((self.day, PRESSURE_WEIGHTS[code] * weight))

    def _record_day(self) -> None:
        w = self.world
        self.daily.append(
            (
                self.day,
                self.scenario_spec.date_of(self.day),
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
                sum(p for _, p in w.pressure),
            )
        )

    def date_of(self, day: int) -> dt.date:
        """Calendar date of a day of the run."""
        return self.scenario_spec.date_of(day)

    @property
    def datacollector(self) -> DataCollector:
        """A Mesa DataCollector holding the outcome record as model reporters.

        Built when first asked for (normally after the run: `mesa.batch_run` reads it), so
        runs that do not need it pay nothing. It collects the record of the current day.
        """
        if self._datacollector is None:
            record = self.outcomes()  # computed once; each reporter reads its value
            reporters = {name: (lambda m, value=record[name]: value) for name in OUTCOME_DESCRIPTIONS}
            self._datacollector = DataCollector(model_reporters=reporters)
            self._datacollector.collect(self)
        return self._datacollector

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
                    source=self.event_code(source),
                    target=self.event_code(target),
                    source_text=source,
                    target_text=target,
                    cameo_code=code,
                    trigger=str(text),
                    date_precision="day",
                    coder=f"{mechanism}@{self.scenario_spec.name}",
                )
            )
        return events_frame(rows)

