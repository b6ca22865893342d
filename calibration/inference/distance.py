"""The ABC distances.

- `ProjectedDistance`, what the calibration uses: Euclidean over semi-automatic summaries, one
  per inferred parameter (`calibration.inference.projection`).
- `EpisodeDistance`: a scaled L1 over the milestone days and violence ratios (censored values
  at the window's end: a censored observation against a simulated day d costs T - d) plus one
  profile mismatch per episode; used when no pilot runs are given (tiny test runs), and the
  scales of the raw targets in the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyabc

from calibration.inference.episode_model import is_profile_key, profile_key, profile_mismatch
from calibration.inference.projection import features
from calibration.targets import EpisodeSpec, is_ratio

#: Scale floors: a day; a twentieth of the violence ratio.
DAY_SCALE_FLOOR = 1.0
RATIO_SCALE_FLOOR = 0.05
#: What an undefined simulated violence ratio (no ceasefire came into effect) costs, unscaled:
#: as if it were off by the whole ratio.
RATIO_UNDEFINED_COST = 1.0


class EpisodeDistance(pyabc.Distance):
    """Scaled L1 over timeline statistics plus one mismatch share per episode profile.

    Scales are the standard deviations of each statistic in the prior predictive sample (the
    calibration generation), floored (1 day; 0.05 for a ratio; 1/K for a profile of K keys).
    A milestone that did not happen by the window's end has the value T on both sides, so a
    censored observation against a simulated day d costs T - d, and a simulated censoring
    against an observed day d the same. A simulated violence ratio that is undefined (no
    ceasefire came into effect) costs `RATIO_UNDEFINED_COST`.
    No statistic dominates by its units; the profile of an episode counts as one statistic
    however many keys it has.

    Args:
        specs: the episodes compared.
        scales: fixed scales (default: computed from pyabc's calibration generation).

    Attributes:
        scales: each statistic's scale (None until calibrated).
        windows: each scalar statistic's cost when its simulated value is undefined.
        floors: each statistic's scale floor.
    """

    def __init__(self, specs: Sequence[EpisodeSpec], scales: dict[str, float] | None = None):
        self.specs = tuple(specs)
        self.scales = dict(scales) if scales else None
        self.windows = {}
        self.floors = {}
        for spec in self.specs:
            for name in spec.timeline_names():
                ratio = is_ratio(name)
                self.windows[name] = RATIO_UNDEFINED_COST if ratio else float(spec.window_days)
                self.floors[name] = RATIO_SCALE_FLOOR if ratio else DAY_SCALE_FLOOR
            self.floors[profile_key(spec.prefix)] = 1.0 / len(spec.profile_names())

    def requires_calibration(self) -> bool:
        return self.scales is None

    def initialize(self, t, get_sample, x_0, total_sims):
        if self.scales is None:
            self.scales = self.compute_scales(get_sample().all_sum_stats, x_0)

    def compute_scales(self, sample: Sequence[dict], x_0: dict) -> dict[str, float]:
        scales = {}
        for key in x_0:
            values = np.array([compared_value(s, x_0, key) for s in sample], dtype=float)
            values = values[np.isfinite(values)]
            spread = float(np.std(values)) if len(values) > 1 else 0.0
            scales[key] = max(spread, self.floors[key])
        return scales

    def contributions(self, x: dict, x_0: dict) -> dict[str, float]:
        """Each statistic's scaled contribution to the distance."""
        out = {}
        for key, obs in x_0.items():
            scale = self.scales[key]
            if is_profile_key(key):
                out[key] = compared_value(x, x_0, key) / scale
                continue
            value = float(x[key])
            out[key] = self.windows[key] / scale if math.isnan(value) else abs(value - float(obs)) / scale
        return out

    def __call__(self, x, x_0, t=None, par=None) -> float:
        return float(sum(self.contributions(x, x_0).values()))

    def get_config(self) -> dict:
        return {"name": "EpisodeDistance", "scales": self.scales}


def compared_value(x: dict, x_0: dict, key: str) -> float:
    """The unscaled statistic compared: the value itself, or a profile's mismatch share (the
    share of its keys whose presence differs from the observed)."""
    return profile_mismatch(x, x_0, key) if is_profile_key(key) else float(x[key])


class ProjectedDistance(pyabc.Distance):
    """Euclidean distance between the semi-automatic summaries of a run and of the observed
    record (`calibration.inference.projection`): one summary per inferred parameter, each in
    units of its parameter's prior sd (a summary the targets barely inform weighs little).

    Args:
        specs: the episodes compared.
        projection: the fitted projection.
    """

    def __init__(self, specs: Sequence[EpisodeSpec], projection):
        self.specs = tuple(specs)
        self.projection = projection
        self._observed = None

    def summaries(self, x: dict, x_0: dict) -> np.ndarray:
        return self.projection.summaries(features(x, x_0, self.specs))

    def __call__(self, x, x_0, t=None, par=None) -> float:
        if self._observed is None:
            self._observed = self.summaries(x_0, x_0)
        return float(np.sqrt(np.sum((self.summaries(x, x_0) - self._observed) ** 2)))

    def get_config(self) -> dict:
        return {"name": "ProjectedDistance", "parameters": self.projection.parameters}
