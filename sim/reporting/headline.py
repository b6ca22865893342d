"""The headline counterfactual, posterior against prior: a halt to Russian strikes in the Geneva
episode, as paired differences.

    python -m sim.reporting.headline [--replicates 300] [--seed 1] [--workers 2]

Two studies of the same design (the baseline and `geneva_2016_02_no_strikes`, paired
replicates): one with posterior draws (what the record taught the model), one with draws from
the priors (the documented ranges alone). A difference the posterior shows and the prior does
not is the calibration's; one both show comes from the rules' structure. The table: per
measure, the mean paired difference (counterfactual - baseline) with its 95% paired-bootstrap
interval under each, and the baseline's mean.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.batch import run_study
from sim.model.parameters import parameter_table
from sim.paths import DEFAULT_POSTERIOR, RESULTS_DIR
from sim.reporting.analysis import paired_differences
from sim.reporting.tables import markdown_table

BASELINE, COUNTERFACTUAL = "geneva_2016_02", "geneva_2016_02_no_strikes"
#: measure -> (outcome column, its label). `ceasefire_reached` is derived: a cessation came into
#: effect within the window.
MEASURES = {
    "talks_paused": "P(talks paused)",
    "talks_pause_day": "day of the pause (pairs with one in both)",
    "ceasefire_reached": "P(cessation in effect within the window)",
    "ceasefire_in_effect_day": "day the cessation came into effect (pairs with one in both)",
    "ceasefire_in_effect_days": "days the cessation held in the window",
    "channel_suspended": "P(channel suspended)",
}


def write_prior_sample(path: Path, draws: int, seed: int) -> Path:
    """A sample of the calibrated parameters from their priors (uniform on their documented
    ranges), equal weights, in the posterior file format."""
    rng = np.random.default_rng(seed)
    columns = {"draw_id": np.arange(draws), "weight": np.full(draws, 1.0 / draws)}
    for name, spec in parameter_table().items():
        if spec.calibrated:
            columns[name] = rng.uniform(spec.low, spec.high, draws)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def differences(runs: pd.DataFrame) -> pd.DataFrame:
    """The paired differences of `MEASURES` in a study's runs table."""
    runs = runs.copy()
    runs["ceasefire_reached"] = runs["ceasefire_in_effect_day"].notna().astype(float)
    table = paired_differences(runs, list(MEASURES))
    return table[table["scenario"] == COUNTERFACTUAL].set_index("outcome")


def headline(replicates: int = 300, seed: int = 1, workers: int = 1, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Run both studies (or resume them) and return the side-by-side table."""
    prior = write_prior_sample(results_dir / "headline_prior" / "prior_sample.csv", 4000, seed)
    tables = {}
    for label, posterior in (("posterior", DEFAULT_POSTERIOR), ("prior", prior)):
        study = run_study(f"headline_{label}", [BASELINE, COUNTERFACTUAL], replicates, seed, parameters="posterior",
                          workers=workers, results_dir=results_dir, posterior_path=posterior, progress=False)
        tables[label] = differences(study.runs)
    rows = []
    for outcome, label in MEASURES.items():
        row = {"measure": label}
        for which, table in tables.items():
            if outcome in table.index:
                r = table.loc[outcome]
                row[f"{which}: baseline"] = r["mean_base"]
                row[f"{which}: difference [95%]"] = f"{r['diff']:+.2f} [{r['low']:+.2f}, {r['high']:+.2f}]"
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    table = headline(args.replicates, args.seed, args.workers)
    print(markdown_table(table, list(table.columns), digits=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
