"""Same seed, same numbers for the calibration: the committed posterior's predictive table.

`tests/data/posterior_predictive_table.csv` is the posterior predictive table of the committed
posterior (`calibration/data/posterior.csv`), with the default seed and number of draws, as the
calibration computed it (its `ppc_timeline.csv`, at the commit its report names). Recomputed on today's code it must be the same to the
last digit: a refactor of the model or of the calibration that changes a single run shows here.
A recalibration replaces both files in one commit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from calibration import checks
from calibration.calibrate import DEFAULT_BUDGET, DEFAULT_SEED
from calibration.inference.sampler import SeededMapSampler
from calibration.seeds import Offset, offset_seed
from calibration.targets import episode_specs, observed_statistics, read_observed
from sim.paths import DEFAULT_POSTERIOR

EXPECTED = Path(__file__).parent / "data" / "posterior_predictive_table.csv"


def test_committed_posterior_predictive_table_is_reproduced(tmp_path):
    observed_frame = read_observed()
    specs = list(episode_specs(observed_frame).values())
    observed = observed_statistics(observed_frame, episode_specs(observed_frame))
    posterior = pd.read_csv(DEFAULT_POSTERIOR)
    draws = checks.draw_posterior(posterior, DEFAULT_BUDGET["ppc_draws"], offset_seed(DEFAULT_SEED, Offset.POSTERIOR_DRAWS))
    sampler = SeededMapSampler(1)
    try:
        runs = checks.predictive(draws, specs, offset_seed(DEFAULT_SEED, Offset.POSTERIOR_RUNS), sampler)
    finally:
        sampler.close()
    timeline = [name for spec in specs for name in spec.timeline_names()]
    table = checks.interval_table(runs, observed, timeline, checks.censoring_days(specs))
    table.to_csv(tmp_path / "table.csv", index=False)
    assert (tmp_path / "table.csv").read_bytes() == EXPECTED.read_bytes()
