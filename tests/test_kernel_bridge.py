"""`sim.kernel.bridge` runs one compiled decision on a Python `Situation`: on the situations of
real runs of every shipped scenario, every rule's compiled decision gives the actions its
Python decision gives (the step towards one implementation of each rule, used by both engines)."""

from __future__ import annotations

from functools import partial

import pytest

from sim.experiments.posterior import load_posterior
from sim.kernel.bridge import decide_alone
from sim.model.model import DiplomacyModel
from sim.model.rules.world_rules import EVENING
from sim.scenarios import list_scenarios, load_scenario


@pytest.mark.parametrize("name", [info.name for info in list_scenarios()])
def test_compiled_decisions_equal_the_python_ones_on_the_situations_of_real_runs(name):
    scenario = load_scenario(name)
    compared = 0  # decisions that produced actions, compared
    for seed, params in enumerate(load_posterior().parameter_sets(4, 99)):
        model = DiplomacyModel(scenario, params, rng=seed, collect=False)
        observe = model._observe

        def checked_observe(model=model, observe=observe):
            s = observe()
            nonlocal compared
            for agent in model.agents:
                for rule in agent.rules:
                    if rule.name in EVENING or rule.decide is None:
                        continue
                    k = rule.draws_per_day
                    u = model.uniforms[rule.name][model.day * k:(model.day + 1) * k]
                    forced = model.forced_today.get(rule.name)
                    backer = agent.code if rule.actor == "BACKER" else None
                    python = (partial(rule.decide, backer=backer) if backer else rule.decide)(
                        s, model.params_today, u, forced)
                    compiled = decide_alone(rule.name, s, model.params_today, u, forced, backer=backer)
                    assert list(compiled) == list(python), f"{name} seed {seed} day {model.day}: {rule.name}"
                    compared += bool(python)  # days on which the rule acted
            return s

        model._observe = checked_observe
        model.run()
    assert compared > 20
