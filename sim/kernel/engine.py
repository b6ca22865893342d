"""The compiled day: morning, observe, decide, resolve, evening (as `DiplomacyModel.step`).

`simulate_days` runs days `first..last-1` of one replicate on its state arrays; the Mesa model
calls it one day at a time, the batch engine once for the whole horizon. The scenario's
constants `sc` (`sim.kernel.state.scenario_constants`) hold its terrain, its actor network
and its timeline (scheduled events and interventions); `U`/`OFFSETS` the run's uniforms
(`sim.kernel.streams.rule_streams`).
"""

from __future__ import annotations

import numpy as np

from sim.kernel import state_jit as jit
from sim.kernel.effects import apply_effect, run_script
from sim.kernel.layout import AC, DRAWS_PER_DAY, NONE, A, CF, H, L, P, R, S, SF, T, K
from sim.kernel.rules import (
    decide_agreement,
    decide_backer_support,
    decide_ceasefire,
    decide_envoy_appeal,
    decide_envoy_convene,
    decide_envoy_pause,
    decide_envoy_resume,
    decide_gov_bombardment,
    decide_gov_offensive,
    decide_gov_talks_stance,
    decide_gov_truce,
    decide_jic,
    decide_opp_appeal,
    decide_opp_counterattack,
    decide_opp_demands,
    decide_opp_return,
    decide_opp_ultimatum,
    decide_opp_walkout,
    decide_rus_drawdown,
    decide_rus_halt_response,
    decide_rus_rhetoric,
    decide_rus_strikes,
    decide_us_criticism,
    decide_us_suspend,
    decide_us_threat,
)
from sim.kernel.layout import STRIKE_CLASSES as SK
from sim.kernel.terrain import frontline_into, next_axis_target
from sim.kernel.world import (
    channel_open,
    envoy_reach_sorted,
    is_edge_open,
    opp_backers,
    pressure_on_russia,
    set_channel_or_edge,
    strikes_mean,
)

_DRAWS = np.array(DRAWS_PER_DAY, dtype=np.int64)
#: Columns of a daily row (`sim.model.model.DAILY_COLUMNS`; the date is written in Python).
DAILY_WIDTH = 15


@jit(inline="always")  # it returns a view, which only an inlined function may without reference counting
def _u(U, OFFSETS, rule, day):
    k = _DRAWS[rule]
    start = OFFSETS[rule] + day * k
    return U[start:start + k]


@jit
def _morning(st, sc, base_p, p, forced, day, horizon):
    """Scheduled events and interventions of the day."""
    I = st[0]
    SCHEDULE, SET_IVS, FORCE_IVS, EDGE_IVS, RESTORES = sc[17], sc[18], sc[19], sc[20], st[16]
    for k in range(p.shape[0]):
        p[k] = base_p[k]
    for k in range(SET_IVS.shape[0]):
        if SET_IVS[k, 2] <= day and (SET_IVS[k, 3] < 0 or day <= SET_IVS[k, 3]):
            p[int(SET_IVS[k, 0])] = SET_IVS[k, 1]
    forced[:] = np.nan
    for k in range(FORCE_IVS.shape[0]):
        if FORCE_IVS[k, 2] <= day and (FORCE_IVS[k, 3] < 0 or day <= FORCE_IVS[k, 3]):
            forced[int(FORCE_IVS[k, 0])] = FORCE_IVS[k, 1]
    for k in range(I[S.n_restores]):
        if RESTORES[k, 0] == day:
            set_channel_or_edge(st, sc, day, RESTORES[k, 1], RESTORES[k, 2], RESTORES[k, 3], RESTORES[k, 4] != 0)
    for k in range(SCHEDULE.shape[0]):
        if SCHEDULE[k, 0] != day:
            continue
        if SCHEDULE[k, 1] == 1:  # an edge intervention
            iv = SCHEDULE[k, 2]
            source, target, kind, to_day = EDGE_IVS[iv, 0], EDGE_IVS[iv, 1], EDGE_IVS[iv, 2], EDGE_IVS[iv, 4]
            before = is_edge_open(st, sc, source, target, kind)
            set_channel_or_edge(st, sc, day, source, target, kind, EDGE_IVS[iv, 3] != 0)
            if to_day >= 0 and to_day + 1 < horizon:
                n = I[S.n_restores]
                RESTORES[n, 0], RESTORES[n, 1], RESTORES[n, 2] = to_day + 1, source, target
                RESTORES[n, 3], RESTORES[n, 4] = kind, 1 if before else 0
                I[S.n_restores] = n + 1
        else:
            I[S.scripting] = 1
            run_script(st, sc, p, forced, day, SCHEDULE[k, 2])
            I[S.scripting] = 0


@jit
def _observe(st, sc, p, day):
    """The morning's situation: yesterday's inbox, and what the rules read that effects change
    later in the day."""
    I, F, LOC, SEEN, INBOX = st[0], st[1], st[2], st[7], st[6]
    n = I[S.n_inbox]
    for k in range(n):  # copied by hand: an array assignment may allocate (no reference counting here)
        SEEN[k, 0], SEEN[k, 1], SEEN[k, 2] = INBOX[k, 0], INBOX[k, 1], INBOX[k, 2]
    I[S.n_seen], I[S.n_inbox] = n, 0
    F[SF.seen_strikes_mean] = strikes_mean(st, day, p[P.violence_window_days])
    I[S.seen_channel_open] = 1 if channel_open(st, sc) else 0
    I[S.seen_last_envoy_call] = I[S.last_envoy_ceasefire_call]
    LISTS = st[17]
    I[S.n_opp_backers] = opp_backers(st, sc, LISTS[0])
    I[S.n_envoy_reach] = envoy_reach_sorted(st, sc, LISTS[1])
    control = LOC[L.control]
    on_front = st[19][K.frontline]
    frontline_into(control, sc[2], sc[3], on_front)
    strike_class = LOC[L.strike_class]
    for i in range(control.shape[0]):
        if control[i] != 1:
            strike_class[i] = SK.none
        elif on_front[i]:
            strike_class[i] = SK.frontline
        else:
            strike_class[i] = SK.rear if sc[0][i] > 0 else SK.empty
    target = next_axis_target(control, sc[2], sc[3], sc[6])
    I[S.axis_target] = target
    air_support = 0
    if target != NONE and I[S.offensive]:
        struck = LOC[L.struck_yesterday]
        air_support = struck[target]
        for j in range(sc[2][target], sc[2][target + 1]):
            air_support += struck[sc[3][j]]
    I[S.air_support] = air_support


@jit
def _decide(st, sc, p, forced, U, OFFSETS, day):
    """Every actor's rules on the morning's situation (the agents' `decide`)."""
    decide_rus_strikes(st, sc, p, _u(U, OFFSETS, R.rus_strikes, day), forced[R.rus_strikes], day)
    decide_rus_halt_response(st, sc, p, _u(U, OFFSETS, R.rus_halt_response, day), forced[R.rus_halt_response], day)
    decide_rus_drawdown(st, sc, p, _u(U, OFFSETS, R.rus_drawdown, day), forced[R.rus_drawdown], day)
    decide_rus_rhetoric(st, sc, p, _u(U, OFFSETS, R.rus_rhetoric, day), forced[R.rus_rhetoric], day)
    decide_gov_offensive(st, sc, p, _u(U, OFFSETS, R.gov_offensive, day), forced[R.gov_offensive], day)
    decide_gov_bombardment(st, sc, p, _u(U, OFFSETS, R.gov_bombardment, day), forced[R.gov_bombardment], day)
    decide_gov_truce(st, sc, p, _u(U, OFFSETS, R.gov_truce, day), forced[R.gov_truce], day)
    decide_gov_talks_stance(st, sc, p, _u(U, OFFSETS, R.gov_talks_stance, day), forced[R.gov_talks_stance], day)
    decide_opp_ultimatum(st, sc, p, _u(U, OFFSETS, R.opp_ultimatum, day), forced[R.opp_ultimatum], day)
    decide_opp_walkout(st, sc, p, _u(U, OFFSETS, R.opp_walkout, day), forced[R.opp_walkout], day)
    decide_opp_demands(st, sc, p, _u(U, OFFSETS, R.opp_demands, day), forced[R.opp_demands], day)
    decide_opp_appeal(st, sc, p, _u(U, OFFSETS, R.opp_appeal, day), forced[R.opp_appeal], day)
    decide_opp_return(st, sc, p, _u(U, OFFSETS, R.opp_return, day), forced[R.opp_return], day)
    decide_opp_counterattack(st, sc, p, _u(U, OFFSETS, R.opp_counterattack, day), forced[R.opp_counterattack], day)
    decide_envoy_convene(st, sc, p, _u(U, OFFSETS, R.envoy_convene, day), forced[R.envoy_convene], day)
    decide_envoy_appeal(st, sc, p, _u(U, OFFSETS, R.envoy_appeal, day), forced[R.envoy_appeal], day)
    decide_envoy_pause(st, sc, p, _u(U, OFFSETS, R.envoy_pause, day), forced[R.envoy_pause], day)
    decide_envoy_resume(st, sc, p, _u(U, OFFSETS, R.envoy_resume, day), forced[R.envoy_resume], day)
    decide_us_criticism(st, sc, p, _u(U, OFFSETS, R.us_criticism, day), forced[R.us_criticism], day)
    decide_us_threat(st, sc, p, _u(U, OFFSETS, R.us_threat, day), forced[R.us_threat], day)
    decide_us_suspend(st, sc, p, _u(U, OFFSETS, R.us_suspend, day), forced[R.us_suspend], day)
    BACKERS = sc[16]
    u_support = _u(U, OFFSETS, R.backer_support, day)
    for k in range(BACKERS.shape[0]):
        decide_backer_support(st, sc, p, u_support, forced[R.backer_support], day, BACKERS[k])


@jit
def _stable_order(ACTIONS, n, order):
    """order[:n]: the day's actions by key, ties in the order decided (an insertion sort: a day
    has a few dozen actions, and it allocates nothing)."""
    for i in range(n):
        order[i] = i
    for i in range(1, n):
        current = order[i]
        key = ACTIONS[current, AC.key]
        j = i - 1
        while j >= 0 and ACTIONS[order[j], AC.key] > key:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = current


@jit
def _resolve(st, sc, p, forced, U, OFFSETS, day):
    """Apply the day's actions in the order of their effects, tally the day, run the evening
    rules."""
    I, F, LOC, HIST, HARM, ACTIONS = st[0], st[1], st[2], st[3], st[4], st[11]
    I[S.pause_announced], I[S.walkout_announced] = 0, 0
    I[S.today_rus], I[S.today_gov], I[S.today_violations] = 0, 0, 0
    LOC[L.struck_today, :] = 0
    harm_before = F[SF.civilian_harm]
    n = I[S.n_actions]
    order = st[19][K.action_order]
    _stable_order(ACTIONS, n, order)  # stable: ties keep the order decided
    for i in range(n):
        a = order[i]
        apply_effect(st, sc, p, forced, day, ACTIONS[a, AC.rule], ACTIONS[a, AC.actor], ACTIONS[a, AC.effect],
                     ACTIONS[a, AC.payload], ACTIONS[a, AC.first_event], ACTIONS[a, AC.end_event])
    rus, gov = I[S.today_rus], I[S.today_gov]
    HIST[H.rus_strikes, day], HIST[H.gov_strikes, day], HIST[H.strikes, day] = rus, gov, rus + gov
    for i in range(LOC.shape[1]):
        LOC[L.struck_yesterday, i] = LOC[L.struck_today, i]
    HARM[day] = F[SF.civilian_harm] - harm_before
    # Strikes and attacks under a ceasefire in effect are its violations.
    HIST[H.violations, day] = rus + gov + I[S.today_violations] if I[S.ceasefire] == CF.IN_EFFECT else 0
    for rule in (R.ceasefire, R.jic, R.talks_agreement):
        first = I[S.n_actions]
        u = _u(U, OFFSETS, rule, day)
        if rule == R.ceasefire:
            decide_ceasefire(st, sc, p, u, forced[rule], day)
        elif rule == R.jic:
            decide_jic(st, sc, p, u, forced[rule], day)
        else:
            decide_agreement(st, sc, p, u, forced[rule], day)
        for a in range(first, I[S.n_actions]):
            apply_effect(st, sc, p, forced, day, ACTIONS[a, AC.rule], ACTIONS[a, AC.actor], ACTIONS[a, AC.effect],
                         ACTIONS[a, AC.payload], ACTIONS[a, AC.first_event], ACTIONS[a, AC.end_event])
    if I[S.talks] == T.IN_SESSION:
        I[S.days_in_session] += 1
    if I[S.ceasefire] == CF.IN_EFFECT:
        I[S.ceasefire_effect_days] += 1


@jit
def daily_row(st, sc, p, day, out):
    """The state at the end of `day` (`sim.model.model.DAILY_COLUMNS`; column 1, the date, is NaN)."""
    I, F, LOC, HIST = st[0], st[1], st[2], st[3]
    control = LOC[L.control]
    opp = 0
    for i in range(control.shape[0]):
        if control[i] == 1:
            opp += 1
    out[0], out[1], out[2], out[3] = day, np.nan, I[S.talks], I[S.ceasefire]
    out[4] = 1.0 if is_edge_open(st, sc, A.USA, A.RUS, 2) else 0.0
    out[5], out[6], out[7] = I[S.offensive], I[S.opp_present], I[S.jic]
    out[8], out[9], out[10] = HIST[H.rus_strikes, day], HIST[H.gov_strikes, day], HIST[H.violations, day]
    out[11], out[12], out[13] = opp, I[S.supply_open], F[SF.civilian_harm]
    out[14] = pressure_on_russia(st, day, p)


@jit
def simulate_days(st, sc, base_p, p, forced, U, OFFSETS, first, last, horizon, DAILY, record_daily):
    """Simulate days first..last-1 of a run (each: morning, observe, decide, resolve, and the
    daily row when `record_daily`)."""
    I = st[0]
    for day in range(first, last):
        I[S.day] = day
        I[S.n_actions], I[S.n_day_events] = 0, 0
        _morning(st, sc, base_p, p, forced, day, horizon)
        I[S.n_actions], I[S.n_day_events] = 0, 0  # the scripts' actions took effect already
        _observe(st, sc, p, day)
        _decide(st, sc, p, forced, U, OFFSETS, day)
        _resolve(st, sc, p, forced, U, OFFSETS, day)
        if record_daily:
            daily_row(st, sc, p, day, DAILY[day])
        I[S.day] = day + 1
