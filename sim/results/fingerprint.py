"""The model's fingerprint: the SHA-256 of the files the model is made of.

A study records it in its identity, so runs of two models are never mixed in one study (a rerun
with another model is refused, naming `model_fingerprint`), and the default study is run again
when it changed. What reads or shows results is not the model: a change there leaves a stored
study valid.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from sim.paths import PROJECT_ROOT

#: The package the model is (its files are hashed whole, code and data).
MODEL_PACKAGE = PROJECT_ROOT / "sim" / "model"


def _module_file(name: str) -> Path | None:
    """The file of a project module ('sim.events' -> sim/events.py), or None outside the project."""
    base = PROJECT_ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported_modules(path: Path) -> set[str]:
    """Project modules a file imports (anywhere in it), by static reading of its imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    else:
        package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            stem = node.module or ""
            if node.level:
                parts = package.split(".")
                stem = ".".join(parts[: len(parts) - node.level + 1] + ([stem] if stem else []))
            # `from pkg import mod` imports the module pkg.mod when there is one
            names = [f"{stem}.{a.name}" if _module_file(f"{stem}.{a.name}") else stem for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] == "sim")
    return found


def _data_files(path: Path) -> set[Path]:
    """Files a module names in a string literal, relative to its package (e.g. 'data/cameo_codes.tsv')."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) < 200:
            candidate = path.parent / node.value
            if "\n" not in node.value and candidate.is_file() and candidate.suffix != ".py":
                found.add(candidate.resolve())
    return found


#: model_files' last answer, with the stamps (path, mtime, size) of the project's files it came from.
_FILES_CACHE: dict[str, tuple] = {}


def _stamps() -> tuple:
    """Every project source and data file under sim/, with its modification time and size."""
    return tuple((str(p), st.st_mtime_ns, st.st_size) for p in sorted((PROJECT_ROOT / "sim").rglob("*"))
                 if "__pycache__" not in p.parts and p.is_file() and (st := p.stat()))


def model_files() -> list[Path]:
    """The files the model is made of, sorted (read again when a file under sim/ changed).

    Every file of the sim/model/ package (code and data, recursively), and every project module
    it imports (followed through their own imports) with the data files those modules name
    (e.g. sim/events.py and sim/data/cameo_codes.tsv).
    """
    stamps = _stamps()
    if _FILES_CACHE.get("stamps") == stamps:  # parsing every module's imports takes a third of a second
        return list(_FILES_CACHE["files"])
    files = {p.resolve() for p in MODEL_PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    todo = [p for p in files if p.suffix == ".py"]
    while todo:
        for name in _imported_modules(todo.pop()):
            target = _module_file(name)
            if target is None or target.resolve() in files:
                continue
            target = target.resolve()
            files.add(target)
            files |= _data_files(target)
            todo.append(target)
    found = sorted(files, key=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
    _FILES_CACHE.update(stamps=stamps, files=found)
    return list(found)


def model_fingerprint() -> str:
    """SHA-256 of the model's files (`model_files`): each file's project path and bytes."""
    digest = hashlib.sha256()
    for path in model_files():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
