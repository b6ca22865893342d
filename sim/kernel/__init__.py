"""The compiled day kernel: the model's rules, effects and day loop in numba's nopython subset.

One implementation of every rule: the batch engine runs whole replicates inside compiled code,
and the Mesa model (`sim.model.model.DiplomacyModel`) steps the same compiled functions one day
at a time. Modules:

- `streams`: the per-rule random streams (numpy's SeedSequence and PCG64, written out so that
  compiled code draws the very same uniforms as `sim.model.randomness.rule_stream`);
- `draws`: Poisson counts by inversion and systematic allocation over localities;
- `terrain`: the terrain as arrays, and its searches (supply route, sieges, the axis target).

Every compiled function is cached on disk (`cache=True`): the first run on a machine compiles
(stated in docs/performance.md), later processes and workers load the machine code.
"""

from __future__ import annotations

import numba

#: Options of every compiled function of the kernel: nopython, cached on disk, releasing the GIL.
JIT_OPTIONS = {"cache": True, "nogil": True}


def jit(function=None, **options):
    """`numba.njit` with the kernel's options (`JIT_OPTIONS`); use as `@jit` or `@jit(...)`."""
    merged = {**JIT_OPTIONS, **options}
    if function is None:
        return lambda f: numba.njit(**merged)(f)
    return numba.njit(**merged)(function)
