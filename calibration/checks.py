"""Checks of a calibration: posterior predictive, cross-episode prediction, identifiability."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.inference.episode_model import flat_statistics
from calibration.inference.prior import calibrated_parameters, prior_draws
from calibration.inference.sampler import SeededMapSampler
from calibration.inference.smc import run_abc
from calibration.seeds import Offset, draw_run_seed, generator, offset_seed
from calibration.targets import EpisodeSpec, describe, is_ratio

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def draw_posterior(posterior: pd.DataFrame, n: int, seed: int) -> list[dict[str, float]]:
    """n parameter sets resampled from the weighted posterior (with replacement)."""
    rng = generator(seed)
    weights = posterior["weight"].to_numpy(dtype=float)
    idx = rng.choice(len(posterior), size=n, replace=True, p=weights / weights.sum())
    names = [c for c in posterior.columns if c not in ("draw_id", "weight")]
    return [{k: float(posterior.iloc[i][k]) for k in names} for i in idx]


def draw_prior(n: int, seed: int) -> list[dict[str, float]]:
    """n parameter sets from the uniform priors."""
    return prior_draws(n, generator(seed))


def predictive(draws: list[dict[str, float]], specs: Sequence[EpisodeSpec], seed: int, sampler) -> pd.DataFrame:
    """One run per draw of every episode; one row per draw, one column per statistic."""
    args = [(d, tuple(specs), draw_run_seed(seed, i, d)) for i, d in enumerate(draws)]
    return pd.DataFrame(sampler.map(flat_statistics, args))


def crps(sample: np.ndarray, observed: float) -> float:
    """The continuous ranked probability score of a predictive sample at the observed value:
    E|X - y| - E|X - X'| / 2 (in the statistic's units; 0 is a point forecast on the value)."""
    x = np.sort(np.asarray(sample, dtype=float))
    n = len(x)
    if n == 0 or math.isnan(observed):
        return math.nan
    # E|X - X'| from the sorted sample: 2 / n^2 * sum_i (2i - n - 1) x_i
    spread = 2.0 * float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x)) / (n * n)
    return float(np.mean(np.abs(x - observed))) - spread / 2.0


def censoring_days(specs: Sequence[EpisodeSpec]) -> dict[str, float]:
    """Milestone statistic -> the window's end T, its censored value."""
    return {name: float(spec.window_days) for spec in specs for name in spec.timeline_names() if not is_ratio(name)}


def interval_table(sim: pd.DataFrame, observed: dict[str, float], names: Sequence[str],
                   censored_at: dict[str, float] | None = None) -> pd.DataFrame:
    """Observed value against the simulated 50% and 90% intervals and the CRPS, per statistic.

    Quantiles are over the runs where the statistic is defined (`sim_undefined` is the share of
    runs where it is not: a violence ratio without a ceasefire in effect); an observed statistic
    that is missing is reported and not scored. A milestone day at the window's end T is a
    censored value (not by the window's end): `p_censored` is the share of runs with it.
    """
    rows = []
    for name in names:
        values = sim[name].to_numpy(dtype=float)
        defined = values[~np.isnan(values)]
        obs = observed.get(name, math.nan)
        row = {"statistic": name, "meaning": describe(name), "observed": obs,
               "sim_undefined": 1 - len(defined) / len(values) if len(values) else math.nan}
        if censored_at and name in censored_at:
            row["p_censored"] = float(np.mean(defined >= censored_at[name])) if len(defined) else math.nan
        if len(defined):
            q = np.quantile(defined, QUANTILES)
            row.update({f"q{int(p * 100):02d}": v for p, v in zip(QUANTILES, q)})
            row["sim_mean"] = float(defined.mean())
            row["crps"] = crps(defined, obs)
            if math.isnan(obs):
                row["in50"], row["in90"] = None, None
            else:
                row["in50"] = bool(q[1] <= obs <= q[3])
                row["in90"] = bool(q[0] <= obs <= q[4])
        else:
            row.update({f"q{int(p * 100):02d}": math.nan for p in QUANTILES})
            row["sim_mean"] = row["crps"] = math.nan
            row["in50"] = row["in90"] = None if math.isnan(obs) else False
        rows.append(row)
    return pd.DataFrame(rows)


def coverage(table: pd.DataFrame) -> dict[str, float]:
    """Share of scored statistics inside their 50% and 90% intervals."""
    scored = table[table["in90"].notna()]
    n = len(scored)
    return {
        "n": n,
        "in50": float(scored["in50"].astype(bool).mean()) if n else math.nan,
        "in90": float(scored["in90"].astype(bool).mean()) if n else math.nan,
    }


def identifiability(posterior: pd.DataFrame, inferred: Sequence[str] | None = None) -> pd.DataFrame:
    """Posterior against prior width per calibrated parameter.

    `sd_ratio` = weighted posterior sd / prior sd (uniform: width / sqrt 12); `ci90_ratio` =
    width of the weighted 90% credible interval / 0.9 prior width. Verdict: 'informed' below
    0.5 or at it, 'weakly informed' below 0.8, else 'not identified' (posterior about the prior).
    """
    w = posterior["weight"].to_numpy(dtype=float)
    w = w / w.sum()
    rows = []
    for spec in calibrated_parameters():
        x = posterior[spec.name].to_numpy(dtype=float)
        mean = float(np.sum(w * x))
        sd = float(math.sqrt(max(0.0, np.sum(w * (x - mean) ** 2))))
        order = np.argsort(x)
        cum = np.cumsum(w[order])
        lo = float(x[order][np.searchsorted(cum, 0.05)])
        hi = float(x[order][min(len(x) - 1, np.searchsorted(cum, 0.95))])
        width = spec.high - spec.low
        sd_ratio = sd / (width / math.sqrt(12))
        ci_ratio = (hi - lo) / (0.9 * width)
        verdict = "informed" if sd_ratio <= 0.5 else "weakly informed" if sd_ratio < 0.8 else "not identified"
        if inferred is not None and spec.name not in inferred:
            verdict = "not identified (screened out)"
        rows.append({
            "parameter": spec.name, "basis": spec.basis, "default": spec.default,
            "prior_low": spec.low, "prior_high": spec.high, "post_mean": mean,
            "post_q05": lo, "post_q95": hi, "sd_ratio": sd_ratio, "ci90_ratio": ci_ratio,
            "shift": (mean - (spec.low + spec.high) / 2) / width, "verdict": verdict,
        })
    return pd.DataFrame(rows).sort_values("sd_ratio").reset_index(drop=True)


@dataclass
class PredictiveCheck:
    """The posterior (and prior) predictive check of a calibration.

    Attributes:
        posterior_runs: one row per posterior draw, one column per statistic.
        prior_runs: the same for prior draws.
        timeline: `interval_table` of the timeline statistics under the posterior.
        prior_timeline: the same under the prior.
        profile: `interval_table` of the profile keys under the posterior, with each key's
            share of prior and posterior runs (prior_share, posterior_share).
    """

    posterior_runs: pd.DataFrame
    prior_runs: pd.DataFrame
    timeline: pd.DataFrame
    prior_timeline: pd.DataFrame
    profile: pd.DataFrame


def predictive_check(posterior: pd.DataFrame, specs: Sequence[EpisodeSpec], observed: dict[str, float], draws: int,
                     seed: int, sampler: SeededMapSampler) -> PredictiveCheck:
    """`draws` runs of every episode from the posterior and as many from the prior."""
    post_sim = predictive(draw_posterior(posterior, draws, offset_seed(seed, Offset.POSTERIOR_DRAWS)), specs,
                          offset_seed(seed, Offset.POSTERIOR_RUNS), sampler)
    prior_sim = predictive(draw_prior(draws, offset_seed(seed, Offset.PRIOR_DRAWS)), specs,
                           offset_seed(seed, Offset.PRIOR_RUNS), sampler)
    timeline = [n for s in specs for n in s.timeline_names()]
    profile = [n for s in specs for n in s.profile_names()]
    prof = interval_table(post_sim, observed, profile)
    prof["prior_share"] = [prior_sim[n].mean() for n in profile]
    prof["posterior_share"] = [post_sim[n].mean() for n in profile]
    censored = censoring_days(specs)
    return PredictiveCheck(post_sim, prior_sim, interval_table(post_sim, observed, timeline, censored),
                           interval_table(prior_sim, observed, timeline, censored), prof)


def cross_episode(specs: dict[str, EpisodeSpec], observed: dict[str, float], both_fit: pd.DataFrame,
                  inferred: Sequence[str], budget: dict, seed: int, sampler: SeededMapSampler, out: Path,
                  progress: Callable[[str], None] = lambda msg: None,
                  pilot: Sequence[tuple[dict, dict]] | None = None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """ABC on each episode alone (a smaller budget), predicting the other's targets.

    Args:
        specs: the two episodes' specs.
        observed: the observed statistics.
        both_fit: the both-episode fit's timeline `interval_table` (for comparison).
        inferred: the parameters the SMC moves.
        budget: cross_population, cross_generations, cross_draws.
        seed: the calibration's base seed.
        sampler: evaluates the runs.
        out: folder of the pyabc databases (`abc_only_<prefix>.db`, replaced).
        progress: reports each step.
        pilot: the prior predictive pilot runs the summaries are fitted on (each episode's own
            targets only: `calibration.inference.projection`).

    Returns:
        One row per direction, and each direction's per-target table by '<fit>-><predicted>'
        prefixes (e.g. 'feb->sep').
    """
    rows, tables = [], {}
    names = list(specs)
    for fit, pred in ((names[0], names[1]), (names[1], names[0])):
        progress(f"cross-episode: calibrate on {fit} alone (population {budget['cross_population']}, "
                 f"{budget['cross_generations']} generations), predict {pred}")
        db = out / f"abc_only_{specs[fit].prefix}.db"
        if db.exists():
            db.unlink()
        res = run_abc([specs[fit]], observed, budget["cross_population"], budget["cross_generations"],
                      offset_seed(seed, Offset.CROSS_ABC), sampler, str(db), inferred=inferred, pilot=pilot)
        sim = predictive(draw_posterior(res.posterior, budget["cross_draws"], offset_seed(seed, Offset.CROSS_DRAWS)),
                         [specs[pred]], offset_seed(seed, Offset.CROSS_RUNS), sampler)
        tab = interval_table(sim, observed, specs[pred].timeline_names(), censoring_days([specs[pred]]))
        ptab = interval_table(sim, observed, specs[pred].profile_names())
        cov, pcov = coverage(tab), coverage(ptab)
        own = coverage(both_fit[both_fit["statistic"].isin(specs[pred].timeline_names())])
        tables[f"{specs[fit].prefix}->{specs[pred].prefix}"] = tab
        rows.append({
            "calibrated on": fit, "predicted": pred, "timeline targets": cov["n"],
            "timeline in 50%": cov["in50"], "timeline in 90%": cov["in90"],
            "profile keys in 90%": pcov["in90"], "both-episode fit: timeline in 90%": own["in90"],
            "simulations": res.n_simulations, "seconds": res.seconds,
        })
    return pd.DataFrame(rows), tables
