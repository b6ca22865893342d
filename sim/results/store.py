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
from sim.model.model import DAILY_COLUMNS
from sim.model.outcomes import outcome_types
from sim.model.parameters import parameter_table
from sim.paths import RESULTS_DIR
from sim.experiments.runs import RunResult, simulate

DEFAULT_RESULTS = RESULTS_DIR
TABLES = ("runs", "events", "daily")

_ARROW = {bool: pa.bool_(), int: pa.int64(), float: pa.float64()}


def runs_schema() -> pa.Schema:
    """The runs table's schema (fixed, so every part has the same columns and types)."""
    fields = [
        pa.field("scenario", pa.string()),
        pa.field("episode", pa.string()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("draw_id", pa.int64()),
        pa.field("error", pa.string()),
    ]
    fields += [pa.field(f"param_{name}", pa.float64()) for name in parameter_table()]
    fields += [pa.field(name, _ARROW[kind]) for name, kind in outcome_types().items()]
    return pa.schema(fields)


def events_schema() -> pa.Schema:
    """The simulated events table's schema."""
    text = pa.string()
    return pa.schema(
        [("scenario", text), ("replicate", pa.int64()), ("day", pa.int64()), ("event_date", text),
         ("source", text), ("target", text), ("source_text", text), ("target_text", text),
         ("cameo_code", text), ("cameo_root", text), ("quad_class", pa.int64()), ("goldstein", pa.float64()),
         ("trigger", text), ("coder", text)]
    )  # fmt: skip


def daily_schema() -> pa.Schema:
    """The daily trajectories table's schema."""
    kinds = {
        "day": pa.int64(), "date": pa.string(), "talks": pa.string(), "ceasefire": pa.string(),
        "channel_open": pa.bool_(), "offensive": pa.bool_(), "opp_present": pa.bool_(), "jic": pa.bool_(),
        "rus_strikes": pa.int64(), "gov_strikes": pa.int64(), "violations": pa.int64(),
        "opp_localities": pa.int64(), "supply_open": pa.bool_(), "civilian_harm": pa.float64(),
        "pressure_on_rus": pa.float64(),
    }  # fmt: skip
    assert set(kinds) == set(DAILY_COLUMNS)
    return pa.schema([("scenario", pa.string()), ("replicate", pa.int64())] + [(c, kinds[c]) for c in DAILY_COLUMNS])


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
            runs.append({"at": manifest["created"], "code_version": manifest["code_version"], "command": manifest["command"]})
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

    def rerun(self, scenario: str, replicate: int, scenario_dir: str | Path | None = None,
              record_daily: bool = False) -> RunResult:
        """Run one stored run again, with its seed and parameters, and return its RunResult.

        The outcome record equals the stored row; the result also holds the model object
        (for the network figures) and its events.

        Args:
            scenario: the run's scenario name.
            replicate: the run's replicate number.
            scenario_dir: folder of scenario files (default: the project's scenarios/).
            record_daily: keep the daily state trajectory.

        Raises:
            UserError: the study has no such run.
        """
        runs = self.runs
        match = runs[(runs["scenario"] == scenario) & (runs["replicate"] == replicate)]
        if match.empty:
            raise UserError(f"{self.path}: no run of scenario {scenario!r} with replicate {replicate}")
        row = match.iloc[0]
        parameters = {c.removeprefix("param_"): float(row[c]) for c in runs.columns if c.startswith("param_")}
        return simulate(scenario, seed=int(row["seed"]), days=self.manifest["design"].get("days"),
                        parameters=parameters, scenario_dir=scenario_dir, record_daily=record_daily)

    @property
    def complete(self) -> bool:
        """Whether every task has its runs part."""
        return len(StudyStore(self.path).done()) == self.manifest.get("n_tasks", -1)


def load_study(path: str | Path) -> Study:
    """Open a study folder (results/<study>) or a study name under results/.

    Raises:
        UserError: no study there.
    """
    path = Path(path)
    if not path.exists() and not path.is_absolute() and (DEFAULT_RESULTS / path).exists():
        path = DEFAULT_RESULTS / path
    manifest = StudyStore(path).read_manifest()
    if manifest is None:
        raise UserError(f"{path}: no study here (no manifest.json)")
    return Study(path, manifest)
