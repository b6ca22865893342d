"""The results store: results/<study>/ with Parquet parts, a part index and a manifest.

Layout::

    results/<study>/manifest.json       design, command, code and package versions, hashes
    results/<study>/parts.json          the part index: each part's table, key, rows, bytes, sha256
    results/<study>/runs/<task>.parquet  one row per run (scenario, replicate, seed, draw,
                                         parameters, outcomes, error)
    results/<study>/events/<task>.parquet   simulated events (optional)
    results/<study>/daily/<task>.parquet    daily state trajectories (optional)
    results/<study>/.lock               held by the one batch writing the study

A part is written to a temporary name and renamed into place, so it is either whole or absent.
A task's parts are written (runs last) and then entered in the part index together: a task is
finished exactly when its parts are indexed. A rerun checks every indexed part (size and
sha256) and recomputes the tasks of damaged ones; the loaders refuse a damaged study. A part on
disk but not indexed (a study written before the index, or one killed between a part and its
index entry) is read whole and checked against its task (rows, replicates, seeds) instead.
The manifest records the study's identity and its sha256, so an edited manifest is refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.atomic import FILE_MODE, atomic_path
from sim.errors import UserError
from sim.events import SIMULATED_EVENT_COLUMNS
from sim.model.model import DAILY_TYPES
from sim.model.outcomes import outcome_types
from sim.model.parameters import parameter_table
from sim.paths import PROJECT_ROOT, RESULTS_DIR
from sim.results.provenance import file_sha256, now

if TYPE_CHECKING:
    from sim.experiments.design import Task

TABLES = ("runs", "events", "daily")
#: The part index, beside the manifest.
INDEX_FILE = "parts.json"
#: The advisory lock a batch holds while it writes the study.
LOCK_FILE = ".lock"
#: What a manifest must hold to be loaded or resumed ('a.b': key b of the object at key a).
REQUIRED_KEYS = (
    "study", "design", "design.scenarios", "design.replicates", "design.task_size", "design.events",
    "design.daily", "identity", "identity.design", "n_tasks", "n_runs", "status",
)  # fmt: skip
#: What the part index must hold.
INDEX_KEYS = ("identity", "identity_sha256", "parts")
#: A part that is not a Parquet file of the expected columns (what reading one may raise).
_UNREADABLE = (OSError, ValueError, KeyError, pa.ArrowException)

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


def arrow_table(table: str, data) -> pa.Table:
    """A table's data as stored: a list of row dicts or a dict of columns, in its schema.

    Args:
        table: runs | events | daily.
        data: list of row dicts or dict of columns (as a task's result holds them).
    """
    schema = SCHEMAS[table]()
    if isinstance(data, dict):
        return pa.Table.from_pydict(data, schema=schema)
    return pa.Table.from_pylist(data, schema=schema)


class DifferentStudy(UserError):
    """The folder holds a study of another identity (its design, files, model or record).

    Attributes:
        differences: the identity's keys that differ ('design.seed', 'model_fingerprint').
    """

    def __init__(self, message: str, differences: list[str]):
        super().__init__(message)
        self.differences = differences


def identity_sha256(identity: dict) -> str:
    """SHA-256 of a study's identity (its canonical JSON).

    The manifest and the part index both record it, so an edit of either's identity is found.
    """
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _differences(ours: dict, theirs: dict, prefix: str = "") -> list[str]:
    """The keys whose values differ, dotted through nested dicts ('design.seed')."""
    keys = []
    for key in sorted(set(ours) | set(theirs), key=str):
        mine, other = ours.get(key), theirs.get(key)
        if isinstance(mine, dict) and isinstance(other, dict):
            keys += _differences(mine, other, f"{prefix}{key}.")
        elif mine != other:
            keys.append(f"{prefix}{key}")
    return keys


def _missing_key(record, keys: Sequence[str]) -> str | None:
    """The first of the dotted `keys` that `record` lacks (or None)."""
    for dotted in keys:
        value = record
        for key in dotted.split("."):
            if not isinstance(value, dict) or key not in value:
                return dotted
            value = value[key]
    return None


def _get(record, dotted: str):
    """The value at a dotted key path (present: `_missing_key` said so)."""
    for key in dotted.split("."):
        record = record[key]
    return record


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


#: The type of each value a loader or a rerun reads from the manifest, and what it must be.
MANIFEST_SHAPE = {
    "design": (dict, "an object"), "identity": (dict, "an object"), "identity.design": (dict, "an object"),
    "design.scenarios": (lambda v: isinstance(v, list) and v and all(isinstance(s, str) for s in v),
                         "a list of scenario names"),
    "design.replicates": (lambda v: _is_count(v) and v >= 1, "an integer >= 1"),
    "design.task_size": (lambda v: _is_count(v) and v >= 1, "an integer >= 1"),
    "design.events": (bool, "true or false"), "design.daily": (bool, "true or false"),
    "n_tasks": (_is_count, "an integer >= 0"), "n_runs": (_is_count, "an integer >= 0"),
    "status": (lambda v: v in ("running", "complete"), "'running' or 'complete'"),
}  # fmt: skip


def _shape_error(manifest: dict) -> str | None:
    """What is wrong with the manifest's values ('design.replicates is "x", not an integer >= 1'),
    then whether its counts follow from its design, or None."""
    for dotted, (kind, allowed) in MANIFEST_SHAPE.items():
        value = _get(manifest, dotted)
        if not (isinstance(value, kind) if isinstance(kind, type) else kind(value)):
            return f"'{dotted}' is {json.dumps(value, default=str)[:60]}, not {allowed}"
    design = manifest["design"]
    tasks = len(design["scenarios"]) * -(-design["replicates"] // design["task_size"])
    for key, derived in (("n_runs", len(design["scenarios"]) * design["replicates"]), ("n_tasks", tasks)):
        if manifest[key] != derived:
            return f"'{key}' is {manifest[key]}, but its design gives {derived}"
    return None


#: What each part index entry holds.
ENTRY_SHAPE = {"table": lambda v: v in TABLES, "key": lambda v: isinstance(v, str) and v and "/" not in v,
               "rows": _is_count, "bytes": _is_count,
               "sha256": lambda v: isinstance(v, str) and len(v) == 64}  # fmt: skip


def _entry_error(name, entry) -> str | None:
    """What is wrong with a part index entry, or None."""
    if not isinstance(entry, dict):
        return f"the entry of {name!r} is not an object"
    for key, valid in ENTRY_SHAPE.items():
        if key not in entry or not valid(entry[key]):
            return f"the entry of {name!r} has no valid '{key}'"
    if name != f"{entry['table']}/{entry['key']}":
        return f"the entry of {name!r} names the part {entry['table']}/{entry['key']}"
    return None


def _entry(table: str, key: str, rows: int, data) -> dict:
    """A part's index entry, from the bytes of its file."""
    view = memoryview(data)
    return {"table": table, "key": key, "rows": rows, "bytes": view.nbytes,
            "sha256": hashlib.sha256(view).hexdigest()}


def parts_phrase(names: list[str], adjective: str) -> str:
    """'1 damaged part (runs/a)', '5 damaged parts (runs/a, runs/b, runs/c and 2 more)'."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{len(names)} {adjective} part{'s' if len(names) != 1 else ''} ({shown})"


@dataclass(frozen=True)
class Opened:
    """What `StudyStore.open` found in the folder.

    Attributes:
        resumed: an existing study is resumed.
        done: keys of the finished tasks, their parts checked.
        damaged: damaged or missing parts ('table/key'); their tasks are to be run again.
        grown_from: the stored study's replicates, when it grows to more (else None).
    """

    resumed: bool
    done: set[str] = field(default_factory=set)
    damaged: list[str] = field(default_factory=list)
    grown_from: int | None = None


class StudyStore:
    """One study's folder: the manifest, the part index and the parts.

    Args:
        root: the study folder (results/<study>).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._index: dict | None = None  # the part index of the study being written (set by open)

    @property
    def manifest_path(self) -> Path:
        """manifest.json of the study."""
        return self.root / "manifest.json"

    @property
    def index_path(self) -> Path:
        """parts.json of the study (the part index)."""
        return self.root / INDEX_FILE

    def part_path(self, table: str, key: str) -> Path:
        """The file of a task's part of a table."""
        return self.root / table / f"{key}.parquet"

    def read_manifest(self) -> dict | None:
        """The manifest, or None for a new study."""
        if not self.manifest_path.is_file():
            return None
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise UserError(f"{self.manifest_path}: unreadable manifest ({err})") from None

    def read_index(self) -> dict | None:
        """The part index, or None (a new study, or one written before the index).

        Raises:
            UserError: an unreadable index, or one without a required key.
        """
        if not self.index_path.is_file():
            return None
        rebuild = "delete it and run the same batch command again to rebuild it"
        try:
            index = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise UserError(f"{self.index_path}: unreadable part index ({err}); {rebuild}") from None
        missing = _missing_key(index, INDEX_KEYS)
        if missing:
            raise UserError(f"{self.index_path}: no '{missing}' key; {rebuild}")
        if not isinstance(index["parts"], dict) or not isinstance(index["identity"], dict):
            raise UserError(f"{self.index_path}: 'parts' and 'identity' must be objects; {rebuild}")
        wrong = next(filter(None, (_entry_error(name, e) for name, e in index["parts"].items())), None)
        if wrong:
            raise UserError(f"{self.index_path}: {wrong}; {rebuild}")
        return index

    def check_manifest(self, manifest) -> dict | None:
        """Refuse a manifest that lacks a required key or disagrees with the study's identity.

        The design must equal the identity's, the identity its recorded sha256 and the part
        index's identity: an edited manifest (or index) is found, naming the key.

        Args:
            manifest: the manifest as read.

        Returns:
            The part index (None for a study written before it).

        Raises:
            UserError: naming the file and the key.
        """
        fix = "restore it, or delete the folder to start over"
        missing = _missing_key(manifest, REQUIRED_KEYS)
        if missing:
            raise UserError(f"{self.manifest_path}: no '{missing}' key (a study's manifest has "
                            f"{', '.join(k for k in REQUIRED_KEYS if '.' not in k)}); {fix}")
        wrong = _shape_error(manifest)
        if wrong:
            raise UserError(f"{self.manifest_path}: {wrong}; {fix}")
        identity = manifest["identity"]
        edited = _differences(manifest["design"], identity["design"], "design.")
        if edited:
            raise UserError(f"{self.manifest_path}: {', '.join(edited)} differs from the study's identity "
                            f"(identity.{edited[0]}): the manifest was edited; {fix}")
        index = self.read_index()
        if index is not None:  # before the sha256 checks: this one names the key
            edited = _differences(identity, index["identity"], "identity.")
            if edited:
                raise UserError(f"{self.manifest_path}: {', '.join(edited)} differs from the part index's "
                                f"({self.index_path.name}): one of them was edited; {fix}")
        for path, record in ((self.manifest_path, manifest), (self.index_path, index)):
            recorded = (record or {}).get("identity_sha256")  # None: a manifest written before it
            if recorded is not None and recorded != identity_sha256(record["identity"]):
                raise UserError(f"{path}: its identity does not match its identity_sha256: it was edited; {fix}")
        return index

    def check(self, manifest: dict) -> None:
        """Refuse a study whose manifest is incomplete or edited, or which has a damaged part.

        Indexed parts are checked by size and sha256; the parts of a study written before the
        part index by their Parquet footer (a truncated file has none).

        Raises:
            UserError: naming the file, the key or the part.
        """
        index = self.check_manifest(manifest)
        if index is not None:
            damaged = [name for name, entry in index["parts"].items() if not self._intact(entry)]
        else:
            damaged = []
            for table in TABLES:
                for path in self._part_files(table):
                    try:
                        pq.read_metadata(path)
                    except _UNREADABLE:
                        damaged.append(f"{table}/{path.stem}")
        if damaged:
            raise UserError(f"{self.root}: {parts_phrase(damaged, 'damaged')}; run the same batch command "
                            f"again to recompute {'it' if len(damaged) == 1 else 'them'}")

    def open(self, identity: dict, manifest: dict, tasks: Sequence[Task]) -> Opened:
        """Start or resume a study (hold `lock` around this and the writes that follow).

        Resuming checks the manifest (`check_manifest`) and every finished task's parts;
        the parts of a task with a damaged one are deleted, so that it is run again. Only then
        are the part index and the manifest (its 'resumed' entry) written.

        Args:
            identity: what must match to resume (design, scenario hashes, posterior hash).
            manifest: the full manifest to write for a new study.
            tasks: the study's tasks (their keys, replicates, seeds and draws).

        Returns:
            Whether the study is resumed, its finished tasks and its damaged parts.

        Raises:
            UserError: the folder holds a study of a different design (names what differs), a
                broken or edited manifest, or parts without a manifest.
        """
        existing = self.read_manifest()
        digest = identity_sha256(identity)
        if existing is None:
            stored = self._stored_parts()
            if stored:  # never adopt parts whose design nothing records
                raise UserError(f"{self.root}: holds {len(stored)} stored part{'s' if len(stored) != 1 else ''} but no manifest.json; restore the "
                                "manifest, or delete the folder (or use another --study name) to start over")
            self.root.mkdir(parents=True, exist_ok=True)
            self.write_manifest({**manifest, "identity": identity, "identity_sha256": digest})
            self._index = {"identity": identity, "identity_sha256": digest, "parts": {}}
            self._write_index()
            return Opened(resumed=False)
        index = self.check_manifest(existing)
        differences = _differences(existing["identity"], identity)
        grown_from = None
        if differences and self._grows(existing, identity, differences):
            grown_from, differences = existing["design"]["replicates"], []
            for key in ("design", "n_tasks", "n_runs"):  # the larger design, keeping every stored run
                existing[key] = manifest[key]
            existing["identity"] = identity
        if differences:
            raise DifferentStudy(
                f"{self.root}: holds a study with a different {', '.join(differences)}; "
                "use another --study name, or delete the folder to start over", differences,
            )
        self._remove_temporaries()
        parts, damaged = self._verify(tasks, index["parts"] if index else {})
        self._index = {"identity": identity, "identity_sha256": digest, "parts": parts}
        self._write_index()
        existing.update(identity_sha256=digest, status="running")
        existing.setdefault("resumed", []).append({
            "at": manifest["created"], "code_version": manifest["code_version"], "command": manifest["command"],
            "observed_record": (manifest.get("observed_record") or {}).get("sha256"),
            **({"grown_from_replicates": grown_from} if grown_from else {}),
        })  # fmt: skip
        self.write_manifest(existing)
        done = {entry["key"] for entry in parts.values() if entry["table"] == "runs"}
        return Opened(resumed=True, done=done, damaged=damaged, grown_from=grown_from)

    @staticmethod
    def _grows(existing: dict, identity: dict, differences: list[str]) -> bool:
        """Whether the new identity is the stored study with more replicates (and nothing else):
        replicate r's seed and draw do not depend on the study's size, so every stored run
        stays valid and only the new replicates are run."""
        if not set(differences) <= {"design.replicates", "tasks_sha256"}:
            return False
        return identity["design"]["replicates"] > existing["identity"]["design"]["replicates"]

    @contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the study's advisory write lock (`.lock`, naming this process and host).

        A lock is an flock on the file: the system drops it when its holder dies, so the lock
        of a killed batch is simply taken over. The file is removed on release.

        Args:
            wait: seconds to wait for another writer to finish (0: refuse at once).

        Raises:
            UserError: another process still holds the lock (names its pid and host).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        deadline = time.monotonic() + wait
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise UserError(f"{self.root}: another batch is writing this study ({self._holder(path)}); "
                                    "wait for it to end (or stop it), then run the command again") from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
                continue
            try:  # the holder we waited for may have removed the file: then ours is not the lock
                if os.fstat(fd).st_ino == os.stat(path).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": now()}).encode())
            yield
        finally:
            path.unlink(missing_ok=True)  # before unlocking: a waiting writer then opens a new file
            os.close(fd)

    @staticmethod
    def _holder(path: Path) -> str:
        """Who holds a lock, as its file says."""
        try:
            holder = json.loads(path.read_text(encoding="utf-8"))
            return f"pid {holder['pid']} on {holder['host']}, since {holder['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "a process that has not yet written its pid"

    def write_manifest(self, manifest: dict) -> None:
        """Write manifest.json atomically."""
        with atomic_path(self.manifest_path) as tmp:
            tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")

    def _write_index(self) -> None:
        """Write the part index of the study being written atomically (after every task: compact,
        since json's indenting encoder is pure Python, 4x slower at a million runs' 5,000 parts)."""
        with atomic_path(self.index_path) as tmp:
            tmp.write_text(json.dumps(self._index, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")

    def _remove_temporaries(self) -> None:
        """Leftovers of a file being written when the study was killed."""
        for folder in (self.root, *(self.root / table for table in TABLES)):
            if folder.is_dir():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)

    def _stored_parts(self) -> list[str]:
        """Parts ('table/key') on disk or in the part index."""
        index = self.read_index()
        names = set(index["parts"]) if index else set()
        names |= {f"{table}/{path.stem}" for table in TABLES for path in (self.root / table).glob("*.parquet")}
        return sorted(names)

    def _intact(self, entry: dict) -> bool:
        """Whether an indexed part's file has its recorded size and sha256."""
        path = self.part_path(entry["table"], entry["key"])
        try:
            return path.stat().st_size == entry["bytes"] and file_sha256(path) == entry["sha256"]
        except OSError:
            return False

    def _read_part(self, table: str, task: Task) -> dict | None:
        """The index entry of a part not indexed, when it reads whole and holds its task's runs."""
        try:
            data = self.part_path(table, task.key).read_bytes()
            arrow = pq.read_table(pa.BufferReader(data))
            scenarios = set(arrow["scenario"].to_pylist())
            if table == "runs":  # the seeds and draws the design gives, one row per replicate
                stored = zip(*(arrow[column].to_pylist() for column in ("replicate", "seed", "draw_id")))
                fits = sorted(stored) == sorted(zip(task.replicates, task.seeds, task.draw_ids))
            else:
                fits = set(arrow["replicate"].to_pylist()) <= set(task.replicates)
        except _UNREADABLE:
            return None
        fits = fits and scenarios <= {task.scenario.name}
        return _entry(table, task.key, arrow.num_rows, data) if fits else None

    def _verify(self, tasks: Sequence[Task], indexed: dict) -> tuple[dict, list[str]]:
        """Check the finished tasks' parts: indexed ones by size and sha256, others by reading.

        Args:
            tasks: the study's tasks.
            indexed: the part index's entries ('table/key' -> entry).

        Returns:
            The index entries of the intact finished tasks, and the damaged or missing parts
            (all parts of a task with one are deleted, its runs part first).
        """
        parts, damaged = {}, []
        for task in tasks:
            names = [f"{table}/{task.key}" for table in TABLES if table == "runs" or getattr(task, table)]
            if names[0] not in indexed and not self.part_path("runs", task.key).is_file():
                continue  # not finished
            checked = {}
            for name in names:
                entry = indexed.get(name)
                if entry is None:  # written before the index, or killed before its entry
                    checked[name] = self._read_part(name.split("/")[0], task)
                else:
                    checked[name] = entry if self._intact(entry) else None
            bad = [name for name, entry in checked.items() if entry is None]
            if not bad:
                parts.update(checked)
                continue
            damaged += bad
            for name in names:  # runs first: without it the task is not finished
                self.part_path(*name.split("/")).unlink(missing_ok=True)
        return parts, damaged

    def done(self) -> set[str]:
        """Keys of the finished tasks: those indexed (or, before the index, with a runs part)."""
        return {path.stem for path in self._part_files("runs")}

    def write_part(self, table: str, key: str, data) -> dict:
        """Write one part atomically.

        Args:
            table: runs | events | daily.
            key: the task key (file stem).
            data: list of row dicts (runs) or dict of columns (events, daily).

        Returns:
            Its index entry (table, key, rows, bytes, sha256).
        """
        arrow = arrow_table(table, data)
        sink = pa.BufferOutputStream()  # in memory, so the bytes hashed are the bytes written
        pq.write_table(arrow, sink)
        buffer = sink.getvalue()
        with atomic_path(self.part_path(table, key)) as tmp:
            tmp.write_bytes(buffer)
        return _entry(table, key, arrow.num_rows, buffer)

    def write_task(self, key: str, tables: dict[str, object]) -> None:
        """Write a finished task's parts, the runs part last, then enter them in the part index.

        Args:
            key: the task key.
            tables: table name -> its data (see `write_part`), or None when not stored.

        Raises:
            RuntimeError: the study was not opened (`open`) by this store.
        """
        if self._index is None:
            raise RuntimeError(f"{self.root}: open the study before writing parts")
        written = {}
        for table in sorted(tables, key=lambda name: name == "runs"):
            if tables[table] is not None:
                written[f"{table}/{key}"] = self.write_part(table, key, tables[table])
        self._index["parts"].update(written)
        self._write_index()

    def _part_files(self, table: str) -> list[Path]:
        """A table's part files: the indexed ones (or, before the index, every one on disk)."""
        index = self.read_index()
        if index is None:
            folder = self.root / table
            return sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        return sorted(self.part_path(table, e["key"]) for e in index["parts"].values() if e["table"] == table)

    def read_table(self, table: str, scenarios: list[str] | None = None,
                   columns: list[str] | None = None) -> pd.DataFrame:
        """All parts of a table as one DataFrame (empty with the schema's columns if none).

        Args:
            table: 'runs', 'events' or 'daily'.
            scenarios: only these scenarios' parts.
            columns: only these columns (Parquet reads no others: a few columns of a large study
                fit in memory when the whole table would not).
        """
        parts = self._part_files(table)
        if scenarios is not None:
            parts = [p for p in parts if p.stem.rsplit("-", 2)[0] in scenarios]
        if not parts:
            empty = SCHEMAS[table]().empty_table().to_pandas()
            return empty if columns is None else empty[list(columns)]
        return pa.concat_tables([pq.read_table(p, columns=columns) for p in parts]).to_pandas()


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
        return self._in_design_order(StudyStore(self.path).read_table("runs"))

    def run_columns(self, columns: list[str]) -> pd.DataFrame:
        """Some columns of the runs table, read from the parts without the others, in the order of `runs`.

        Raises:
            UserError: a column the runs table does not have.
        """
        known = set(runs_schema().names)
        missing = [c for c in columns if c not in known]
        if missing:
            raise UserError(f"{self.path}: the runs table has no column {', '.join(missing)}")
        wanted = list(dict.fromkeys(["scenario", "replicate", *columns]))
        return self._in_design_order(StudyStore(self.path).read_table("runs", columns=wanted))

    def _in_design_order(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Runs sorted by scenario (in design order) and replicate."""
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

    A relative path is looked up from the working directory, then under `results_dir`, then
    under the project's folder, so `load_study("demo")` and `load_study("results/demo")` work
    from a notebook in any folder.

    Args:
        path: the study's folder, or its name.
        results_dir: where a study given by name is looked up.

    Raises:
        UserError: no study there (names the places looked at).
    """
    given = Path(path).expanduser()
    places = [given] if given.is_absolute() else [given, Path(results_dir) / given, PROJECT_ROOT / given]
    found = next((p for p in places if (p / "manifest.json").is_file()), None)
    if found is None:
        existing = next((p for p in places if p.exists()), places[0])
        looked = " or ".join(str(p) for p in dict.fromkeys(places))
        raise UserError(f"{existing}: no study here (no manifest.json{'' if len(places) == 1 else f'; looked in {looked}'})")
    store = StudyStore(found)
    manifest = store.read_manifest()
    store.check(manifest)
    return Study(found, manifest)
