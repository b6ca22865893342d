"""Invariants over many runs of every shipped scenario: allowed state transitions, shares,
events from all five actors, byte-identical output per seed."""

from __future__ import annotations

import sys

import pytest

from sim.events import MODEL_ACTORS
from sim.model.model import DiplomacyModel
from sim.paths import PROJECT_ROOT
from sim.scenarios import list_scenarios, load_scenario

ROOT = PROJECT_ROOT
SHIPPED = [info.name for info in list_scenarios()]

TALKS = {
    "not_started": {"not_started", "in_session"},
    "in_session": {"in_session", "paused", "agreement"},
    "paused": {"paused", "in_session", "collapsed"},
    "collapsed": {"collapsed"},
    "agreement": {"agreement"},
}
CEASEFIRE = {
    "none": {"none", "agreed", "terms", "in_effect"},  # terms at once: a deal with its terms
    "agreed": {"agreed", "terms", "in_effect"},
    "terms": {"terms", "in_effect"},
    "in_effect": {"in_effect", "collapsed"},
    "collapsed": {"collapsed", "agreed", "terms"},
}


@pytest.mark.parametrize("name", SHIPPED)
def test_states_move_only_along_allowed_transitions(name):
    scenario = load_scenario(name)
    for seed in range(15):
        model = DiplomacyModel(scenario, rng=seed, record_daily=True).run()
        talks = [scenario.state.talks.value] + [row[2] for row in model.daily]
        ceasefire = [scenario.state.ceasefire.value] + [row[3] for row in model.daily]
        for before, after in zip(talks, talks[1:]):
            assert after in TALKS[before], f"{name} seed {seed}: talks {before} -> {after}"
        for before, after in zip(ceasefire, ceasefire[1:]):
            assert after in CEASEFIRE[before], f"{name} seed {seed}: ceasefire {before} -> {after}"
        shares = [
            sum(1 for c in model.terrain.control.values() if c == side) / len(model.terrain.names)
            for side in ("GOV", "OPP", "OTHER")
        ]
        assert sum(shares) == pytest.approx(1.0)
        assert model.outcomes()["opp_territory_share"] == pytest.approx(shares[1])
        # a locality held by the opposition at the end is never 'captured': at most one per capture
        captures = sum(1 for _, source, _, code, _, _ in model.event_log if (source, code) == ("GOV", "192"))
        assert model.outcomes()["localities_captured"] <= captures


@pytest.mark.parametrize("name", SHIPPED)
def test_all_five_actors_act(name):
    scenario = load_scenario(name)
    sources = set()
    for seed in range(5):
        sources |= {e[1] for e in DiplomacyModel(scenario, rng=seed).run().event_log}
    assert set(MODEL_ACTORS) <= sources, f"{name}: no events from {set(MODEL_ACTORS) - sources}"


def test_simulate_output_is_byte_identical_per_seed_for_every_scenario(tmp_path, capsys):
    sys.path.insert(0, str(ROOT))
    import run

    for name in SHIPPED:
        outputs = []
        for i, seed in enumerate((1, 1, 2)):
            events = tmp_path / f"{name}-{i}.csv"
            assert run.main(["simulate", "--scenario", name, "--seed", str(seed), "--events-out", str(events)]) == 0
            outputs.append(capsys.readouterr().out.encode() + events.read_bytes())
        assert outputs[0] == outputs[1], name
        assert outputs[0] != outputs[2], name
