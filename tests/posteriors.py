"""Hand-made posterior samples for tests: the given columns, every other calibrated parameter at
its default (a posterior file must carry every calibrated parameter)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.model.parameters import parameter_table


def write_posterior(path: Path, columns: dict[str, list]) -> Path:
    """Write a posterior CSV: `columns` (draw_id, weight and some parameters) plus the defaults."""
    rows = len(next(iter(columns.values())))
    defaults = {n: [s.default] * rows for n, s in parameter_table().items() if s.calibrated and n not in columns}
    pd.DataFrame({**columns, **defaults}).to_csv(path, index=False)
    return path
