"""The model's random streams are numpy's SeedSequence/PCG64 streams, drawn by the kernel.

`rule_stream` is the definition through numpy; the compiled kernel draws the very same numbers
(`sim.kernel.streams`), which the model exposes as `uniforms`. They must agree to the last bit
for any seed and rule, or every stored study would change.
"""

from __future__ import annotations

import numpy as np

from sim.model.model import DiplomacyModel
from sim.model.randomness import rule_stream
from sim.model.rules import RULES
from sim.scenarios import load_scenario

SEEDS = [0, 1, 2, 41, 2**31 - 1, 2**32, 2**32 + 5, 2**62 + 12345, 2**63 - 1]


def test_every_rule_stream_of_a_model_is_the_numpy_stream():
    scenario = load_scenario("geneva_2016_02")
    rng = np.random.default_rng(5)
    for seed in [int(s) for s in rng.integers(0, 2**63, size=10)] + SEEDS:
        uniforms = DiplomacyModel(scenario, rng=seed, collect=False).uniforms
        assert set(uniforms) == set(RULES)
        for name, rule in RULES.items():
            assert uniforms[name] == rule_stream(seed, name, scenario.horizon_days, rule.draws_per_day), (seed, name)
