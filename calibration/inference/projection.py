"""Semi-automatic summary statistics: the targets projected on the parameters they inform.

The episodes have some thirty milestone days, a violence ratio and two event profiles; each
parameter moves one or two of them, and every one is noisy. A distance that adds all of them up
(`calibration.inference.distance.EpisodeDistance`) hides each parameter's signal in the noise
of the rest: over prior draws no parameter correlated above 0.2 with that distance (measured,
see the posterior report). So, after Fearnhead and Prangle (2012, 'Constructing summary
statistics for approximate Bayesian computation: semi-automatic ABC'), the ABC compares one
summary per inferred parameter: the linear regression of that parameter on the targets, fitted
on the prior predictive pilot runs (the screening's). Each summary is the pilot's best linear
estimate of its parameter from the targets, so a parameter the targets inform moves its own
summary and the distance, and a target that informs nothing weighs nothing.

Features of a run (`features`): every milestone day (censored at the window's end), whether it
was censored, the durations of `DURATIONS` (and whether the later milestone did not come by the
window's end after the earlier one did: a ceasefire still holding), the violence ratio
(undefined: 1, with an indicator) and each episode's profile mismatch share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from calibration.inference.episode_model import profile_key, profile_mismatch
from calibration.targets import EpisodeSpec, is_ratio

#: Durations the features add (start milestone, end milestone): how long a ceasefire held, a
#: pause lasted, the threat stood before the suspension, Russia's halt held. A day of collapse
#: alone mixes a ceasefire that held to the window's end with one that never came into effect.
DURATIONS = (("ceasefire_in_effect", "ceasefire_collapse"), ("talks_pause", "talks_resume"),
             ("us_threat", "channel_suspend"), ("ceasefire_collapse", "us_threat"), ("channel_suspend", "rus_halt"),
             ("rus_halt", "rus_halt_ends"))
#: Ridge penalty, relative to the number of pilot runs (the features are standardised): keeps
#: the fit stable when targets are collinear (a capture and the supply route cut on one day).
RIDGE = 1e-2


def feature_names(x0: dict, specs: Sequence[EpisodeSpec]) -> list[str]:
    """The names of `features`, in order."""
    names = []
    for spec in specs:
        for name in compared(x0, spec):
            names += [name, f"{name}:censored" if not is_ratio(name) else f"{name}:undefined"]
        for start, end in _durations(x0, spec):
            names += [f"{start}->{end}", f"{start}->{end}:open"]
        names.append(profile_key(spec.prefix))
    return names


def _durations(x0: dict, spec: EpisodeSpec) -> list[tuple[str, str]]:
    """The episode's `DURATIONS` whose two milestones are compared (full statistic names)."""
    names = set(compared(x0, spec))
    pairs = [(f"{spec.prefix}_{a}", f"{spec.prefix}_{b}") for a, b in DURATIONS]
    return [(a, b) for a, b in pairs if a in names and b in names]


def compared(x0: dict, spec: EpisodeSpec) -> list[str]:
    """The episode's scalar targets with an observed value (the others are not compared)."""
    return [name for name in spec.timeline_names() if name in x0]


def features(stats: dict, x0: dict, specs: Sequence[EpisodeSpec], undefined_as_nan: bool = False) -> np.ndarray:
    """A run's features (see the module docstring) from its packed statistics; an undefined
    ratio is 1, a duration whose first milestone did not come 0 (both NaN with
    `undefined_as_nan`, for the screening's correlations: over the runs where they are
    defined, a parameter that acts only once a ceasefire is in effect shows its effect)."""
    out = []
    for spec in specs:
        window = float(spec.window_days)
        for name in compared(x0, spec):
            value = float(stats[name])
            if is_ratio(name):
                undefined = math.isnan(value)
                out += [value if undefined and undefined_as_nan else 1.0 if undefined else value, float(undefined)]
            else:
                out += [value, float(value >= window)]
        for start, end in _durations(x0, spec):
            a, b = float(stats[start]), float(stats[end])
            began = a < window
            if not began and undefined_as_nan:
                out += [math.nan, math.nan]
                continue
            out += [min(b, window) - a if began and b >= a else 0.0, float(began and b >= window)]
        key = profile_key(spec.prefix)
        out.append(profile_mismatch(stats, x0, key) if key in x0 else 0.0)
    return np.array(out, dtype=float)


@dataclass
class Projection:
    """The fitted projection: features -> one summary per inferred parameter.

    Attributes:
        parameters: the inferred parameters (one summary each).
        mean, sd: the pilot features' mean and sd (features constant in the pilot are dropped:
            sd 0).
        coef: (features, parameters) ridge coefficients on the standardised features.
        scale: each parameter's sd over the pilot, on its unit range (its prior sd: the
            distance's unit). A summary is thus in units of its parameter: one the targets
            barely inform varies little and weighs little in the distance, where scaling each
            summary by its own sd would inflate its noise to the weight of the best-informed.
        r2: each parameter's in-sample R^2 (how much of its prior variance the targets explain
            linearly: an upper bound of what the ABC can learn of it this way).
    """

    parameters: list[str]
    mean: np.ndarray
    sd: np.ndarray
    coef: np.ndarray
    scale: np.ndarray
    r2: dict[str, float]

    def summaries(self, f: np.ndarray) -> np.ndarray:
        z = np.where(self.sd > 0, (f - self.mean) / np.where(self.sd > 0, self.sd, 1.0), 0.0)
        return z @ self.coef / self.scale


def fit_projection(pilot_features: np.ndarray, pilot_parameters: np.ndarray, parameters: Sequence[str],
                   bounds: dict[str, tuple[float, float]]) -> Projection:
    """Ridge regression of each parameter (on its unit range) on the standardised features.

    Args:
        pilot_features: (runs, features).
        pilot_parameters: (runs, parameters), in `parameters` order.
        parameters: the inferred parameters.
        bounds: each parameter's (low, high).
    """
    X = np.asarray(pilot_features, dtype=float)
    mean, sd = X.mean(axis=0), X.std(axis=0)
    Z = np.where(sd > 0, (X - mean) / np.where(sd > 0, sd, 1.0), 0.0)
    low = np.array([bounds[p][0] for p in parameters])
    width = np.array([bounds[p][1] - bounds[p][0] for p in parameters])
    Y = (np.asarray(pilot_parameters, dtype=float) - low) / width
    Y = Y - Y.mean(axis=0)
    n, k = Z.shape
    coef = np.linalg.solve(Z.T @ Z + RIDGE * n * np.eye(k), Z.T @ Y)
    fitted = Z @ coef
    scale = Y.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    r2 = 1.0 - ((Y - fitted) ** 2).sum(axis=0) / np.maximum((Y**2).sum(axis=0), 1e-12)
    return Projection(list(parameters), mean, sd, coef, scale, {p: float(v) for p, v in zip(parameters, r2)})
