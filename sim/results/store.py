"""The results store: results/<study>/ with Parquet parts and a manifest.

Layout::

    results/<study>/manifest.json       design, command, code and package versions, hashes
    results/<study>/runs/<task>.parquet  one row per run (scenario, replicate, seed, draw,
                                         parameters, outcomes, error)
    results/<study>/events/<task>.parquet   simulated events (optional)
    results/<study>/daily/<task>.parquet    daily state trajectories (optional)

A part is written to a temporary name and renamed into place, so it is either whole or absent.
The runs part of a task is written last: a task is done exactly when its runs part exists, so
an interrupted study resumes by skipping those tasks and redoing the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.atomic import atomic_path
from sim.errors import UserError
from sim.events import SIMULATED_EVENT_COLUMNS
from sim.model.model import DAILY_TYPES
from sim.model.outcomes import outcome_types
from sim.model.parameters import parameter_table
from sim.paths import RESULTS_DIR

TABLES = ("runs", "events", "daily")

#: The columns that name a run in every table: its scenario and replicate.
RUN_KEY: dict[str, type] = {"scenario": str, "replicate": int}
#: The first columns of the runs table, which describe the run (then parameters, then outcomes).
RUN_COLUMNS: dict[str, type] = {
    "scenario": str, "episode": str, "replicate": int, "seed": int, "draw_id": int, "error": str,
}  # fmt: skip

_ARROW = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}


def _schema(columns: dict[str, type]) -> pa.Schema:
    return pa.schema([(name, _ARROW[kind]) for name, kind in columns.items()])


def runs_schema() -> pa.Schema:
    """The runs table's schema (fixed, so every part has the same columns and types)."""
    parameters = {f"param_{name}": float for name in parameter_table()}
    return _schema({**RUN_COLUMNS, **parameters, **outcome_types()})


def events_schema() -> pa.Schema:
    """The simulated events table's schema: the run key, then the stored event columns."""
    return _schema({**RUN_KEY, **SIMULATED_EVENT_COLUMNS})


def daily_schema() -> pa.Schema:
    """The daily trajectories table's schema: the run key, then the model's daily columns."""
    return _schema({**RUN_KEY, **DAILY_TYPES})


SCHEMAS = {"runs": runs_schema, "events": events_schema, "daily": daily_schema}


class StudyStore:
    """One study's folder: the manifest and the parts.

    Args:
        root: the study folder (results/<study>).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        """manifest.json of the study."""
        return self.root / "manifest.json"

    def read_manifest(self) -> dict | None:
        """The manifest, or None for a new study."""
        if not self.manifest_path.is_file():
            return None
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise UserError(f"{self.manifest_path}: unreadable manifest ({err})") from None

    def open(self, identity: dict, manifest: dict) -> bool:
        """Start or resume a study.

        Args:
            identity: what must match to resume (design, scenario hashes, posterior hash).
            manifest: the full manifest to write for a new study.

        Returns:
            True when resuming an existing study.

        Raises:
            UserError: the folder holds a study of a different design (names what differs).
        """
        existing = self.read_manifest()
        if existing is not None:
            differences = [
                key for key in sorted(set(identity) | set(existing.get("identity", {})))
                if identity.get(key) != existing.get("identity", {}).get(key)
            ]  # fmt: skip
            if differences:
                raise UserError(
                    f"{self.root}: holds a study with a different {', '.join(differences)}; "
                    "use another --study name, or delete the folder to start over"
                )
            self._remove_temporaries()
            runs = existing.setdefault("resumed", [])
            runs.append({"at": manifest["created"], "code_version": manifest["code_version"], "command": manifest["command"],
                         "observed_record": (manifest.get("observed_record") or {}).get("sha256")})
            self.write_manifest(existing)
            return True
        self.root.mkdir(parents=True, exist_ok=True)
        self.write_manifest({**manifest, "identity": identity})
        return False

    def write_manifest(self, manifest: dict) -> None:
        """Write manifest.json atomically."""
        with atomic_path(self.manifest_path) as tmp:
            tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")

    def _remove_temporaries(self) -> None:
        """Leftovers of a part being written when the study was killed."""
        for table in TABLES:
            folder = self.root / table
            if folder.is_dir():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)

    def done(self) -> set[str]:
        """Keys of the tasks whose runs part exists (finished tasks)."""
        folder = self.root / "runs"
        return {p.stem for p in folder.glob("*.parquet")} if folder.is_dir() else set()

    def write_part(self, table: str, key: str, data) -> None:
        """Write one part atomically.

        Args:
            table: runs | events | daily.
            key: the task key (file stem).
            data: list of row dicts (runs) or dict of columns (events, daily).
        """
        schema = SCHEMAS[table]()
        if isinstance(data, dict):
            arrow = pa.Table.from_pydict(data, schema=schema)
        else:
            arrow = pa.Table.from_pylist(data, schema=schema)
        with atomic_path(self.root / table / f"{key}.parquet") as tmp:
            pq.write_table(arrow, tmp)

    def read_table(self, table: str, scenarios: list[str] | None = None) -> pd.DataFrame:
        """All parts of a table as one DataFrame (empty with the schema's columns if none)."""
        folder = self.root / table
        parts = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        if scenarios is not None:
            parts = [p for p in parts if p.stem.rsplit("-", 2)[0] in scenarios]
        if not parts:
            return SCHEMAS[table]().empty_table().to_pandas()
        return pa.concat_tables([pq.read_table(p) for p in parts]).to_pandas()


@dataclass(frozen=True)
class StoredRun:
    """A run of a study as stored: enough to run it again.

    Attributes:
        scenario: its scenario name.
        replicate: its replicate number.
        seed: its seed.
        days: the study's horizon override (None: the scenario's).
        parameters: every parameter's value in the run (before interventions).
    """

    scenario: str
    replicate: int
    seed: int
    days: int | None
    parameters: dict[str, float]


@dataclass
class Study:
    """A study on disk, loaded lazily.

    Attributes:
        path: the study folder.
        manifest: its manifest.
    """

    path: Path
    manifest: dict

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run, sorted by scenario (in design order) and replicate."""
        frame = StudyStore(self.path).read_table("runs")
        order = {name: i for i, name in enumerate(self.manifest["design"]["scenarios"])}
        frame = frame.sort_values(["scenario", "replicate"], key=lambda c: c.map(order) if c.name == "scenario" else c)
        return frame.reset_index(drop=True)

    def events(self, scenarios: list[str] | None = None) -> pd.DataFrame:
        """Simulated events (studies run with events), optionally of some scenarios only."""
        return self._table("events", scenarios)

    def daily(self, scenarios: list[str] | None = None) -> pd.DataFrame:
        """Daily state trajectories (studies run with daily), optionally of some scenarios."""
        return self._table("daily", scenarios)

    def _table(self, table: str, scenarios) -> pd.DataFrame:
        if not self.manifest["design"].get(table):
            raise UserError(f"{self.path}: this study was run without --{table}")
        frame = StudyStore(self.path).read_table(table, scenarios)
        return frame.sort_values(["scenario", "replicate", "day"], kind="stable").reset_index(drop=True)

    def stored_run(self, scenario: str, replicate: int) -> StoredRun:
        """What it takes to run a stored run again (`sim.experiments.runs.rerun` does).

        Args:
            scenario: the run's scenario name.
            replicate: the run's replicate number.

        Raises:
            UserError: the study has no such run.
        """
        runs = self.runs
        match = runs[(runs["scenario"] == scenario) & (runs["replicate"] == replicate)]
        if match.empty:
            raise UserError(f"{self.path}: no run of scenario {scenario!r} with replicate {replicate}")
        row = match.iloc[0]
        parameters = {c.removeprefix("param_"): float(row[c]) for c in runs.columns if c.startswith("param_")}
        return StoredRun(scenario, replicate, int(row["seed"]), self.manifest["design"].get("days"), parameters)

    @property
    def complete(self) -> bool:
        """Whether every task has its runs part."""
        return len(StudyStore(self.path).done()) == self.manifest.get("n_tasks", -1)


def load_study(path: str | Path, results_dir: str | Path = RESULTS_DIR) -> Study:
    """Open a study folder, or a study by its name under the results folder.

    Args:
        path: the study's folder, or its name.
        results_dir: where a study given by name is looked up.

    Raises:
        UserError: no study there.
    """
    path = Path(path)
    if not path.exists() and not path.is_absolute():
        path = Path(results_dir) / path
    manifest = StudyStore(path).read_manifest()
    if manifest is None:
        raise UserError(f"{path}: no study here (no manifest.json)")
    return Study(path, manifest)
