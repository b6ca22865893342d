"""Every seed the calibration derives from its base seed, in one place.

The calibration seeds the way the committed posterior (`calibration/data/posterior.csv`) and
its report were made: a run's seed is a blake2b hash of a base seed and the parameter vector,
the checks use the base seed plus a fixed offset, and a few numpy generators are seeded with
[seed, stream key]. The simulation itself seeds with `SeedSequence` spawn keys
(`sim.experiments.design`). The calibration keeps its own derivations until the next
recalibration: changing any of them changes the posterior a given `--seed` produces and the
committed posterior's predictive table. At the next recalibration, replace them by spawn keys
of one `SeedSequence(seed)` and republish.

Nothing else in `calibration/` turns a seed into another seed or a generator.
"""

from __future__ import annotations

import hashlib
import random
import struct
from enum import IntEnum

import numpy as np


class Offset(IntEnum):
    """Base seed + offset of each step of `run.py calibrate` after the main ABC-SMC."""

    POSTERIOR_DRAWS = 0  #: resampling the posterior for the predictive check
    POSTERIOR_RUNS = 1  #: base of the predictive runs' seeds (+ draw index)
    PRIOR_DRAWS = 2  #: prior draws of the prior predictive check
    PRIOR_RUNS = 3
    CROSS_ABC = 10  #: the cross-episode ABC-SMC on one episode alone
    CROSS_DRAWS = 11
    CROSS_RUNS = 12
    #: `run.py validate` (calibration.validation): a calibration's screening and ABC-SMC, its
    #: posterior's resampling and its predictive runs; a cut-off's seed adds the cut-off day
    VALIDATION_ABC = 20
    VALIDATION_DRAWS = 21
    VALIDATION_RUNS = 22
    SBC_TRUTHS = 30  #: the true parameters of the simulation-based calibration
    SBC_RECORDS = 31  #: the runs that make their records
    SBC_ABC = 32  #: base of each replication's calibration (+ replication index x 1000)


class Stream(IntEnum):
    """Keys of the numpy generators `default_rng([seed, key])`."""

    SCREENING_DRAWS = 3  #: prior draws of the screening
    MARGINAL_DRAWS = 7  #: a simulation's draw of the parameters the SMC does not move
    MARGINAL_POSTERIOR = 11  #: those parameters' columns in the posterior sample


def offset_seed(seed: int, offset: Offset) -> int:
    """The seed of a step: base seed + its offset."""
    return int(seed) + int(offset)


def stream(seed: int, key: Stream) -> np.random.Generator:
    """The numpy generator of a stream of a seed."""
    return np.random.default_rng([int(seed), int(key)])


def run_seed(base_seed: int, parameters: dict[str, float]) -> int:
    """A run's seed from a base seed and the parameter vector (sorted by name), so a run's
    simulation does not depend on which process evaluates it."""
    h = hashlib.blake2b(struct.pack("<q", int(base_seed)), digest_size=8)
    for name in sorted(parameters):
        h.update(name.encode())
        h.update(struct.pack("<d", float(parameters[name])))
    return int.from_bytes(h.digest(), "little") >> 1


def draw_run_seed(base_seed: int, index: int, parameters: dict[str, float]) -> int:
    """The seed of the index-th run of a list of draws (the predictive checks)."""
    return run_seed(int(base_seed) + int(index), parameters)


def seed_global_state(seed: int) -> None:
    """Seed numpy's and Python's global generators: pyabc draws from them (the ABC-SMC's
    start, and each particle in `SeededMapSampler`)."""
    np.random.seed(int(seed))
    random.seed(int(seed))


def particle_seeds(n: int) -> np.ndarray:
    """n particle seeds from numpy's global generator (in the main process, in order)."""
    return np.random.randint(0, 2**31 - 1, size=n)


def generator(seed: int) -> np.random.Generator:
    """The numpy generator of a step's seed (resampling a posterior, drawing from the prior)."""
    return np.random.default_rng(int(seed))
