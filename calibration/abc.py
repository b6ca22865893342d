"""ABC-SMC of the behaviour parameters with pyabc: priors, model, distance, sampler.

- Priors: uniform on each calibrated parameter's documented range (`sim/data/parameters.csv`,
  `ParameterSpec.calibrated`: basis 'article' or 'assumption'); policy levers and the deal's
  terms stay at their defaults.
- Model: one parameter set runs every episode given (both by default: an actor's behaviour
  does not change between February and September; the episodes differ in their initial state)
  and returns the statistics of `calibration.targets` of each.
- Seeds: a run's seed is a hash of the base seed and the parameter vector, so a particle's
  simulation does not depend on which process evaluates it.
- Distance: a weighted L1 over the timeline statistics, each divided by its spread in the
  prior predictive sample (pyabc's calibration generation), plus, per episode, the share of
  profile keys (source, target, CAMEO root) whose presence differs from the observed, divided
  by its spread. No statistic dominates by its units; the profile of an episode counts as one
  statistic however many keys it has.
- Sampler: `SeededMapSampler` evaluates the particles of a generation with seeds drawn from
  the main process's numpy generator, in order, over `workers` processes: the same `--seed`
  gives the same posterior for any number of workers (pyabc's own multicore samplers reseed
  their workers from the operating system and are not reproducible).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import cloudpickle
import numpy as np
import pandas as pd
import pyabc
from pyabc.parameters import Parameter
from pyabc.sampler.base import Sampler
from pyabc.transition import MultivariateNormalTransition

from calibration.targets import EpisodeSpec, Indicator, statistics_from_model
from sim.model import DiplomacyModel
from sim.parameters import ParameterSpec, parameter_table
from sim.scenarios import load_scenario

#: Scale floors: a day, a quarter of a yes/no.
INTERVAL_SCALE_FLOOR = 1.0
INDICATOR_SCALE_FLOOR = 0.25


def calibrated_parameters() -> list[ParameterSpec]:
    """The parameters calibration estimates, in table order."""
    return [spec for spec in parameter_table().values() if spec.calibrated]


def make_prior(specs: Sequence[ParameterSpec] | None = None) -> pyabc.Distribution:
    """Independent uniform priors on [low, high] of each calibrated parameter, written on the
    logit scale: z = logit((x - low) / (high - low)) has a standard logistic distribution when
    x is uniform on [low, high]. pyabc's Gaussian perturbation kernels never leave the support
    of z, whereas in the box of ~45 uniform priors almost every proposal falls outside it (the
    run stalls in pyabc's proposal loop)."""
    specs = calibrated_parameters() if specs is None else specs
    return pyabc.Distribution(**{s.name: pyabc.RV("logistic", 0.0, 1.0) for s in specs})


def to_natural(z: dict[str, float]) -> dict[str, float]:
    """Logit-scale parameters (the ABC's) -> values on [low, high] (the model's)."""
    table = parameter_table()
    out = {}
    for name, value in z.items():
        spec = table[name]
        u = 0.5 * (1.0 + math.tanh(0.5 * float(value)))  # expit, without overflow
        out[name] = min(spec.high, max(spec.low, spec.low + (spec.high - spec.low) * u))
    return out


def to_logit(x: dict[str, float]) -> dict[str, float]:
    """Values on [low, high] -> the logit scale (inverse of `to_natural`)."""
    table = parameter_table()
    out = {}
    for name, value in x.items():
        spec = table[name]
        u = min(1 - 1e-12, max(1e-12, (float(value) - spec.low) / (spec.high - spec.low)))
        out[name] = math.log(u / (1 - u))
    return out


def run_seed(base_seed: int, parameters: dict[str, float]) -> int:
    """A run's seed from the base seed and the parameter vector (sorted by name)."""
    h = hashlib.blake2b(struct.pack("<q", int(base_seed)), digest_size=8)
    for name in sorted(parameters):
        h.update(name.encode())
        h.update(struct.pack("<d", float(parameters[name])))
    return int.from_bytes(h.digest(), "little") >> 1


@cache
def _scenario(name: str):
    return load_scenario(name)


def profile_key(prefix: str) -> str:
    return f"{prefix}_profile"


def simulate_statistics(parameters: dict[str, float], specs: Sequence[EpisodeSpec], seed: int) -> dict:
    """Run every episode of `specs` with one parameter set; its statistics (profile as arrays)."""
    out: dict = {}
    for spec in specs:
        model = DiplomacyModel(scenario=_scenario(spec.episode), parameters=parameters, rng=seed)
        model.run()
        out.update(pack(statistics_from_model(model, spec), spec))
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


def prior_draw_of(names: Sequence[str], seed: int) -> dict[str, float]:
    """Values of `names` drawn from their uniform priors with a generator seeded by `seed`."""
    rng = np.random.default_rng([int(seed), 7])
    table = parameter_table()
    return {n: float(table[n].low + (table[n].high - table[n].low) * rng.random()) for n in names}


class EpisodeModel:
    """The pyabc model: parameters -> statistics of every episode (picklable).

    The parameters the ABC infers come from pyabc (logit scale); every other calibrated
    parameter (screened out: no detectable effect on the targets) is drawn from its prior
    for each simulation, seeded by the run's seed, so the likelihood integrates over it.
    """

    def __init__(self, specs: Sequence[EpisodeSpec], base_seed: int, marginal: Sequence[str] = ()):
        self.specs = tuple(specs)
        self.base_seed = int(base_seed)
        self.marginal = tuple(marginal)

    def __call__(self, pars) -> dict:
        parameters = to_natural({k: float(v) for k, v in dict(pars).items()})
        seed = run_seed(self.base_seed, parameters)
        parameters.update(prior_draw_of(self.marginal, seed))
        return simulate_statistics(parameters, self.specs, seed)


class EpisodeDistance(pyabc.Distance):
    """Scaled L1 over timeline statistics plus one mismatch share per episode profile.

    Scales are the standard deviations of each statistic in the prior predictive sample (the
    calibration generation), floored (1 day; 0.25 for a yes/no; 1/K for a profile of K keys).
    A simulated interval that is undefined (its start anchor never happened) while the observed
    one is defined costs the window length in scale units, as if it were off by the whole window.
    """

    def __init__(self, specs: Sequence[EpisodeSpec], scales: dict[str, float] | None = None):
        self.specs = tuple(specs)
        self.scales = dict(scales) if scales else None
        self.windows = {}
        self.floors = {}
        for spec in self.specs:
            for stat, name in zip(spec.timeline, spec.timeline_names()):
                self.windows[name] = float(spec.window_days)
                self.floors[name] = INDICATOR_SCALE_FLOOR if isinstance(stat, Indicator) else INTERVAL_SCALE_FLOOR
            self.floors[profile_key(spec.prefix)] = 1.0 / len(spec.profile_names())

    def requires_calibration(self) -> bool:
        return self.scales is None

    def initialize(self, t, get_sample, x_0, total_sims):
        if self.scales is None:
            self.scales = self.compute_scales(get_sample().all_sum_stats, x_0)

    def compute_scales(self, sample: Sequence[dict], x_0: dict) -> dict[str, float]:
        scales = {}
        for key in x_0:
            values = np.array([self._term(s, x_0, key) for s in sample], dtype=float)
            values = values[np.isfinite(values)]
            spread = float(np.std(values)) if len(values) > 1 else 0.0
            scales[key] = max(spread, self.floors[key])
        return scales

    def _term(self, x: dict, x_0: dict, key: str) -> float:
        """The unscaled statistic compared: the value itself, or a profile's mismatch share."""
        if key.endswith("_profile"):
            return float(np.mean(np.abs(np.asarray(x[key]) - np.asarray(x_0[key]))))
        return float(x[key])

    def contributions(self, x: dict, x_0: dict) -> dict[str, float]:
        """Each statistic's scaled contribution to the distance."""
        out = {}
        for key, obs in x_0.items():
            scale = self.scales[key]
            if key.endswith("_profile"):
                out[key] = self._term(x, x_0, key) / scale
                continue
            value = float(x[key])
            out[key] = self.windows[key] / scale if math.isnan(value) else abs(value - float(obs)) / scale
        return out

    def __call__(self, x, x_0, t=None, par=None) -> float:
        return float(sum(self.contributions(x, x_0).values()))

    def get_config(self) -> dict:
        return {"name": "EpisodeDistance", "scales": self.scales}


def unit_bandwidth(n_eff: float, dim: int) -> float:
    """Kernel covariance = the population's weighted covariance (bandwidth factor 1).

    Silverman's rule (pyabc's default) gives a factor ~0.84 in 45 dimensions, a mixture of
    narrow kernels around a few hundred particles: importance weights then vary over orders of
    magnitude and the effective sample size collapses to ~1 after one generation (measured).
    A kernel as wide as the population keeps the proposal smooth and the weights usable, at
    the price of a lower acceptance rate.
    """
    return 1.0


class FastNormalTransition(MultivariateNormalTransition):
    """pyabc's multivariate normal kernel with a cached Cholesky factor: the same proposal
    distribution, drawn with numpy only (pyabc's `rvs_single` takes ~75 ms in 45 dimensions,
    three times a simulation of both episodes)."""

    def fit(self, X, w):
        super().fit(X, w)
        dim = self.cov.shape[0]
        try:
            self._chol = np.linalg.cholesky(self.cov)
        except np.linalg.LinAlgError:
            vals, vecs = np.linalg.eigh(self.cov)
            self._chol = vecs * np.sqrt(np.clip(vals, 0.0, None))
        self._cols = list(X.columns)
        self._cum = np.cumsum(np.asarray(self.w, dtype=float))
        self._dim = dim

    def rvs_single(self) -> Parameter:
        i = int(np.searchsorted(self._cum, np.random.uniform() * self._cum[-1], side="right"))
        i = min(i, len(self._cum) - 1)
        x = self._X_arr[i] + self._chol @ np.random.normal(size=self._dim)
        return Parameter(dict(zip(self._cols, (float(v) for v in x))))


def _run_chunk(payload: bytes, seeds: Sequence[int]):
    """Worker: for each seed, sample until one particle is accepted."""
    simulate_one, sample_factory = cloudpickle.loads(payload)
    results = []
    for seed in seeds:
        np.random.seed(int(seed))
        random.seed(int(seed))
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


def _call(payload: bytes, args):
    fn = cloudpickle.loads(payload)
    return fn(*args)


class SeededMapSampler(Sampler):
    """Reproducible sampler: one seed per wanted particle, drawn in the main process, tasks
    mapped in order over a process pool (or in this process when workers == 1)."""

    def __init__(self, workers: int = 1):
        super().__init__()
        self.workers = max(1, int(workers))
        self._pool = None

    @property
    def pool(self):
        if self.workers > 1 and self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def map(self, fn, arg_tuples: Sequence[tuple]) -> list:
        """Ordered map of fn(*args) over the pool (used for the checks' runs too)."""
        if self.workers == 1:
            return [fn(*a) for a in arg_tuples]
        payload = cloudpickle.dumps(fn)
        chunk = max(1, len(arg_tuples) // (self.workers * 8))
        return self.pool.starmap(_call, [(payload, a) for a in arg_tuples], chunksize=chunk)

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        seeds = np.random.randint(0, 2**31 - 1, size=n)
        payload = cloudpickle.dumps((simulate_one, self.sample_factory))
        if self.workers == 1:
            # run here, keeping the main process's random state as a worker would leave it
            np_state, py_state = np.random.get_state(), random.getstate()
            chunks_out = [_run_chunk(payload, seeds)]
            np.random.set_state(np_state)
            random.setstate(py_state)
        else:
            k = self.workers * 4
            chunks = [c for c in np.array_split(seeds, k) if len(c)]
            chunks_out = self.pool.starmap(_run_chunk, [(payload, c) for c in chunks])
        sample = self._create_empty_sample()
        total = 0
        for chunk in chunks_out:
            for part, evals in chunk:
                sample += part
                total += evals
        self.nr_evaluations_ = total
        return sample


def scalar_statistics(stats: dict, x0: dict, specs: Sequence[EpisodeSpec]) -> dict[str, float]:
    """Scalars for screening: timeline values (undefined -> window + 1, worse than censored)
    and each episode's profile mismatch share."""
    out = {}
    for spec in specs:
        for name in spec.timeline_names():
            v = float(stats[name])
            out[name] = spec.window_days + 1.0 if math.isnan(v) else v
        key = profile_key(spec.prefix)
        if key in x0:
            out[key] = float(np.mean(np.abs(np.asarray(stats[key]) - np.asarray(x0[key]))))
    return out


def _screen_run(parameters: dict, specs: tuple, seed: int) -> dict:
    return simulate_statistics(parameters, specs, seed)


def screen_parameters(
    specs: Sequence[EpisodeSpec], observed: dict[str, float], n: int, seed: int, sampler: SeededMapSampler,
    threshold: float = 0.1, max_inferred: int = 12,
) -> pd.DataFrame:
    """Which parameters can the targets inform? Prior predictive screening.

    n draws from the priors, one run of every episode each; for each parameter the largest
    absolute Spearman correlation with any target statistic (timeline values, profile mismatch
    shares). Parameters above `threshold` (3 standard errors at n = 1000 is ~0.095), at most
    `max_inferred` of them by strength, are inferred by the SMC; the others keep their priors.
    Importance weights of ABC-SMC in ~45 dimensions degenerate (effective sample size ~1 after
    one generation, measured), so the SMC moves only the parameters the data can inform.
    """
    x0 = observed_packed(observed, specs)
    rng = np.random.default_rng([int(seed), 3])
    cal = calibrated_parameters()
    draws = [{s.name: float(rng.uniform(s.low, s.high)) for s in cal} for _ in range(n)]
    args = [(d, tuple(specs), run_seed(seed, d)) for d in draws]
    runs = sampler.map(_screen_run, args)
    stats = pd.DataFrame([scalar_statistics(r, x0, specs) for r in runs])
    pars = pd.DataFrame(draws)
    rp, rs = pars.rank(), stats.rank()
    rows = []
    for name in pars.columns:
        corr = rs.apply(lambda col: np.corrcoef(rp[name], col)[0, 1] if col.std() > 0 else 0.0)
        corr = corr.fillna(0.0)
        best = corr.abs().idxmax()
        rows.append({"parameter": name, "max_abs_spearman": float(abs(corr[best])), "statistic": best})
    table = pd.DataFrame(rows).sort_values("max_abs_spearman", ascending=False).reset_index(drop=True)
    table["inferred"] = (table["max_abs_spearman"] >= threshold) & (table.index < max_inferred)
    return table


@dataclass
class AbcResult:
    """One ABC-SMC run: its posterior sample, history and cost."""

    posterior: pd.DataFrame
    history: pyabc.History
    distance: EpisodeDistance
    observed: dict
    n_simulations: int
    generations: int
    epsilons: list[float]
    seconds: float


def posterior_frame(history: pyabc.History, names: Sequence[str]) -> pd.DataFrame:
    """draw_id, weight (summing to 1), then one column per parameter in `names` order, on the
    parameters' own scale."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)
    natural = [to_natural(row) for row in frame[list(names)].to_dict("records")]
    frame = pd.DataFrame(natural, columns=list(names))
    weights = np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    out = pd.DataFrame({"draw_id": np.arange(len(frame)), "weight": weights})
    for name in names:
        out[name] = frame[name].to_numpy(dtype=float)
    return out


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
) -> AbcResult:
    """ABC-SMC of the calibrated parameters against the observed statistics of `specs`.

    `inferred`: the parameters the SMC moves (default: all calibrated); the others are drawn
    from their priors in every simulation and, in the posterior sample, independently of the
    inferred ones (their posterior is their prior).
    """
    import time

    np.random.seed(seed)
    random.seed(seed)
    table = parameter_table()
    names = [s.name for s in calibrated_parameters()]
    inferred = list(names if inferred is None else inferred)
    marginal = [n for n in names if n not in inferred]
    x0 = observed_packed(observed, specs)
    distance = EpisodeDistance(specs)
    abc = pyabc.ABCSMC(
        models=EpisodeModel(specs, seed, marginal),
        parameter_priors=make_prior([table[n] for n in inferred]),
        distance_function=distance,
        population_size=population,
        sampler=sampler,
        transitions=FastNormalTransition(bandwidth_selector=unit_bandwidth),
        eps=pyabc.MedianEpsilon(),
    )
    start = time.perf_counter()
    abc.new(f"sqlite:///{db_path}", x0)
    history = abc.run(
        max_nr_populations=generations,
        max_total_nr_simulations=max_simulations or np.inf,
    )
    seconds = time.perf_counter() - start
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    posterior = posterior_frame(history, inferred)
    rng = np.random.default_rng([int(seed), 11])
    for name in marginal:
        spec = table[name]
        posterior[name] = rng.uniform(spec.low, spec.high, size=len(posterior))
    posterior = posterior[["draw_id", "weight"] + names]
    return AbcResult(
        posterior=posterior,
        history=history,
        distance=distance,
        observed=x0,
        n_simulations=int(history.total_nr_simulations),
        generations=int(history.max_t) + 1,
        epsilons=[float(e) for e in pops["epsilon"]],
        seconds=seconds,
    )
