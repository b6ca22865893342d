"""The effects of the rules' actions on the world, compiled, and the scheduled events' scripts.

`apply_effect` applies one action: it changes the world and records the action's events
(most effects record them; a few, like the end of an offensive, change the world without an
event). Each branch is one effect of `sim.model.rules.EFFECTS`, whose declarations give their
order of application.
"""

from __future__ import annotations

import numpy as np

from sim.kernel import state_jit as jit
from sim.kernel.layout import AC, NONE, A, C, CF, EK, L, M, P, R, S, SC, SF, T, X, text_id, K
from sim.kernel.rules import (
    action,
    agreed_action,
    collapse_action,
    event,
    in_effect_action,
    jic_action,
    pause_events,
    resume_action,
    rounded,
    suspension_action,
    terms_action,
)
from sim.kernel.terrain import besieged_enclaves_into, supply_route_open_into
from sim.kernel.world import emit, is_edge_open, milestone, set_channel_or_edge, set_edge

_BREAKS_SIEGE = text_id("breaks the siege of {names}")
_CUTS_ROUTE = text_id("cuts the opposition's supply route")
_OPENS = text_id("formally opens the talks")
_PAUSES = text_id("pauses the talks")
_COALITION = text_id("a coalition air strike hits government forces")


@jit
def record(st, sc, day, rule, first, end):
    """Record the events of an action that took effect (the day's events first..end)."""
    DAY_EVENTS = st[12]
    for k in range(first, end):
        emit(st, sc, day, rule, DAY_EVENTS[k, 0], DAY_EVENTS[k, 1], DAY_EVENTS[k, 2], DAY_EVENTS[k, 3],
             DAY_EVENTS[k, 4])


@jit
def _emit_now(st, sc, day, rule, source, target, code, text, arg):
    emit(st, sc, day, rule, source, target, code, text, arg)


@jit
def add_harm(st, sc, p, forced_harm, counts):
    """Civilians killed by `counts` strikes, added in locality order: each strike on a locality of
    population n kills `harm_per_strike` x n / (n + `harm_half_population`) (a densely populated
    district about `harm_per_strike`, a hamlet far fewer); forcing `civilian_harm` sets the harm
    per strike."""
    F, population = st[1], sc[0]
    per_strike = p[P.harm_per_strike] if np.isnan(forced_harm) else forced_harm
    half = p[P.harm_half_population]
    total = F[SF.civilian_harm]
    for i in range(counts.shape[0]):
        k = counts[i]
        if k > 0:
            pop = population[i]
            total += k * per_strike * pop / (pop + half)
    F[SF.civilian_harm] = total


@jit
def change_control(st, sc, day, rule, first, end, locality, new_control):
    """A locality changes hands; a capture may break a siege or
    cut the opposition's supply route (events of the offensive)."""
    I, LOC = st[0], st[2]
    control = LOC[L.control]
    if control[locality] == new_control:
        return
    INDPTR, INDICES, IS_ENCLAVE = sc[2], sc[3], sc[1]
    near_enclave = False
    for j in range(INDPTR[locality], INDPTR[locality + 1]):
        if IS_ENCLAVE[INDICES[j]]:
            near_enclave = True
    check_siege = new_control == 0 and near_enclave
    besieged_before = st[19][K.besieged_before]
    if check_siege:
        besieged_enclaves_into(control, INDPTR, INDICES, IS_ENCLAVE, besieged_before, st[19][K.search_seen],
                               st[19][K.search_queue])
    control[locality] = new_control
    record(st, sc, day, rule, first, end)
    if new_control == 0:
        milestone(st, day, M.capture)
        LOC[L.lost_day, locality] = day
        LOC[L.lost_order, locality] = I[S.lost_sequence]
        I[S.lost_sequence] += 1
        if check_siege:
            after = st[19][K.besieged_after]
            besieged_enclaves_into(control, INDPTR, INDICES, IS_ENCLAVE, after, st[19][K.search_seen],
                                   st[19][K.search_queue])
            relieved = 0  # one bit per enclave, by its place among the terrain's enclaves
            ordinal = 0
            for i in range(control.shape[0]):
                if IS_ENCLAVE[i]:
                    if besieged_before[i] and not after[i]:
                        relieved |= 1 << ordinal
                    ordinal += 1
            if relieved:
                _emit_now(st, sc, day, R.gov_offensive, A.GOV, A.OPP, C.c190, _BREAKS_SIEGE, relieved)
    else:
        LOC[L.lost_day, locality] = NONE
        LOC[L.retaken_day, locality] = day
    was_open = I[S.supply_open] != 0
    SCRATCH = st[19]
    now_open = supply_route_open_into(control, INDPTR, INDICES, sc[4], sc[5], SCRATCH[K.search_goal],
                                      SCRATCH[K.search_seen], SCRATCH[K.search_queue])
    I[S.supply_open] = 1 if now_open else 0
    if was_open and not now_open:
        if I[S.supply_cut_day] == NONE:
            I[S.supply_cut_day] = day
        milestone(st, day, M.supply_route_cut)
        _emit_now(st, sc, day, R.gov_offensive, A.GOV, A.OPP, C.c191, _CUTS_ROUTE, 0)


@jit
def _stop_round(st, sc, day, rule, first, end, payload, which) -> bool:
    """Stop the talks in session until `payload` days from today."""
    I = st[0]
    if I[S.talks] != T.IN_SESSION:
        return False
    I[S.talks], I[S.resume_due], I[S.ultimatum_deadline] = T.PAUSED, day + payload, NONE
    I[S.round_end_due] = NONE
    milestone(st, day, which)
    record(st, sc, day, rule, first, end)
    return True


@jit
def collapse_ceasefire(st, sc, day, rule, first, end):
    """The ceasefire collapses: its day, the end of its monitoring, a milestone."""
    I = st[0]
    if I[S.ceasefire] != CF.IN_EFFECT:
        return
    I[S.ceasefire], I[S.ceasefire_collapse_day], I[S.jic], I[S.task_force] = CF.COLLAPSED, day, 0, 0
    milestone(st, day, M.ceasefire_collapse)
    record(st, sc, day, rule, first, end)


@jit
def apply_effect(st, sc, p, forced, day, rule, actor, effect, payload, first, end):
    """Apply one action's effect and record its events ."""
    I, LOC, COUNTS = st[0], st[2], st[13]
    if effect == X.talk:
        record(st, sc, day, rule, first, end)
    elif effect == X.strikes:  # tallies by actor and locality, then the harm
        counts = COUNTS[payload]
        total = 0
        logged = st[15][day * 2 + payload]
        for i in range(counts.shape[0]):
            total += counts[i]
            LOC[L.struck_today, i] += counts[i]
            logged[i] = counts[i]
        if payload == 0:
            I[S.today_rus] += total
        else:
            I[S.today_gov] += total
        add_harm(st, sc, p, forced[R.civilian_harm], counts)
        record(st, sc, day, rule, first, end)
    elif effect == X.violation:
        I[S.today_violations] += payload
        GRIEVANCE, n = st[9], I[S.n_grievance]
        GRIEVANCE[n, 0], GRIEVANCE[n, 1] = day, float(payload)
        I[S.n_grievance] = n + 1
        record(st, sc, day, rule, first, end)
    elif effect == X.rus_refuse:
        I[S.rus_refusals] += payload
        milestone(st, day, M.rus_refuses_halt)
        record(st, sc, day, rule, first, end)
    elif effect == X.rus_halt:
        I[S.rus_halt_until] = day + payload
        milestone(st, day, M.rus_halt)
        record(st, sc, day, rule, first, end)
    elif effect == X.capture:
        change_control(st, sc, day, rule, first, end, payload, 0)
    elif effect == X.recapture:
        change_control(st, sc, day, rule, first, end, payload, 1)
    elif effect == X.offensive_start:
        I[S.offensive], I[S.offensive_start_day] = 1, day
        milestone(st, day, M.offensive_start)
        milestone(st, day, M.strikes_escalate)  # Russia's air support rises with the offensive
        record(st, sc, day, rule, first, end)
    elif effect == X.ultimatum:
        I[S.ultimatum_deadline] = day + payload
        if I[S.first_ultimatum_day] == NONE:
            I[S.first_ultimatum_day] = day
        record(st, sc, day, rule, first, end)
    elif effect == X.walkout:
        I[S.opp_present], I[S.ultimatum_deadline] = 0, NONE
        I[S.walkout_announced] = 1
        if I[S.first_walkout_day] == NONE:
            I[S.first_walkout_day] = day
        milestone(st, day, M.opp_absent)
        record(st, sc, day, rule, first, end)
    elif effect == X.return_:
        I[S.opp_present] = 1
        milestone(st, day, M.opp_attends)
        record(st, sc, day, rule, first, end)
    elif effect == X.pause:
        if _stop_round(st, sc, day, rule, first, end, payload, M.talks_pause):
            I[S.pause_announced] = 1
            if I[S.talks_pause_day] == NONE:
                I[S.talks_pause_day] = day
    elif effect == X.round_end:
        _stop_round(st, sc, day, rule, first, end, payload, M.round_ends)
    elif effect == X.resume:
        if I[S.talks] == T.PAUSED:
            I[S.talks], I[S.talks_resumed], I[S.resume_due] = T.IN_SESSION, 1, NONE
            I[S.round_scheduled_day] = NONE
            I[S.round_end_due] = day + payload
            milestone(st, day, M.talks_resume)
            record(st, sc, day, rule, first, end)
    elif effect == X.talks_collapse:
        I[S.talks], I[S.talks_collapse_day] = T.COLLAPSED, day
        milestone(st, day, M.talks_collapse)
        record(st, sc, day, rule, first, end)
    elif effect == X.us_threat:
        I[S.us_threat_day] = day
        milestone(st, day, M.us_threat)
        record(st, sc, day, rule, first, end)
    elif effect == X.channel_suspend:
        set_channel_or_edge(st, sc, day, A.USA, A.RUS, EK.channel, False)
        record(st, sc, day, rule, first, end)
    elif effect == X.support:
        I[S.support_until] = day + payload
        record(st, sc, day, rule, first, end)
    elif effect == X.talks_open:
        I[S.talks], I[S.talks_open_day] = T.IN_SESSION, day
        I[S.round_end_due] = day + payload
        milestone(st, day, M.talks_open)
        record(st, sc, day, rule, first, end)
    elif effect == X.truce_end:  # the government declares the ceasefire over: its event, then the collapse
        record(st, sc, day, rule, first, end)
        collapse_action(st, sc)
        n = I[S.n_actions] - 1
        collapse_ceasefire(st, sc, day, R.ceasefire, st[11][n, AC.first_event], st[11][n, AC.end_event])
    elif effect == X.escalation_day:
        I[S.escalation_days] += 1
    elif effect == X.ceasefire_agreed:
        I[S.ceasefire], I[S.ceasefire_agreed_day] = CF.AGREED, day
        I[S.ceasefire_terms_day], I[S.ceasefire_effect_due] = NONE, NONE
        I[S.accepted_gov], I[S.accepted_opp], I[S.accepted_count] = 0, 0, 0
        I[S.task_force] = payload
        milestone(st, day, M.ceasefire_agreed)
        record(st, sc, day, rule, first, end)
    elif effect == X.ceasefire_in_effect:
        if I[S.ceasefire_agreed_day] == NONE:
            I[S.ceasefire_agreed_day] = day
        I[S.ceasefire], I[S.ceasefire_effect_day], I[S.quiet_streak] = CF.IN_EFFECT, day, 0
        I[S.accepted_gov], I[S.accepted_opp], I[S.accepted_count] = 1, 1, 2
        I[S.offensive] = 0
        milestone(st, day, M.ceasefire_in_effect)
        record(st, sc, day, rule, first, end)
    elif effect == X.quiet_day:
        I[S.quiet_streak] = I[S.quiet_streak] + 1 if payload else 0
    elif effect == X.ceasefire_collapse:
        collapse_ceasefire(st, sc, day, rule, first, end)
    elif effect == X.ceasefire_terms:
        I[S.ceasefire], I[S.ceasefire_terms_day] = CF.TERMS, day
        I[S.ceasefire_effect_due] = day + payload
        milestone(st, day, M.ceasefire_terms)
        record(st, sc, day, rule, first, end)
    elif effect == X.ceasefire_accepted:
        slot = S.accepted_gov if payload == A.GOV else S.accepted_opp
        if I[slot] == 0:
            I[slot] = 1
            I[S.accepted_count] += 1
            if I[S.accepted_count] == 1:
                milestone(st, day, M.ceasefire_accepted)
            record(st, sc, day, rule, first, end)
    elif effect == X.coalition_strike:
        if I[S.ceasefire] == CF.IN_EFFECT:
            GRIEVANCE, n = st[9], I[S.n_grievance]
            GRIEVANCE[n, 0], GRIEVANCE[n, 1] = day, p[P.gov_grievance_backer_strike]
            I[S.n_grievance] = n + 1
        record(st, sc, day, rule, first, end)
    elif effect == X.jic:
        I[S.jic], I[S.jic_day] = 1, day
        record(st, sc, day, rule, first, end)
    elif effect == X.agreement:
        I[S.talks], I[S.agreement_day] = T.AGREEMENT, day
        record(st, sc, day, rule, first, end)
    elif effect == X.offensive_end:
        I[S.offensive] = 0
    elif effect == X.drawdown:
        I[S.rus_drawdown_day] = day
        milestone(st, day, M.rus_drawdown)
        record(st, sc, day, rule, first, end)
    elif effect == X.schedule_round:
        if I[S.talks] == T.PAUSED:
            I[S.round_scheduled_day] = day + payload
            milestone(st, day, M.talks_scheduled)
            record(st, sc, day, rule, first, end)
    elif effect == X.postpone_round:
        I[S.round_scheduled_day] = NONE
    elif effect == X.halt_over:
        # A halt agreed again today runs on: only a halt that lapsed ends.
        if I[S.rus_halt_until] < day:
            milestone(st, day, M.rus_halt_ends)
    else:
        raise ValueError("kernel: unknown effect")


@jit
def apply_last(st, sc, p, forced, day):
    """Apply the action added last (a script's or an evening rule's, at once)."""
    ACTIONS = st[11]
    n = st[0][S.n_actions] - 1
    apply_effect(st, sc, p, forced, day, ACTIONS[n, AC.rule], ACTIONS[n, AC.actor], ACTIONS[n, AC.effect],
                 ACTIONS[n, AC.payload], ACTIONS[n, AC.first_event], ACTIONS[n, AC.end_event])


@jit
def run_script(st, sc, p, forced, day, script):
    """A scheduled event: its rule's own effect (`sim.model.rules.SCRIPTS` names the rule)."""
    I = st[0]
    if script == SC.offensive_start:
        if not I[S.offensive]:
            _act(st, sc, R.gov_offensive, A.GOV, X.offensive_start, 0)
            apply_last(st, sc, p, forced, day)
    elif script == SC.offensive_stop:
        I[S.offensive] = 0
    elif script == SC.talks_open:
        if I[S.talks] != T.IN_SESSION:
            first = I[S.n_day_events]
            event(st, A.ENVOY, A.GOV, C.c045, _OPENS, 0)
            event(st, A.ENVOY, A.OPP, C.c045, _OPENS, 0)
            _act_from(st, sc, R.envoy_convene, A.ENVOY, X.talks_open, rounded(p[P.talks_round_days]), first)
            apply_last(st, sc, p, forced, day)
    elif script == SC.talks_pause:
        if I[S.talks] == T.IN_SESSION:
            days = rounded(p[P.envoy_pause_days])
            first = I[S.n_day_events]
            pause_events(st, days, _PAUSES, False)
            _act_from(st, sc, R.envoy_pause, A.ENVOY, X.pause, days, first)
            apply_last(st, sc, p, forced, day)
    elif script == SC.talks_resume:
        if I[S.talks] == T.PAUSED:
            resume_action(st, sc, p)
            apply_last(st, sc, p, forced, day)
    elif script == SC.channel_suspend:
        if is_edge_open(st, sc, A.USA, A.RUS, EK.channel):
            suspension_action(st, sc, False)
            apply_last(st, sc, p, forced, day)
    elif script == SC.channel_restore:
        # No event: the rule declares none for a restored channel.
        if not is_edge_open(st, sc, A.USA, A.RUS, EK.channel):
            set_edge(st, sc, A.USA, A.RUS, EK.channel, True)
    elif script == SC.ceasefire_agreed or script == SC.ceasefire_terms:
        if I[S.ceasefire] == CF.NONE or I[S.ceasefire] == CF.COLLAPSED:
            agreed_action(st, sc, p)
            apply_last(st, sc, p, forced, day)
        if script == SC.ceasefire_terms and I[S.ceasefire] == CF.AGREED:
            terms_action(st, sc, p)
            apply_last(st, sc, p, forced, day)
    elif script == SC.ceasefire_in_effect:
        if I[S.ceasefire] != CF.IN_EFFECT:
            in_effect_action(st, sc)
            apply_last(st, sc, p, forced, day)
    elif script == SC.ceasefire_collapse:
        if I[S.ceasefire] == CF.IN_EFFECT:
            collapse_action(st, sc)
            apply_last(st, sc, p, forced, day)
    elif script == SC.jic_in_force:
        if not I[S.jic]:
            jic_action(st, sc)
            apply_last(st, sc, p, forced, day)
    elif script == SC.coalition_strike:
        # Exogenous to the diplomacy: a targeting error of the coalition fighting ISIL.
        first = I[S.n_day_events]
        event(st, A.USA, A.GOV, C.c195, _COALITION, 0)
        _act_from(st, sc, R.coalition_strike, A.USA, X.coalition_strike, 0, first)
        apply_last(st, sc, p, forced, day)
    else:
        raise ValueError("kernel: unknown scheduled event")


@jit
def _act(st, sc, rule, actor, effect, payload):
    _act_from(st, sc, rule, actor, effect, payload, st[0][S.n_day_events])


@jit
def _act_from(st, sc, rule, actor, effect, payload, first):
    action(st, sc, rule, actor, effect, payload, first)
