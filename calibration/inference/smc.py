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
- Kernel: `ReflectedNormalTransition`, a component-wise normal step reflected at the ranges'
  bounds (why: its docstring).
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
from pyabc.transition import Transition

from calibration.targets import EpisodeSpec, Indicator, statistics_from_model
from sim.model.model import DiplomacyModel
from sim.model.parameters import ParameterSpec, parameter_table
from sim.scenarios import load_scenario

#: Scale floors: a day, a quarter of a yes/no.
INTERVAL_SCALE_FLOOR = 1.0
INDICATOR_SCALE_FLOOR = 0.25


def calibrated_parameters() -> list[ParameterSpec]:
    """The parameters calibration estimates, in table order."""
    return [spec for spec in parameter_table().values() if spec.calibrated]


def make_prior(specs: Sequence[ParameterSpec] | None = None) -> pyabc.Distribution:
    """Independent uniform priors on [low, high] of each calibrated parameter, on the
    parameter's own scale (the ABC proposes, stores and weights the values the model reads).

    Earlier versions ran the ABC on the logit scale z = logit((x - low)/(high - low)) with a
    standard logistic prior on z (the same prior for x): with ~45 inferred parameters a Gaussian
    kernel in the box of uniform priors almost never proposed a point inside it. The logistic
    density falls off as exp(-|z|), and a Gaussian kernel as wide as the population pushed
    particles into the tails of z (|z| up to 10; the unweighted sample piled up near the edges
    of the ranges), where the prior is tiny: importance weights varied as exp(-sum |z_i|) and
    the effective sample size collapsed (4.5 of 300 in the published run of commit 31a69a8;
    11.6, 2.9, 3.0 of 150 in generations 1-3 of a smaller run). `ReflectedNormalTransition`
    stays inside the ranges by construction, so the logit scale is no longer needed.
    """
    specs = calibrated_parameters() if specs is None else specs
    return pyabc.Distribution(**{s.name: pyabc.RV("uniform", s.low, s.high - s.low) for s in specs})


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

    The parameters the ABC infers come from pyabc (on their own scale); every other calibrated
    parameter (screened out: no detectable effect on the targets) is drawn from its prior
    for each simulation, seeded by the run's seed, so the likelihood integrates over it.
    """

    def __init__(self, specs: Sequence[EpisodeSpec], base_seed: int, marginal: Sequence[str] = ()):
        self.specs = tuple(specs)
        self.base_seed = int(base_seed)
        self.marginal = tuple(marginal)

    def __call__(self, pars) -> dict:
        parameters = {k: float(v) for k, v in dict(pars).items()}
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


#: Images of a point under the reflections of the unit interval kept in the kernel density
#: (x + 2k and -x + 2k, |k| <= 2): with a kernel sd <= the range's width the rest is < 1e-8.
_IMAGES = np.arange(-2, 3) * 2.0
#: Kernel sd floor, as a share of the range's width (a population collapsed in one direction).
KERNEL_SD_FLOOR = 1e-3


def fold_unit(u: np.ndarray) -> np.ndarray:
    """Reflect values into [0, 1] at both ends, as often as needed."""
    u = np.mod(u, 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


class ReflectedNormalTransition(Transition):
    """Component-wise Gaussian perturbation kernel, reflected at each parameter's range bounds.

    A particle of the previous generation is picked by weight and each parameter is moved by
    an independent normal step, sd = `scaling` x the population's weighted sd of that
    parameter (the component-wise kernel of Beaumont et al. 2009 and Filippi et al. 2013);
    a step that leaves [low, high] is folded back into it (reflection, as often as needed).
    The proposal density, which the importance weights divide by, is the weighted mixture of
    the folded normals: per coordinate the sum over the images of the particle under the
    reflections (exact to < 1e-8, see `_IMAGES`).

    Why (measured with a population of 150, 4 generations, both episodes, the 16 screened
    parameters; effective sample size ESS of generations 1, 2, 3 of 150):

    - pyabc's multivariate normal kernel on the logit scale with the logistic prior,
      bandwidth factor 1 (the previous default, chosen when 45 parameters were inferred):
      ESS 11.6, 2.9, 3.0; with Silverman's factor: 10.2, 1.5, 1.0. The kernel pushes
      particles into the tails of the logit scale where the prior density ~exp(-|z|) is tiny
      (see `make_prior`).
    - the same kernel (factor 1) on the parameters' own scale, proposals outside the ranges
      rejected (the uniform prior is zero there): ESS 36.9, 25.1, 18.0. A truncated kernel
      under-proposes near the bounds, so particles there carry large weights; most posterior
      marginals are broad (near their priors), so most of the 16 coordinates contribute such
      a factor.
    - this kernel: ESS 55.7, 54.8, 40.5 (the default run's are in its report). A reflected
      Gaussian step leaves a uniform marginal uniform, so a parameter the data barely inform
      does not make the weights vary: only the informed directions do.

    The kernel ignores correlations between parameters; it is a proposal only - the
    posterior's correlations are carried by the accepted particles and their weights.
    """

    def __init__(self, bounds: dict[str, tuple[float, float]] | None = None, scaling: float = 1.0):
        self.bounds = bounds
        self.scaling = scaling

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        self._cols = list(X.columns)
        self._low = np.array([self.bounds[c][0] for c in self._cols], dtype=float)
        self._width = np.array([self.bounds[c][1] - self.bounds[c][0] for c in self._cols], dtype=float)
        w = np.asarray(w, dtype=float)
        self._w = w / w.sum()
        self._cum = np.cumsum(self._w)
        self._U = (X.to_numpy(dtype=float) - self._low) / self._width  # unit coordinates
        mean = self._w @ self._U
        sd = np.sqrt(self._w @ (self._U - mean) ** 2)
        self._sd = np.maximum(float(self.scaling) * sd, KERNEL_SD_FLOOR)

    def rvs_single(self) -> Parameter:
        i = min(int(np.searchsorted(self._cum, np.random.uniform() * self._cum[-1], side="right")), len(self._cum) - 1)
        u = fold_unit(self._U[i] + self._sd * np.random.normal(size=len(self._sd)))
        x = self._low + self._width * u
        return Parameter(dict(zip(self._cols, (float(v) for v in x))))

    def _density_unit(self, u: np.ndarray) -> float:
        """Proposal density at one point in unit coordinates (per unit of each coordinate)."""
        s = self._sd[None, :, None]
        d = u[None, :, None] - self._U[:, :, None] + _IMAGES
        e = u[None, :, None] + self._U[:, :, None] + _IMAGES
        per = (np.exp(-0.5 * (d / s) ** 2) + np.exp(-0.5 * (e / s) ** 2)).sum(axis=-1) / (self._sd * math.sqrt(2 * math.pi))
        return float(self._w @ np.prod(per, axis=1))

    def pdf(self, x: Parameter | pd.Series | pd.DataFrame) -> float | np.ndarray:
        jac = float(np.prod(self._width))
        if isinstance(x, pd.DataFrame):
            U = (x[self._cols].to_numpy(dtype=float) - self._low) / self._width
            return np.array([self._density_unit(u) for u in U]) / jac
        u = (np.array([x[c] for c in self._cols], dtype=float) - self._low) / self._width
        return self._density_unit(u) / jac


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
    #: effective sample size 1 / sum(w^2) of each generation's normalised weights
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
        transitions=ReflectedNormalTransition({n: (table[n].low, table[n].high) for n in inferred}),
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
    ess = [effective_sample_size(history.get_distribution(m=0, t=t)[1]) for t in range(history.max_t + 1)]
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
        ess=ess,
    )
