"""Tables as text: the one Markdown table writer of the project's reports.

The study report, the calibration report and the README's tables are all written by
`markdown_table`, so a table looks the same wherever it appears.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.atomic import atomic_path


def format_cell(value, digits: int = 3, no: str = "no") -> str:
    """A cell as text: None and NaN as '-', booleans as 'yes' / `no`, floats to `digits`
    significant digits, anything else as str()."""
    if value is None:
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else no
    if isinstance(value, float | np.floating):
        return "-" if math.isnan(value) else f"{value:.{digits}g}"
    return str(value)


def markdown_table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    headers: Sequence[str] | None = None,
    digits: int | None = None,
    no: str = "no",
) -> str:
    """A DataFrame as a GitHub Markdown table.

    Args:
        frame: the rows.
        columns: the columns to show, in order (default: all).
        headers: their header texts (default: the column names).
        digits: format cells with `format_cell` (floats to this many significant digits); None
            writes every cell as str() (for tables whose cells are already text).
        no: how `format_cell` writes False (e.g. '**no**' to make a miss stand out).
    """
    columns = list(frame.columns if columns is None else columns)
    headers = [str(h) for h in (columns if headers is None else headers)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in frame[columns].itertuples(index=False):
        cells = (str(v) if digits is None else format_cell(v, digits, no) for v in row)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def replace_marked_section(path: str | Path, start: str, end: str, section: str) -> None:
    """Replace the text from the `start` marker to the `end` marker (both kept, as `section`
    must begin and end with them) in a file, atomically: how the README's generated sections
    are rewritten by the commands that measure them."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    first, last = text.index(start), text.index(end) + len(end)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text[:first] + section + text[last:], encoding="utf-8")
