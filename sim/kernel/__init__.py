"""The compiled day kernel: the model's rules, effects and day loop in numba's nopython subset.

One implementation of every rule: the batch engine (`sim.kernel.batch`) runs whole blocks of
replicates inside compiled code, and the Mesa model (`sim.model.model.DiplomacyModel`) steps
the same compiled day one at a time. Modules, in the order of the data flow:

- `layout`: integer ids of actors, rules, effects, codes, texts, and the state's slots;
- `streams`: the per-rule random streams (numpy's SeedSequence and PCG64, written out so that
  compiled code draws the very same uniforms as `sim.model.randomness.rule_stream`);
- `draws`: Poisson counts by inversion and systematic allocation over localities;
- `terrain`: the terrain as arrays, and its searches (supply route, sieges, the axis target);
- `world`: the logs every effect writes (events, inboxes, pressure, milestones), the network;
- `rules`: the rules' decisions; `effects`: their effects and the scheduled events' scripts;
- `engine`: the day (morning, observe, decide, resolve, evening); `record`: the outcome row;
- `state`: a scenario and a run as arrays; `replicate`: one run from Python; `batch`: blocks.

Every compiled function is cached on disk: the first use on a machine compiles (about a
minute, docs/performance.md), later processes and workers load the machine code. The cache
lives in a folder named by a hash of the kernel's sources, the tables they read (parameters,
rules) and the numba version, so a change to any of them compiles afresh instead of loading
stale code (numba's own check looks only at each function's file).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

_HERE = Path(__file__).resolve().parent
#: Files whose content the compiled code depends on (besides numba itself).
_SOURCES = sorted(_HERE.glob("*.py")) + sorted((_HERE.parent / "model").glob("*.csv")) + sorted(
    (_HERE.parent / "model" / "rules").glob("*.py"))


def _cache_dir() -> Path:
    """Where the compiled code is cached: `PARLEY_KERNEL_CACHE`, else the user's cache folder,
    in a subfolder per version of the sources."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in _SOURCES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    root = os.environ.get("PARLEY_KERNEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "parley", "kernel")
    return Path(root) / digest.hexdigest()[:16]


CACHE_DIR = _cache_dir()
CACHE_DIR.mkdir(parents=True, exist_ok=True)
# numba's cache locator reads this when each function is decorated, i.e. below, not at import of numba.
numba.config.CACHE_DIR = str(CACHE_DIR)

#: Options of every compiled function of the kernel: nopython, cached on disk, releasing the GIL.
JIT_OPTIONS = {"cache": True, "nogil": True}


def state_jit(function=None, **options):
    """`jit` without reference counting, for the functions over a run's state and scenario
    tuples (`sim.kernel.world`). Numba counts references to every array of a tuple argument on
    entry and exit of each call: some 80 atomic operations per call with these tuples, which
    were 60% of a run's time. These functions allocate nothing (scratch rows of the state serve
    them), so they need no counting."""
    merged = {**JIT_OPTIONS, **options, "_nrt": False}
    if function is None:
        return lambda f: numba.njit(**merged)(f)
    return numba.njit(**merged)(function)


def jit(function=None, **options):
    """`numba.njit` with the kernel's options (`JIT_OPTIONS`); use as `@jit` or `@jit(...)`."""
    merged = {**JIT_OPTIONS, **options}
    if function is None:
        return lambda f: numba.njit(**merged)(f)
    return numba.njit(**merged)(function)
