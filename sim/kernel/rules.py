"""The rules' decisions, compiled: each reads the morning's state, its uniforms of the day `u`
and its forced value (NaN when not forced), and appends its actions (`ACTIONS`) and their
events (`DAY_EVENTS`) to the state. Each rule is written only here: its declaration (actor,
stream, emissions, the parameters it reads) is in `sim.model.rules`, its evidence and
parameters in docs/model.md.

Every decision here runs before any effect of the day, so the live state is the morning's
situation; the evening rules (`decide_ceasefire`, `decide_jic`, `decide_agreement`) read the
world as the day's effects left it, and the morning's values they need from the `seen_*`
slots.
"""

from __future__ import annotations

import math

import numpy as np

from sim.kernel import state_jit as jit
from sim.kernel.draws import poisson_quantile, systematic_allocation
from sim.kernel.layout import (
    EFFECT_SORT_RANK,
    NONE,
    RULE_SORT_RANK,
    A,
    AC,
    C,
    CF,
    K,
    KF,
    L,
    P,
    R,
    S,
    SF,
    T,
    X,
    text_id,
)
from sim.kernel.layout import STRIKE_CLASSES as SK
from sim.kernel.world import (
    HALT_CALL_CODES,
    grievance,
    hazard,
    logit,
    pressure_on_russia,
    received,
    sigmoid,
    sum_add,
    sum_result,
)

_EFFECT_RANK = np.array(EFFECT_SORT_RANK, dtype=np.int64)
_RULE_RANK = np.array(RULE_SORT_RANK, dtype=np.int64)

# texts (ids of sim.kernel.layout.TEXTS)
_STRIKES = text_id("STRIKES")
_REFUSE, _AGREE_HALT = text_id("refuses to halt air strikes"), text_id("agrees to scale back air strikes")
_REGRET, _BLAME_WASHINGTON = text_id("regrets the US move"), text_id("blames Washington")
_SHIELDING, _DENY_ACCUSATION = text_id("accuses Washington of shielding militants"), text_id("denies the accusation")
_WITHDRAWS = text_id("withdraws the main part of its forces")
_TOWARDS, _CAPTURES = text_id("offensive towards {label}"), text_id("captures {label}")
_BLAME_PRECONDITIONS = text_id("blames the opposition's preconditions")
_REJECT = text_id("rejects accusations of killing civilians")
_DECLARE_OVER = text_id("declares the ceasefire over")
_THREATENS = text_id("threatens to bring down the talks within {days} days unless the offensive ends")
_WALKS_OUT = text_id("walks out of the talks")
_WILL_NOT = text_id("will not negotiate unless the bombardment stops and sieges are lifted")
_APPEALS = text_id("appeals to its backers for weapons")
_ACCUSES_RUSSIA = text_id("accuses Russia of bombing civilians")
_RETURNS = text_id("agrees to return to the talks")
_COUNTER, _RETAKES = text_id("counter-attacks at {label}"), text_id("retakes {label}")
_ATTACKS = text_id("attacks government positions during the ceasefire")
_MEETS_GOV, _MEETS_OPP = text_id("meets the government delegation"), text_id("meets the opposition delegation")
_ASKS, _URGES = text_id("asks the backers for immediate help"), text_id("urges a ceasefire")
_WARNS = text_id("warns that the talks may fail")
_PAUSES_FOR, _BLAMES_RUSSIA = text_id("pauses the talks for {days} days"), text_id("blames the Russian escalation")
_CLOSES, _RESUMES = text_id("closes the round of talks"), text_id("resumes the talks")
_ANNOUNCES = text_id("announces the talks resume in {days} days")
_CRITICISES = text_id("says Russian strikes hit civilians and Assad's foes")
_CALLS_HALT = text_id("calls on the government and its supporters to halt the bombardment")
_THREATENS_SUSPEND = text_id("threatens to suspend talks with Russia")
_SUSPENDS, _SHELVES = text_id("suspends bilateral talks with Russia"), text_id("shelves joint military plans with Russia")
_PHONE = text_id("Kerry and Lavrov talk by telephone")
_WEAPONS = text_id("sends weapons to the rebels")
_SEEK, _TERMS = text_id("agree to seek a ceasefire"), text_id("publish the ceasefire's terms: in effect in {days} days")
_ACCEPTS, _IN_EFFECT = text_id("accepts the ceasefire's terms"), text_id("ceasefire comes into effect")
_BLAME_COLLAPSE = text_id("blame each other for the ceasefire's collapse")
_JIC = text_id("Joint Implementation Center comes into force")
_AGREEMENT = text_id("reach a political agreement")


# ---------------------------------------------------------------- actions and their events
@jit
def event(st, source, target, code, text, arg):
    """Add one event to the day's events (an action's events are a range of them)."""
    I, DAY_EVENTS = st[0], st[12]
    n = I[S.n_day_events]
    if n >= DAY_EVENTS.shape[0]:
        raise ValueError("kernel: too many events in a day")
    DAY_EVENTS[n, 0], DAY_EVENTS[n, 1], DAY_EVENTS[n, 2] = source, target, code
    DAY_EVENTS[n, 3], DAY_EVENTS[n, 4] = text, arg
    I[S.n_day_events] = n + 1


@jit
def action(st, sc, rule, actor, effect, payload, first_event):
    """Add an action whose events are the day's events from `first_event` on; its key orders
    the day's actions as the Python model does (effect rank, rule name, actor code)."""
    I, ACTIONS = st[0], st[11]
    n = I[S.n_actions]
    if n >= ACTIONS.shape[0]:
        raise ValueError("kernel: too many actions in a day")
    ACTIONS[n, AC.key] = (_EFFECT_RANK[effect] * 1000 + _RULE_RANK[rule]) * 1000 + sc[15][actor]
    ACTIONS[n, AC.rule], ACTIONS[n, AC.actor], ACTIONS[n, AC.effect] = rule, actor, effect
    ACTIONS[n, AC.payload], ACTIONS[n, AC.first_event], ACTIONS[n, AC.end_event] = payload, first_event, I[S.n_day_events]
    I[S.n_actions] = n + 1


@jit
def rounded(x) -> int:
    """Python's round() of a float (halves to even)."""
    return int(np.rint(x))


@jit
def _yesterday(st, row, day) -> int:
    return st[3][row, day - 1] if day > 0 else 0


@jit
def strike_counts(st, sc, p, rate, u0, u1, slot) -> int:
    """The day's strikes of one actor into COUNTS[slot]: a Poisson total at `u0` spread over the
    opposition-held localities by their weights (frontline first, the offensive's target most)
    with `u1`; the total."""
    I, LOC, COUNTS = st[0], st[2], st[13]
    counts = COUNTS[slot]
    counts[:] = 0
    if rate <= 0:
        return 0
    strike_class = LOC[L.strike_class]
    n = strike_class.shape[0]
    target = I[S.axis_target]
    offensive = I[S.offensive] != 0
    SCRATCH_F, SCRATCH_I = st[18], st[19]
    weights = SCRATCH_F[KF.strike_weights]
    chosen = SCRATCH_I[K.strike_chosen]
    m = 0
    total, compensation = 0.0, 0.0
    for i in range(n):
        if strike_class[i] == SK.frontline:
            weight = p[P.strike_weight_frontline]
        elif strike_class[i] == SK.rear:
            weight = p[P.strike_weight_rear]
        elif strike_class[i] == SK.empty:
            weight = 0.0
        else:
            continue  # not the opposition's
        if offensive and i == target:
            weight *= p[P.strike_target_factor]
        if weight > 0:
            weights[m] = weight
            chosen[m] = i
            total, compensation = sum_add(total, compensation, weight)
            m += 1
    if m == 0:
        return 0
    total = sum_result(total, compensation)
    cumulative = SCRATCH_F[KF.strike_cumulative][:m]
    running = 0.0
    for j in range(m):
        running += weights[j] / total
        cumulative[j] = running
    k = poisson_quantile(u0, rate)
    allocated = SCRATCH_I[K.strike_allocated][:m]
    systematic_allocation(k, cumulative, u1, allocated)
    placed = 0
    for j in range(m):
        counts[chosen[j]] = allocated[j]
        placed += allocated[j]
    return placed


@jit
def _strike_action(st, sc, rule, actor, slot, placed):
    first = st[0][S.n_day_events]
    if placed > 0:
        event(st, actor, A.OPP, C.c195, _STRIKES, st[0][S.day] * 2 + slot)
    action(st, sc, rule, actor, X.strikes, slot, first)


# ---------------------------------------------------------------- Russia
@jit
def decide_rus_strikes(st, sc, p, u, forced, day):
    """Strikes at a rate that rises during an offensive and falls under a ceasefire, the JIC or
    a halt; the day after a halt's last day, its end (a milestone, unless renewed)."""
    I = st[0]
    rate = forced
    if math.isnan(rate):
        rate = p[P.rus_offensive_strike_rate] if I[S.offensive] else p[P.rus_strike_rate]
        if I[S.ceasefire] == CF.IN_EFFECT:
            rate *= 1.0 - p[P.rus_ceasefire_compliance]
        if I[S.jic]:
            rate *= p[P.jic_strike_factor]
        if day <= I[S.rus_halt_until]:
            rate *= 1.0 - p[P.rus_halt_reduction]
        if I[S.rus_drawdown_day] != NONE:
            rate *= 1.0 - p[P.rus_drawdown_share]
    placed = strike_counts(st, sc, p, rate, u[0], u[1], 0)
    _strike_action(st, sc, R.rus_strikes, A.RUS, 0, placed)
    if I[S.rus_halt_until] >= 0 and day == I[S.rus_halt_until] + 1:
        action(st, sc, R.rus_strikes, A.RUS, X.halt_over, 0, I[S.n_day_events])


@jit
def decide_rus_halt_response(st, sc, p, u, forced, day):
    """Refuse (or, rarely, heed) yesterday's calls to halt; pressure lowers the odds."""
    I = st[0]
    requesters = st[19][K.requesters]
    n = 0
    for source in (A.ENVOY, A.USA):  # sorted by code
        for code in HALT_CALL_CODES:
            if received(st, A.RUS, code, source):
                requesters[n] = source
                n += 1
                break
    if n == 0:
        return
    p_refuse = forced
    if math.isnan(p_refuse):
        pressure = pressure_on_russia(st, day, p)
        isolated = 0.0 if I[S.seen_channel_open] else 1.0
        p_refuse = sigmoid(logit(p[P.rus_refuse_prob]) - p[P.rus_pressure_sensitivity] * pressure
                           - p[P.rus_isolation_effect] * isolated)
    first = I[S.n_day_events]
    if u[0] < p_refuse:
        for k in range(n):
            event(st, A.RUS, requesters[k], C.c1246, _REFUSE, 0)
        action(st, sc, R.rus_halt_response, A.RUS, X.rus_refuse, n, first)
    else:
        for k in range(n):
            event(st, A.RUS, requesters[k], C.c087, _AGREE_HALT, 0)
        action(st, sc, R.rus_halt_response, A.RUS, X.rus_halt, rounded(p[P.rus_halt_days]), first)


@jit
def decide_rus_rhetoric(st, sc, p, u, forced, day):
    """Answer US accusations; regret and blame when the channel is suspended."""
    prob = p[P.rus_counter_accuse_prob] if math.isnan(forced) else forced
    first = st[0][S.n_day_events]
    if received(st, A.RUS, C.c164, -1) and u[0] < prob:
        event(st, A.RUS, A.USA, C.c110, _REGRET, 0)
        event(st, A.RUS, A.USA, C.c112, _BLAME_WASHINGTON, 0)
    elif received(st, A.RUS, C.c112, A.USA) and u[0] < prob:
        if u[1] < p[P.rus_accuse_share]:
            event(st, A.RUS, A.USA, C.c112, _SHIELDING, 0)
        else:
            event(st, A.RUS, A.USA, C.c016, _DENY_ACCUSATION, 0)
    if st[0][S.n_day_events] > first:
        action(st, sc, R.rus_rhetoric, A.RUS, X.talk, 0, first)


@jit
def decide_rus_drawdown(st, sc, p, u, forced, day):
    """Draw down part of its forces once a ceasefire has held `rus_drawdown_quiet_days` quiet
    days in a row (its client's position secured)."""
    I = st[0]
    if I[S.rus_drawdown_day] != NONE or I[S.ceasefire] != CF.IN_EFFECT:
        return
    if I[S.quiet_streak] < p[P.rus_drawdown_quiet_days]:
        return
    prob = p[P.rus_drawdown_prob] if math.isnan(forced) else forced
    if u[0] < prob:
        first = I[S.n_day_events]
        event(st, A.RUS, A.GOV, C.c087, _WITHDRAWS, 0)
        action(st, sc, R.rus_drawdown, A.RUS, X.drawdown, 0, first)


# ---------------------------------------------------------------- the government
@jit
def decide_gov_offensive(st, sc, p, u, forced, day):
    """Advance along the axis; the capture hazard rises with yesterday's air support."""
    I, LOC = st[0], st[2]
    target = I[S.axis_target]
    if not I[S.offensive]:
        if I[S.ceasefire] == CF.COLLAPSED and target != NONE and u[1] < p[P.gov_offensive_launch_prob]:
            action(st, sc, R.gov_offensive, A.GOV, X.offensive_start, 0, I[S.n_day_events])
        return
    if target == NONE:  # the axis is taken: the offensive is over
        action(st, sc, R.gov_offensive, A.GOV, X.offensive_end, 0, I[S.n_day_events])
        return
    first = I[S.n_day_events]
    event(st, A.GOV, A.OPP, C.c190, _TOWARDS, target)
    h = forced
    retaken = LOC[L.retaken_day, target]
    if math.isnan(h) and retaken != NONE and day - retaken < p[P.gov_regroup_days]:
        h = 0.0  # the opposition just retook it: the government regroups before it attacks again
    if math.isnan(h):
        rate = p[P.gov_capture_base] + p[P.gov_air_support_gain] * I[S.air_support] / 100.0
        if day <= I[S.support_until]:
            rate *= 1.0 - p[P.backer_support_effect]
        h = hazard(rate)
    if u[0] < h:
        event(st, A.GOV, A.OPP, C.c192, _CAPTURES, target)
        action(st, sc, R.gov_offensive, A.GOV, X.capture, target, first)
    else:
        action(st, sc, R.gov_offensive, A.GOV, X.talk, 0, first)


@jit
def decide_gov_bombardment(st, sc, p, u, forced, day):
    """Government air and artillery strikes on opposition-held localities."""
    I = st[0]
    rate = forced
    if math.isnan(rate):
        rate = p[P.gov_strike_rate]
        if I[S.ceasefire] == CF.IN_EFFECT:
            rate *= 1.0 - p[P.gov_ceasefire_compliance]
        if I[S.jic]:
            rate *= p[P.jic_strike_factor]
    placed = strike_counts(st, sc, p, rate, u[0], u[1], 1)
    _strike_action(st, sc, R.gov_bombardment, A.GOV, 1, placed)


@jit
def decide_gov_talks_stance(st, sc, p, u, forced, day):
    """Blame the opposition for walk-outs and pauses; deny accusations."""
    I = st[0]
    prob = p[P.gov_blame_prob] if math.isnan(forced) else forced
    first = I[S.n_day_events]
    if (I[S.walkout_announced] or I[S.pause_announced]) and u[0] < prob:
        event(st, A.GOV, A.OPP, C.c112, _BLAME_PRECONDITIONS, 0)
    by_opp = received(st, A.GOV, C.c112, A.OPP)
    by_usa = received(st, A.GOV, C.c112, A.USA)
    if (by_opp or by_usa) and u[1] < p[P.gov_deny_prob]:
        if by_opp:  # sorted by code: OPP before USA
            event(st, A.GOV, A.OPP, C.c016, _REJECT, 0)
        if by_usa:
            event(st, A.GOV, A.USA, C.c016, _REJECT, 0)
    if I[S.n_day_events] > first:
        action(st, sc, R.gov_talks_stance, A.GOV, X.talk, 0, first)


@jit
def monitoring_factor(st, p) -> float:
    """Factor on the hazards that end a ceasefire: a joint body (the JIC, the backers' task
    force) that hears and settles reported violations lowers them. Of the live world."""
    I = st[0]
    return p[P.monitoring_fragility_factor] if (I[S.jic] or I[S.task_force]) else 1.0


@jit
def decide_gov_truce(st, sc, p, u, forced, day):
    """Declare the ceasefire over, with a hazard rising with the attacks on its forces; a joint
    body monitoring the ceasefire lowers it."""
    I = st[0]
    if I[S.ceasefire] != CF.IN_EFFECT:
        return
    prob = forced
    if math.isnan(prob):
        prob = hazard(p[P.gov_truce_end_rate] * grievance(st, day, p)) * monitoring_factor(st, p)
    if u[0] < prob:
        first = I[S.n_day_events]
        event(st, A.GOV, A.OPP, C.c1246, _DECLARE_OVER, 0)
        action(st, sc, R.gov_truce, A.GOV, X.truce_end, 0, first)


# ---------------------------------------------------------------- the opposition
@jit
def _attending(I) -> bool:
    return I[S.talks] == T.IN_SESSION and I[S.opp_present] != 0


@jit
def _pressure_logit(st, p, base, gain) -> float:
    return base + gain * st[1][SF.seen_strikes_mean] / 100.0 + p[P.opp_precondition_weight] * p[P.opp_preconditions]


@jit
def decide_opp_ultimatum(st, sc, p, u, forced, day):
    """'Bring down the negotiations within three days unless the offensive ended'."""
    I = st[0]
    if not _attending(I) or I[S.ultimatum_deadline] != NONE:
        return
    prob = forced
    if math.isnan(prob):
        prob = sigmoid(_pressure_logit(st, p, p[P.opp_threat_base], p[P.opp_threat_strike_gain]))
    if u[0] < prob:
        days = rounded(p[P.opp_ultimatum_days])
        first = I[S.n_day_events]
        event(st, A.OPP, A.GOV, C.c139, _THREATENS, days)
        action(st, sc, R.opp_ultimatum, A.OPP, X.ultimatum, days, first)


@jit
def decide_opp_walkout(st, sc, p, u, forced, day):
    """Walk out when an ultimatum runs out unmet, or at a hazard rising with strikes."""
    I = st[0]
    if not _attending(I):
        return
    prob = forced
    if math.isnan(prob):
        unmet = I[S.offensive] != 0 or st[1][SF.seen_strikes_mean] > p[P.opp_return_strike_level]
        expired = I[S.ultimatum_deadline] != NONE and day > I[S.ultimatum_deadline]
        if expired and unmet:
            prob = 1.0
        else:
            prob = sigmoid(_pressure_logit(st, p, p[P.opp_walkout_base], p[P.opp_walkout_strike_gain]))
    if u[0] < prob:
        first = I[S.n_day_events]
        event(st, A.OPP, A.ENVOY, C.c164, _WALKS_OUT, 0)
        action(st, sc, R.opp_walkout, A.OPP, X.walkout, 0, first)


@jit
def decide_opp_demands(st, sc, p, u, forced, day):
    """Refuse to negotiate unless the bombardment stops (while the preconditions hold)."""
    I = st[0]
    if I[S.talks] != T.IN_SESSION or p[P.opp_preconditions] < 0.5:
        return
    prob = p[P.opp_demand_prob] if math.isnan(forced) else forced
    if u[0] < prob:
        first = I[S.n_day_events]
        event(st, A.OPP, A.GOV, C.c125, _WILL_NOT, 0)
        action(st, sc, R.opp_demands, A.OPP, X.talk, 0, first)


@jit
def _lost_yesterday(st, day) -> bool:
    lost = st[2][L.lost_day]
    for i in range(lost.shape[0]):
        if lost[i] != NONE and lost[i] == day - 1:
            return True
    return False


@jit
def decide_opp_appeal(st, sc, p, u, forced, day):
    """Appeal to its backers for weapons after a loss; accuse Russia under strikes."""
    I = st[0]
    prob = p[P.opp_appeal_prob] if math.isnan(forced) else forced
    first = I[S.n_day_events]
    if _lost_yesterday(st, day) and u[0] < prob:
        backers = st[17][0]
        for k in range(I[S.n_opp_backers]):
            event(st, A.OPP, backers[k], C.c0232, _APPEALS, 0)
    if u[1] < hazard(p[P.opp_accuse_rate] * _yesterday(st, 0, day) / 100.0):
        event(st, A.OPP, A.RUS, C.c112, _ACCUSES_RUSSIA, 0)
    if I[S.n_day_events] > first:
        action(st, sc, R.opp_appeal, A.OPP, X.talk, 0, first)


@jit
def decide_opp_return(st, sc, p, u, forced, day):
    """Return to the talks once strikes fall below its level ('a change on the ground')."""
    I = st[0]
    if I[S.opp_present] or not (I[S.talks] == T.IN_SESSION or I[S.talks] == T.PAUSED):
        return
    if st[1][SF.seen_strikes_mean] >= p[P.opp_return_strike_level]:
        return
    if u[0] < (1.0 if math.isnan(forced) else forced):
        first = I[S.n_day_events]
        event(st, A.OPP, A.ENVOY, C.c036, _RETURNS, 0)
        action(st, sc, R.opp_return, A.OPP, X.return_, 0, first)


@jit
def decide_opp_counterattack(st, sc, p, u, forced, day):
    """Retake a recently lost locality; attacks during a ceasefire are violations. The target is
    the last of the lost localities the government holds (by the day lost, then the order lost)
    within the window."""
    I, LOC = st[0], st[2]
    prob = p[P.opp_counter_prob] if math.isnan(forced) else forced
    control, lost_day, lost_order = LOC[L.control], LOC[L.lost_day], LOC[L.lost_order]
    target = NONE
    any_held = False
    for i in range(control.shape[0]):
        if lost_day[i] == NONE or control[i] != 0:
            continue
        any_held = True
        if day - lost_day[i] <= p[P.opp_counter_window_days]:
            later = target == NONE or lost_day[i] > lost_day[target] or (
                lost_day[i] == lost_day[target] and lost_order[i] > lost_order[target])
            if later:
                target = i
    if any_held and target != NONE and u[0] < prob:
        first = I[S.n_day_events]
        event(st, A.OPP, A.GOV, C.c190, _COUNTER, target)
        event(st, A.OPP, A.GOV, C.c192, _RETAKES, target)
        action(st, sc, R.opp_counterattack, A.OPP, X.recapture, target, first)
    if I[S.ceasefire] == CF.IN_EFFECT and u[1] < p[P.opp_violation_prob]:
        first = I[S.n_day_events]
        event(st, A.OPP, A.GOV, C.c190, _ATTACKS, 0)
        action(st, sc, R.opp_counterattack, A.OPP, X.violation, 1, first)


# ---------------------------------------------------------------- the envoy
@jit
def decide_envoy_convene(st, sc, p, u, forced, day):
    """Meet each attending party while the talks are in session."""
    I = st[0]
    if I[S.talks] != T.IN_SESSION:
        return
    prob = p[P.envoy_meeting_prob] if math.isnan(forced) else forced
    first = I[S.n_day_events]
    if u[0] < prob:
        event(st, A.ENVOY, A.GOV, C.c040, _MEETS_GOV, 0)
    if I[S.opp_present] and u[1] < prob:
        event(st, A.ENVOY, A.OPP, C.c040, _MEETS_OPP, 0)
    if I[S.n_day_events] > first:
        action(st, sc, R.envoy_convene, A.ENVOY, X.talk, 0, first)


@jit
def decide_envoy_appeal(st, sc, p, u, forced, day):
    """Appeal to the parties' backers when violence is high, a party is absent or a ceasefire
    has just collapsed."""
    I = st[0]
    if I[S.talks] == T.COLLAPSED or I[S.talks] == T.AGREEMENT:
        return
    violence_high = st[1][SF.seen_strikes_mean] > p[P.envoy_violence_level]
    if not violence_high:
        absent = I[S.talks] == T.IN_SESSION and not I[S.opp_present]
        collapse_day = I[S.ceasefire_collapse_day]
        recent_collapse = collapse_day != NONE and day - collapse_day <= p[P.envoy_collapse_memory_days]
        if not (absent or recent_collapse):
            return
    prob = p[P.envoy_appeal_prob] if math.isnan(forced) else forced
    if u[0] < prob:
        first = I[S.n_day_events]
        reach = st[17][1]
        for k in range(I[S.n_envoy_reach]):
            event(st, A.ENVOY, reach[k], C.c022, _ASKS, 0)
            if I[S.ceasefire] != CF.IN_EFFECT:
                event(st, A.ENVOY, reach[k], C.c020, _URGES, 0)
        action(st, sc, R.envoy_appeal, A.ENVOY, X.talk, 0, first)
    if I[S.talks] == T.IN_SESSION and u[1] < p[P.envoy_warning_prob]:
        first = I[S.n_day_events]
        event(st, A.ENVOY, A.GOV, C.c012, _WARNS, 0)
        event(st, A.ENVOY, A.OPP, C.c012, _WARNS, 0)
        action(st, sc, R.envoy_appeal, A.ENVOY, X.talk, 0, first)


@jit
def pause_events(st, days, text, blame_russia):
    """The events of the envoy's pause."""
    event(st, A.ENVOY, A.GOV, C.c165, text, days)
    event(st, A.ENVOY, A.OPP, C.c165, text, days)
    if blame_russia:
        event(st, A.ENVOY, A.RUS, C.c112, _BLAMES_RUSSIA, 0)


@jit
def decide_envoy_pause(st, sc, p, u, forced, day):
    """'I won't talk for the sake of talking': pause at a hazard rising with violence; a round
    that reached its planned end closes."""
    I = st[0]
    if I[S.talks] != T.IN_SESSION:
        return
    prob = forced
    if math.isnan(prob):
        absent = 1.0 if ((not I[S.opp_present]) or I[S.ultimatum_deadline] != NONE) else 0.0
        prob = sigmoid(p[P.envoy_pause_base] + p[P.envoy_pause_violence_gain] * st[1][SF.seen_strikes_mean] / 100.0
                       + p[P.envoy_pause_absence_gain] * absent)
    first = I[S.n_day_events]
    if u[0] >= prob:
        if I[S.round_end_due] != NONE and day >= I[S.round_end_due]:
            days = rounded(p[P.talks_round_interval_days])
            event(st, A.ENVOY, A.GOV, C.c165, _CLOSES, 0)
            event(st, A.ENVOY, A.OPP, C.c165, _CLOSES, 0)
            action(st, sc, R.envoy_pause, A.ENVOY, X.round_end, days, first)
        return
    days = rounded(p[P.envoy_pause_days])
    blame = _yesterday(st, 0, day) > 0 and u[1] < p[P.envoy_blame_prob]
    pause_events(st, days, _PAUSES_FOR, blame)
    action(st, sc, R.envoy_pause, A.ENVOY, X.pause, days, first)


@jit
def resume_action(st, sc, p):
    """The envoy resumes the talks for a round; its row."""
    first = st[0][S.n_day_events]
    event(st, A.ENVOY, A.GOV, C.c045, _RESUMES, 0)
    event(st, A.ENVOY, A.OPP, C.c045, _RESUMES, 0)
    action(st, sc, R.envoy_resume, A.ENVOY, X.resume, rounded(p[P.talks_round_days]), first)


@jit
def decide_envoy_resume(st, sc, p, u, forced, day):
    """Once the pause is over and the ground is calm, announce the talks resume
    `envoy_notice_days` later; resume on that day if it is still calm, else postpone. A pause
    that lasts too long without an announced date is a collapse of the talks."""
    I = st[0]
    if I[S.talks] != T.PAUSED or I[S.resume_due] == NONE or day < I[S.resume_due]:
        return
    ceasefire = I[S.ceasefire]
    if ceasefire == CF.IN_EFFECT or (ceasefire == CF.TERMS and I[S.accepted_count] == 2):
        quiet = True
    else:
        quiet = st[1][SF.seen_strikes_mean] < p[P.envoy_resume_level]
    if I[S.round_scheduled_day] != NONE:
        if day < I[S.round_scheduled_day]:
            return
        if quiet:
            resume_action(st, sc, p)
        else:
            action(st, sc, R.envoy_resume, A.ENVOY, X.postpone_round, 0, I[S.n_day_events])
        return
    if quiet and u[0] < (1.0 if math.isnan(forced) else forced):
        days = rounded(p[P.envoy_notice_days])
        first = I[S.n_day_events]
        event(st, A.ENVOY, A.GOV, C.c036, _ANNOUNCES, days)
        event(st, A.ENVOY, A.OPP, C.c036, _ANNOUNCES, days)
        action(st, sc, R.envoy_resume, A.ENVOY, X.schedule_round, days, first)
        return
    if day >= I[S.resume_due] + p[P.talks_collapse_days]:
        action(st, sc, R.envoy_resume, A.ENVOY, X.talks_collapse, 0, I[S.n_day_events])


# ---------------------------------------------------------------- the United States, backers
@jit
def decide_us_criticism(st, sc, p, u, forced, day):
    """Criticise Russian strikes; call on the government and its supporters to halt."""
    I = st[0]
    first = I[S.n_day_events]
    if u[0] < hazard(p[P.us_criticism_rate] * _yesterday(st, 0, day) / 100.0):
        event(st, A.USA, A.RUS, C.c112, _CRITICISES, 0)
    prob = forced
    if math.isnan(prob):
        prob = p[P.us_call_halt_prob] * min(1.0, st[1][SF.seen_strikes_mean] / p[P.us_call_halt_saturation])
    if u[1] < prob:
        event(st, A.USA, A.GOV, C.c0256, _CALLS_HALT, 0)
        event(st, A.USA, A.RUS, C.c0256, _CALLS_HALT, 0)
    if I[S.n_day_events] > first:
        action(st, sc, R.us_criticism, A.USA, X.talk, 0, first)


@jit
def decide_us_threat(st, sc, p, u, forced, day):
    """Threaten to suspend the channel once a ceasefire the US brokered has collapsed and
    `us_threat_after_days` days of heavy strikes followed; never while a ceasefire is being
    negotiated or holds."""
    I = st[0]
    if I[S.us_threat_day] != NONE or not I[S.seen_channel_open]:
        return
    if I[S.ceasefire] != CF.COLLAPSED or I[S.escalation_days] < p[P.us_threat_after_days]:
        return
    prob = p[P.us_threat_prob] if math.isnan(forced) else forced
    if u[0] < prob:
        first = I[S.n_day_events]
        event(st, A.USA, A.RUS, C.c134, _THREATENS_SUSPEND, 0)
        action(st, sc, R.us_threat, A.USA, X.us_threat, 0, first)


@jit
def suspension_action(st, sc, shelve_plans):
    """The US suspends the channel."""
    first = st[0][S.n_day_events]
    event(st, A.USA, A.RUS, C.c164, _SUSPENDS, 0)
    if shelve_plans:
        event(st, A.USA, A.RUS, C.c160, _SHELVES, 0)
    action(st, sc, R.us_suspend, A.USA, X.channel_suspend, 0, first)


@jit
def decide_us_suspend(st, sc, p, u, forced, day):
    """After the threat and a delay for talks, suspend the channel if strikes go on."""
    I = st[0]
    if I[S.us_threat_day] == NONE or not I[S.seen_channel_open]:
        return
    if u[1] < p[P.us_phone_prob]:
        first = I[S.n_day_events]
        event(st, A.USA, A.RUS, C.c041, _PHONE, 0)
        event(st, A.RUS, A.USA, C.c041, _PHONE, 0)
        action(st, sc, R.us_suspend, A.USA, X.talk, 0, first)
    due = day - I[S.us_threat_day] >= p[P.us_suspend_delay]
    prob = forced
    if math.isnan(prob):
        prob = p[P.us_suspend_prob] if due and _yesterday(st, 0, day) > 0 else 0.0
    if u[0] < prob:
        suspension_action(st, sc, True)


@jit
def decide_backer_support(st, sc, p, u, forced, day, backer):
    """Answer the opposition's appeal for weapons with military aid. Each backer uses its own
    uniform column (its position among the run's backers), so that adding a backer does not
    change the US's draws."""
    if not received(st, backer, C.c0232, A.OPP):
        return
    BACKERS = sc[16]
    position = 0
    for k in range(BACKERS.shape[0]):
        if BACKERS[k] == backer:
            position = k
    prob = p[P.backer_support_prob] if math.isnan(forced) else forced
    if u[position % u.shape[0]] < prob:
        first = st[0][S.n_day_events]
        event(st, backer, A.OPP, C.c072, _WEAPONS, 0)
        action(st, sc, R.backer_support, backer, X.support, rounded(p[P.backer_support_days]), first)


# ---------------------------------------------------------------- the world, in the evening
@jit
def agreed_action(st, sc, p):
    """The backers agree to seek a ceasefire."""
    first = st[0][S.n_day_events]
    event(st, A.USA, A.RUS, C.c057, _SEEK, 0)
    event(st, A.RUS, A.USA, C.c057, _SEEK, 0)
    action(st, sc, R.ceasefire, A.USA, X.ceasefire_agreed, 1 if p[P.ceasefire_task_force] >= 0.5 else 0, first)


@jit
def terms_action(st, sc, p):
    """The backers publish the terms."""
    days = rounded(p[P.ceasefire_start_days])
    first = st[0][S.n_day_events]
    event(st, A.USA, A.RUS, C.c057, _TERMS, days)
    event(st, A.RUS, A.USA, C.c057, _TERMS, days)
    action(st, sc, R.ceasefire, A.USA, X.ceasefire_terms, days, first)


@jit
def in_effect_action(st, sc):
    """The ceasefire comes into effect."""
    first = st[0][S.n_day_events]
    event(st, A.GOV, A.OPP, C.c0871, _IN_EFFECT, 0)
    event(st, A.OPP, A.GOV, C.c0871, _IN_EFFECT, 0)
    action(st, sc, R.ceasefire, A.USA, X.ceasefire_in_effect, 0, first)


@jit
def collapse_action(st, sc):
    """The ceasefire collapses; the backers blame each other."""
    first = st[0][S.n_day_events]
    event(st, A.USA, A.RUS, C.c112, _BLAME_COLLAPSE, 0)
    event(st, A.RUS, A.USA, C.c112, _BLAME_COLLAPSE, 0)
    action(st, sc, R.ceasefire, A.USA, X.ceasefire_collapse, 0, first)


@jit
def jic_action(st, sc):
    """The Joint Implementation Center comes into force."""
    first = st[0][S.n_day_events]
    event(st, A.USA, A.RUS, C.c062, _JIC, 0)
    event(st, A.RUS, A.USA, C.c062, _JIC, 0)
    action(st, sc, R.jic, A.USA, X.jic, 0, first)


@jit
def decide_ceasefire(st, sc, p, u, forced, day):
    """The stages of a brokered ceasefire, each with its delay: the backers agree to seek one
    (after the envoy's call, through their channel), publish its terms with a start date, the
    parties accept them, it comes into effect on the start date once both accepted; in effect,
    it collapses with a hazard rising with violations. After a collapse, days of heavy strikes
    count as escalation; a new agreement needs the fighting to have eased. (in the evening)."""
    I, HIST = st[0], st[3]
    state = I[S.ceasefire]
    if state == CF.COLLAPSED and HIST[2, day] > p[P.us_escalation_level]:
        action(st, sc, R.ceasefire, A.USA, X.escalation_day, 0, I[S.n_day_events])
    if state == CF.NONE or state == CF.COLLAPSED:
        eased = state == CF.NONE or (not I[S.offensive] and st[1][SF.seen_strikes_mean] < p[P.envoy_resume_level])
        last = I[S.seen_last_envoy_call]
        called = last != NONE and last >= day - p[P.ceasefire_call_memory_days]
        if I[S.seen_channel_open] and eased and called:
            prob = p[P.ceasefire_agree_prob] if math.isnan(forced) else forced
            if u[0] < prob:
                agreed_action(st, sc, p)
    elif state == CF.AGREED:
        if I[S.seen_channel_open] and u[1] < hazard(1.0 / p[P.ceasefire_terms_days]):
            terms_action(st, sc, p)
    elif state == CF.TERMS:
        gov, opp = I[S.accepted_gov] != 0, I[S.accepted_opp] != 0
        if not gov and u[2] < p[P.ceasefire_accept_prob]:
            first = I[S.n_day_events]
            event(st, A.GOV, A.OPP, C.c0356, _ACCEPTS, 0)
            action(st, sc, R.ceasefire, A.USA, X.ceasefire_accepted, A.GOV, first)
            gov = True
        if not opp and u[3] < p[P.ceasefire_accept_prob]:
            first = I[S.n_day_events]
            event(st, A.OPP, A.GOV, C.c0356, _ACCEPTS, 0)
            action(st, sc, R.ceasefire, A.USA, X.ceasefire_accepted, A.OPP, first)
            opp = True
        if gov and opp and I[S.ceasefire_effect_due] != NONE and day >= I[S.ceasefire_effect_due]:
            in_effect_action(st, sc)
    elif state == CF.IN_EFFECT and I[S.ceasefire_effect_day] != NONE and day > I[S.ceasefire_effect_day]:
        violations = HIST[3]
        quiet = 1 if violations[day] <= p[P.ceasefire_quiet_level] else 0
        action(st, sc, R.ceasefire, A.USA, X.quiet_day, quiet, I[S.n_day_events])
        window = int(p[P.ceasefire_violation_days])
        start = 0 if window <= 0 else max(0, day + 1 - window)  # w.violations[-window:]
        recent = 0
        for d in range(start, day + 1):
            recent += violations[d]
        rate = p[P.ceasefire_fragility] * recent / 10.0 * monitoring_factor(st, p)
        if u[1] < hazard(rate):
            collapse_action(st, sc)


@jit
def decide_jic(st, sc, p, u, forced, day):
    """After enough quiet days the center may form. (in the evening)."""
    I = st[0]
    if I[S.ceasefire] == CF.IN_EFFECT and not I[S.jic] and I[S.quiet_streak] >= p[P.jic_quiet_days]:
        prob = p[P.jic_formation_prob] if math.isnan(forced) else forced
        if u[0] < prob:
            jic_action(st, sc)


@jit
def decide_agreement(st, sc, p, u, forced, day):
    """A political agreement, only while both parties attend under a ceasefire in effect. (in
    the evening)."""
    I = st[0]
    if I[S.talks] == T.IN_SESSION and I[S.opp_present] and I[S.ceasefire] == CF.IN_EFFECT:
        prob = p[P.talks_agreement_prob] if math.isnan(forced) else forced
        if u[0] < prob:
            first = I[S.n_day_events]
            event(st, A.GOV, A.OPP, C.c057, _AGREEMENT, 0)
            event(st, A.OPP, A.GOV, C.c057, _AGREEMENT, 0)
            action(st, sc, R.talks_agreement, A.USA, X.agreement, 0, first)
