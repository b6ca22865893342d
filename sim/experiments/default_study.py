"""The default study of `make run`: every episode with all its counterfactuals.

    from sim.experiments.default_study import run_default_study
    study = run_default_study()          # run, resume, or (when complete) just load it

`run.py default` runs it and then writes its report. A stored default study made with other
scenario files, another posterior, another design or another model is run again from scratch
(its folder is replaced). "Another model" means another `model_fingerprint()`
(`sim.results.fingerprint`), which a study's identity records.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from sim.errors import UserError
from sim.experiments.batch import run_study
from sim.experiments.design import MAX_RUNS
from sim.experiments.prior_predictive import run_prior_companion
from sim.results.companion import companion_name
from sim.paths import RESULTS_DIR, SCENARIO_DIR
from sim.results.store import DifferentStudy, Study, StudyStore
from sim.scenarios import EPISODES, load_scenario

DEFAULT_STUDY = "default"
DEFAULT_REPLICATES = 300
DEFAULT_SEED = 1
DEFAULT_WORKERS = 2


#: The shipped scenarios the default study runs (a scenario of your own in scenarios/ is not
#: added to it: it would change `make run`'s study and run all of it again).
DEFAULT_SCENARIOS = (
    "geneva_2016_02", "geneva_2016_02_envoy_never_pauses", "geneva_2016_02_no_preconditions",
    "geneva_2016_02_no_strikes", "geneva_2016_02_no_strikes_from_talks", "geneva_2016_02_turkey_backs",
    "geneva_2016_02_us_pressure",
    "ceasefire_2016_09", "ceasefire_2016_09_jic", "ceasefire_2016_09_no_strikes",
    "ceasefire_2016_09_no_strikes_from_ceasefire", "ceasefire_2016_09_us_pressure",
)  # fmt: skip


def default_scenarios(scenario_dir: str | Path | None = None) -> list[str]:
    """The default study's scenarios: each episode followed by its counterfactuals.

    Raises:
        UserError: a scenario of the default study is missing from the folder.
    """
    folder = Path(scenario_dir or SCENARIO_DIR)
    episode_of = {name: load_scenario(name, folder).episode for name in DEFAULT_SCENARIOS}
    episodes = [e for e in EPISODES if e in episode_of.values()] + sorted(set(episode_of.values()) - set(EPISODES))
    names = []
    for ep in episodes:
        names.append(ep)
        names += sorted(n for n, e in episode_of.items() if e == ep and n != ep)
    return names


# --------------------------------------------------------------------------- the study
def run_default_study(
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int = DEFAULT_WORKERS,
    results_dir: str | Path = RESULTS_DIR,
    name: str = DEFAULT_STUDY,
    progress: bool = True,
    log: Callable[[str], object] = print,
    max_runs: int = MAX_RUNS,
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
        max_runs: the largest study allowed (replicates x scenarios).

    Raises:
        UserError: the folder holds something else than a study of this name (it is left alone).
    """
    scenarios = default_scenarios()
    kwargs = dict(replicates=replicates, seed=seed, parameters="auto", workers=workers, events=True,
                  results_dir=Path(results_dir), progress=progress, max_runs=max_runs)  # fmt: skip
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
    design (its identity differs) is removed first, only when it is ours."""
    try:
        return run()
    except DifferentStudy as err:
        reason = ("the model's code changed since it ran" if "model_fingerprint" in err.differences
                  else f"it holds an older design ({', '.join(err.differences)})")
        _replace(root, name, reason, log)
    return run()


def _replace(root: Path, name: str, reason: str, log: Callable[[str], object]) -> None:
    """Remove a stale study of ours (anything else in the folder is left alone)."""
    existing = StudyStore(root).read_manifest()
    if existing is None or existing.get("study") != name:
        raise UserError(f"{root}: {reason}, and it is not a '{name}' study; move it away")
    log(f"{root}: {reason}; running the study '{name}' again")
    shutil.rmtree(root)

