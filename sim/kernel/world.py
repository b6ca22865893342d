"""The kernel's world: what the rules read and what every effect does to the logs.

A run's state is a tuple of arrays (`sim.kernel.state.new_state` makes it):

    (I, F, LOC, HIST, HARM, EVENTS, INBOX, SEEN, PRESSURE, GRIEVANCE, MILESTONES, ACTIONS,
     DAY_EVENTS, COUNTS, EDGE_OPEN, STRIKE_LOG, RESTORES, SEEN_LISTS, SCRATCH_F, SCRATCH_I)

`I` and `F` hold the world's integer and float slots (`sim.kernel.layout.S`, `SF`); `LOC` the
per-locality rows (`L`); `HIST` the daily histories (`H`); the rest are logs with their counts
in `I`; the two scratch tables are work rows (`K`, `KF`) for the functions that, compiled
without reference counting, may not allocate. A scenario's constants are a second tuple (`sim.kernel.state.scenario_constants`):

    (POPULATION, IS_ENCLAVE, INDPTR, INDICES, CROSSING, CITY, AXIS, EDGE_SOURCE, EDGE_TARGET,
     EDGE_KIND, EDGE_WEIGHT, CHANNEL_EDGES, OPP_BACKS, ENVOY_MEDIATES, BACKS_INTO, ACTOR_RANK,
     BACKERS, SCHEDULE, SET_IVS, FORCE_IVS, EDGE_IVS, EDGE_OPEN_AT_START)

The functions here record events (`emit`: the log, the inboxes, the pressure on Russia),
milestones, and read the network's edges, over those arrays.
"""

from __future__ import annotations

import math

from sim.kernel import state_jit as jit
from sim.kernel.layout import CODES, EV, NONE, PARAMETER_NAMES, A, C, EK, H, M, P, S, K, KF
from sim.model.rules.russia import PRESSURE_PARAMETERS

#: Code id -> the parameter weighing it as pressure on Russia (-1: not pressure).
PRESSURE_PARAMETER_OF_CODE = tuple(
    PARAMETER_NAMES.index(PRESSURE_PARAMETERS[code]) if code in PRESSURE_PARAMETERS else -1 for code in CODES
)
#: The ids of the halt calls Russia answers (a call to halt, a ceasefire call, an appeal).
HALT_CALL_CODES = (C.c0256, C.c020, C.c022)


@jit
def sum_add(total, compensation, x):
    """One step of Python's `sum()` of floats (Neumaier's compensated summation, CPython 3.12+):
    the rules' Python definitions sum with it, so the kernel does too, bit for bit."""
    t = total + x
    if abs(total) >= abs(x):
        compensation += (total - t) + x
    else:
        compensation += (x - t) + total
    return t, compensation


@jit
def sum_result(total, compensation):
    """The end of `sum_add`'s summation (the compensation added once, when finite)."""
    if compensation != 0.0 and math.isfinite(compensation):
        return total + compensation
    return total


@jit
def milestone(st, day, which):
    """Record that milestone `which` happened on `day` (scripted when a scheduled event made
    it first)."""
    I, MILESTONES = st[0], st[10]
    n = I[S.n_milestones]
    first = 1
    for k in range(n):
        if MILESTONES[k, 1] == which:
            first = 0
            break
    if n >= MILESTONES.shape[0]:
        raise ValueError("kernel: milestone log full")
    MILESTONES[n, 0] = day
    MILESTONES[n, 1] = which
    MILESTONES[n, 2] = first * I[S.scripting]
    I[S.n_milestones] = n + 1


@jit
def edge_open(st, edge) -> bool:
    """Whether edge `edge` (-1: absent) exists and is open."""
    return edge >= 0 and st[14][edge] != 0


@jit
def channel_open(st, sc) -> bool:
    """Whether the US-Russia channel is open."""
    return edge_open(st, sc[11][0])


@jit
def channel_weight(st, sc) -> float:
    """Weight of the open US -> Russia channel; 0 when closed or absent."""
    edge = sc[11][0]
    return sc[10][edge] if edge_open(st, edge) else 0.0


@jit
def envoy_reach(st, sc, weights, reached):
    """The backers the envoy's appeal reaches (envoy -mediates-> party <-backs- backer): for
    each actor, the summed strength (`weights`) and whether it is reached (`reached`), summed
    in the order of the network's edges."""
    EDGE_TARGET, EDGE_WEIGHT, EDGE_SOURCE = sc[8], sc[10], sc[7]
    ENVOY_MEDIATES, BACKS_INTO = sc[13], sc[14]
    weights[:] = 0.0
    reached[:] = False
    for i in range(ENVOY_MEDIATES.shape[0]):
        edge = ENVOY_MEDIATES[i]
        if not edge_open(st, edge):
            continue
        party, w_mediate = EDGE_TARGET[edge], EDGE_WEIGHT[edge]
        for j in range(BACKS_INTO.shape[1]):
            back = BACKS_INTO[party, j]
            if back < 0:
                break
            if edge_open(st, back):
                backer = EDGE_SOURCE[back]
                weights[backer] += w_mediate * EDGE_WEIGHT[back]
                reached[backer] = True


@jit
def opp_backers(st, sc, out) -> int:
    """Actors with an open `backs` edge to the opposition, in edge order, into `out`; their
    number."""
    OPP_BACKS, EDGE_SOURCE = sc[12], sc[7]
    n = 0
    for i in range(OPP_BACKS.shape[0]):
        edge = OPP_BACKS[i]
        if edge_open(st, edge):
            out[n] = EDGE_SOURCE[edge]
            n += 1
    return n


@jit
def envoy_reach_sorted(st, sc, out) -> int:
    """The backers the envoy's appeal reaches, sorted by actor code, into `out`; their number."""
    n_actors = sc[15].shape[0]
    weights = st[18][KF.reach_weights][:n_actors]
    reached = st[19][K.reach_reached][:n_actors]
    envoy_reach(st, sc, weights, reached)
    return _sorted_by_code(sc, reached, out)


@jit
def _sorted_by_code(sc, chosen, out) -> int:
    ACTOR_RANK = sc[15]
    n = 0
    for rank in range(ACTOR_RANK.shape[0]):
        for actor in range(ACTOR_RANK.shape[0]):
            if ACTOR_RANK[actor] == rank and chosen[actor]:
                out[n] = actor
                n += 1
    return n


@jit
def set_edge(st, sc, source, target, kind, is_open):
    """Open or close the (source, target, kind) edge; symmetric kinds change both directions."""
    EDGE_SOURCE, EDGE_TARGET, EDGE_KIND = sc[7], sc[8], sc[9]
    symmetric = kind == EK.channel or kind == EK.fights
    for edge in range(EDGE_SOURCE.shape[0]):
        if EDGE_KIND[edge] != kind:
            continue
        a, b = EDGE_SOURCE[edge], EDGE_TARGET[edge]
        if (a == source and b == target) or (symmetric and a == target and b == source):
            st[14][edge] = 1 if is_open else 0


@jit
def is_edge_open(st, sc, source, target, kind) -> bool:
    """Whether the (source, target, kind) edge exists and is open."""
    EDGE_SOURCE, EDGE_TARGET, EDGE_KIND = sc[7], sc[8], sc[9]
    for edge in range(EDGE_SOURCE.shape[0]):
        if EDGE_KIND[edge] == kind and EDGE_SOURCE[edge] == source and EDGE_TARGET[edge] == target:
            return st[14][edge] != 0
    return False


@jit
def set_channel_or_edge(st, sc, day, source, target, kind, is_open):
    """Open or close an edge; a channel that closes is the suspension (its day, a milestone)."""
    I = st[0]
    was_open = is_edge_open(st, sc, source, target, kind)
    set_edge(st, sc, source, target, kind, is_open)
    if kind == EK.channel and was_open and not is_open:
        if I[S.channel_suspend_day] == NONE:
            I[S.channel_suspend_day] = day
        milestone(st, day, M.channel_suspend)


@jit
def emit(st, sc, day, rule, source, target, code, text, arg):
    """Record one event of a rule: the event log, the addressee's inbox, pressure on Russia,
    the envoy's last call for a ceasefire."""
    I, EVENTS, INBOX, PRESSURE = st[0], st[5], st[6], st[8]
    n = I[S.n_inbox]
    if n >= INBOX.shape[0]:
        raise ValueError("kernel: inbox full")
    INBOX[n, 0], INBOX[n, 1], INBOX[n, 2] = target, source, code
    I[S.n_inbox] = n + 1
    if target == A.RUS and PRESSURE_PARAMETER_OF_CODE[code] >= 0:
        weight = 0.0
        if source == A.USA:
            weight = channel_weight(st, sc)
        elif source == A.ENVOY:
            n_actors = sc[15].shape[0]
            weights = st[18][KF.emit_weights][:n_actors]
            reached = st[19][K.emit_reached][:n_actors]
            envoy_reach(st, sc, weights, reached)
            weight = weights[A.RUS]
        if weight > 0:
            k = I[S.n_pressure]
            if k >= PRESSURE.shape[0]:
                raise ValueError("kernel: pressure log full")
            PRESSURE[k, 0], PRESSURE[k, 1], PRESSURE[k, 2] = day, code, weight
            I[S.n_pressure] = k + 1
    if source == A.ENVOY and code == C.c020:
        I[S.last_envoy_ceasefire_call] = day
    k = I[S.n_events]
    if k >= EVENTS.shape[0]:
        raise ValueError("kernel: event log full")
    EVENTS[k, EV.day], EVENTS[k, EV.source], EVENTS[k, EV.target] = day, source, target
    EVENTS[k, EV.code], EVENTS[k, EV.rule], EVENTS[k, EV.text], EVENTS[k, EV.arg] = code, rule, text, arg
    I[S.n_events] = k + 1


@jit
def received(st, actor, code, source) -> bool:
    """Whether yesterday's inbox holds an event with `code` to `actor` (from `source`; -1: from
    anyone)."""
    SEEN, n = st[7], st[0][S.n_seen]
    for k in range(n):
        if SEEN[k, 0] == actor and SEEN[k, 2] == code and (source < 0 or SEEN[k, 1] == source):
            return True
    return False


@jit
def strikes_mean(st, day, window) -> float:
    """S: mean strikes a day on the opposition over the last `window` days (0 on day 0)."""
    if day == 0:
        return 0.0
    days = int(window)
    n = min(days, day)
    strikes = st[3][H.strikes]
    total = 0
    for d in range(day - n, day):
        total += strikes[d]
    return total / n


@jit
def pressure_on_russia(st, day, p) -> float:
    """P: pressure that reached Russia from `day - rus_pressure_memory_days` on."""
    PRESSURE, n = st[8], st[0][S.n_pressure]
    start_day = day - p[P.rus_pressure_memory_days]
    total, compensation = 0.0, 0.0
    for k in range(n):
        if PRESSURE[k, 0] >= start_day:
            total, compensation = sum_add(total, compensation,
                                          p[PRESSURE_PARAMETER_OF_CODE[int(PRESSURE[k, 1])]] * PRESSURE[k, 2])
    return sum_result(total, compensation)


@jit
def grievance(st, day, p) -> float:
    """G: attacks on the government's forces under the ceasefire over the last
    `ceasefire_violation_days` days, weighted."""
    GRIEVANCE, n = st[9], st[0][S.n_grievance]
    start = day - p[P.ceasefire_violation_days]
    total, compensation = 0.0, 0.0
    for k in range(n):
        if GRIEVANCE[k, 0] >= start:
            total, compensation = sum_add(total, compensation, GRIEVANCE[k, 1])
    return sum_result(total, compensation)


@jit
def sigmoid(x: float) -> float:
    """Logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


@jit
def logit(p: float) -> float:
    """Log-odds of p, finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


@jit
def hazard(rate: float) -> float:
    """Probability of at least one event in a day at a Poisson rate."""
    return 1.0 - math.exp(-max(rate, 0.0))
