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
lives in a folder named by a hash of the compiled sources, the tables and ids they read
(parameters, outcomes, the rules' declarations) and the numba version, so a change to any of
them compiles afresh instead of loading stale code (numba's own check looks only at each
function's file).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

_HERE = Path(__file__).resolve().parent
#: The kernel's files that hold compiled code or the ids it reads (the pure-Python modules
#: around it, `state`, `replicate`, `bridge`, `texts`, are left out: editing them compiles nothing).
_COMPILED = ("__init__", "batch", "draws", "effects", "engine", "layout", "record", "rules", "streams", "terrain",
             "world")


def _compiled_inputs() -> list[bytes]:
    """What the compiled code depends on besides numba: its sources, the model's tables, and
    the ids and columns it reads as constants (from the rules' declarations and the outcome
    table: a rule's docstring or decision written elsewhere changes none of them)."""
    from sim.kernel import layout
    from sim.model.outcomes import outcome_types

    inputs = [path.name.encode() + path.read_bytes() for path in
              [_HERE / f"{name}.py" for name in _COMPILED] + sorted((_HERE.parent / "model").glob("*.csv"))]
    tables = (layout.PARAMETER_NAMES, layout.RULE_NAMES, layout.DRAWS_PER_DAY, layout.RULE_SORT_RANK,
              layout.EFFECT_NAMES, layout.EFFECT_SORT_RANK, layout.CODES, layout.TEXTS, layout.MILESTONES,
              layout.SCRIPT_NAMES, tuple(outcome_types()))
    return [*inputs, repr(tables).encode()]


def _cache_dir() -> Path:
    """Where the compiled code is cached: `PARLEY_KERNEL_CACHE`, else the user's cache folder,
    in a subfolder per version of its inputs (`_compiled_inputs`)."""
    digest = hashlib.sha256(numba.__version__.encode())
    for item in _compiled_inputs():
        digest.update(item)
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
