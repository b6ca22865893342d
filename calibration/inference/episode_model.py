"""The model the ABC fits: one parameter set -> the statistics of every episode.

One parameter set runs every episode given (both by default: an actor's behaviour does not
change between February and September; the episodes differ in their initial state), each with
the same seed, and returns the statistics of `calibration.targets` of each. pyabc stores a
particle's statistics in one row, so an episode's profile travels as one array
(`pack`, the `<prefix>_profile` key).

Every run is a run of the compiled kernel (`calibration.targets.run_episode`), the same run,
seed for seed, as a `DiplomacyModel` built by `sim.experiments.runs.build_model`
(tests/test_calibration_engine.py: the same statistics).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from calibration.inference.prior import marginal_draw
from calibration.seeds import run_seed
from calibration.targets import EpisodeSpec, run_episode, statistics_from_kernel
from sim.kernel.replicate import KernelRun


def profile_key(prefix: str) -> str:
    """The key of an episode's profile array."""
    return f"{prefix}_profile"


def is_profile_key(key: str) -> bool:
    return key.endswith("_profile")


def profile_mismatch(x: dict, x_0: dict, key: str) -> float:
    """The share of a profile's keys whose presence differs from the observed."""
    return float(np.mean(np.abs(np.asarray(x[key]) - np.asarray(x_0[key]))))


def _episode_runs(
    parameters: dict[str, float], specs: Sequence[EpisodeSpec], seed: int
) -> Iterator[tuple[EpisodeSpec, KernelRun]]:
    """(spec, its finished run) of one run of each episode of `specs`."""
    for spec in specs:
        yield spec, run_episode(spec.episode, parameters, seed)


def _episode_statistics(
    parameters: dict[str, float], specs: Sequence[EpisodeSpec], seed: int
) -> Iterator[tuple[EpisodeSpec, dict[str, float]]]:
    """(spec, its statistics) of one run of each episode of `specs`."""
    for spec, run in _episode_runs(parameters, specs, seed):
        yield spec, statistics_from_kernel(run, spec)


def simulate_statistics(parameters: dict[str, float], specs: Sequence[EpisodeSpec], seed: int,
                        measurements: Sequence[str] = ()) -> dict:
    """Run every episode of `specs` with one parameter set; its statistics (profile as arrays)
    and, for each outcome in `measurements`, its value under `<prefix>_<outcome>` (a candidate
    measurement the targets do not use: `calibration.inference.information`)."""
    out: dict = {}
    for spec, run in _episode_runs(parameters, specs, seed):
        out.update(pack(statistics_from_kernel(run, spec), spec))
        if measurements:
            record = run.outcomes()
            out.update({measurement_key(spec.prefix, m): float(record[m]) for m in measurements})
    return out


def measurement_key(prefix: str, outcome: str) -> str:
    """The statistics key of an episode's candidate measurement: 'feb_rus_strikes_total'."""
    return f"{prefix}_{outcome}"


def flat_statistics(parameters: dict[str, float], specs: Sequence[EpisodeSpec], seed: int) -> dict[str, float]:
    """Every statistic (profile keys one by one) of every episode of `specs` for one draw."""
    out: dict[str, float] = {}
    for _spec, stats in _episode_statistics(parameters, specs, seed):
        out.update(stats)
    return out


def pack(stats: dict[str, float], spec: EpisodeSpec) -> dict:
    """Timeline statistics as scalars, the profile as one array (pyabc stores it in one row)."""
    out = {name: stats[name] for name in spec.timeline_names()}
    out[profile_key(spec.prefix)] = np.array([stats[n] for n in spec.profile_names()], dtype=float)
    return out


def observed_packed(observed: dict[str, float], specs: Sequence[EpisodeSpec]) -> dict:
    """The observed statistics packed like the simulated ones; missing statistics dropped."""
    out = {}
    for spec in specs:
        packed = pack(observed, spec)
        out.update({k: v for k, v in packed.items() if not (np.isscalar(v) and math.isnan(v))})
    return out


class EpisodeModel:
    """The pyabc model: parameters -> statistics of every episode (picklable).

    The parameters the ABC infers come from pyabc (on their own scale); every other calibrated
    parameter (screened out: no detectable effect on the targets) is drawn from its prior
    for each simulation, seeded by the run's seed, so the likelihood integrates over it.

    Args:
        specs: the episodes compared.
        base_seed: the base of each run's seed (`calibration.seeds.run_seed`).
        marginal: the calibrated parameters the SMC does not move.
    """

    def __init__(self, specs: Sequence[EpisodeSpec], base_seed: int, marginal: Sequence[str] = ()):
        self.specs = tuple(specs)
        self.base_seed = int(base_seed)
        self.marginal = tuple(marginal)

    def __call__(self, pars) -> dict:
        parameters = {k: float(v) for k, v in dict(pars).items()}
        seed = run_seed(self.base_seed, parameters)
        parameters.update(marginal_draw(self.marginal, seed))
        return simulate_statistics(parameters, self.specs, seed)
