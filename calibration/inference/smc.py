"""The ABC-SMC driver: `run_abc` of the calibrated parameters with pyabc, and its result.

The pieces, one module each: priors (`prior`), the model (`episode_model`), the distance
(`distance`), the perturbation kernel (`kernel`), the reproducible sampler (`sampler`); which
parameters the SMC moves comes from `screening`. Seeds: `calibration.seeds`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyabc

from calibration.inference.adjustment import Adjusted, local_linear_adjust
from calibration.inference.distance import EpisodeDistance, ProjectedDistance
from calibration.inference.episode_model import EpisodeModel, observed_packed
from calibration.inference.kernel import ReflectedNormalTransition
from calibration.inference.prior import calibrated_parameters, make_prior
from calibration.inference.projection import Projection, features, fit_projection
from calibration.inference.sampler import SeededMapSampler
from calibration.seeds import Stream, seed_global_state, stream
from calibration.targets import EpisodeSpec
from sim.model.parameters import parameter_table


@dataclass
class AbcResult:
    """One ABC-SMC run: its posterior sample, history and cost.

    Attributes:
        posterior: draw_id, weight, one column per calibrated parameter (`posterior_frame`):
            the last generation, regression-adjusted when the distance is projected.
        smc_posterior: the same frame before the adjustment (the last generation as accepted).
        adjustment: the local-linear adjustment (None without a projection).
        history: pyabc's history (its database).
        distance: the distance (projected, or with its scales).
        projection: the semi-automatic summaries' projection (None without pilot runs).
        observed: the observed statistics, packed (`episode_model.observed_packed`).
        n_simulations: particles simulated (each runs every episode).
        generations: generations run.
        epsilons: each generation's epsilon.
        seconds: wall time.
        ess: effective sample size 1 / sum(w^2) of each generation's normalised weights.
    """

    posterior: pd.DataFrame
    smc_posterior: pd.DataFrame
    adjustment: Adjusted | None
    history: pyabc.History
    distance: ProjectedDistance | EpisodeDistance
    projection: Projection | None
    observed: dict
    n_simulations: int
    generations: int
    epsilons: list[float]
    seconds: float
    ess: list[float]


def effective_sample_size(weights) -> float:
    """1 / sum(w^2) of the normalised weights."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    return float(1.0 / np.sum(w**2))


def posterior_frame(history: pyabc.History, names: Sequence[str]) -> pd.DataFrame:
    """draw_id, weight (summing to 1), then one column per parameter in `names` order, on the
    parameters' own scale."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)
    weights = np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    out = pd.DataFrame({"draw_id": np.arange(len(frame)), "weight": weights})
    for name in names:
        out[name] = frame[name].to_numpy(dtype=float)
    return out


def adjusted_frame(history: pyabc.History, distance: ProjectedDistance, x0: dict, inferred: Sequence[str],
                   bounds: dict[str, tuple[float, float]]) -> tuple[pd.DataFrame, Adjusted] | None:
    """The last generation, regression-adjusted (`calibration.inference.adjustment`): draw_id,
    weight, the inferred parameters on their own scale; and the adjustment. None when the
    generation is too small to fit the regression."""
    particles = history.get_population(t=history.max_t).get_particles_by_model()[0]
    low = np.array([bounds[n][0] for n in inferred])
    width = np.array([bounds[n][1] - bounds[n][0] for n in inferred])
    unit = np.array([[p.parameter[n] for n in inferred] for p in particles], dtype=float)
    unit = (unit - low) / width
    summaries = np.array([distance.summaries(p.sum_stat, x0) for p in particles])
    adjustment = local_linear_adjust(unit, summaries, distance.summaries(x0, x0),
                                     np.array([p.weight for p in particles], dtype=float),
                                     np.array([p.distance for p in particles], dtype=float))
    if adjustment is None:
        return None
    out = pd.DataFrame({"draw_id": np.arange(len(particles)), "weight": adjustment.weights})
    values = low + width * adjustment.unit
    for j, name in enumerate(inferred):
        out[name] = values[:, j]
    return out, adjustment


def run_abc(
    specs: Sequence[EpisodeSpec],
    observed: dict[str, float],
    population: int,
    generations: int,
    seed: int,
    sampler: SeededMapSampler,
    db_path: str,
    max_simulations: int | None = None,
    inferred: Sequence[str] | None = None,
    pilot: Sequence[tuple[dict, dict]] | None = None,
) -> AbcResult:
    """ABC-SMC of the calibrated parameters against the observed statistics of `specs`.

    Args:
        specs: the episodes fitted (one shared parameter set).
        observed: the observed statistics (`calibration.targets.observed_statistics`).
        population: particles per generation.
        generations: the most generations.
        seed: the base seed (pyabc's global generators, every run's seed).
        sampler: evaluates the particles.
        db_path: pyabc's database file.
        max_simulations: stop after this many particles in all.
        inferred: the parameters the SMC moves (default: all calibrated); the others are drawn
            from their priors in every simulation and, in the posterior sample, independently
            of the inferred ones (their posterior is their prior).
        pilot: (parameters, packed statistics) of prior predictive runs (the screening's): the
            distance is then over semi-automatic summaries fitted on them
            (`calibration.inference.projection`); without, the scaled L1 over the targets.
    """
    seed_global_state(seed)
    table = parameter_table()
    names = [s.name for s in calibrated_parameters()]
    inferred = list(names if inferred is None else inferred)
    marginal = [n for n in names if n not in inferred]
    x0 = observed_packed(observed, specs)
    bounds = {n: (table[n].low, table[n].high) for n in inferred}
    projection = None
    if pilot:
        pilot_features = np.array([features(stats, x0, specs) for _, stats in pilot])
        pilot_parameters = np.array([[draw[n] for n in inferred] for draw, _ in pilot])
        projection = fit_projection(pilot_features, pilot_parameters, inferred, bounds)
        distance = ProjectedDistance(specs, projection)
    else:
        distance = EpisodeDistance(specs)
    smc = pyabc.ABCSMC(
        models=EpisodeModel(specs, seed, marginal),
        parameter_priors=make_prior([table[n] for n in inferred]),
        distance_function=distance,
        population_size=population,
        sampler=sampler,
        transitions=ReflectedNormalTransition(bounds),
        eps=pyabc.MedianEpsilon(),
    )
    start = time.perf_counter()
    smc.new(f"sqlite:///{db_path}", x0)
    history = smc.run(
        max_nr_populations=generations,
        max_total_nr_simulations=max_simulations or np.inf,
    )
    seconds = time.perf_counter() - start
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    smc_posterior = posterior_frame(history, inferred)
    ess = [effective_sample_size(history.get_distribution(m=0, t=t)[1]) for t in range(history.max_t + 1)]
    adjustment = None
    posterior = smc_posterior.copy()
    adjusted = adjusted_frame(history, distance, x0, inferred, bounds) if projection is not None else None
    if adjusted is not None:
        posterior, adjustment = adjusted
    rng = stream(seed, Stream.MARGINAL_POSTERIOR)
    for name in marginal:
        spec = table[name]
        draws = rng.uniform(spec.low, spec.high, size=len(posterior))
        posterior[name] = draws
        smc_posterior[name] = draws
    posterior = posterior[["draw_id", "weight"] + names]
    smc_posterior = smc_posterior[["draw_id", "weight"] + names]
    return AbcResult(
        posterior=posterior,
        smc_posterior=smc_posterior,
        adjustment=adjustment,
        history=history,
        distance=distance,
        projection=projection,
        observed=x0,
        n_simulations=int(history.total_nr_simulations),
        generations=int(history.max_t) + 1,
        epsilons=[float(e) for e in pops["epsilon"]],
        seconds=seconds,
        ess=ess,
    )
