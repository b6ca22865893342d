"""The model's own tables (`parameters.csv`, `outcomes.csv`), read from the package.

They are part of the model (their bytes are in its fingerprint), not project files: a model
installed elsewhere reads them from its own package.
"""

from __future__ import annotations

import csv
from importlib import resources


def table_rows(filename: str) -> list[dict[str, str]]:
    """The rows of one of the model's CSV tables, as dicts of text, in file order."""
    text = resources.files("sim.model").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))
