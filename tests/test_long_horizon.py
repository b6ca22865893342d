"""Both episodes run sensibly for a year (`--days 366`): no state machine gets stuck, no count
runs away, terrain does not flip back and forth, milestones stay in order."""

from __future__ import annotations

import pytest

from sim.model.model import DiplomacyModel
from sim.scenario_types import CeasefireState, TalksState
from sim.scenarios import load_scenario

DAYS = 365
SEEDS = range(8)
#: Most events a day can hold: strikes by two actors, talk of five actors, the day's effects.
MOST_EVENTS_A_DAY = 60


@pytest.fixture(scope="module", params=["geneva_2016_02", "ceasefire_2016_09"])
def year(request):
    scenario = load_scenario(request.param)
    return request.param, [DiplomacyModel(scenario, horizon_days=DAYS, record_daily=True, rng=s).run() for s in SEEDS]


def test_a_year_runs_to_its_end(year):
    _name, models = year
    for m in models:
        assert m.steps == DAYS and len(m.daily) == DAYS and len(m.world.strikes) == DAYS


def test_no_count_runs_away(year):
    name, models = year
    for m in models:
        by_day = {}
        for event in m.event_log:
            by_day[event[0]] = by_day.get(event[0], 0) + 1
        assert max(by_day.values()) <= MOST_EVENTS_A_DAY, name
        p = m.params
        most_strikes = 3 * (p["rus_offensive_strike_rate"] + p["gov_strike_rate"]) + 50
        assert max(m.world.strikes) <= most_strikes, name
        assert len(m.world.pressure) <= 10 * DAYS
        # harm grows with strikes only
        assert all(h >= 0 for h in m.world.harm)
        assert m.world.civilian_harm == pytest.approx(sum(m.world.harm))


def test_no_state_machine_gets_stuck(year):
    name, models = year
    for m in models:
        w = m.world
        if w.talks is TalksState.PAUSED:  # a paused round is always going somewhere
            assert w.resume_due is not None, name
        if w.ceasefire is CeasefireState.TERMS:
            assert w.ceasefire_effect_due is not None, name
        if w.ceasefire is CeasefireState.IN_EFFECT:
            assert w.ceasefire_effect_day is not None
        if w.offensive:
            assert m.terrain.next_axis_target() is not None or m.day == DAYS
    # over a year the talks move (Geneva): not frozen in their first state in every run
    if name == "geneva_2016_02":
        assert any(len(m.world.milestones.get("talks_pause", [])) + len(m.world.milestones.get("round_ends", [])) > 0
                   for m in models)


def test_milestones_are_in_the_run_and_in_order(year):
    _name, models = year
    for m in models:
        for days in m.world.milestones.values():
            assert days == sorted(days) and all(0 <= d < DAYS for d in days)
        stages = [m.world.milestones.get(k, [None])[0] for k in ("ceasefire_agreed", "ceasefire_terms", "ceasefire_in_effect")]
        known = [d for d in stages if d is not None]
        assert known == sorted(known)
        threat = m.world.milestones.get("us_threat")
        if threat:  # the US threatens only after a ceasefire it brokered collapsed
            assert m.world.milestones["ceasefire_collapse"][0] <= threat[0]


def test_terrain_does_not_flip_back_and_forth(year):
    """A locality the opposition retook is not captured again for `gov_regroup_days` days, so it
    changes hands at most three times in a week (Handarat: taken 24 Sep, retaken, taken again
    29 Sep; 003 s4, the chronology)."""
    name, models = year
    for m in models:
        changes: dict[str, list[tuple[int, str]]] = {}
        for day, _source, _target, code, _rule, text in m.event_log:
            if code == "192":
                verb, locality = str(text).split(" ", 1)
                changes.setdefault(locality, []).append((day, verb))
        for locality, moves in changes.items():
            days = [d for d, _ in moves]
            for i, d in enumerate(days):
                assert sum(1 for e in days[i:] if e - d < 7) <= 3, f"{name}: {locality} changes hands {days}"
            for (d0, v0), (d1, v1) in zip(moves, moves[1:]):
                if v0 == "retakes" and v1 == "captures":
                    assert d1 - d0 >= m.params["gov_regroup_days"], f"{name}: {locality} {moves}"
