"""The fast stream set-up draws exactly numpy's SeedSequence/PCG64 streams.

`RuleUniforms` computes the PCG64 state of each rule's stream itself (`SeedPool`), sharing the
work that depends on the seed alone; `rule_stream` is the definition through numpy. They must
agree to the last bit for any seed and rule, or every stored study would change.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.randomness import RuleUniforms, SeedPool, rule_key, rule_stream
from sim.model.rules import RULES

SEEDS = [0, 1, 2, 41, 2**31 - 1, 2**32, 2**32 + 5, 2**62 + 12345, 2**63 - 1, 2**100 + 7]


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_pool_gives_numpys_pcg64_state(seed):
    pool = SeedPool(seed)
    for key in (0, 1, 7, 2**31, 2**32 - 1, rule_key("rus_strikes")):
        expected = np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=(key,))).state
        assert pool.pcg64_state(key) == expected


def test_every_rule_stream_is_the_numpy_stream():
    draws = {name: rule.draws_per_day for name, rule in RULES.items()}
    rng = np.random.default_rng(5)
    for seed in [int(s) for s in rng.integers(0, 2**63, size=20)] + SEEDS:
        uniforms = RuleUniforms(seed, 60, draws)
        for name, k in draws.items():
            assert uniforms[name] == rule_stream(seed, name, 60, k), (seed, name)


def test_seed_pool_refuses_what_it_cannot_reproduce():
    with pytest.raises(ValueError, match="below 2\\*\\*128"):
        SeedPool(2**128)
    with pytest.raises(ValueError, match="32-bit"):
        SeedPool(1).pcg64_state(2**32)
