"""Where the project's files are: the one place that knows the folder layout.

Every module that reads or writes a project file takes its path from here, so a folder can move
in one edit. Paths are absolute (from this file), so nothing depends on the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project's root folder (holds run.py, scenarios/, calibration/, results/).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Shipped scenario files (episodes and counterfactuals).
SCENARIO_DIR = PROJECT_ROOT / "scenarios"
#: Where studies are stored by default (one folder per study): the project's results/, or the
#: folder the PARLEY_RESULTS environment variable names (a shared disk on a cluster, a test's).
RESULTS_DIR = Path(os.environ.get("PARLEY_RESULTS") or PROJECT_ROOT / "results").expanduser().resolve()
#: The calibration's committed outputs and inputs.
CALIBRATION_DATA = PROJECT_ROOT / "calibration" / "data"
#: The observed event table the extractor writes.
EXTRACTED_EVENTS = CALIBRATION_DATA / "events.csv"
#: The same events with duplicates across articles merged: the calibration's input.
OBSERVED_EVENTS = CALIBRATION_DATA / "events_dedup.csv"
#: The declared sources of the calibration's observed record (calibration/record.py).
RECORD_SOURCES = CALIBRATION_DATA / "sources.toml"
#: Where `run.py extract` writes by default (the committed tables change only on request).
EXTRACT_DIR = RESULTS_DIR / "extract"
#: The weighted posterior sample the batch runs draw from.
DEFAULT_POSTERIOR = CALIBRATION_DATA / "posterior.csv"
#: The calibration's published report.
POSTERIOR_REPORT = CALIBRATION_DATA / "posterior_report.md"
#: The evidence beside a checkout (../shared: the articles, the gold annotation, the
#: chronology); read by the tests and the README's examples, not by the package.
SHARED_DIR = PROJECT_ROOT.parent / "shared"
#: The committed sensitivity analyses of the shipped counterfactuals (`run.py sensitivity
#: --record`), one folder per counterfactual and outcome; the report reads them.
SENSITIVITY_RECORD = PROJECT_ROOT / "docs" / "sensitivity"
#: The model description whose tables are generated from the rules' declarations.
MODEL_DOC = PROJECT_ROOT / "docs" / "model.md"


def display_path(path: str | Path) -> str:
    """A path relative to the project root when it lies inside it, else as given."""
    path = Path(path)
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
