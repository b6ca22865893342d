"""Random streams: one independent stream per mechanism, a fixed block of uniforms per day.

Each mechanism gets its own numpy Generator, seeded from the run's seed and the mechanism's
name through `numpy.random.SeedSequence` (`spawn_key`), and draws a fixed block of uniforms per
day for the whole horizon, the first time the rule needs them. Day d of mechanism m always
sees the same uniforms for the same seed, whatever the other mechanisms did and whatever the state of the run: forcing Russia's strikes
to zero leaves every other mechanism's draws unchanged, and even within one mechanism the draws
of a day do not depend on earlier days. Baseline and counterfactual runs with one seed are
therefore pairs (common random numbers). Counts (strikes) are drawn by inverting the Poisson
distribution function at the day's uniform, and spread over localities by systematic
sampling with a second uniform.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from scipy.special import pdtrik

from sim.model.mechanisms import MECHANISMS


def mechanism_key(name: str) -> int:
    """A stable 32-bit key for a mechanism name (the same in every Python process)."""
    return zlib.crc32(name.encode("utf-8"))


def mechanism_stream(seed: int, name: str, horizon: int) -> list[float]:
    """The uniforms of one mechanism, day-major: day d's k draws are items [d*k, (d+1)*k).

    One flat Python list rather than an array or a list per day: the rules read a few floats a
    day, faster from a list than from numpy scalars, and a run keeps one list per mechanism
    instead of one per mechanism and day (fewer objects for the garbage collector to scan).
    """
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(mechanism_key(name),))
    return np.random.default_rng(sequence).random(horizon * MECHANISMS[name].draws_per_day).tolist()


class MechanismUniforms(dict):
    """mechanism name -> its uniforms for the run (see `mechanism_stream`), drawn on first use.

    Drawing lazily changes nothing in the values (each stream depends only on the seed and the
    mechanism's name); it saves drawing for rules a run never consults. A dict whose
    `__missing__` draws: after the first use a lookup is a plain dict lookup. Iteration and
    len cover the streams drawn so far.

    Args:
        seed: the run's seed (a non-negative integer).
        horizon: days in the run.
    """

    def __init__(self, seed: int, horizon: int):
        super().__init__()
        self.seed = seed
        self.horizon = horizon

    def __missing__(self, name: str) -> list[float]:
        if name not in MECHANISMS:
            raise KeyError(name)
        stream = self[name] = mechanism_stream(self.seed, name, self.horizon)
        return stream

    def on(self, name: str, day: int) -> list[float]:
        """The uniforms of mechanism `name` on `day` (its draws_per_day of them)."""
        k = _DRAWS_PER_DAY[name]
        return self[name][day * k:(day + 1) * k]


_DRAWS_PER_DAY = {name: mech.draws_per_day for name, mech in MECHANISMS.items()}


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
