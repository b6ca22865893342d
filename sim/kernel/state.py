"""A scenario and a run as the kernel's arrays: the scenario's constants, a run's state on day 0.

`scenario_constants(scenario)` is made once per scenario (a batch reuses it for every run);
`new_state(constants, parameters, horizon)` once per run. The layout of both tuples is in
`sim.kernel.world`; the slots in `sim.kernel.layout`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import networkx as nx
import numpy as np

from sim.events import MODEL_ACTORS
from sim.kernel.layout import (
    EDGE_KINDS,
    NONE,
    PARAMETER_NAMES,
    RULE_NAMES,
    SCRIPT_NAMES,
    A,
    CF,
    H,
    K,
    KF,
    L,
    P,
    S,
    SF,
    T,
)
from sim.kernel.terrain import compile_terrain, supply_route_open
from sim.scenario_types import CeasefireState, Scenario, TalksState

#: Capacity of a run's logs per day of the horizon (a day emits a few dozen events at most).
EVENTS_PER_DAY = 96
#: Capacity of the day's actions and events.
DAY_CAPACITY = 256


class ScenarioArrays(NamedTuple):
    """What the kernel needs of a scenario besides its arrays: names for the Python side.

    Attributes:
        constants: the tuple of arrays the compiled code reads (`sim.kernel.world`).
        actors: actor codes by kernel actor id (the five, then added backers).
        terrain: the compiled terrain (names, labels).
        initial_control: control of each locality on day 0.
    """

    constants: tuple
    actors: tuple[str, ...]
    terrain: object
    initial_control: np.ndarray


def _network_orders(scenario: Scenario, actors: tuple[str, ...]):
    """The actor network's edges as arrays, and the edge orders networkx iterates them in
    (which fix the order of appeals and of summed weights, as in `sim.model.networks`)."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(actors)
    for e in scenario.edges:
        graph.add_edge(e.source, e.target, key=e.kind, weight=e.weight, open=e.open)
    index = {code: i for i, code in enumerate(actors)}
    edges = [(s, t, k, d) for s, t, k, d in graph.edges(keys=True, data=True)]
    position = {(s, t, k): i for i, (s, t, k, _) in enumerate(edges)}
    source = np.array([index[s] for s, _, _, _ in edges], dtype=np.int64)
    target = np.array([index[t] for _, t, _, _ in edges], dtype=np.int64)
    kind = np.array([EDGE_KINDS.index(k) for _, _, k, _ in edges], dtype=np.int64)
    weight = np.array([float(d["weight"]) for _, _, _, d in edges], dtype=np.float64)
    is_open = np.array([1 if d["open"] else 0 for _, _, _, d in edges], dtype=np.int64)
    channel = np.array([position.get(("USA", "RUS", "channel"), -1), position.get(("RUS", "USA", "channel"), -1)],
                       dtype=np.int64)

    def backs_into(party: str) -> list[int]:
        return [position[(s, party, k)] for s, _, k in graph.in_edges(party, keys=True) if k == "backs"]

    opp_backs = np.array(backs_into("OPP"), dtype=np.int64)
    envoy_mediates = np.array(
        [position[("ENVOY", t, k)] for _, t, k in graph.out_edges("ENVOY", keys=True) if k == "mediates"],
        dtype=np.int64)
    into = [backs_into(code) for code in actors]
    backs = np.full((len(actors), max(1, max(len(x) for x in into))), -1, dtype=np.int64)
    for i, row in enumerate(into):
        backs[i, :len(row)] = row
    return source, target, kind, weight, is_open, channel, opp_backs, envoy_mediates, backs


def _timeline(scenario: Scenario, actors: tuple[str, ...]):
    """Scheduled events and interventions as arrays: the schedule
    (day, 0 script | 1 edge, id) in the model's order, the `set` and `force` interventions
    (index, value, from, to; to -1: to the end), the `edge` interventions."""
    index = {code: i for i, code in enumerate(actors)}
    items: list[tuple[int, int, int]] = [(ev.day, 0, SCRIPT_NAMES.index(ev.event)) for ev in scenario.schedule]
    edges: list[tuple[int, int, int, int, int]] = []
    sets, forces = [], []
    for iv in scenario.interventions:
        to_day = -1 if iv.to_day is None else iv.to_day
        if iv.kind == "schedule":
            items.append((iv.from_day, 0, SCRIPT_NAMES.index(iv.event)))
        elif iv.kind == "edge":
            items.append((iv.from_day, 1, len(edges)))
            edges.append((index[iv.source], index[iv.target], EDGE_KINDS.index(iv.edge_kind), int(bool(iv.open)),
                          to_day))
        elif iv.kind == "set":
            sets.append((PARAMETER_NAMES.index(iv.parameter), float(iv.value), iv.from_day, to_day))
        elif iv.kind == "force":
            forces.append((RULE_NAMES.index(iv.mechanism), float(iv.value), iv.from_day, to_day))
    # the model's day index lists a day's items in this order, whatever their days
    items.sort(key=lambda item: item[0])
    schedule = np.array(items, dtype=np.int64).reshape(-1, 3)
    return (schedule, np.array(sets, dtype=np.float64).reshape(-1, 4), np.array(forces, dtype=np.float64).reshape(-1, 4),
            np.array(edges, dtype=np.int64).reshape(-1, 5))


def scratch(n_localities: int, n_actors: int) -> tuple[np.ndarray, np.ndarray]:
    """A run's scratch rows (`sim.kernel.layout.K`, `KF`): floats, then ints."""
    width = max(n_localities, n_actors, DAY_CAPACITY)
    return np.zeros((len(KF), width)), np.zeros((len(K), width), dtype=np.int64)


def scenario_constants(scenario: Scenario) -> ScenarioArrays:
    """The kernel's constants of a scenario: terrain, actor network, timeline."""
    actors = tuple(MODEL_ACTORS) + tuple(a.code for a in scenario.actors)
    assert actors[:5] == tuple(name for name in A._fields), "the kernel's actor ids are the five first"
    terrain = compile_terrain(scenario.terrain)
    source, target, kind, weight, is_open, channel, opp_backs, envoy_mediates, backs = _network_orders(
        scenario, actors)
    ranks = np.array([sorted(actors).index(code) for code in actors], dtype=np.int64)
    backers = np.array(sorted((i for i, code in enumerate(actors) if code == "USA" or i >= 5),
                              key=lambda i: actors[i]), dtype=np.int64)
    schedule, sets, forces, edge_ivs = _timeline(scenario, actors)
    constants = (
        terrain.population, terrain.is_enclave, terrain.indptr, terrain.indices, np.int64(terrain.crossing),
        terrain.city, terrain.axis, source, target, kind, weight, channel, opp_backs, envoy_mediates, backs,
        ranks, backers, schedule, sets, forces, edge_ivs, is_open,
    )
    return ScenarioArrays(constants, actors, terrain, terrain.control.astype(np.int64))


def parameter_vector(params: Mapping[str, float]) -> np.ndarray:
    """Parameters as the kernel's vector (`sim.kernel.layout.P`)."""
    return np.array([float(params[name]) for name in PARAMETER_NAMES], dtype=np.float64)


def new_state(arrays: ScenarioArrays, scenario: Scenario, params: np.ndarray, horizon: int) -> tuple:
    """A run's state on day 0."""
    constants = arrays.constants
    n_loc = arrays.initial_control.shape[0]
    capacity = horizon * EVENTS_PER_DAY + DAY_CAPACITY
    I = np.zeros(len(S), dtype=np.int64)
    for name in ("talks_open_day", "talks_pause_day", "resume_due", "talks_collapse_day", "agreement_day",
                 "ultimatum_deadline", "first_ultimatum_day", "first_walkout_day", "ceasefire_agreed_day",
                 "ceasefire_terms_day", "ceasefire_effect_due", "ceasefire_effect_day", "ceasefire_collapse_day",
                 "jic_day", "offensive_start_day", "us_threat_day", "channel_suspend_day", "rus_halt_until",
                 "rus_drawdown_day", "support_until", "round_end_due", "round_scheduled_day",
                 "last_envoy_ceasefire_call", "supply_cut_day", "axis_target"):
        I[getattr(S, name)] = NONE
    state = scenario.state
    I[S.talks] = list(TalksState).index(state.talks)
    I[S.ceasefire] = list(CeasefireState).index(state.ceasefire)
    I[S.offensive] = int(state.offensive)
    I[S.opp_present] = int(state.opp_present)
    I[S.offensive_start_day] = 0 if state.offensive else NONE
    if I[S.talks] == T.IN_SESSION:
        I[S.talks_open_day] = 0
    if I[S.ceasefire] != CF.NONE:
        I[S.ceasefire_agreed_day] = 0  # a ceasefire under way at the start: its earlier stages were before day 0
    if I[S.ceasefire] == CF.TERMS:
        I[S.ceasefire_terms_day] = 0
        I[S.ceasefire_effect_due] = int(round(params[P.ceasefire_start_days]))
    if I[S.ceasefire] == CF.IN_EFFECT:
        I[S.ceasefire_effect_day] = 0
        I[S.accepted_gov], I[S.accepted_opp], I[S.accepted_count] = 1, 1, 2
    edge_open = constants[-1].copy()
    if not state.channel_open:
        for edge in constants[11]:
            if edge >= 0:
                edge_open[edge] = 0
        I[S.channel_suspend_day] = 0
    LOC = np.zeros((len(L), n_loc), dtype=np.int64)
    LOC[L.control] = arrays.initial_control
    LOC[L.lost_day] = NONE
    LOC[L.retaken_day] = NONE
    supply = supply_route_open(LOC[L.control], constants[2], constants[3], constants[4], constants[5])
    I[S.supply_open] = int(supply)
    if not supply:
        I[S.supply_cut_day] = 0
    F = np.zeros(len(SF), dtype=np.float64)
    return (
        I, F, LOC,
        np.zeros((len(H), horizon), dtype=np.int64),  # HIST
        np.zeros(horizon, dtype=np.float64),  # HARM
        np.zeros((capacity, 7), dtype=np.int64),  # EVENTS
        np.zeros((DAY_CAPACITY * 2, 3), dtype=np.int64),  # INBOX
        np.zeros((DAY_CAPACITY * 2, 3), dtype=np.int64),  # SEEN
        np.zeros((capacity, 3), dtype=np.float64),  # PRESSURE
        np.zeros((capacity, 2), dtype=np.float64),  # GRIEVANCE
        np.zeros((capacity, 3), dtype=np.int64),  # MILESTONES
        np.zeros((DAY_CAPACITY, 7), dtype=np.int64),  # ACTIONS
        np.zeros((DAY_CAPACITY, 5), dtype=np.int64),  # DAY_EVENTS
        np.zeros((2, n_loc), dtype=np.int64),  # COUNTS
        edge_open,  # EDGE_OPEN
        np.zeros((horizon * 2, n_loc), dtype=np.int64),  # STRIKE_LOG
        np.zeros((horizon + 8, 5), dtype=np.int64),  # RESTORES
        np.zeros((2, len(arrays.actors)), dtype=np.int64),  # the morning's backers of OPP, the envoy's reach
        *scratch(n_loc, len(arrays.actors)),
    )

