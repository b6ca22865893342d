"""The two networks of a run: the actor network and the terrain network.

The actor network (a networkx MultiDiGraph, one edge per kind) carries appeals and pressure:
the envoy's appeal reaches the backers of the parties it mediates, the opposition's appeal
reaches its backers, US pressure reaches Russia through the channel while it is open. The
model reads it each morning into the day's `Situation` (see docs/model.md on why it is not a
Mesa network space).

The terrain network (localities of the Aleppo theatre joined by roads) holds control. The
opposition's supply route is open while an opposition-held path joins the border crossing to
a city district it holds.
"""

from __future__ import annotations

from collections import deque

import networkx as nx

from sim.scenario_types import Edge, Terrain


class ActorNetwork:
    """Typed, weighted edges between actors; some can be closed (a suspended channel).

    Args:
        actors: the actor codes (nodes).
        edges: the scenario's edges (symmetric kinds already stored both ways).

    Attributes:
        graph: networkx MultiDiGraph; edge key = kind; attributes weight and open.
        version: number of edge changes so far (views of the network key on it).
    """

    def __init__(self, actors: list[str], edges: tuple[Edge, ...]):
        self.graph = nx.MultiDiGraph()
        self.graph.add_nodes_from(actors)
        for e in edges:
            self.graph.add_edge(e.source, e.target, key=e.kind, weight=e.weight, open=e.open)
        self._cache: dict[tuple, object] = {}  # routing answers, cleared when an edge changes
        self.version = 0

    def has_edge(self, source: str, target: str, kind: str) -> bool:
        """Whether an edge of that kind exists (open or closed)."""
        return self.graph.has_edge(source, target, key=kind)

    def is_open(self, source: str, target: str, kind: str) -> bool:
        """Whether an edge of that kind exists and is open."""
        key = ("open", source, target, kind)
        if key not in self._cache:
            data = self.graph.get_edge_data(source, target, key=kind)
            self._cache[key] = bool(data and data["open"])
        return self._cache[key]

    def weight(self, source: str, target: str, kind: str) -> float:
        """Weight of an open edge; 0 when it is closed or absent (it carries nothing)."""
        key = ("weight", source, target, kind)
        if key not in self._cache:
            data = self.graph.get_edge_data(source, target, key=kind)
            self._cache[key] = data["weight"] if data and data["open"] else 0.0
        return self._cache[key]

    def set_open(self, source: str, target: str, kind: str, is_open: bool) -> None:
        """Open or close an edge; symmetric kinds change both directions."""
        pairs = [(source, target)]
        if kind in ("channel", "fights"):
            pairs.append((target, source))
        for a, b in pairs:
            if self.graph.has_edge(a, b, key=kind):
                self.graph.edges[a, b, kind]["open"] = is_open
        self._cache.clear()
        self.version += 1

    def set_open_flags(self, flags) -> None:
        """Set every edge's open flag, in the graph's edge order (the order the compiled
        kernel keeps them in, `sim.kernel.state`); the version moves only if one changed."""
        changed = False
        for (source, target, kind), is_open in zip(self.graph.edges(keys=True), flags):
            data = self.graph.edges[source, target, kind]
            if data["open"] != is_open:
                data["open"] = is_open
                changed = True
        if changed:
            self._cache.clear()
            self.version += 1

    def backers_of(self, party: str) -> list[tuple[str, float]]:
        """Actors with an open `backs` edge to `party`, with the edge weight."""
        key = ("backers", party)
        if key not in self._cache:
            self._cache[key] = [
                (src, data["weight"])
                for src, _, kind, data in self.graph.in_edges(party, keys=True, data=True)
                if kind == "backs" and data["open"]
            ]
        return self._cache[key]

    def backer_codes(self, party: str) -> tuple[str, ...]:
        """The actors with an open `backs` edge to `party`, in edge order."""
        key = ("backer codes", party)
        if key not in self._cache:
            self._cache[key] = tuple(backer for backer, _ in self.backers_of(party))
        return self._cache[key]

    def mediated_by(self, envoy: str) -> list[tuple[str, float]]:
        """Parties the envoy mediates between, with the edge weight."""
        key = ("mediated", envoy)
        if key not in self._cache:
            self._cache[key] = [
                (dst, data["weight"])
                for _, dst, kind, data in self.graph.out_edges(envoy, keys=True, data=True)
                if kind == "mediates" and data["open"]
            ]
        return self._cache[key]

    def backers_reached_by_mediator(self, envoy: str) -> dict[str, float]:
        """Backers reached by the envoy's appeal: envoy -mediates-> party <-backs- backer.

        Returns:
            backer -> strength (product of the two edge weights, summed over paths).
        """
        key = ("reach", envoy)
        if key not in self._cache:
            reach: dict[str, float] = {}
            for party, w_mediate in self.mediated_by(envoy):
                for backer, w_back in self.backers_of(party):
                    reach[backer] = reach.get(backer, 0.0) + w_mediate * w_back
            self._cache[key] = reach
        return self._cache[key]

    def reach_of(self, envoy: str) -> tuple[str, ...]:
        """The backers the envoy's appeal reaches, sorted."""
        key = ("reach codes", envoy)
        if key not in self._cache:
            self._cache[key] = tuple(sorted(self.backers_reached_by_mediator(envoy)))
        return self._cache[key]


class TerrainNetwork:
    """Localities, roads and control.

    Args:
        terrain: the scenario's terrain.

    Attributes:
        names: locality names in terrain order (fixes the per-locality random streams).
        population: locality -> population.
        control: locality -> 'GOV' | 'OPP' | 'OTHER' (change it with `set_control`).
        version: number of control changes so far.
        neighbours: locality -> tuple of adjacent localities.
        crossing: the border crossing.
        city: city districts the supply route must reach.
        axis: the offensive axis, in order.
    """

    def __init__(self, terrain: Terrain):
        self.names: tuple[str, ...] = tuple(loc.name for loc in terrain.localities)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.labels = {loc.name: loc.label for loc in terrain.localities}
        self.population = {loc.name: loc.population for loc in terrain.localities}
        self.kind = {loc.name: loc.kind for loc in terrain.localities}
        self.control = {loc.name: loc.control for loc in terrain.localities}
        self.version = 0  # counts control changes (cached views key on it)
        adjacency: dict[str, list[str]] = {name: [] for name in self.names}
        for a, b in terrain.roads:
            adjacency[a].append(b)
            adjacency[b].append(a)
        self.neighbours = {name: tuple(adj) for name, adj in adjacency.items()}
        self.crossing = terrain.crossing
        self.city = terrain.city
        self.axis = terrain.offensive_axis

    def set_control(self, locality: str, control: str) -> None:
        """Change who holds a locality."""
        self.control[locality] = control
        self.version += 1

    def graph(self) -> nx.Graph:
        """The terrain as a networkx Graph with control and population on the nodes."""
        g = nx.Graph()
        for name in self.names:
            g.add_node(
                name,
                label=self.labels[name],
                population=self.population[name],
                control=self.control[name],
                kind=self.kind[name],
            )
        for name, adj in self.neighbours.items():
            g.add_edges_from((name, other) for other in adj)
        return g

    def frontline(self, side: str = "OPP", enemy: str = "GOV") -> list[str]:
        """Localities held by `side` with a road to one held by `enemy`."""
        ctrl = self.control
        return [
            n for n in self.names if ctrl[n] == side and any(ctrl[m] == enemy for m in self.neighbours[n])
        ]

    def next_axis_target(self) -> str | None:
        """The first opposition-held locality on the offensive axis that borders government land."""
        ctrl = self.control
        for name in self.axis:
            if ctrl[name] == "OPP" and any(ctrl[m] == "GOV" for m in self.neighbours[name]):
                return name
        return None

    def supply_route_open(self) -> bool:
        """Whether an opposition-held path joins the crossing to an opposition-held city district."""
        ctrl = self.control
        if ctrl.get(self.crossing) != "OPP":
            return False
        goals = {c for c in self.city if ctrl[c] == "OPP"}
        if not goals:
            return False
        seen = {self.crossing}
        queue = deque([self.crossing])
        while queue:
            node = queue.popleft()
            if node in goals:
                return True
            for nxt in self.neighbours[node]:
                if nxt not in seen and ctrl[nxt] == "OPP":
                    seen.add(nxt)
                    queue.append(nxt)
        return False

    def besieged_enclaves(self) -> set[str]:
        """Government-held enclaves whose government-held area reaches no non-enclave locality."""
        ctrl = self.control
        enclaves = {n for n in self.names if self.kind[n] == "enclave" and ctrl[n] == "GOV"}
        besieged = set()
        for start in enclaves:
            seen, queue, relieved = {start}, deque([start]), False
            while queue and not relieved:
                for nxt in self.neighbours[queue.popleft()]:
                    if nxt not in seen and ctrl[nxt] == "GOV":
                        relieved = nxt not in enclaves
                        seen.add(nxt)
                        queue.append(nxt)
            if not relieved:
                besieged.add(start)
        return besieged

    def opp_share(self) -> float:
        """Share of localities the opposition holds."""
        return sum(1 for n in self.names if self.control[n] == "OPP") / len(self.names)
