"""Simulation-based calibration of the calibration procedure (Talts et al. 2018).

Draw parameters from the prior, simulate an observed record of both episodes from each, run
the calibration's own pipeline on it (the screening's ranking and the summaries over one shared
prior pilot, ABC-SMC, the regression adjustment) at a reduced budget, and record where the true
value falls in its posterior. If the procedure's posteriors are right, the true value's rank is
uniform and a 90% interval holds it in 90% of the replications (expected coverage, Hermans et
al. 2022). An overconfident posterior (too narrow) piles the ranks at both ends and covers less
than nominal; an underconfident one (too wide) piles them in the middle and covers more.

A simulated record keeps the real record's gaps: a target the record has no value for (an act
whose absence is not evidence) is left out of it too, so the procedure is the one the real
record gets. Parameters the screening leaves at their prior are drawn from it: their ranks are
uniform by construction and are reported apart.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from calibration.inference.episode_model import flat_statistics
from calibration.inference.prior import calibrated_parameters, prior_draws
from calibration.inference.sampler import SeededMapSampler
from calibration.inference.screening import rank_parameters
from calibration.inference.smc import run_abc
from calibration.seeds import Offset, generator, offset_seed, run_seed
from calibration.targets import EpisodeSpec

#: Posterior draws per replication the rank is counted among (ranks 0..RANK_DRAWS).
RANK_DRAWS = 99
#: Bins of the rank histogram and its chi-square test of uniformity.
RANK_BINS = 10
#: Nominal levels of the expected coverage.
LEVELS = (0.5, 0.9)


@dataclass(frozen=True)
class SbcBudget:
    """The budget of the simulation-based calibration.

    Attributes:
        replications: simulated records, each calibrated.
        population: ABC-SMC particles per generation of each.
        generations: the most generations of each.
    """

    replications: int
    population: int
    generations: int


def simulated_record(flat: Mapping[str, float], real: Mapping[str, float]) -> dict[str, float]:
    """A run's statistics (`episode_model.flat_statistics`) as an observed record with the real
    record's gaps (NaN where it has none)."""
    return {k: math.nan if math.isnan(real.get(k, math.nan)) else v for k, v in flat.items()}


def weighted_rank(values: np.ndarray, weights: np.ndarray, truth: float, rng: np.random.Generator) -> int:
    """How many of RANK_DRAWS draws resampled from the weighted posterior are below the truth
    (ties broken at random): uniform on 0..RANK_DRAWS when the posterior is right."""
    w = np.asarray(weights, dtype=float)
    draws = rng.choice(np.asarray(values, dtype=float), size=RANK_DRAWS, p=w / w.sum())
    below = int(np.sum(draws < truth))
    ties = int(np.sum(draws == truth))
    return below + int(rng.integers(0, ties + 1))


def central_interval(values: np.ndarray, weights: np.ndarray, level: float) -> tuple[float, float]:
    """The weighted central credible interval at `level`."""
    order = np.argsort(values)
    x = np.asarray(values, dtype=float)[order]
    c = np.cumsum(np.asarray(weights, dtype=float)[order])
    c = c / c[-1]
    tail = (1.0 - level) / 2.0
    return float(x[np.searchsorted(c, tail)]), float(x[min(len(x) - 1, np.searchsorted(c, 1.0 - tail))])


def run_sbc(specs: Sequence[EpisodeSpec], real: Mapping[str, float], pilot: Sequence[tuple[dict, dict]],
            budget: SbcBudget, seed: int, sampler: SeededMapSampler, threshold: float, max_inferred: int,
            progress: Callable[[str], None] = lambda msg: None) -> pd.DataFrame:
    """Ranks and interval hits of every calibrated parameter in every replication.

    Args:
        specs: the episodes.
        real: the real record's statistics (its gaps are kept in each simulated record).
        pilot: prior predictive runs (the screening's ranking and the summaries of every
            replication are fitted on them, as the real calibration fits them on its pilot).
        budget: replications and the ABC-SMC's budget of each.
        seed: the base seed.
        sampler: evaluates the runs.
        threshold, max_inferred: the screening's.
        progress: reports each replication.

    Returns:
        One row per (replication, parameter): replication, parameter, truth, rank (0..RANK_DRAWS),
        inferred (moved by the SMC), in50, in90, seconds.
    """
    truths = prior_draws(budget.replications, generator(offset_seed(seed, Offset.SBC_TRUTHS)))
    base = offset_seed(seed, Offset.SBC_RECORDS)
    records = sampler.map(flat_statistics, [(t, tuple(specs), run_seed(base, t)) for t in truths])
    names = [s.name for s in calibrated_parameters()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="parley-sbc-") as tmp:
        for i, (truth, flat) in enumerate(zip(truths, records)):
            observed = simulated_record(flat, real)
            screen = rank_parameters(pilot, observed, specs, threshold, max_inferred)
            inferred = list(screen.loc[screen["inferred"], "parameter"])
            abc_seed = offset_seed(seed, Offset.SBC_ABC) + 1000 * i
            db = Path(tmp) / f"sbc_{i}.db"
            res = run_abc(specs, observed, budget.population, budget.generations, abc_seed, sampler, str(db),
                          inferred=inferred, pilot=pilot)
            db.unlink(missing_ok=True)
            rng = np.random.default_rng([abc_seed, 1])
            w = res.posterior["weight"].to_numpy(dtype=float)
            for name in names:
                values = res.posterior[name].to_numpy(dtype=float)
                row = {"replication": i, "parameter": name, "truth": float(truth[name]),
                       "rank": weighted_rank(values, w, float(truth[name]), rng), "inferred": name in inferred,
                       "seconds": res.seconds}
                for level in LEVELS:
                    lo, hi = central_interval(values, w, level)
                    row[f"in{int(level * 100)}"] = bool(lo <= truth[name] <= hi)
                rows.append(row)
            progress(f"SBC replication {i + 1}/{budget.replications}: {len(inferred)} inferred, "
                     f"{res.n_simulations} particles, {res.seconds:.0f} s")
    return pd.DataFrame(rows)


def sbc_summary(ranks: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: replications, the share in which the SMC moved it, the chi-square test of
    the rank histogram's uniformity (RANK_BINS bins), the expected coverage of the 50% and 90%
    intervals and a verdict: 'overconfident' / 'underconfident' when the 90% coverage differs
    from 0.9 at the 5% level (binomial), else 'fine'."""
    rows = []
    for name, group in ranks.groupby("parameter", sort=False):
        counts, _ = np.histogram(group["rank"], bins=RANK_BINS, range=(0, RANK_DRAWS + 1))
        chi = stats.chisquare(counts) if counts.sum() else None
        n = len(group)
        hits90 = int(group["in90"].sum())
        p_cov = stats.binomtest(hits90, n, 0.9).pvalue if n else math.nan
        cov90 = hits90 / n if n else math.nan
        verdict = "fine" if p_cov >= 0.05 else "overconfident" if cov90 < 0.9 else "underconfident"
        rows.append({"parameter": name, "replications": n, "inferred_share": float(group["inferred"].mean()),
                     "uniformity_p": float(chi.pvalue) if chi is not None else math.nan,
                     "uniform_at_5pct": bool(chi is not None and chi.pvalue >= 0.05),
                     "coverage50": float(group["in50"].mean()), "coverage90": cov90, "coverage90_p": float(p_cov),
                     "verdict": verdict, "rank_histogram": " ".join(str(int(c)) for c in counts)})
    return pd.DataFrame(rows)

