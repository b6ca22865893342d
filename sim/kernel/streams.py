"""The rules' random streams in compiled code: numpy's SeedSequence and PCG64, number for number.

A rule's stream is `Generator(PCG64(SeedSequence(entropy=seed, spawn_key=(key,)))).random(n)`
(`sim.model.randomness.rule_stream`, the definition). This module computes the same doubles
without numpy's objects: SeedSequence's hash over 32-bit words, PCG64's 128-bit state in two
64-bit halves, the XSL-RR output and numpy's 53-bit double. tests/test_kernel_components.py
checks it against numpy bit for bit. Costs: the seed's pool once per run, a few dozen integer
operations per stream, ~3 ns per uniform.
"""

from __future__ import annotations

import numpy as np

from sim.kernel import jit

_POOL = 4
# numpy's constants (numpy/random/bit_generator.pyx: SeedSequence; pcg64.h: the multiplier)
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


def _hash_constants(init: int, mult: int, n: int) -> np.ndarray:
    out = [init]
    for _ in range(n):
        out.append((out[-1] * mult) & 0xFFFFFFFF)
    return np.array(out, dtype=np.uint64)


_M32 = np.uint64(0xFFFFFFFF)
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
#: SeedSequence's hash constants (call k uses items k and k + 1).
_HASH_A = _hash_constants(_INIT_A, _MULT_A, 2 * _POOL + _POOL * (_POOL - 1))
_HASH_B = _hash_constants(_INIT_B, _MULT_B, 2 * _POOL)
_MIX_L = np.uint64(_MIX_MULT_L)
_MIX_R = np.uint64(_MIX_MULT_R)
_MULT_HI = np.uint64(_PCG_MULTIPLIER >> 64)
_MULT_LO = np.uint64(_PCG_MULTIPLIER & 0xFFFFFFFFFFFFFFFF)
_S16 = np.uint64(16)
_S32 = np.uint64(32)
_ONE = np.uint64(1)
_TO_DOUBLE = 1.0 / 9007199254740992.0


@jit
def _hashmix(value, call):
    value = ((value ^ _HASH_A[call]) * _HASH_A[call + 1]) & _M32
    return value ^ (value >> _S16)


@jit
def _mix(x, y):
    result = (_MIX_L * x - _MIX_R * y) & _M32
    return result ^ (result >> _S16)


@jit
def seed_pool(seed):
    """SeedSequence's pool after mixing the entropy words of `seed` (a uint64): four 32-bit
    words in uint64s, shared by every stream of the run."""
    words = np.zeros(_POOL, dtype=np.uint64)
    words[0] = seed & _M32
    words[1] = seed >> _S32
    pool = np.empty(_POOL, dtype=np.uint64)
    for i in range(_POOL):
        pool[i] = _hashmix(words[i], i)
    call = _POOL
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = _mix(pool[dst], _hashmix(pool[src], call))
                call += 1
    return pool


@jit
def _mul_64(a, b):
    """The 128-bit product of two 64-bit numbers as (high, low)."""
    a_lo, a_hi = a & _M32, a >> _S32
    b_lo, b_hi = b & _M32, b >> _S32
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    hi_hi = a_hi * b_hi
    cross = (lo_lo >> _S32) + (hi_lo & _M32) + lo_hi
    high = hi_hi + (hi_lo >> _S32) + (cross >> _S32)
    low = (cross << _S32) | (lo_lo & _M32)
    return high, low


@jit
def _step(state_hi, state_lo, inc_hi, inc_lo):
    """PCG64's step: state * multiplier + increment, mod 2**128."""
    high, low = _mul_64(state_lo, _MULT_LO)
    high = high + state_lo * _MULT_HI + state_hi * _MULT_LO
    low2 = low + inc_lo
    carry = _ONE if low2 < low else np.uint64(0)
    return high + inc_hi + carry, low2


@jit
def _pcg64_state(pool, key):
    """The PCG64 (state, increment) halves of `SeedSequence(entropy=seed, spawn_key=(key,))`."""
    first = _POOL + _POOL * (_POOL - 1)
    mixed = np.empty(_POOL, dtype=np.uint64)
    for i in range(_POOL):
        mixed[i] = _mix(pool[i], _hashmix(key, first + i))
    words = np.empty(2 * _POOL, dtype=np.uint64)
    for i in range(2 * _POOL):  # generate_state(4, uint64): eight 32-bit words
        value = ((mixed[i % _POOL] ^ _HASH_B[i]) * _HASH_B[i + 1]) & _M32
        words[i] = value ^ (value >> _S16)
    init_hi = words[0] | (words[1] << _S32)
    init_lo = words[2] | (words[3] << _S32)
    seq_hi = words[4] | (words[5] << _S32)
    seq_lo = words[6] | (words[7] << _S32)
    inc_hi = (seq_hi << _ONE) | (seq_lo >> np.uint64(63))
    inc_lo = (seq_lo << _ONE) | _ONE
    # pcg64 srandom: state = 0; step; state += initstate; step
    state_lo = inc_lo + init_lo
    carry = _ONE if state_lo < inc_lo else np.uint64(0)
    state_hi = inc_hi + init_hi + carry
    state_hi, state_lo = _step(state_hi, state_lo, inc_hi, inc_lo)
    return state_hi, state_lo, inc_hi, inc_lo


@jit
def pcg64_stream(pool, key, n, out, start):
    """Write the first `n` doubles of the stream with spawn key `key` into out[start:start+n]
    (numpy's `Generator.random`: step, XSL-RR output, the top 53 bits)."""
    state_hi, state_lo, inc_hi, inc_lo = _pcg64_state(pool, key)
    for j in range(n):
        state_hi, state_lo = _step(state_hi, state_lo, inc_hi, inc_lo)
        x = state_hi ^ state_lo
        rot = state_hi >> np.uint64(58)
        value = (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))
        out[start + j] = np.float64(value >> np.uint64(11)) * _TO_DOUBLE


@jit
def stream_offsets(lengths):
    """Where each rule's uniforms start in the flat array, and its end: rule r's are
    values[offsets[r]:offsets[r + 1]]."""
    n = lengths.shape[0]
    offsets = np.zeros(n + 1, dtype=np.int64)
    for r in range(n):
        offsets[r + 1] = offsets[r] + lengths[r]
    return offsets


@jit
def fill_rule_streams(seed, keys, offsets, values):
    """Every rule's uniforms for the run with `seed` (uint64) into `values`, laid out by
    `offsets` (`stream_offsets`): a batch reuses one array for all its runs."""
    pool = seed_pool(seed)
    for r in range(keys.shape[0]):
        if offsets[r + 1] > offsets[r]:
            pcg64_stream(pool, np.uint64(keys[r]), offsets[r + 1] - offsets[r], values, offsets[r])


@jit
def rule_streams(seed, keys, lengths):
    """Every rule's uniforms for one run, flat: rule r's are values[offsets[r]:offsets[r + 1]].

    Args:
        seed: the run's seed (uint64).
        keys: each rule's spawn key (`sim.model.randomness.rule_key`).
        lengths: each rule's number of uniforms (draws per day x horizon).
    """
    offsets = stream_offsets(lengths)
    values = np.empty(offsets[-1])
    fill_rule_streams(seed, keys, offsets, values)
    return values, offsets
