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
from importlib import metadata
from pathlib import Path

from sim.paths import PROJECT_ROOT

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


def package_versions() -> dict[str, str]:
    """Versions of Python and the installed packages that shape the results."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine() -> dict:
    """The machine a result was computed on."""
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()}


def now() -> str:
    """UTC time stamp."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
