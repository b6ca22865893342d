"""Random streams: one independent stream per rule, a fixed block of uniforms per day.

Each rule gets its own numpy Generator, seeded from the run's seed and the rule's name through
`numpy.random.SeedSequence` (`spawn_key`), and draws a fixed block of uniforms per day for the
whole horizon, the first time the rule needs them. Day d of rule r always sees the same
uniforms for the same seed, whatever the other rules did and whatever the state of the run:
forcing Russia's strikes to zero leaves every other rule's draws unchanged, and even within one
rule the draws of a day do not depend on earlier days. Baseline and counterfactual runs with one seed are
therefore pairs (common random numbers). Counts (strikes) are drawn by inverting the Poisson
distribution function at the day's uniform, and spread over localities by systematic
sampling with a second uniform.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping

import numpy as np
from scipy.special import pdtrik


def rule_key(name: str) -> int:
    """A stable 32-bit key for a rule name (the same in every Python process)."""
    return zlib.crc32(name.encode("utf-8"))


def rule_stream(seed: int, name: str, horizon: int, draws_per_day: int) -> list[float]:
    """The uniforms of one rule, day-major: day d's k draws are items [d*k, (d+1)*k).

    One flat Python list rather than an array or a list per day: the rules read a few floats a
    day, faster from a list than from numpy scalars, and a run keeps one list per rule instead
    of one per rule and day (fewer objects for the garbage collector to scan).

    This is the definition; the compiled kernel draws the same numbers (`sim.kernel.streams`).
    """
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(rule_key(name),))
    return np.random.default_rng(sequence).random(horizon * draws_per_day).tolist()


class RuleUniforms(Mapping):
    """rule name -> its uniforms for a run (see `rule_stream`), as the compiled kernel drew them
    (`sim.kernel.streams`, the same numbers as `rule_stream`; tests/test_model_randomness.py).

    Args:
        run: the run on the kernel (`sim.kernel.replicate.KernelRun`).
    """

    def __init__(self, run):
        from sim.kernel.layout import DRAWS_PER_DAY, RULE_NAMES  # the kernel's ids (it imports the rules)

        self._run = run
        self._rules = {name: i for i, name in enumerate(RULE_NAMES)}
        self._draws = DRAWS_PER_DAY

    def __getitem__(self, name: str) -> list[float]:
        i = self._rules[name]
        offsets = self._run.offsets
        return self._run.uniforms[offsets[i]:offsets[i + 1]].tolist()

    def __iter__(self):
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def on(self, name: str, day: int) -> list[float]:
        """The uniforms of rule `name` on `day` (its draws_per_day of them)."""
        k = self._draws[self._rules[name]]
        return self[name][day * k:(day + 1) * k]


def poisson_quantile(u: float, rate: float) -> int:
    """A Poisson count with mean `rate` at the uniform `u` (inverse distribution function).

    `pdtrik` inverts the Poisson distribution function continuously in k; the count is the
    smallest integer k with P(X <= k) >= u.
    """
    if rate <= 0:
        return 0
    return max(0, math.ceil(pdtrik(u, rate)))


def systematic_allocation(total: int, cumulative_weights: list[tuple[str, float]], u: float) -> dict[str, int]:
    """Split `total` items over categories with one uniform (systematic sampling).

    Item j sits at position (u + j) / total; a category gets the items whose positions fall in
    its slice of the cumulative weights.

    Args:
        total: items to allocate.
        cumulative_weights: (category, cumulative normalised weight) pairs; the last is 1.
        u: one uniform.

    Returns:
        category -> count for the categories that get at least one item; each count is within
        one of total x weight.
    """
    counts: dict[str, int] = {}
    if total <= 0:
        return counts
    allocated = 0
    ceil = math.ceil
    for name, cumulative in cumulative_weights:
        upto = ceil(cumulative * total - u)
        upto = total if upto > total else (0 if upto < 0 else upto)
        if upto > allocated:
            counts[name] = upto - allocated
            allocated = upto
    if allocated < total:  # rounding at the last boundary
        last = cumulative_weights[-1][0]
        counts[last] = counts.get(last, 0) + total - allocated
    return counts
