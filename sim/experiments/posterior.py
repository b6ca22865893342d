"""The posterior file format: a weighted sample of parameter vectors written by the calibration.

The file is a CSV with `draw_id`, `weight` and one column per calibrated parameter (names and
ranges from the parameter table). A study gives replicate r the draw picked for r by the study
seed alone (weighted, with replacement), so a study extended to more replicates keeps its pairs.
"""

from __future__ import annotations

import csv
import io
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
#: The largest draw id (the results store keeps it as a 64-bit integer).
_MAX_DRAW_ID = 2**63 - 1


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

    def parameter_sets(self, n: int, seed: int) -> list[dict[str, float]]:
        """The parameters of n weighted draws: what replicates 0..n-1 of a study with this seed
        get. Pass them to `mesa.batch_run` as `parameters={"parameters": ...}`, or to
        `DiplomacyModel(parameters=...)`."""
        return [self.draw(int(p)) for p in self.assign(seed, n)]

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

    The calibration writes every calibrated parameter (those it did not infer as draws from
    their priors), so a file without one is refused rather than run on that parameter's default.

    Args:
        path: the CSV file (default: the calibration's published posterior).

    Raises:
        UserError: one line naming the file, and the column and line of a bad cell: a missing
            file, an empty one, missing, repeated or unknown columns, a ragged row, a draw_id
            that is not a unique integer, an empty, non-numeric or non-finite cell, a negative
            weight or weights summing to 0, a value outside the parameter's documented range.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no posterior sample here; run `run.py calibrate` or use --defaults")
    header, rows = _read_rows(path)
    table = parameter_table()
    for i, column in enumerate(header):
        if column in header[:i]:
            raise UserError(f"{path}: column {column!r} appears twice; allowed: each column once")
    for column in ("draw_id", "weight"):
        if column not in header:
            raise UserError(f"{path}: missing column {column!r}; expected draw_id, weight, parameters")
    names = [c for c in header if c not in ("draw_id", "weight")]
    unknown = [n for n in names if n not in table]
    if unknown:
        raise UserError(f"{path}: unknown parameters {unknown}; allowed: the names in sim/model/parameters.csv")
    missing = [n for n, spec in table.items() if spec.calibrated and n not in header]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise UserError(f"{path}: missing column {missing[0]!r}{more}; allowed: draw_id, weight and a column "
                        "for every calibrated parameter of sim/model/parameters.csv, as `run.py calibrate` writes")
    if not rows:
        raise UserError(f"{path}: no draws, only a header; allowed: one row per draw")
    for line, row in rows:
        if len(row) != len(header):
            raise UserError(f"{path}: line {line}: {len(row)} fields, the header has {len(header)}; "
                            "allowed: one value per column")
    lines = [line for line, _ in rows]
    cells = {column: [row[i] for _, row in rows] for i, column in enumerate(header)}

    draw_ids = _draw_ids(path, lines, cells["draw_id"])
    allowed = "numbers >= 0 with a positive sum"
    weights = _numbers(path, "weight", lines, cells["weight"], allowed)
    _refuse_first(path, "weight", lines, weights, weights < 0, "is negative", allowed)
    total = weights.sum()
    if not 0 < total < np.inf:
        raise UserError(f"{path}: weight: the weights sum to {total:g}; allowed: {allowed}")
    values = {}
    for name in names:
        spec = table[name]
        allowed = f"a number in [{spec.low:g}, {spec.high:g}] ({spec.unit})"
        column = _numbers(path, name, lines, cells[name], allowed)
        _refuse_first(path, name, lines, column, (column < spec.low) | (column > spec.high),
                      f"is outside its range [{spec.low:g}, {spec.high:g}]", allowed)
        values[name] = column
    return Posterior(
        path=path,
        draw_ids=draw_ids,
        weights=weights / total,
        values=values,
        sha256=file_sha256(path),
    )


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows of a CSV file, each row with its line number."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text (byte {err.start}); allowed: a UTF-8 CSV file") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read: {err.strerror or err}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:  # a NUL byte, an unterminated quote, a huge field
        raise UserError(" ".join(f"{path}: line {reader.line_num}: not CSV ({err}); allowed: a CSV file "
                                 "with draw_id, weight and parameter columns".split())) from None
    if not rows:
        raise UserError(f"{path}: the file is empty; allowed: a header (draw_id, weight, parameters) "
                        "and one row per draw")
    return rows[0][1], rows[1:]


def _numbers(path: Path, column: str, lines: list[int], cells: list[str], allowed: str) -> np.ndarray:
    """The cells of a column as finite numbers; a cell that is not one names its line."""
    values = []
    for line, cell in zip(lines, cells):
        try:
            values.append(float(cell))
        except ValueError:
            what = "is empty" if not cell.strip() else f"{cell.strip()!r} is not a number"
            raise UserError(f"{path}: {column}: line {line}: {what}; allowed: {allowed}") from None
    array = np.array(values)
    infinite = ~np.isfinite(array)  # NaN or inf would make every run fail, or no draw be picked
    if infinite.any():
        k = int(np.argmax(infinite))
        raise UserError(f"{path}: {column}: line {lines[k]}: {cells[k].strip()!r} is not a finite number; "
                        f"allowed: {allowed}")
    return array


def _refuse_first(path: Path, column: str, lines: list[int], values: np.ndarray, bad: np.ndarray,
                  what: str, allowed: str) -> None:
    """Refuse the first value where `bad` holds, naming its line."""
    if bad.any():
        k = int(np.argmax(bad))
        raise UserError(f"{path}: {column}: line {lines[k]}: {values[k]:g} {what}; allowed: {allowed}")


def _draw_ids(path: Path, lines: list[int], cells: list[str]) -> np.ndarray:
    """The draw ids: unique integers >= 0 (a run stores its draw's id; -1 means no draw)."""
    allowed = f"unique integers in 0..{_MAX_DRAW_ID}"
    ids: list[int] = []
    seen: set[int] = set()
    for line, cell in zip(lines, cells):
        try:
            draw_id = int(cell)
        except ValueError:
            raise UserError(f"{path}: draw_id: line {line}: {cell.strip()!r} is not an integer; "
                            f"allowed: {allowed}") from None
        if not 0 <= draw_id <= _MAX_DRAW_ID or draw_id in seen:
            what = "is repeated" if draw_id in seen else "is out of range"
            raise UserError(f"{path}: draw_id: line {line}: {draw_id} {what}; allowed: {allowed}")
        seen.add(draw_id)
        ids.append(draw_id)
    return np.array(ids, dtype=np.int64)


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
