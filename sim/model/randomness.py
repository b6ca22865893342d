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
import threading
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

    This is the definition; `RuleUniforms` draws the same numbers faster (`SeedPool`).
    """
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(rule_key(name),))
    return np.random.default_rng(sequence).random(horizon * draws_per_day).tolist()


# numpy's SeedSequence hash (numpy/random/bit_generator.pyx) and PCG64 seeding (pcg64.c),
# written out so that a run's ~20 streams share the part that depends on the seed alone. Setting
# up a Generator through SeedSequence costs ~40 us a stream, a tenth of a whole 60-day run;
# this path gives the very same PCG64 states (tests/test_model_randomness.py checks it against
# numpy) for about a third of the cost.
_MASK32 = 0xFFFFFFFF
_MASK128 = (1 << 128) - 1
_POOL_SIZE = 4
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


def _constants(init: int, mult: int, n: int) -> tuple[int, ...]:
    out = [init]
    for _ in range(n):
        out.append((out[-1] * mult) & _MASK32)
    return tuple(out)


#: hash constants of SeedSequence's mixing (call k uses items k and k + 1), and of its output.
_HASH_A = _constants(_INIT_A, _MULT_A, 2 * _POOL_SIZE + _POOL_SIZE * (_POOL_SIZE - 1))
_HASH_B = _constants(_INIT_B, _MULT_B, 2 * _POOL_SIZE)


def _hashmix(value: int, call: int) -> int:
    value = ((value ^ _HASH_A[call]) * _HASH_A[call + 1]) & _MASK32
    return value ^ (value >> 16)


def _mix(x: int, y: int) -> int:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
    return result ^ (result >> 16)


class SeedPool:
    """The PCG64 states of `SeedSequence(entropy=seed, spawn_key=(key,))` for one seed.

    The pool after mixing the seed's words is computed once; each spawn key then costs a few
    integer operations.

    Args:
        seed: a non-negative integer below 2**128.
    """

    __slots__ = ("_pool",)

    def __init__(self, seed: int):
        words = []
        while seed:
            words.append(seed & _MASK32)
            seed >>= 32
        words = (words or [0]) + [0] * (_POOL_SIZE - len(words or [0]))
        if len(words) != _POOL_SIZE:
            raise ValueError("SeedPool takes seeds below 2**128")
        pool = [_hashmix(words[i], i) for i in range(_POOL_SIZE)]
        call = _POOL_SIZE
        for src in range(_POOL_SIZE):
            for dst in range(_POOL_SIZE):
                if src != dst:
                    pool[dst] = _mix(pool[dst], _hashmix(pool[src], call))
                    call += 1
        self._pool = tuple(pool)

    def pcg64_state(self, key: int) -> dict:
        """The state (as `PCG64.state` writes it) of the stream with spawn key `key` (< 2**32)."""
        if not 0 <= key <= _MASK32:
            raise ValueError("SeedPool takes 32-bit spawn keys")
        first = _POOL_SIZE + _POOL_SIZE * (_POOL_SIZE - 1)
        pool = [_mix(word, _hashmix(key, first + i)) for i, word in enumerate(self._pool)]
        words = []
        for i in range(2 * _POOL_SIZE):  # generate_state(4, uint64): eight 32-bit words
            value = ((pool[i % _POOL_SIZE] ^ _HASH_B[i]) * _HASH_B[i + 1]) & _MASK32
            words.append(value ^ (value >> 16))
        initstate = (words[0] | words[1] << 32) << 64 | (words[2] | words[3] << 32)
        initseq = (words[4] | words[5] << 32) << 64 | (words[6] | words[7] << 32)
        increment = ((initseq << 1) | 1) & _MASK128
        state = ((increment + initstate) * _PCG_MULTIPLIER + increment) & _MASK128
        return {"bit_generator": "PCG64", "state": {"state": state, "inc": increment},
                "has_uint32": 0, "uinteger": 0}


_thread_state = threading.local()


def _generator() -> np.random.Generator:
    """This thread's Generator, whose state each stream sets (threads never share one)."""
    generator = getattr(_thread_state, "generator", None)
    if generator is None:
        generator = _thread_state.generator = np.random.Generator(np.random.PCG64(0))
    return generator


class RuleUniforms(dict):
    """rule name -> its uniforms for the run (see `rule_stream`), drawn on first use.

    Drawing lazily changes nothing in the values (each stream depends only on the seed and the
    rule's name). A dict whose `__missing__` draws: after the first use a lookup is a plain dict
    lookup. Iteration and len cover the streams drawn so far.

    Args:
        seed: the run's seed (a non-negative integer).
        horizon: days in the run.
        draws_per_day: rule name -> uniforms it draws per day (the rules' declarations).
    """

    def __init__(self, seed: int, horizon: int, draws_per_day: Mapping[str, int]):
        super().__init__()
        self.seed = seed
        self.horizon = horizon
        self.draws_per_day = draws_per_day
        self._pool: SeedPool | None = None

    def __missing__(self, name: str) -> list[float]:
        if name not in self.draws_per_day:
            raise KeyError(name)
        if self._pool is None:
            self._pool = SeedPool(self.seed)
        generator = _generator()
        generator.bit_generator.state = self._pool.pcg64_state(rule_key(name))
        stream = self[name] = generator.random(self.horizon * self.draws_per_day[name]).tolist()
        return stream

    def on(self, name: str, day: int) -> list[float]:
        """The uniforms of rule `name` on `day` (its draws_per_day of them)."""
        k = self.draws_per_day[name]
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
