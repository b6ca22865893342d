"""A compiled rule or effect called alone, from Python objects: a `Situation`, a `World`.

The rules exist once, compiled (`sim.kernel.rules`, `sim.kernel.effects`). To look at one rule
alone (the rules' tests, a notebook), `decide_alone` writes a hand-made `Situation` (and, for
the evening rules, a `World`) into kernel arrays, calls the compiled decision and reads its
actions back as `Action`s with their events and texts; `apply_alone` does the same for one
action's effect on a `World`, `script_alone` for a scheduled event, `harm_alone` for the harm
of some strikes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np

from sim.events import MODEL_ACTORS
from sim.kernel import effects as kernel_effects
from sim.kernel import rules as kernel_rules
from sim.kernel.layout import (
    AC,
    CEASEFIRE_STATES,
    CODES,
    EFFECT_NAMES,
    EV,
    MILESTONES,
    NONE,
    PARAMETER_NAMES,
    RULE_NAMES,
    SCRIPT_NAMES,
    TALKS_STATES,
    H,
    L,
    R,
    S,
    SF,
)
from sim.kernel.layout import STRIKE_CLASSES as SK
from sim.kernel.state import scratch
from sim.kernel.texts import event_text
from sim.kernel.world import strikes_mean

_CODE_ID = {code: i for i, code in enumerate(CODES)}
#: Effects whose payload is a number of days or a count (others: a locality, a party, a flag, none).
_INT_PAYLOAD = frozenset({"rus_refuse", "rus_halt", "ultimatum", "pause", "round_end", "resume",
                          "schedule_round", "support", "talks_open", "ceasefire_terms", "violation"})
_BOOL_PAYLOAD = frozenset({"ceasefire_agreed", "quiet_day"})
_LOCALITY_PAYLOAD = frozenset({"capture", "recapture"})


def _day(value) -> int:
    return NONE if value is None else int(value)


class _Arrays:
    """Kernel arrays for one rule or effect called alone (the state and scenario tuples)."""

    def __init__(self, names: Sequence[str], actors: Sequence[str], day: int, history: int):
        n_loc, n_act = len(names), len(actors)
        self.names, self.actors = tuple(names), tuple(actors)
        self.loc_index = {name: i for i, name in enumerate(names)}
        self.actor_index = {code: i for i, code in enumerate(actors)}
        horizon = max(day + 1, history) + 1
        capacity = 4096
        self.I = np.zeros(len(S), dtype=np.int64)
        for name in S._fields:
            if name.endswith("_day") or name in ("resume_due", "ultimatum_deadline", "ceasefire_effect_due",
                                                 "rus_halt_until", "support_until", "round_end_due",
                                                 "axis_target"):
                self.I[getattr(S, name)] = NONE
        self.I[S.day] = day
        self.LOC = np.zeros((len(L), n_loc), dtype=np.int64)
        self.LOC[L.control] = 2
        self.LOC[L.lost_day] = NONE
        self.LOC[L.retaken_day] = NONE
        self.st = (
            self.I, np.zeros(len(SF)), self.LOC, np.zeros((len(H), horizon), dtype=np.int64), np.zeros(horizon),
            np.zeros((capacity, 7), dtype=np.int64), np.zeros((capacity, 3), dtype=np.int64),
            np.zeros((capacity, 3), dtype=np.int64), np.zeros((capacity, 3)), np.zeros((capacity, 2)),
            np.zeros((capacity, 3), dtype=np.int64), np.zeros((256, 7), dtype=np.int64),
            np.zeros((256, 5), dtype=np.int64), np.zeros((2, n_loc), dtype=np.int64), np.zeros(0, dtype=np.int64),
            np.zeros((horizon * 2, n_loc), dtype=np.int64), np.zeros((8, 5), dtype=np.int64),
            np.zeros((2, n_act), dtype=np.int64), *scratch(n_loc, n_act),
        )
        ranks = np.array([sorted(actors).index(code) for code in actors], dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        self.sc = (
            np.zeros(n_loc, dtype=np.int64), np.zeros(n_loc, dtype=np.bool_), np.zeros(n_loc + 1, dtype=np.int64),
            empty, np.int64(-1), empty, empty, empty, empty, empty, np.zeros(0), np.array([-1, -1], dtype=np.int64),
            empty, empty, np.full((n_act, 1), -1, dtype=np.int64), ranks, empty, np.zeros((0, 3), dtype=np.int64),
            np.zeros((0, 4)), np.zeros((0, 4)), np.zeros((0, 5), dtype=np.int64), empty,
        )

    def actor(self, code: str) -> int:
        return self.actor_index[code]


def _actors_of(s, extra: Sequence[str] = ()) -> tuple[str, ...]:
    seen = list(MODEL_ACTORS)
    candidates = [*s.backers, *s.opp_backers, *s.envoy_reach, *extra]
    for target, received in s.inbox.items():
        candidates.append(target)
        candidates += [source for source, _ in received]
    for code in candidates:
        if code not in seen:
            seen.append(code)
    return tuple(seen)


def _write_logs(st: tuple, grievance, pressure) -> None:
    """The grievance log ((day, weight) pairs) and the pressure log ((day, code, weight)) into
    the state arrays, with their counts."""
    I = st[0]
    for k, (day, weight) in enumerate(grievance):
        st[9][k] = (day, weight)
    I[S.n_grievance] = len(grievance)
    for k, (day, code, weight) in enumerate(pressure):
        st[8][k] = (day, _CODE_ID[code], weight)
    I[S.n_pressure] = len(pressure)


def _write_situation(a: _Arrays, s, p: Mapping[str, float]) -> None:
    """The morning's situation `s` into the arrays (the fields the decisions read)."""
    I, F, LOC = a.I, a.st[1], a.LOC
    st = a.st
    I[S.talks] = TALKS_STATES.index(s.talks)
    I[S.opp_present] = int(s.opp_present)
    if s.ultimatum_running:  # a deadline that has passed, or is still ahead (never NONE)
        I[S.ultimatum_deadline] = (s.day - 1 if s.day > 0 else NONE - 1) if s.ultimatum_expired else s.day + 1
    I[S.ceasefire] = CEASEFIRE_STATES.index(s.ceasefire)
    I[S.jic] = int(s.jic)
    I[S.task_force] = int(s.monitored and not s.jic)  # the kernel's monitored is jic or task_force
    if s.ceasefire_accepted:
        I[S.accepted_gov], I[S.accepted_opp], I[S.accepted_count] = 1, 1, 2
    I[S.quiet_streak] = s.quiet_streak
    I[S.seen_channel_open] = int(s.channel_open)
    I[S.offensive] = int(s.offensive)
    strikes = np.array(s.strikes, dtype=np.int64)
    st[3][H.strikes, :len(strikes)] = strikes
    F[SF.seen_strikes_mean] = strikes_mean(st, len(strikes), p["violence_window_days"])
    st[3][H.strikes, :len(strikes)] = 0
    if s.day > 0:
        st[3][H.rus_strikes, s.day - 1] = s.rus_strikes_yesterday
    # where strikes may fall, then the localities lost (a hand-made situation may list one as both)
    for name, on_frontline, populated in s.strike_targets.localities:
        i = a.loc_index[name]
        LOC[L.control, i] = 1
        LOC[L.strike_class, i] = SK.frontline if on_frontline else (SK.rear if populated else SK.empty)
    for order, (name, lost) in enumerate(s.lost_held):
        i = a.loc_index[name]
        LOC[L.control, i], LOC[L.lost_day, i], LOC[L.lost_order, i] = 0, lost, order
    for name in s.lost_yesterday:
        i = a.loc_index[name]
        if LOC[L.lost_day, i] == NONE:
            LOC[L.control, i], LOC[L.lost_day, i], LOC[L.lost_order, i] = 0, s.day - 1, len(s.lost_held)
    I[S.us_threat_day] = _day(s.us_threat_day)
    I[S.escalation_days] = s.escalation_days
    _write_logs(st, s.grievance, s.pressure_received)
    I[S.resume_due] = _day(s.resume_due)
    I[S.pause_announced] = int(s.talks_paused_yesterday)
    I[S.walkout_announced] = int(s.opp_walked_out_yesterday)
    n = 0
    for target, received in s.inbox.items():
        for source, code in received:
            st[7][n] = (a.actor(target), a.actor(source), _CODE_ID[code])
            n += 1
    I[S.n_seen] = n
    I[S.seen_last_envoy_call] = _day(s.last_envoy_ceasefire_call)
    I[S.last_envoy_ceasefire_call] = _day(s.last_envoy_ceasefire_call)
    I[S.ceasefire_collapse_day] = _day(s.ceasefire_collapse_day)
    I[S.rus_halt_until] = s.rus_halt_until
    I[S.rus_drawdown_day] = 0 if s.rus_drawn_down else NONE
    I[S.round_end_due] = _day(s.round_end_due)
    I[S.round_scheduled_day] = _day(s.round_scheduled_day)
    I[S.support_until] = s.support_until
    target = NONE if s.axis_target is None else a.loc_index[s.axis_target]
    I[S.axis_target] = target
    if target != NONE and s.axis_target_retaken is not None:
        LOC[L.retaken_day, target] = s.axis_target_retaken
    I[S.air_support] = s.air_support
    lists = st[17]
    for k, code in enumerate(s.opp_backers):
        lists[0, k] = a.actor(code)
    I[S.n_opp_backers] = len(s.opp_backers)
    for k, code in enumerate(s.envoy_reach):
        lists[1, k] = a.actor(code)
    I[S.n_envoy_reach] = len(s.envoy_reach)


def write_world(a: _Arrays, w, day: int) -> None:
    """A `World` into the arrays (what the evening rules and the effects read and change)."""
    I, F, st = a.I, a.st[1], a.st
    I[S.talks] = TALKS_STATES.index(w.talks)
    for name in ("talks_open_day", "talks_pause_day", "resume_due", "talks_collapse_day", "agreement_day",
                 "ultimatum_deadline", "first_ultimatum_day", "first_walkout_day", "ceasefire_agreed_day",
                 "ceasefire_terms_day", "ceasefire_effect_due", "ceasefire_effect_day", "ceasefire_collapse_day",
                 "jic_day", "offensive_start_day", "us_threat_day", "channel_suspend_day", "rus_drawdown_day",
                 "round_end_due", "round_scheduled_day", "last_envoy_ceasefire_call", "supply_cut_day"):
        I[getattr(S, name)] = _day(getattr(w, name))
    for name in ("talks_resumed", "days_in_session", "opp_present", "ceasefire_effect_days", "quiet_streak", "jic",
                 "task_force", "offensive", "escalation_days", "rus_halt_until", "support_until", "pause_announced",
                 "walkout_announced", "supply_open", "rus_refusals"):
        I[getattr(S, name)] = int(getattr(w, name))
    I[S.ceasefire] = CEASEFIRE_STATES.index(w.ceasefire)
    I[S.accepted_gov] = int("GOV" in w.ceasefire_accepted_by)
    I[S.accepted_opp] = int("OPP" in w.ceasefire_accepted_by)
    I[S.accepted_count] = len(w.ceasefire_accepted_by)
    F[SF.civilian_harm] = w.civilian_harm
    history = st[3]
    for row, values in ((H.rus_strikes, w.rus_strikes), (H.gov_strikes, w.gov_strikes), (H.strikes, w.strikes),
                        (H.violations, w.violations)):
        values = list(values)[-(day + 1):] if day + 1 <= len(values) else list(values)
        start = day + 1 - len(values)
        history[row, start:day + 1] = values
    _write_logs(st, w.attacks_on_gov, w.pressure)
    n = 0
    for name, days in w.milestones.items():
        for d in days:
            st[10][n] = (d, MILESTONES.index(name), 0)
            n += 1
    I[S.n_milestones] = n


def read_world(a: _Arrays, w) -> None:
    """The arrays back into the `World` `w` (in place)."""
    I, F, st = a.I, a.st[1], a.st
    w.talks = TALKS_STATES[I[S.talks]]
    for name in ("talks_open_day", "talks_pause_day", "resume_due", "talks_collapse_day", "agreement_day",
                 "ultimatum_deadline", "first_ultimatum_day", "first_walkout_day", "ceasefire_agreed_day",
                 "ceasefire_terms_day", "ceasefire_effect_due", "ceasefire_effect_day", "ceasefire_collapse_day",
                 "jic_day", "offensive_start_day", "us_threat_day", "channel_suspend_day", "rus_drawdown_day",
                 "round_end_due", "round_scheduled_day", "last_envoy_ceasefire_call", "supply_cut_day"):
        value = int(I[getattr(S, name)])
        setattr(w, name, None if value == NONE else value)
    for name in ("days_in_session", "ceasefire_effect_days", "quiet_streak", "escalation_days", "rus_halt_until",
                 "support_until", "rus_refusals"):
        setattr(w, name, int(I[getattr(S, name)]))
    for name in ("talks_resumed", "opp_present", "jic", "task_force", "offensive", "pause_announced",
                 "walkout_announced", "supply_open"):
        setattr(w, name, bool(I[getattr(S, name)]))
    w.ceasefire = CEASEFIRE_STATES[I[S.ceasefire]]
    accepted = [party for party, slot in (("GOV", S.accepted_gov), ("OPP", S.accepted_opp)) if I[slot]]
    if tuple(sorted(accepted)) != tuple(sorted(w.ceasefire_accepted_by)):
        kept = [party for party in w.ceasefire_accepted_by if party in accepted]
        w.ceasefire_accepted_by = tuple(kept + [party for party in accepted if party not in kept])
    w.civilian_harm = float(F[SF.civilian_harm])
    w.attacks_on_gov = [(int(d), float(weight)) for d, weight in st[9][:I[S.n_grievance]]]
    w.pressure = [(int(d), CODES[int(code)], float(weight)) for d, code, weight in st[8][:I[S.n_pressure]]]
    milestones: dict[str, list[int]] = {}
    for d, which, _ in st[10][:I[S.n_milestones]]:
        milestones.setdefault(MILESTONES[which], []).append(int(d))
    w.milestones = milestones


def _payload(effect: str, value: int, a: _Arrays, counts: np.ndarray):
    if effect in _INT_PAYLOAD:
        return int(value)
    if effect in _BOOL_PAYLOAD:
        return bool(value)
    if effect in _LOCALITY_PAYLOAD:
        return a.names[value]
    if effect == "ceasefire_accepted":
        return a.actors[value]
    if effect == "strikes":
        actor = "RUS" if value == 0 else "GOV"
        return (actor, {a.names[i]: int(k) for i, k in enumerate(counts[value]) if k > 0})
    return None


def _actions(a: _Arrays, labels: Mapping[str, str], first: int = 0) -> list:
    """The actions the compiled code added, as `Action`s."""
    from sim.model.rules.base import Action

    actions = []
    ACTIONS, DAY_EVENTS, COUNTS = a.st[11], a.st[12], a.st[13]
    enclaves = tuple(name for name, enclave in zip(a.names, a.sc[1].tolist()) if enclave)
    for row in ACTIONS[first:a.I[S.n_actions]]:
        rule, effect = RULE_NAMES[row[AC.rule]], EFFECT_NAMES[row[AC.effect]]
        events = tuple(
            (a.actors[source], a.actors[target], CODES[code],
             event_text(text, arg, a.names, labels, COUNTS[arg % 2] if text == 0 else None, enclaves))
            for source, target, code, text, arg in DAY_EVENTS[row[AC.first_event]:row[AC.end_event]])
        actions.append(Action(rule, events, None if effect == "talk" else effect,
                              _payload(effect, row[AC.payload], a, COUNTS)))
    return actions


@cache
def _decision(name: str):
    """Rule `name`'s compiled decision (its declaration names it)."""
    from sim.model.rules import RULES

    return getattr(kernel_rules, RULES[name].decide)


def _vector(p: Mapping[str, float]) -> np.ndarray:
    return np.array([float(p[name]) for name in PARAMETER_NAMES])


def decide_alone(name: str, s, p: Mapping[str, float], u: Sequence[float], forced: float | None, w=None,
                 backer: str | None = None) -> list:
    """Rule `name`'s compiled decision on the situation `s` (and the world `w` for an evening
    rule), with parameters `p`, its uniforms of the day `u` and its forced value; its actions.
    """
    a = _Arrays(tuple(s.labels), _actors_of(s, (backer,) if backer else ()), s.day, len(s.strikes))
    _write_situation(a, s, p)
    if w is not None:
        write_world(a, w, s.day)
    backers = np.array([a.actor(code) for code in s.backers], dtype=np.int64)
    a.sc = a.sc[:16] + (backers,) + a.sc[17:]
    uniforms = np.array(u, dtype=np.float64)
    value = np.nan if forced is None else float(forced)
    if name == "backer_support":
        kernel_rules.decide_backer_support(a.st, a.sc, _vector(p), uniforms, value, s.day, a.actor(backer or "USA"))
    else:
        _decision(name)(a.st, a.sc, _vector(p), uniforms, value, s.day)
    return _actions(a, s.labels)


def _on_world(model, extra_actors: Sequence[str], call) -> None:
    """Run `call(a, p, forced)` (a compiled effect or script) on `model.world` (a
    `DiplomacyModel`-like object with `world`, `day`, `params_today`, `forced_today`, `today`,
    `emit`, and `labels` or not): the world changes in place and the events it recorded are
    passed to `model.emit`, rule by rule."""
    w, day = model.world, model.day
    labels = getattr(model, "labels", {})
    names = tuple(labels) or ("none",)
    actors = tuple(dict.fromkeys([*MODEL_ACTORS, *extra_actors]))
    a = _Arrays(names, actors, day, len(w.strikes))
    write_world(a, w, day)
    today = model.today
    a.I[S.today_rus], a.I[S.today_gov], a.I[S.today_violations] = today["RUS"], today["GOV"], today["violations"]
    a.I[S.day] = day
    forced = np.full(len(RULE_NAMES), np.nan)
    for rule, value in getattr(model, "forced_today", {}).items():
        forced[RULE_NAMES.index(rule)] = value
    before = a.I[S.n_events]
    call(a, _vector(model.params_today), forced)
    read_world(a, w)
    today["RUS"], today["GOV"], today["violations"] = (int(a.I[S.today_rus]), int(a.I[S.today_gov]),
                                                       int(a.I[S.today_violations]))
    logged = a.st[5][before:a.I[S.n_events]]
    for row in logged:
        model.emit(RULE_NAMES[row[EV.rule]], (
            (a.actors[row[EV.source]], a.actors[row[EV.target]], CODES[row[EV.code]], ""),))


def apply_alone(model, action) -> None:
    """One action's compiled effect on `model.world` (see `_on_world`)."""
    events = action.events

    def call(a: _Arrays, p: np.ndarray, forced: np.ndarray) -> None:
        for k, (source, target, code, _) in enumerate(events):
            a.st[12][k] = (a.actor(source), a.actor(target), _CODE_ID[code], 0, 0)
        a.I[S.n_day_events] = len(events)
        effect = EFFECT_NAMES.index("talk" if action.effect is None else action.effect)
        payload = action.payload
        if action.effect == "ceasefire_accepted":
            payload = a.actor(payload)
        elif action.effect == "strikes":
            actor, counts = payload
            payload = 0 if actor == "RUS" else 1
            for name, k in counts.items():
                a.st[13][payload, a.loc_index[name]] = k
        elif action.effect in _LOCALITY_PAYLOAD:
            payload = a.loc_index[payload]
        kernel_effects.apply_effect(a.st, a.sc, p, forced, model.day, R._asdict()[action.rule],
                                    a.actor(events[0][0]) if events else 0, effect,
                                    int(payload) if payload is not None else 0, 0, len(events))

    _on_world(model, [src for src, _, _, _ in events] + [tgt for _, tgt, _, _ in events], call)


def script_alone(model, event: str) -> None:
    """A scheduled event's compiled script (`sim.kernel.effects.run_script`) on `model.world`
    (see `_on_world`): what the morning of a day that schedules `event` does."""
    script = SCRIPT_NAMES.index(event)

    def call(a: _Arrays, p: np.ndarray, forced: np.ndarray) -> None:
        a.I[S.scripting] = 1
        kernel_effects.run_script(a.st, a.sc, p, forced, model.day, script)
        a.I[S.scripting] = 0

    _on_world(model, (), call)


def harm_alone(total: float, counts: Mapping[str, int], population: Mapping[str, int], p: Mapping[str, float],
               forced: float | None) -> float:
    """`total` plus the civilians killed by `counts` strikes (locality -> strikes) on localities
    of `population`: the compiled measurement (`sim.kernel.effects.add_harm`) on Python objects."""
    names = tuple(population)
    a = _Arrays(names, MODEL_ACTORS, 0, 1)
    a.sc = (np.array([population[n] for n in names], dtype=np.int64), *a.sc[1:])
    a.st[1][SF.civilian_harm] = total
    strikes = np.array([counts.get(n, 0) for n in names], dtype=np.int64)
    kernel_effects.add_harm(a.st, a.sc, _vector(p), np.nan if forced is None else float(forced), strikes)
    return float(a.st[1][SF.civilian_harm])
