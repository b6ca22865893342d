"""The headline counterfactual, posterior against prior: a halt to Russian strikes in the Geneva
episode, as paired differences.

    python run.py headline [--replicates 300] [--seed 1] [--workers 2]

Two studies of the same design (the baseline and `geneva_2016_02_no_strikes`, paired
replicates; `sim.experiments.prior_predictive.run_posterior_and_prior` runs them): one with
posterior draws (what the record taught the model), one with draws from the priors (the
documented ranges alone). A difference the posterior shows and the prior does
not is the calibration's; one both show comes from the rules' structure. The table: per
measure, the mean paired difference (counterfactual - baseline) with its 95% paired-bootstrap
interval under each, the baseline's mean, and the change (posterior - prior) with its interval
(replicate r has one seed in both studies: `sim.reporting.analysis.calibration_change`).
"""

from __future__ import annotations

import pandas as pd

from sim.paths import PROJECT_ROOT
from sim.reporting.analysis import calibration_change, changed_beyond_interval
from sim.reporting.tables import markdown_table, replace_marked_section

BASELINE, COUNTERFACTUAL = "geneva_2016_02", "geneva_2016_02_no_strikes"
#: The published headline's design; run with it, `run.py headline` rewrites the README's section.
PUBLISHED_REPLICATES, PUBLISHED_SEED = 300, 1
README = PROJECT_ROOT / "README.md"
README_START, README_END = "<!-- headline:start -->", "<!-- headline:end -->"
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


def _with_derived(runs: pd.DataFrame) -> pd.DataFrame:
    runs = runs.copy()
    runs["ceasefire_reached"] = runs["ceasefire_in_effect_day"].notna().astype(float)
    return runs


def headline_changes(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`analysis.calibration_change` of `MEASURES` for the counterfactual, from the two studies'
    runs tables ('posterior', 'prior'), indexed by outcome."""
    change = calibration_change(_with_derived(runs["posterior"]), _with_derived(runs["prior"]), list(MEASURES))
    return change[change["scenario"] == COUNTERFACTUAL].set_index("outcome")


def headline_table(runs: dict[str, pd.DataFrame], change: pd.DataFrame | None = None) -> pd.DataFrame:
    """The side-by-side table: per measure, the baseline and the difference [95%] under each,
    and how much the calibration changed the difference [95%].

    Args:
        runs: the two studies' runs tables ('posterior', 'prior').
        change: their `headline_changes`, when already computed.
    """
    change = headline_changes(runs) if change is None else change
    rows = []
    for outcome, label in MEASURES.items():
        if outcome not in change.index:
            continue
        r = change.loc[outcome]
        row = {"measure": label}
        for which in ("posterior", "prior"):
            row[f"{which}: baseline"] = r[f"mean_base_{which}"]
            row[f"{which}: difference [95%]"] = _interval(r[f"diff_{which}"], r[f"low_{which}"], r[f"high_{which}"])
        row["calibration changed it by [95%]"] = _interval(r["change"], r["change_low"], r["change_high"])
        rows.append(row)
    return pd.DataFrame(rows)


def _interval(value: float, low: float, high: float) -> str:
    return f"{value:+.2f} [{low:+.2f}, {high:+.2f}]"


def headline_line(change: pd.DataFrame) -> str:
    """One line from `headline_changes`: which effects the calibration changed beyond their interval."""
    clear = changed_beyond_interval(change)
    if clear.empty:
        return ("The calibration changed none of these effects beyond the 95% interval of the change: they come "
                "from the rules' structure and the priors' ranges.")
    moved = "; ".join(f"{MEASURES[o]} {r['diff_prior']:+.2f} under the priors, {r['diff_posterior']:+.2f} under the "
                      "posterior" for o, r in clear.iterrows())
    return (f"The calibration changed {len(clear)} of these {len(change)} effects beyond the 95% interval of the "
            f"change: {moved}.")


def headline_markdown(runs: dict[str, pd.DataFrame]) -> str:
    """`headline_table` as Markdown, and `headline_line` under it (the bootstrap runs once)."""
    change = headline_changes(runs)
    table = headline_table(runs, change)
    return markdown_table(table, list(table.columns), digits=2) + "\n\n" + headline_line(change)


def headline_section(runs: dict[str, pd.DataFrame], command: str) -> str:
    """The README's headline section: what was run, the table and the line, between the markers."""
    pairs = int(min(len(frame[frame["scenario"] == COUNTERFACTUAL]) for frame in runs.values()))
    return "\n".join([
        README_START,
        f"**The headline counterfactual, posterior against prior** (`{command}`; this block is rewritten by it): "
        f"a halt to the Russian strikes from day 0 in the Geneva episode, {pairs} paired replicates, paired "
        "differences (counterfactual - baseline) with their 95% paired-bootstrap intervals, under the posterior "
        "and under draws from the priors alone, and how much the calibration changed each:",
        "", headline_markdown(runs), README_END])


def update_readme(runs: dict[str, pd.DataFrame], command: str, path=README) -> None:
    """Rewrite the README's headline section from the two studies' runs tables."""
    replace_marked_section(path, README_START, README_END, headline_section(runs, command))

