"""The headline counterfactual, posterior against prior: a halt to Russian strikes in the Geneva
episode, as paired differences.

    python run.py headline [--replicates 300] [--seed 1] [--workers 2]

Two studies of the same design (the baseline and `geneva_2016_02_no_strikes`, paired
replicates; `sim.experiments.prior_predictive.run_posterior_and_prior` runs them): one with
posterior draws (what the record taught the model), one with draws from the priors (the
documented ranges alone). A difference the posterior shows and the prior does
not is the calibration's; one both show comes from the rules' structure. The table: per
measure, the mean paired difference (counterfactual - baseline) with its 95% paired-bootstrap
interval under each, and the baseline's mean.
"""

from __future__ import annotations

import pandas as pd

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


def differences(runs: pd.DataFrame) -> pd.DataFrame:
    """The paired differences of `MEASURES` in a study's runs table."""
    runs = runs.copy()
    runs["ceasefire_reached"] = runs["ceasefire_in_effect_day"].notna().astype(float)
    table = paired_differences(runs, list(MEASURES))
    return table[table["scenario"] == COUNTERFACTUAL].set_index("outcome")


def headline_table(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The side-by-side table from the two studies' runs tables ('posterior', 'prior')."""
    tables = {label: differences(frame) for label, frame in runs.items()}
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


def headline_markdown(runs: dict[str, pd.DataFrame]) -> str:
    """`headline_table` as Markdown."""
    table = headline_table(runs)
    return markdown_table(table, list(table.columns), digits=2)
