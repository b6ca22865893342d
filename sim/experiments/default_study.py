"""The default study of `make run`: every episode with all its counterfactuals.

    from sim.experiments.default_study import run_default_study
    study = run_default_study()          # run, resume, or (when complete) just load it

`run.py default` runs it and then writes its report. A stored default study made with other
scenario files, another posterior, another design or another model is run again from scratch
(its folder is replaced). "Another model" means another `model_fingerprint()`: the SHA-256 of
the files the model is made of.
"""

from __future__ import annotations

import ast
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from sim.errors import UserError
from sim.experiments.batch import run_study
from sim.experiments.prior_predictive import run_prior_companion
from sim.results.companion import companion_name
from sim.paths import PROJECT_ROOT, RESULTS_DIR, SCENARIO_DIR
from sim.results.store import Study, StudyStore
from sim.scenarios import EPISODES, list_scenarios, load_scenario

DEFAULT_STUDY = "default"
DEFAULT_REPLICATES = 300
DEFAULT_SEED = 1
DEFAULT_WORKERS = 2
#: The package the model is (its files are hashed whole, code and data).
MODEL_PACKAGE = PROJECT_ROOT / "sim" / "model"
#: The stored study's model fingerprint, next to its manifest.
FINGERPRINT_FILE = "code_fingerprint.txt"


def default_scenarios(scenario_dir: str | Path | None = None) -> list[str]:
    """Both episodes, each followed by every counterfactual that extends it (scenarios/ folder)."""
    folder = Path(scenario_dir or SCENARIO_DIR)
    infos = list_scenarios(folder)
    episode_of = {i.name: load_scenario(i.path, folder).episode for i in infos}
    episodes = [e for e in EPISODES if e in episode_of] + sorted(
        {e for e in episode_of.values() if e not in EPISODES})
    names = []
    for ep in episodes:
        names.append(ep)
        names += sorted(n for n, e in episode_of.items() if e == ep and n != ep)
    return names


# --------------------------------------------------------------------------- model fingerprint
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


def model_files() -> list[Path]:
    """The files the model is made of, sorted.

    Every file of the sim/model/ package (code and data, recursively), and every project module
    it imports (followed through their own imports) with the data files those modules name
    (e.g. sim/events.py and sim/data/cameo_codes.tsv).
    """
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
    return sorted(files, key=lambda p: p.relative_to(PROJECT_ROOT).as_posix())


def model_fingerprint() -> str:
    """SHA-256 of the model's files (`model_files`): each file's project path and bytes."""
    digest = hashlib.sha256()
    for path in model_files():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------- the study
def run_default_study(
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int = DEFAULT_WORKERS,
    results_dir: str | Path = RESULTS_DIR,
    name: str = DEFAULT_STUDY,
    progress: bool = True,
    log: Callable[[str], object] = print,
) -> Study:
    """The default study: run, resumed, or loaded when complete.

    Every episode with all its counterfactuals, `replicates` replicates each, posterior draws
    when calibration/data/posterior.csv exists (else the defaults), with simulated events.

    Args:
        replicates: replicates per scenario.
        seed: the study seed.
        workers: local worker processes.
        results_dir: parent folder of the study's folder.
        name: the study's name (its folder).
        progress: show a progress bar.
        log: where to say that a stale study is run again.

    Raises:
        UserError: the folder holds something else than a study of this name (it is left alone).
    """
    scenarios = default_scenarios()
    kwargs = dict(replicates=replicates, seed=seed, parameters="auto", workers=workers, events=True,
                  results_dir=Path(results_dir), progress=progress)  # fmt: skip
    return _run_current(Path(results_dir) / name, name, lambda: run_study(name, scenarios, **kwargs), log)


def run_default_prior(study: Study, workers: int = DEFAULT_WORKERS, progress: bool = True,
                      log: Callable[[str], object] = print) -> Study:
    """The default study's prior companion (`sim.experiments.prior_predictive`): its design with
    draws from the priors, run again when the model changed like the study itself."""
    name = companion_name(study.manifest["design"]["name"])
    return _run_current(Path(study.path).parent / name, name,
                        lambda: run_prior_companion(study, workers=workers, progress=progress), log)


def _run_current(root: Path, name: str, run: Callable[[], Study], log: Callable[[str], object]) -> Study:
    """`run()` a study of this model and design: a stored one made by another model or of another
    design is removed first (only when it is ours), then the study is stamped with the model."""
    stamp = root / FINGERPRINT_FILE
    fingerprint = model_fingerprint()
    if root.exists() and stamp.is_file() and stamp.read_text().strip() != fingerprint:
        _replace(root, name, "the model's code changed since it ran", log)
    try:
        study = run()
    except UserError as err:
        if "holds a study with a different" not in str(err):
            raise
        _replace(root, name, "it holds an older design (" + str(err).split("different ", 1)[1].split(";")[0] + ")",
                 log)
        study = run()
    stamp.write_text(fingerprint + "\n")
    return study


def _replace(root: Path, name: str, reason: str, log: Callable[[str], object]) -> None:
    """Remove a stale study of ours (anything else in the folder is left alone)."""
    existing = StudyStore(root).read_manifest()
    if existing is None or existing.get("study") != name:
        raise UserError(f"{root}: {reason}, and it is not a '{name}' study; move it away")
    log(f"{root}: {reason}; running the study '{name}' again")
    shutil.rmtree(root)

