"""Proper scores of a predictive sample against the record: CRPS, Brier, interval coverage, PIT.

Milestone days are censored at the window's end T on both sides (a milestone that did not
come by T is T), so the CRPS is that of the censored variable, a proper score of it
(`calibration.checks.crps`). Whether it happened by T is scored by the Brier score of the
predicted probability. The probability integral transform of a discrete, censored forecast is
randomised (Czado, Gneiting and Held 2009): u = F(y-) + v (F(y) - F(y-)) with v uniform, so a
calibrated forecast gives uniform PIT values even where many runs share one day.

Skill against a reference forecast is 1 - score / reference score (ViEWS' convention): above 0
the model beats the reference, 1 is a perfect forecast.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from calibration.checks import interval_table
from calibration.targets import is_ratio


def brier(sample: np.ndarray, observed: float, window: float) -> float:
    """(P(before the window's end) - happened)^2 of a milestone; NaN without an observation."""
    x = np.asarray(sample, dtype=float)
    if math.isnan(observed) or x.size == 0:
        return math.nan
    return float((np.mean(x < window) - float(observed < window)) ** 2)


def randomized_pit(sample: np.ndarray, observed: float, v: float) -> float:
    """F(y-) + v (F(y) - F(y-)) of the sample's empirical distribution; NaN without an
    observation. `v` is a uniform draw in [0, 1)."""
    x = np.asarray(sample, dtype=float)
    x = x[~np.isnan(x)]
    if math.isnan(observed) or x.size == 0:
        return math.nan
    below = float(np.mean(x < observed))
    at = float(np.mean(x == observed))
    return below + v * at


def skill(score: float, reference: float) -> float:
    """1 - score / reference (NaN when the reference is perfect or missing)."""
    if math.isnan(score) or math.isnan(reference) or reference <= 0:
        return math.nan
    return 1.0 - score / reference


def forecast_scores(sim: pd.DataFrame, observed: Mapping[str, float], names: Sequence[str],
                    censored_at: Mapping[str, float], rng: np.random.Generator) -> pd.DataFrame:
    """`calibration.checks.interval_table` of `names` (quantiles, 50% and 90% coverage, CRPS)
    with the Brier score of each milestone and each statistic's randomised PIT.

    Args:
        sim: one row per predictive run, one column per statistic.
        observed: the record's statistics (NaN or missing: not scored).
        names: the statistics scored.
        censored_at: milestone statistic -> the window's end T.
        rng: the PIT's uniform draws (one per statistic, in `names` order).
    """
    table = interval_table(sim, dict(observed), names, dict(censored_at))
    briers, pits = [], []
    for name in names:
        values = sim[name].to_numpy(dtype=float)
        obs = float(observed.get(name, math.nan))
        v = float(rng.uniform())
        briers.append(math.nan if is_ratio(name) else brier(values, obs, censored_at[name]))
        pits.append(randomized_pit(values, obs, v))
    table["brier"] = briers
    table["pit"] = pits
    return table
