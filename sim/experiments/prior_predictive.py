"""A posterior study's design under the priors alone: what the calibration changed.

    from sim.experiments.prior_predictive import run_prior_companion
    prior = run_prior_companion(study)        # results/<study>_prior: same design, prior draws
    # sim.results.companion.prior_companion(study): that study when stored and of the same design

    from sim.experiments.prior_predictive import run_posterior_and_prior
    runs = run_posterior_and_prior("headline", ["geneva_2016_02", "geneva_2016_02_no_strikes"], 300, seed=1)
    runs["posterior"], runs["prior"]          # each study's runs table

The companion has the posterior study's scenarios, replicates, seed, horizon and task size, and
draws from the calibrated parameters' priors (`sim.experiments.posterior.write_prior_sample`)
instead of the posterior. Replicate r has the same seed in both, so the two studies pair up run
by run as well (`sim.reporting.analysis.calibration_change`). It stores no events or daily
states: the comparison needs only the outcomes. It is stored and resumed like any study.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.experiments.batch import run_study
from sim.experiments.design import MAX_RUNS
from sim.experiments.posterior import write_prior_sample
from sim.paths import DEFAULT_POSTERIOR, RESULTS_DIR
from sim.results.companion import companion_name
from sim.results.store import Study

#: Draws of the prior sample (a study takes one per replicate).
PRIOR_DRAWS = 4000


def run_prior_companion(study: Study, workers: int = 1, client=None, scheduler: str | None = None,
                        progress: bool = False, scenario_dir: str | Path | None = None) -> Study:
    """Run (or resume) the prior companion of a posterior study, beside it in its results folder.

    Args:
        study: a study run with posterior draws.
        workers, client, scheduler: where to run (the result does not depend on it).
        progress: show a progress bar.
        scenario_dir: folder of the scenario files, when not the project's.

    Raises:
        UserError: the study was not run on a posterior (then there is nothing to compare).
    """
    design = study.manifest["design"]
    if design.get("parameters") != "posterior":
        raise UserError(f"{study.path}: the study ran with parameters '{design.get('parameters')}'; a prior "
                        "companion compares a posterior study with the priors (run it with --posterior)")
    folder = Path(study.path).parent
    name = companion_name(design["name"])
    seed = int(design["seed"])
    prior = write_prior_sample(folder / name / "prior_sample.csv", PRIOR_DRAWS, seed)
    return run_study(name, design["scenarios"], int(design["replicates"]), seed, parameters="posterior",
                     workers=workers, client=client, scheduler=scheduler, days=design.get("days"),
                     task_size=design.get("task_size"), results_dir=folder, scenario_dir=scenario_dir,
                     posterior_path=prior, progress=progress,
                     max_runs=max(MAX_RUNS, len(design["scenarios"]) * int(design["replicates"])))  # as the study's


def run_posterior_and_prior(name: str, scenarios: Sequence[str], replicates: int, seed: int, workers: int = 1,
                            results_dir: str | Path = RESULTS_DIR) -> dict[str, pd.DataFrame]:
    """Run (or resume) the design under the posterior (study `name`) and its prior companion;
    their runs tables, keyed 'posterior' and 'prior'."""
    study = run_study(name, list(scenarios), replicates, seed, parameters="posterior", workers=workers,
                      results_dir=results_dir, posterior_path=DEFAULT_POSTERIOR, progress=False)
    return {"posterior": study.runs, "prior": run_prior_companion(study, workers=workers).runs}
