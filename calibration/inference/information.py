"""How much can the targets teach about each parameter, and which new measurement would teach more?

A posterior sd is only half the prior's if the data explain about three quarters of the
parameter's prior variance. Over prior predictive runs that share is measurable before any
ABC: the out-of-fold R^2 of the best regression of the parameter on the targets' features
estimates 1 - E[Var(theta | x)] / Var(theta), so

    expected sd ratio ~ sqrt(1 - R^2)

is what an exact posterior would reach on average over records the model could have produced
(the observed record may sit where the posterior is sharper or wider). The regression is
gradient boosting (scikit-learn's `HistGradientBoostingRegressor`), which reads a duration
that is undefined (NaN: no ceasefire came into effect) and a bound (a truce cannot start
before its start date) that a linear fit misses; the ABC's own linear summaries
(`calibration.inference.projection`) reach less. Which targets carry the information is read
from the permutation importance of each feature in the held-out fold.

Which new measurement would identify a parameter: the same regression with the targets and
each `CANDIDATE_MEASUREMENTS` outcome of both episodes (counts a record could report: strikes,
deaths, localities, refusals), and the candidate whose permutation costs the most R^2. This is
an answer to 'which targets would identify which parameters', measured on the model, not
argued.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.model_selection import KFold

from calibration.inference.episode_model import measurement_key
from calibration.inference.projection import feature_names, features
from calibration.targets import EpisodeSpec

#: Run outcomes a record could measure but the targets do not use (`sim/model/outcomes.csv`):
#: strike counts (reported as 'more than 500 raids'), deaths (the monitors' daily counts),
#: localities taken, refusals of a call to halt, days a ceasefire was in force.
CANDIDATE_MEASUREMENTS = ("rus_strikes_total", "gov_strikes_total", "civilian_harm", "localities_captured",
                          "rus_refusals", "ceasefire_in_effect_days")
#: Folds of the out-of-fold R^2 (each parameter is fitted this many times per feature set).
FOLDS = 3
#: Gradient boosting settings: shallow trees, a slow rate, leaves of at least 40 runs (the
#: pilot has a few thousand runs; deeper fits memorise its noise).
BOOSTING = dict(max_iter=150, learning_rate=0.05, min_samples_leaf=40, max_leaf_nodes=15)
#: Parameters explaining less than this share of their variance get no importance ranking
#: (there is nothing to attribute).
MIN_R2 = 0.05


def expected_sd_ratio(r2: float) -> float:
    """sqrt(1 - R^2): the posterior sd over the prior's an exact posterior reaches on average."""
    return math.sqrt(min(1.0, max(0.0, 1.0 - r2)))


def _usable(X: np.ndarray) -> np.ndarray:
    """Columns with enough defined values that vary (the others carry no information)."""
    defined = np.isfinite(X)
    keep = defined.sum(axis=0) >= max(10, X.shape[0] // 20)
    spread = np.array([np.nanstd(X[defined[:, j], j]) if keep[j] else 0.0 for j in range(X.shape[1])])
    return keep & (spread > 0)


def _out_of_fold(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, HistGradientBoostingRegressor, np.ndarray]:
    """Out-of-fold R^2 of y on X; the last fold's model and its held-out rows."""
    predicted = np.empty_like(y)
    model, held = None, None
    for train, test in KFold(FOLDS, shuffle=True, random_state=seed).split(X):
        model = HistGradientBoostingRegressor(random_state=seed, **BOOSTING).fit(X[train], y[train])
        predicted[test] = model.predict(X[test])
        held = test
    r2 = 1.0 - float(np.mean((y - predicted) ** 2)) / max(float(np.var(y)), 1e-12)
    return r2, model, held


def _top(model, X: np.ndarray, y: np.ndarray, names: Sequence[str], columns: Sequence[int], k: int,
         seed: int) -> list[tuple[str, float]]:
    """The k features (among `columns`) whose permutation lowers the held-out R^2 most."""
    result = permutation_importance(model, X, y, n_repeats=2, random_state=seed, scoring="r2")
    ranked = sorted(columns, key=lambda j: -result.importances_mean[j])[:k]
    return [(names[j], float(result.importances_mean[j])) for j in ranked if result.importances_mean[j] > 0]


def _parameter_row(name: str, y: np.ndarray, X_t: np.ndarray, names_t: list[str], X_b: np.ndarray,
                   names_b: list[str], candidate_cols: list[int], seed: int) -> dict:
    """One parameter's row of `information_table` (y on its unit range)."""
    r2, model, held = _out_of_fold(X_t, y, seed)
    top = _top(model, X_t[held], y[held], names_t, range(len(names_t)), 3, seed) if r2 >= MIN_R2 else []
    r2_b, model_b, held_b = _out_of_fold(X_b, y, seed)
    best = _top(model_b, X_b[held_b], y[held_b], names_b, candidate_cols, 1, seed) if r2_b >= MIN_R2 else []
    return {
        "parameter": name, "r2_targets": r2, "expected_sd_ratio": expected_sd_ratio(r2),
        "informative_targets": "; ".join(f"{n} ({v:.2f})" for n, v in top) or "-",
        "r2_with_candidates": r2_b, "expected_sd_ratio_with_candidates": expected_sd_ratio(r2_b),
        "best_candidate": f"{best[0][0]} ({best[0][1]:.2f})" if best else "-",
    }


def _serial_map(fn: Callable, arg_tuples: Sequence[tuple]) -> list:
    return [fn(*args) for args in arg_tuples]


def information_table(parameters: pd.DataFrame, bounds: dict[str, tuple[float, float]], targets: np.ndarray,
                      target_names: Sequence[str], candidates: np.ndarray, candidate_names: Sequence[str],
                      seed: int = 0, map_fn: Callable = _serial_map) -> pd.DataFrame:
    """Per parameter: what the targets can teach and which candidate measurement would add most.

    Args:
        parameters: the pilot's prior draws, one column per parameter.
        bounds: each parameter's (low, high).
        targets: (runs, features) the targets' features (`projection.features`, undefined as NaN).
        target_names: their names.
        candidates: (runs, candidates) the candidate measurements of the same runs.
        candidate_names: their names.
        seed: the folds' and the permutations' seed.
        map_fn: an ordered map(fn, argument tuples), e.g. a `SeededMapSampler`'s (one parameter
            per task; the table does not depend on it).

    Returns:
        One row per parameter, best informed first: r2_targets, expected_sd_ratio, informative
        targets ('name (R^2 lost)'; '-' below `MIN_R2`), r2_with_candidates,
        expected_sd_ratio_with_candidates, best_candidate.
    """
    keep_t = _usable(targets)
    both = np.hstack([targets, candidates])
    keep_b = _usable(both)
    X_t, names_t = targets[:, keep_t], [n for n, k in zip(target_names, keep_t) if k]
    X_b = both[:, keep_b]
    names_b = [n for n, k in zip(list(target_names) + list(candidate_names), keep_b) if k]
    candidate_cols = [j for j, n in enumerate(names_b) if n in set(candidate_names)]
    args = []
    for name in parameters.columns:
        low, high = bounds[name]
        y = (parameters[name].to_numpy(dtype=float) - low) / (high - low)
        args.append((name, y, X_t, names_t, X_b, names_b, candidate_cols, seed))
    rows = map_fn(_parameter_row, args)
    return pd.DataFrame(rows).sort_values("r2_targets", ascending=False).reset_index(drop=True)


def pilot_information(pilot: Sequence[tuple[dict, dict]], x0: dict, specs: Sequence[EpisodeSpec],
                      bounds: dict[str, tuple[float, float]], seed: int = 0,
                      map_fn: Callable = _serial_map) -> pd.DataFrame:
    """`information_table` of prior predictive runs (the screening's pilot, run with the
    `CANDIDATE_MEASUREMENTS`): every parameter in `bounds`.

    Args:
        pilot: (parameters, statistics) of each prior run.
        x0: the observed statistics, packed (`episode_model.observed_packed`).
        specs: the episodes.
        bounds: each parameter's (low, high).
        seed: the folds' and the permutations' seed.
        map_fn: `information_table`'s.
    """
    draws = pd.DataFrame([draw for draw, _ in pilot])[list(bounds)]
    targets = np.array([features(stats, x0, specs, undefined_as_nan=True) for _, stats in pilot])
    names = [measurement_key(spec.prefix, m) for spec in specs for m in CANDIDATE_MEASUREMENTS]
    candidates = np.array([[float(stats[n]) for n in names] for _, stats in pilot])
    return information_table(draws, bounds, targets, feature_names(x0, specs), candidates, names, seed, map_fn)
