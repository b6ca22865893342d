"""Provenance: which code, packages, machine, time and input files a result came from.

The one place that asks git, package metadata and the platform; study manifests, the report
and the calibration's report all record what these functions return.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import subprocess
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

from sim.errors import UserError
from sim.paths import PROJECT_ROOT, RECORD_SOURCES, SHARED_DIR, display_path

#: Packages whose versions shape the results.
PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "networkx", "scipy", "matplotlib", "dask", "distributed", "pyabc")
#: Folders whose uncommitted changes make a result 'dirty'.
SOURCE_FOLDERS = ("sim", "scenarios", "calibration")


def code_version() -> str:
    """The git commit of the code (with '+dirty' for uncommitted changes), or 'unknown'."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *SOURCE_FOLDERS],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


@cache  # installed packages do not change under a running process
def _installed_versions() -> tuple[tuple[str, str], ...]:
    versions = [("python", platform.python_version())]
    for name in PACKAGES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(versions)


def package_versions() -> dict[str, str]:
    """Versions of Python and the installed packages that shape the results."""
    return dict(_installed_versions())


def machine() -> dict:
    """The machine a result was computed on."""
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()}


def now() -> str:
    """UTC time stamp."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


#: Where a relative `path` of an entry of the record's sources file starts (its `root` key):
#: the sources file's own folder (the default), the project, or the evidence beside the checkout.
SOURCE_ROOTS = ("here", "project", "shared")


def read_record_sources(sources_file: str | Path | None = None) -> tuple[Path, dict]:
    """The observed record's sources file (`calibration/data/sources.toml`), parsed.

    Returns:
        The file's path and its TOML tables (no validation beyond the paths; see
        `calibration.record` for the rest).

    Raises:
        UserError: the file is missing or not TOML.
    """
    path = Path(sources_file) if sources_file is not None else RECORD_SOURCES
    try:
        with open(path, "rb") as handle:
            return path, tomllib.load(handle)
    except OSError as err:
        raise UserError(f"{display_path(path)}: cannot read the record's sources ({err.strerror or err})") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{display_path(path)}: not TOML ({err})") from None


def declared_paths(entry: dict, key: str, sources_file: Path) -> list[Path]:
    """The files one entry of the sources file declares: `path` (one) or `paths` (a list).

    Args:
        entry: the entry's table.
        key: how the entry is named in messages (e.g. `source[2]`, `measurements`).
        sources_file: the sources file (relative paths with root 'here' start in its folder).

    Raises:
        UserError: a bad `root`, no or both of `path`/`paths`, or a file that does not exist.
    """
    where = display_path(sources_file)
    if not isinstance(entry, dict):
        raise UserError(f"{where}: {key}: expected a table with path = '...'")
    root = entry.get("root", "here")
    if root not in SOURCE_ROOTS:
        raise UserError(f"{where}: {key}.root: unknown root {root!r}; allowed: {', '.join(SOURCE_ROOTS)}")
    base = {"here": Path(sources_file).parent, "project": PROJECT_ROOT, "shared": SHARED_DIR}[root]
    if ("path" in entry) == ("paths" in entry):
        raise UserError(f"{where}: {key}: give exactly one of path = 'FILE' or paths = ['FILE', ...]")
    names = [entry["path"]] if "path" in entry else entry["paths"]
    field = "path" if "path" in entry else "paths"
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise UserError(f"{where}: {key}.{field}: expected a file name (path) or a non-empty list of them (paths)")
    paths = [base / n for n in names]  # an absolute name stays as it is
    for path in paths:
        if not path.is_file():
            raise UserError(f"{where}: {key}.{field}: no such file {display_path(path)} (root {root!r})")
    return paths


def record_inputs(sources_file: str | Path | None = None) -> list[tuple[str, Path]]:
    """Every file the observed record is made of, each with its role.

    The sources file itself, each declared event file (`source[i] <name>`), and the
    measurements (`[measurements]`), in the order the sources file gives them.
    """
    path, tables = read_record_sources(sources_file)
    inputs = [("sources", path)]
    entries = tables.get("source", [])
    if not isinstance(entries, list):
        raise UserError(f"{display_path(path)}: source: expected [[source]] tables")
    for i, entry in enumerate(entries, start=1):
        name = entry.get("name", "") if isinstance(entry, dict) else ""
        inputs += [(f"source {name}", p) for p in declared_paths(entry, f"source[{i}]", path)]
    if "measurements" in tables:
        inputs += [("measurements", p) for p in declared_paths(tables["measurements"], "measurements", path)]
    return inputs


def record_sha256(sources_file: str | Path | None = None) -> str:
    """The hash of the observed record: SHA-256 over its inputs' roles, names and bytes.

    Changes when the sources file, any event file it declares or the measurements change
    (the code that composes them is the result's code version). The same value for a copy
    of the files elsewhere: only file names enter, not folders.
    """
    lines = [f"{role}\t{Path(p).name}\t{file_sha256(p)}\n" for role, p in record_inputs(sources_file)]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def record_provenance(sources_file: str | Path | None = None) -> dict:
    """The observed record as a manifest records it: its hash and its sources file.

    A record that cannot be read (say ../shared is not beside the checkout) does not stop a
    study: the hash is None and the reason is kept.
    """
    shown = display_path(sources_file if sources_file is not None else RECORD_SOURCES)
    try:
        return {"sha256": record_sha256(sources_file), "sources": shown}
    except UserError as err:
        return {"sha256": None, "sources": shown, "error": str(err)}
