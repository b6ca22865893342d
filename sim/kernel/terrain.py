"""The terrain in compiled code: control as small integers, roads as a CSR adjacency, and the
searches the rules and effects ask of it (`sim.model.networks.TerrainNetwork`, the definition).

Control codes are the positions in `sim.kernel.layout.CONTROLS` (GOV 0, OPP 1, OTHER 2).
Neighbours keep TerrainNetwork's order (roads in file order, each road listed at both ends),
which the siege search depends on. Any terrain file compiles; tests/test_kernel_components.py
checks every function against TerrainNetwork on the shipped terrains and on random ones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.kernel import jit
from sim.kernel.layout import CONTROLS, NONE
from sim.scenario_types import Terrain

GOV, OPP = CONTROLS.index("GOV"), CONTROLS.index("OPP")


class CompiledTerrain(NamedTuple):
    """A terrain as arrays, localities in the terrain file's order.

    Attributes:
        names: locality names.
        labels: locality labels (for event texts).
        population: people in each locality.
        is_enclave: whether each is an enclave.
        control: who holds each at the start (`CONTROLS` codes).
        indptr: neighbours of locality i are indices[indptr[i]:indptr[i + 1]].
        indices: see indptr.
        crossing: the border crossing's index.
        city: indices of the city districts the supply route must reach.
        axis: indices of the offensive axis, in order.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    population: np.ndarray
    is_enclave: np.ndarray
    control: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    crossing: int
    city: np.ndarray
    axis: np.ndarray

    @property
    def enclaves(self) -> tuple[str, ...]:
        """The enclaves' names, in terrain order."""
        return tuple(name for name, enclave in zip(self.names, self.is_enclave.tolist()) if enclave)


def compile_terrain(terrain: Terrain) -> CompiledTerrain:
    """The terrain's arrays (see `CompiledTerrain`)."""
    names = tuple(loc.name for loc in terrain.localities)
    index = {name: i for i, name in enumerate(names)}
    adjacency: list[list[int]] = [[] for _ in names]
    for a, b in terrain.roads:
        adjacency[index[a]].append(index[b])
        adjacency[index[b]].append(index[a])
    indptr = np.zeros(len(names) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(adj) for adj in adjacency])
    indices = np.array([j for adj in adjacency for j in adj], dtype=np.int64)
    return CompiledTerrain(
        names=names,
        labels=tuple(loc.label for loc in terrain.localities),
        population=np.array([loc.population for loc in terrain.localities], dtype=np.int64),
        is_enclave=np.array([loc.kind == "enclave" for loc in terrain.localities], dtype=np.bool_),
        control=np.array([CONTROLS.index(loc.control) for loc in terrain.localities], dtype=np.int8),
        indptr=indptr,
        indices=indices,
        crossing=index[terrain.crossing] if terrain.crossing in index else NONE,
        city=np.array([index[c] for c in terrain.city], dtype=np.int64),
        axis=np.array([index[a] for a in terrain.offensive_axis], dtype=np.int64),
    )


@jit
def _borders(control, indptr, indices, i, enemy):
    for j in range(indptr[i], indptr[i + 1]):
        if control[indices[j]] == enemy:
            return True
    return False


@jit
def frontline_into(control, indptr, indices, out):
    """out[i]: whether locality i is the opposition's with a road to one the government holds."""
    for i in range(control.shape[0]):
        out[i] = control[i] == OPP and _borders(control, indptr, indices, i, GOV)


@jit
def frontline(control, indptr, indices):
    """`frontline_into` as a new array."""
    out = np.zeros(control.shape[0], dtype=np.bool_)
    frontline_into(control, indptr, indices, out)
    return out


@jit
def next_axis_target(control, indptr, indices, axis):
    """The first opposition-held locality of the axis that borders government land, or NONE."""
    for k in range(axis.shape[0]):
        i = axis[k]
        if control[i] == OPP and _borders(control, indptr, indices, i, GOV):
            return i
    return NONE


@jit
def supply_route_open(control, indptr, indices, crossing, city):
    """`supply_route_open_into` with its own work arrays."""
    n = control.shape[0]
    return supply_route_open_into(control, indptr, indices, crossing, city, np.zeros(n, dtype=np.int64),
                                  np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))


@jit
def supply_route_open_into(control, indptr, indices, crossing, city, goal, seen, queue):
    """Whether an opposition-held path joins the crossing to an opposition-held city district
    (`goal`, `seen` and `queue` are work arrays of at least one slot per locality; the callers
    that run without reference counting cannot allocate)."""
    if crossing < 0 or control[crossing] != OPP:
        return False
    n = control.shape[0]
    goal[:n] = 0
    any_goal = False
    for k in range(city.shape[0]):
        if control[city[k]] == OPP:
            goal[city[k]] = 1
            any_goal = True
    if not any_goal:
        return False
    seen[:n] = 0
    head, tail = 0, 1
    queue[0] = crossing
    seen[crossing] = 1
    while head < tail:
        node = queue[head]
        head += 1
        if goal[node]:
            return True
        for j in range(indptr[node], indptr[node + 1]):
            nxt = indices[j]
            if not seen[nxt] and control[nxt] == OPP:
                seen[nxt] = 1
                queue[tail] = nxt
                tail += 1
    return False


@jit
def besieged_enclaves(control, indptr, indices, is_enclave):
    """`besieged_enclaves_into` as a new array."""
    n = control.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    besieged_enclaves_into(control, indptr, indices, is_enclave, out, np.zeros(n, dtype=np.int64),
                           np.zeros(n, dtype=np.int64))
    return out


@jit
def besieged_enclaves_into(control, indptr, indices, is_enclave, out, seen, queue):
    """out[i]: whether government-held enclave i's government-held area reaches no non-enclave
    locality (0 for the rest). As the definition: the search stops after the node whose last
    newly found government neighbour is not an enclave (`relieved` is set by every new one).
    `seen` and `queue` are work arrays of at least one slot per locality."""
    n = control.shape[0]
    out[:n] = False
    for start in range(n):
        if not (is_enclave[start] and control[start] == GOV):
            continue
        seen[:n] = 0
        seen[start] = 1
        queue[0] = start
        head, tail = 0, 1
        relieved = False
        while head < tail and not relieved:
            node = queue[head]
            head += 1
            for j in range(indptr[node], indptr[node + 1]):
                nxt = indices[j]
                if not seen[nxt] and control[nxt] == GOV:
                    relieved = not is_enclave[nxt]
                    seen[nxt] = 1
                    queue[tail] = nxt
                    tail += 1
        out[start] = not relieved
