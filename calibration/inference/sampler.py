"""The reproducible sampler: the same seed gives the same particles for any number of workers.

pyabc's own multicore samplers reseed their workers from the operating system and are not
reproducible. `SeededMapSampler` draws one seed per wanted particle from the main process's
numpy generator, in order, and maps the particles over `sim.experiments.executors.OrderedPool`
(the project's one local pool: persistent 'spawn' workers, kept up across generations and the
checks' runs); the results come back in the order of the seeds, so the sample does not depend
on how the work was split.

With more than one worker the workers are fresh interpreters ('spawn'): a script that runs the
sampler must guard its entry point with `if __name__ == "__main__":` (the workers import it).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import cloudpickle
import numpy as np
from pyabc.sampler.base import Sampler

from calibration.seeds import particle_seeds, seed_global_state
from sim.experiments.executors import OrderedPool

#: Chunks of particle seeds per worker in a generation (finer chunks even out slow particles).
CHUNKS_PER_WORKER = 4


def _run_chunk(payload: bytes, seeds: Sequence[int]) -> list[tuple[list, int]]:
    """For each seed, sample until one particle is accepted: (that sample, evaluations) each.

    `payload` is pyabc's simulate_one and sample factory, cloudpickled (closures)."""
    simulate_one, sample_factory = cloudpickle.loads(payload)
    results = []
    for seed in seeds:
        seed_global_state(seed)
        sample = sample_factory()
        n = 0
        while True:
            particle = simulate_one()
            n += 1
            sample.append(particle)
            if particle.accepted:
                break
        results.append((sample, n))
    return results


def _call(payload: bytes, *args):
    """fn(*args) of a cloudpickled fn (a closure or a lambda travels too)."""
    return cloudpickle.loads(payload)(*args)


class SeededMapSampler(Sampler):
    """Reproducible sampler: one seed per wanted particle, drawn in the main process, tasks
    mapped in order over a process pool (or in this process when workers == 1).

    Args:
        workers: processes (1 = this process); the results do not depend on it.

    Attributes:
        workers: the number of processes.
    """

    def __init__(self, workers: int = 1):
        super().__init__()
        self._pool = OrderedPool(workers)
        self.workers = self._pool.workers

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.close()

    def map(self, fn: Callable, arg_tuples: Sequence[tuple]) -> list:
        """Ordered [fn(*args) for args in arg_tuples] over the pool (the checks' runs too)."""
        payload = cloudpickle.dumps(fn)
        return self._pool.map(_call, [(payload, *args) for args in arg_tuples])

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        seeds = particle_seeds(n)
        payload = cloudpickle.dumps((simulate_one, self.sample_factory))
        if self.workers == 1:
            chunks = [seeds]
        else:
            chunks = [c for c in np.array_split(seeds, self.workers * CHUNKS_PER_WORKER) if len(c)]
        # in this process (one worker) the particles reseed the global generators: leave them
        # as a worker process would, so the next generation's seeds do not depend on the workers
        np_state, py_state = np.random.get_state(), random.getstate()
        try:
            chunks_out = self._pool.map(_run_chunk, [(payload, c) for c in chunks], chunksize=1)
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)
        sample = self._create_empty_sample()
        total = 0
        for chunk in chunks_out:
            for part, evals in chunk:
                sample += part
                total += evals
        self.nr_evaluations_ = total
        return sample
