"""The posterior file format: a weighted sample of parameter vectors written by the calibration.

The file is a CSV with `draw_id`, `weight` and one column per calibrated parameter (names and
ranges from the parameter table). A study gives replicate r the draw picked for r by the study
seed alone (weighted, with replacement), so a study extended to more replicates keeps its pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.model.parameters import parameter_table
from sim.paths import DEFAULT_POSTERIOR
from sim.results.provenance import file_sha256

#: spawn_key under the study seed for the assignment of posterior draws to replicates
#: (replicate seeds use keys 0 .. replicates-1; this one is far from them).
DRAW_KEY = 2**32 - 1


@dataclass(frozen=True)
class Posterior:
    """A weighted posterior sample of parameter vectors.

    Attributes:
        path: the file read.
        draw_ids: draw identifiers.
        weights: normalised weights.
        values: parameter name -> values (aligned with draw_ids).
        sha256: hash of the file (recorded in study manifests).
    """

    path: Path
    draw_ids: np.ndarray
    weights: np.ndarray
    values: dict[str, np.ndarray]
    sha256: str

    def draw(self, index: int) -> dict[str, float]:
        """Parameter values of the draw at position `index`."""
        return {name: float(column[index]) for name, column in self.values.items()}

    def assign(self, study_seed: int, replicates: int) -> np.ndarray:
        """Positions of the draws given to replicates 0..n-1 (weighted, with replacement).

        Replicate r's draw depends only on the study seed and r, not on how many replicates
        the study has: a study extended from 100 to 1,000 replicates keeps its first 100 pairs.
        """
        cumulative = np.cumsum(self.weights)
        cumulative[-1] = 1.0
        positions = np.empty(replicates, dtype=np.int64)
        for r in range(replicates):
            u = np.random.default_rng(np.random.SeedSequence(study_seed, spawn_key=(DRAW_KEY, r))).random()
            positions[r] = int(np.searchsorted(cumulative, u, side="right"))
        return positions


def load_posterior(path: str | Path = DEFAULT_POSTERIOR) -> Posterior:
    """Read a posterior sample (draw_id, weight, parameter columns).

    Args:
        path: the CSV file (default: the calibration's published posterior).

    Raises:
        UserError: missing file, missing columns, unknown parameters, bad weights (one line).
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no posterior sample here; run `run.py calibrate` or use --defaults")
    frame = pd.read_csv(path)
    for column in ("draw_id", "weight"):
        if column not in frame.columns:
            raise UserError(f"{path}: missing column {column!r}; expected draw_id, weight, parameters")
    table = parameter_table()
    names = [c for c in frame.columns if c not in ("draw_id", "weight")]
    unknown = [n for n in names if n not in table]
    if unknown:
        raise UserError(f"{path}: unknown parameters {unknown}; allowed: the names in sim/model/parameters.csv")
    weights = frame["weight"].to_numpy(dtype=float)
    if len(weights) == 0 or not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
        raise UserError(f"{path}: weight must be non-negative numbers with a positive sum")
    for name in names:
        spec = table[name]
        values = frame[name].to_numpy(dtype=float)
        if np.any((values < spec.low) | (values > spec.high)):
            raise UserError(f"{path}: {name} has values outside its range [{spec.low:g}, {spec.high:g}]")
    return Posterior(
        path=path,
        draw_ids=frame["draw_id"].to_numpy(),
        weights=weights / weights.sum(),
        values={name: frame[name].to_numpy(dtype=float) for name in names},
        sha256=file_sha256(path),
    )


def write_prior_sample(path: str | Path, draws: int, seed: int) -> Path:
    """A sample of the calibrated parameters from their priors (uniform on their documented
    ranges), equal weights, in this file format: a study on it is the prior predictive."""
    rng = np.random.default_rng(seed)
    columns = {"draw_id": np.arange(draws), "weight": np.full(draws, 1.0 / draws)}
    for name, spec in parameter_table().items():
        if spec.calibrated:
            columns[name] = rng.uniform(spec.low, spec.high, draws)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(columns).to_csv(path, index=False)
    return path
