"""Screening: which calibrated parameters can the targets inform? (prior predictive ranks)

Importance weights of ABC-SMC in ~45 dimensions degenerate (effective sample size ~1 after one
generation, measured), so the SMC moves only the parameters the data can inform; the others
keep their priors (`calibration.inference.smc.run_abc`'s `inferred`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from calibration.inference.episode_model import observed_packed, simulate_statistics
from calibration.inference.prior import prior_draws
from calibration.inference.projection import feature_names, features
from calibration.inference.sampler import SeededMapSampler
from calibration.seeds import Stream, run_seed, stream
from calibration.targets import EpisodeSpec


def _spearman(x: pd.Series, y: pd.Series) -> float:
    """Spearman correlation over the runs where `y` is defined (a violence ratio is undefined
    without a ceasefire in effect, how long it held too: their defined values carry the
    signal, not their definedness)."""
    keep = y.notna()
    x, y = x[keep].rank(), y[keep].rank()
    if len(y) < 3 or y.std() == 0 or x.std() == 0:
        return 0.0
    value = float(np.corrcoef(x, y)[0, 1])
    return 0.0 if np.isnan(value) else value


def simulate_pilot(specs: Sequence[EpisodeSpec], n: int, seed: int, sampler: SeededMapSampler,
                   measurements: Sequence[str] = ()) -> list[tuple[dict, dict]]:
    """n prior draws, one run of every episode each: (parameters, packed statistics) of each,
    with the outcomes in `measurements` (`episode_model.simulate_statistics`)."""
    draws = prior_draws(n, stream(seed, Stream.SCREENING_DRAWS))
    args = [(d, tuple(specs), run_seed(seed, d), tuple(measurements)) for d in draws]
    return list(zip(draws, sampler.map(simulate_statistics, args)))


def rank_parameters(pilot: Sequence[tuple[dict, dict]], observed: dict[str, float], specs: Sequence[EpisodeSpec],
                    threshold: float, max_inferred: int) -> pd.DataFrame:
    """The screening's table of pilot runs (`screen_parameters`): one row per calibrated
    parameter, strongest first: parameter, max_abs_spearman, statistic, inferred."""
    x0 = observed_packed(observed, specs)
    stats = pd.DataFrame([features(r, x0, specs, undefined_as_nan=True) for _, r in pilot],
                         columns=feature_names(x0, specs))
    pars = pd.DataFrame([d for d, _ in pilot])
    rows = []
    for name in pars.columns:
        corr = stats.apply(lambda col: _spearman(pars[name], col))
        best = corr.abs().idxmax()
        rows.append({"parameter": name, "max_abs_spearman": float(abs(corr[best])), "statistic": best})
    table = pd.DataFrame(rows).sort_values("max_abs_spearman", ascending=False).reset_index(drop=True)
    table["inferred"] = (table["max_abs_spearman"] >= threshold) & (table.index < max_inferred)
    return table


def screen_parameters(
    specs: Sequence[EpisodeSpec], observed: dict[str, float], n: int, seed: int, sampler: SeededMapSampler,
    threshold: float = 0.1, max_inferred: int = 12, measurements: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[tuple[dict, dict]]]:
    """Which parameters can the targets inform? Prior predictive screening.

    n draws from the priors, one run of every episode each (`simulate_pilot`); for each
    parameter the largest absolute Spearman correlation with any feature of the targets (the
    ABC's, `calibration.inference.projection.features`: milestone days, censoring, durations,
    the violence ratio, profile mismatch shares). Parameters above `threshold` (3 standard
    errors at n = 1000 is ~0.095), at most `max_inferred` of them by strength, are inferred by
    the SMC; the others keep their priors. Each run also records the outcomes in
    `measurements`.

    Returns:
        One row per calibrated parameter, strongest first: parameter, max_abs_spearman,
        statistic (the target it correlates with most), inferred; and the pilot runs
        (parameters, packed statistics) the ABC's summaries are fitted on.
    """
    pilot = simulate_pilot(specs, n, seed, sampler, measurements)
    return rank_parameters(pilot, observed, specs, threshold, max_inferred), pilot
