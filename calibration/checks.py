"""Checks of a calibration: posterior predictive, cross-episode prediction, identifiability."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from calibration.inference.smc import _scenario, calibrated_parameters, run_seed
from calibration.targets import EpisodeSpec, describe, statistics_from_model
from sim.model.model import DiplomacyModel

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def flat_statistics(parameters: dict[str, float], specs: Sequence[EpisodeSpec], seed: int) -> dict[str, float]:
    """Every statistic (profile keys one by one) of every episode of `specs` for one draw."""
    out = {}
    for spec in specs:
        model = DiplomacyModel(scenario=_scenario(spec.episode), parameters=parameters, rng=seed)
        model.run()
        out.update(statistics_from_model(model, spec))
    return out


def draw_posterior(posterior: pd.DataFrame, n: int, seed: int) -> list[dict[str, float]]:
    """n parameter sets resampled from the weighted posterior (with replacement)."""
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy(dtype=float)
    idx = rng.choice(len(posterior), size=n, replace=True, p=weights / weights.sum())
    names = [c for c in posterior.columns if c not in ("draw_id", "weight")]
    return [{k: float(posterior.iloc[i][k]) for k in names} for i in idx]


def draw_prior(n: int, seed: int) -> list[dict[str, float]]:
    """n parameter sets from the uniform priors."""
    rng = np.random.default_rng(seed)
    specs = calibrated_parameters()
    return [{s.name: float(rng.uniform(s.low, s.high)) for s in specs} for _ in range(n)]


def predictive(draws: list[dict[str, float]], specs: Sequence[EpisodeSpec], seed: int, sampler) -> pd.DataFrame:
    """One run per draw of every episode; one row per draw, one column per statistic."""
    args = [(d, tuple(specs), run_seed(seed + i, d)) for i, d in enumerate(draws)]
    return pd.DataFrame(sampler.map(flat_statistics, args))


def interval_table(sim: pd.DataFrame, observed: dict[str, float], names: Sequence[str]) -> pd.DataFrame:
    """Observed value against the simulated 50% and 90% intervals, per statistic.

    Quantiles are over the runs where the statistic is defined (`sim_undefined` is the share of
    runs where its start anchor did not happen); an observed statistic that is missing is
    reported and not scored.
    """
    rows = []
    for name in names:
        values = sim[name].to_numpy(dtype=float)
        defined = values[~np.isnan(values)]
        obs = observed.get(name, math.nan)
        row = {"statistic": name, "meaning": describe(name), "observed": obs,
               "sim_undefined": 1 - len(defined) / len(values) if len(values) else math.nan}
        if len(defined):
            q = np.quantile(defined, QUANTILES)
            row.update({f"q{int(p * 100):02d}": v for p, v in zip(QUANTILES, q)})
            row["sim_mean"] = float(defined.mean())
            if math.isnan(obs):
                row["in50"], row["in90"] = None, None
            else:
                row["in50"] = bool(q[1] <= obs <= q[3])
                row["in90"] = bool(q[0] <= obs <= q[4])
        else:
            row.update({f"q{int(p * 100):02d}": math.nan for p in QUANTILES})
            row["sim_mean"] = math.nan
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
    0.5, 'weakly informed' below 0.8, else 'not identified' (posterior about the prior).
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
        verdict = "informed" if sd_ratio < 0.5 else "weakly informed" if sd_ratio < 0.8 else "not identified"
        if inferred is not None and spec.name not in inferred:
            verdict = "not identified (screened out)"
        rows.append({
            "parameter": spec.name, "basis": spec.basis, "default": spec.default,
            "prior_low": spec.low, "prior_high": spec.high, "post_mean": mean,
            "post_q05": lo, "post_q95": hi, "sd_ratio": sd_ratio, "ci90_ratio": ci_ratio,
            "shift": (mean - (spec.low + spec.high) / 2) / width, "verdict": verdict,
        })
    return pd.DataFrame(rows).sort_values("sd_ratio").reset_index(drop=True)
