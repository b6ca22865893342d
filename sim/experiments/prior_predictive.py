"""One design under the posterior and under the priors alone: what the calibration changed.

    from sim.experiments.prior_predictive import run_posterior_and_prior
    runs = run_posterior_and_prior("headline", ["geneva_2016_02", "geneva_2016_02_no_strikes"], 300, seed=1)
    runs["posterior"], runs["prior"]     # each study's runs table

Two studies of the same scenarios, replicates and seed (paired replicates within each): one
with draws of the committed posterior, one with draws from the calibrated parameters' priors
(`sim.experiments.posterior.write_prior_sample`). Both are stored and resumed like any study
(`<name>_posterior`, `<name>_prior`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.experiments.batch import run_study
from sim.experiments.posterior import write_prior_sample
from sim.paths import DEFAULT_POSTERIOR, RESULTS_DIR

#: Draws of the prior sample (a study takes one per replicate).
PRIOR_DRAWS = 4000


def run_posterior_and_prior(name: str, scenarios: Sequence[str], replicates: int, seed: int, workers: int = 1,
                            results_dir: str | Path = RESULTS_DIR) -> dict[str, pd.DataFrame]:
    """Run (or resume) the design under the posterior and under the priors; their runs tables,
    keyed 'posterior' and 'prior'."""
    results_dir = Path(results_dir)
    prior = write_prior_sample(results_dir / f"{name}_prior" / "prior_sample.csv", PRIOR_DRAWS, seed)
    runs = {}
    for label, posterior in (("posterior", DEFAULT_POSTERIOR), ("prior", prior)):
        study = run_study(f"{name}_{label}", list(scenarios), replicates, seed, parameters="posterior",
                          workers=workers, results_dir=results_dir, posterior_path=posterior, progress=False)
        runs[label] = study.runs
    return runs
