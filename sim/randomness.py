"""Random streams: one independent stream per mechanism, drawn up front, day by day.

Each mechanism gets its own numpy Generator, seeded from the run's seed and the mechanism's
name through `numpy.random.SeedSequence` (`spawn_key`), and draws a fixed block of uniforms per
day before the run starts. Day d of mechanism m always sees the same uniforms for the same seed,
whatever the other mechanisms did and whatever the state of the run: forcing Russia's strikes
to zero leaves every other mechanism's draws unchanged, and even within one mechanism the draws
of a day do not depend on earlier days. Baseline and counterfactual runs with one seed are
therefore pairs (common random numbers). Counts (strikes) are drawn by inverting the Poisson
distribution function at the day's uniform.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import gammaln

from sim.mechanisms import MECHANISMS, draws_per_day


def mechanism_key(name: str) -> int:
    """A stable 32-bit key for a mechanism name (the same in every Python process)."""
    return zlib.crc32(name.encode("utf-8"))


def mechanism_uniforms(seed: int, horizon: int, n_localities: int) -> dict[str, np.ndarray]:
    """Uniforms for every mechanism: name -> array of shape (horizon, draws per day).

    Args:
        seed: the run's seed (a non-negative integer).
        horizon: days in the run.
        n_localities: localities of the terrain (rules that draw one uniform per locality).
    """
    out = {}
    for name, mechanism in MECHANISMS.items():
        sequence = np.random.SeedSequence(entropy=seed, spawn_key=(mechanism_key(name),))
        shape = (horizon, draws_per_day(mechanism, n_localities))
        out[name] = np.random.default_rng(sequence).random(shape)
    return out


def poisson_quantile(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Poisson counts with means `rate`, one per uniform `u` (inverse distribution function).

    Args:
        u: uniforms in [0, 1).
        rate: non-negative means, same shape as u.

    Returns:
        Integer counts k: the smallest k with P(X <= k) > u.
    """
    rate = np.asarray(rate, dtype=float)
    counts = np.zeros(rate.shape, dtype=np.int64)
    active = rate > 0
    if not active.any():
        return counts
    lam = rate[active][:, None]
    top = float(lam.max())
    k = np.arange(int(top + 10.0 * np.sqrt(top) + 12.0))[None, :]
    pmf = np.exp(k * np.log(lam) - lam - gammaln(k + 1.0))
    cdf = np.cumsum(pmf, axis=1)
    counts[active] = (cdf <= u[active][:, None]).sum(axis=1)
    return counts
