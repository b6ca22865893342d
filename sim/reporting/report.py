"""The report of a study: results/<study>/report/summary.md, its tables as CSV, its figures as PNG.

    python run.py report --study default
    from sim.reporting.report import write_report; write_report(load_study("results/default"))

Thin: the numbers come from `sim.reporting.analysis`, the pictures from `sim.reporting.figures`. Per episode of the
study (the episode and its counterfactuals): outcome probabilities, survival curves, paired
differences, outcome distributions, the simulated timeline against the observed events, and
the networks of one re-run replicate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.runs import rerun
from sim.model.outcomes import outcome_list
from sim.paths import SENSITIVITY_RECORD, display_path
from sim.reporting import analysis as an
from sim.reporting.figures import percent
from sim.reporting.sensitivity_record import top_factors, top_factors_lines
from sim.reporting.tables import markdown_table
from sim.results import summaries as sm
from sim.results.companion import prior_companion
from sim.results.store import Study, load_study

#: Resolution of the figures (drawn at print size, `figures.WIDTH` inches wide).
DPI = 300
#: The network figure is wider than a page (three maps side by side): a lower resolution.
NETWORK_DPI = 150
# The report's outcome lists, from the outcome table (sim/model/outcomes.csv).
#: Columns of the headline table (README, `make run`).
HEADLINE_OUTCOMES = outcome_list("headline")
#: Time-to-event outcome -> the day column its clock starts at (None: the episode's start, day 0).
#: The times table, survival_medians.csv and the survival figure all use this clock.
CLOCKS = sm.CLOCKS
#: Time-to-event panels of the survival figures: outcome -> the day column its clock starts at (or None).
SURVIVAL_PANELS = {name: CLOCKS.get(name) for name in outcome_list("survival")}


@dataclass
class Report:
    """What `write_report` wrote.

    Attributes:
        folder: the report folder.
        summary: summary.md.
        figures: PNG files written.
        tables: CSV files written.
        headline: the headline table (one row per scenario).
    """

    folder: Path
    summary: Path
    figures: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    headline: pd.DataFrame | None = None


# --------------------------------------------------------------------------- text helpers
def families(runs: pd.DataFrame) -> dict[str, list[str]]:
    """Episode -> its scenarios in the study (the episode first, then its counterfactuals)."""
    order = an.scenario_order(runs)
    episode_of = runs.drop_duplicates("scenario").set_index("scenario")["episode"].to_dict()
    out: dict[str, list[str]] = {}
    for name in order:
        out.setdefault(episode_of[name], []).append(name)
    return out


# --------------------------------------------------------------------------- tables
def headline_table(
    runs: pd.DataFrame | Study | sm.RunsScan, outcomes: Sequence[str] = HEADLINE_OUTCOMES,
) -> pd.DataFrame:
    """One row per scenario: runs, P(outcome) [95% Wilson] for the key outcomes, median civilian harm.

    A cell is '-' when the outcome happens in no run of the scenario's episode family (the talks of
    the September episode never open, say), so a 0 there would mean nothing.

    Args:
        runs: a runs table, or a study (or its `summaries.RunsScan`), whose numbers are then
            streamed from its parts (`sim.results.summaries`: the same table, read by columns).
        outcomes: the binary outcomes shown.
    """
    if isinstance(runs, pd.DataFrame):
        runs, _ = an.valid_runs(runs)
        probabilities = an.outcome_probabilities(runs, outcomes)
        relevant = {tuple(names): set(an.relevant_outcomes(runs[runs["scenario"].isin(names)], outcomes))
                    for names in families(runs).values()}  # fmt: skip
        harm = runs.groupby("scenario")["civilian_harm"].median()
    else:
        scan = sm.RunsScan.of(runs)
        probabilities = sm.outcome_probabilities(scan, outcomes)
        relevant = {tuple(names): set(sm.relevant_outcomes(scan, outcomes, names))
                    for names in sm.families(scan).values()}  # fmt: skip
        harm = sm.medians(scan, "civilian_harm")
    table = an.probability_table(probabilities, outcomes)
    for names, happened in relevant.items():
        for o in outcomes:
            if o not in happened:
                table.loc[table["scenario"].isin(names), f"P({an.label(o)})"] = "-"
    table["civilian harm, median"] = [f"{harm[name]:.0f}" for name in table["scenario"]]
    return table


def clock_name(outcome: str) -> str:
    """When an outcome's clock starts: 'the episode start', or the label of its origin ('ceasefire agreed')."""
    origin = CLOCKS.get(outcome)
    return an.label(origin) if origin else "the episode start"


def time_header(outcome: str) -> str:
    """Column header of a time outcome: its label, and its clock when that does not start at day 0."""
    return an.label(outcome) + (f" (days since {clock_name(outcome)})" if CLOCKS.get(outcome) else "")


def time_medians(runs: pd.DataFrame, outcomes: Sequence[str] = an.TIME_OUTCOMES) -> pd.DataFrame:
    """`analysis.survival_medians` on each outcome's own clock (CLOCKS), the clock of the survival figure.

    An outcome whose clock starts at another day column (the ceasefire's collapse, from the day
    it was agreed) is estimated from that day on (`analysis.survival_curves` with that origin),
    over the runs in which that day came (n); its horizon is the longest follow-up from it.

    Returns:
        scenario, episode, outcome, clock ('episode start' or the origin's day column), n,
        events, median, low, high, horizon.
    """
    runs = an.add_derived(runs)
    medians = an.survival_medians(runs, outcomes)
    medians.insert(3, "clock", "episode start")
    for i, r in medians.iterrows():
        origin = CLOCKS.get(r["outcome"])
        if not origin or origin not in runs:
            continue
        group = runs[runs["scenario"] == r["scenario"]]
        curve = an.survival_curves(group, r["outcome"], [r["scenario"]], origin=origin)
        median, low, high = an.km_median(curve)
        medians.loc[i, ["clock", "n", "events", "median", "low", "high", "horizon"]] = [
            origin, int(group[origin].notna().sum()), int(curve["events"].sum()) if len(curve) else 0,
            median, low, high, float(curve["horizon"].iloc[0]) if len(curve) else np.nan]
    return medians


def median_table(medians: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Wide: one row per scenario, 'median [low, high] (events/runs)' per time-to-event outcome.

    A column whose clock does not start at day 0 says so in its header (`time_header`).
    """
    rows = []
    for name in an.scenario_order(medians):
        m = medians[medians["scenario"] == name].set_index("outcome")
        row = {"scenario": name}
        for o in outcomes:
            if o in m.index:
                r = m.loc[o]
                cell = ("-" if int(r["n"]) == 0 else
                        an.format_day_interval(r["median"], r["low"], r["high"], r["horizon"]))  # fmt: skip
                row[time_header(o)] = f"{cell} ({int(r['events'])}/{int(r['n'])})"
        rows.append(row)
    return pd.DataFrame(rows)


def effect_cell(diff: float, low: float, high: float, binary: bool, scale_of: float) -> str:
    """'diff [low, high]': binary outcomes in percentage points, others with digits for their size."""
    if binary:
        return f"{100 * diff:+.1f} pp [{100 * low:+.1f}, {100 * high:+.1f}]"
    digits = 3 if abs(scale_of) < 10 else 1
    return f"{diff:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def difference_table(diffs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Wide: one row per counterfactual, 'diff [low, high]; changed x%' per outcome."""
    rows = []
    for name in an.scenario_order(diffs):
        d = diffs[diffs["scenario"] == name].set_index("outcome")
        row = {"counterfactual": name, "pairs": int(d["pairs"].max())}
        for o in outcomes:
            if o not in d.index:
                continue
            r = d.loc[o]
            cell = effect_cell(r["diff"], r["low"], r["high"], r["kind"] == "binary", r["mean_base"])
            row[an.label(o)] = f"{cell}; {percent(r['changed'])}"
        rows.append(row)
    return pd.DataFrame(rows)


def change_table(change: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Long: per counterfactual and outcome, the effect under the posterior, under the priors,
    and how much the calibration changed it (each with its 95% interval)."""
    rows = []
    for _, r in change[change["outcome"].isin(outcomes)].iterrows():
        binary = r["kind"] == "binary"
        cell = {label: effect_cell(r[f"diff_{label}"], r[f"low_{label}"], r[f"high_{label}"], binary,
                                   r[f"mean_base_{label}"]) for label in ("posterior", "prior")}  # fmt: skip
        rows.append({"counterfactual": r["scenario"], "outcome": an.label(r["outcome"]),
                     "posterior [95%]": cell["posterior"], "priors alone [95%]": cell["prior"],
                     "calibration changed it by [95%]": effect_cell(r["change"], r["change_low"], r["change_high"],
                                                                    binary, r["mean_base_posterior"])})
    return pd.DataFrame(rows)


def change_line(change: pd.DataFrame, prior_name: str) -> str:
    """One line: how many effects the calibration changed beyond their interval, and the largest change."""
    if change.empty:
        return f"No pairs in both this study and `{prior_name}`."
    head = f"Under the priors alone (study `{prior_name}`: the same design and seeds, draws from the priors), the "
    clear = an.changed_beyond_interval(change)
    if clear.empty:
        return (head + f"calibration changed none of these {len(change)} effects beyond the 95% interval of the "
                "change: they come from the rules' structure and the priors' ranges.")
    # the largest change relative to the effect's size, so binary and continuous outcomes compare
    scale = np.maximum(clear["diff_prior"].abs(), clear["diff_posterior"].abs())
    top = clear.loc[(clear["change"].abs() / scale).idxmax()]
    fmt = (lambda v: f"{100 * v:+.1f} pp") if top["kind"] == "binary" else (lambda v: f"{v:+.2f}")
    return (head + f"calibration changed {len(clear)} of these {len(change)} effects beyond the 95% interval of the "
            f"change; the most, relative to its size: `{top['scenario']}` on {an.label(top['outcome'])}, "
            f"{fmt(top['diff_prior'])} under the priors, {fmt(top['diff_posterior'])} under the posterior.")


def changed_outcomes(diffs: pd.DataFrame, outcomes: Sequence[str]) -> list[str]:
    """The outcomes (in the given order) that some counterfactual changed in at least one pair."""
    changed = set(diffs.loc[diffs["changed"] > 0, "outcome"])
    return [o for o in outcomes if o in changed]


def _varying_times(runs: pd.DataFrame, outcome: str) -> bool:
    """Whether a day outcome happens in some run at a day that differs between runs."""
    days = runs[outcome].dropna()
    return len(days) > 0 and (days.nunique() > 1 or len(days) < len(runs))


# --------------------------------------------------------------------------- networks
def network_run(study: Study, runs: pd.DataFrame, scenario: str, replicate: int = 0):
    """Re-run one stored replicate (`sim.experiments.runs.rerun`: its seed and parameters).

    Returns:
        (RunResult, whether its outcomes equal the stored ones, replicate, seed).
    """
    row = runs[(runs["scenario"] == scenario) & (runs["replicate"] == replicate)]
    if row.empty:  # that replicate failed: the first valid one
        row = runs[runs["scenario"] == scenario].head(1)
    row = row.iloc[0]
    result = rerun(study, scenario, int(row["replicate"]))
    same = True
    for key in ("talks_pause_day", "ceasefire_collapse_day", "channel_suspend_day", "supply_cut_day",
                "civilian_harm", "rus_strikes_total"):  # fmt: skip
        a, b = result.outcomes[key], row[key]
        if not ((isinstance(a, float) and math.isnan(a) and pd.isna(b)) or np.isclose(float(a), float(b))):
            same = False
    return result, same, int(row["replicate"]), int(row["seed"])


# --------------------------------------------------------------------------- the report
def write_report(
    study: Study | str | Path, out: str | Path | None = None, observed_path: str | Path = an.OBSERVED_EVENTS,
    networks: bool = True, prior: Study | str | None = "auto", record_dir: str | Path = SENSITIVITY_RECORD,
) -> Report:
    """Write the report of a study: summary.md, CSV tables and PNG figures.

    Args:
        study: a loaded Study, or its folder / name under results/.
        out: report folder (default: <study folder>/report).
        observed_path: observed events for the timeline overlay.
        networks: also re-run replicate 0 of each episode for the network figure.
        prior: the study's prior companion (`sim.experiments.prior_predictive`: the same design
            with draws from the priors), whose paired differences are shown beside the
            posterior's; 'auto' uses the stored one when there is one of the same design; None
            shows none.
        record_dir: the committed sensitivity record, whose top parameters per counterfactual
            the report shows (`sim.reporting.sensitivity_record`).

    Returns:
        The Report (paths written and the headline table).
    """
    import matplotlib

    matplotlib.use("Agg")
    from sim.reporting import figures as fg
    from sim.scenarios import load_scenario

    if not isinstance(study, Study):
        study = load_study(study)
    folder = Path(out) if out else Path(study.path) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    report = Report(folder, folder / "summary.md")
    manifest = study.manifest
    design = manifest.get("design", {})
    runs, failed = an.valid_runs(study.runs)
    fams = families(runs)

    def save(fig, name: str, dpi: int = DPI) -> str:
        path = folder / name
        fig.savefig(path, dpi=dpi)
        report.figures.append(path)
        return name

    def table(frame: pd.DataFrame, name: str) -> None:
        path = folder / name
        frame.to_csv(path, index=False)
        report.tables.append(path)

    # the figures need the runs in memory, so the tables are made from them too (streaming them
    # from the parts as well would read the study twice)
    probs, medians = an.outcome_probabilities(runs), time_medians(runs)
    diffs = an.paired_differences(runs)
    if isinstance(prior, str):
        prior = prior_companion(study) if design.get("parameters") == "posterior" else None
    change = an.calibration_change(runs, an.valid_runs(prior.runs)[0]) if prior is not None else None
    table(probs, "probabilities.csv")
    table(medians, "survival_medians.csv")
    table(diffs, "paired_differences.csv")
    table(failed, "failed_runs.csv")
    if change is not None:
        table(change, "calibration_change.csv")
    sensitivity_top = top_factors(sorted(set(diffs["scenario"])) if len(diffs) else [], record_dir)
    if len(sensitivity_top):
        table(sensitivity_top, "sensitivity_top.csv")
    report.headline = headline_table(study.runs)

    observed = an.observed_events(observed_path) if Path(observed_path).is_file() else None
    lines = [
        f"# Study `{manifest.get('study')}`",
        "",
        "## Design",
        "",
        f"- command: `{manifest.get('command', '?')}`",
        f"- study seed: {design.get('seed')}; replicates per scenario: {design.get('replicates')}; "
        f"scenarios: {len(design.get('scenarios', []))}; runs: {len(study.runs)}",
        f"- parameters: {design.get('parameters')}"
        + (f" (one posterior draw per replicate from `{display_path(manifest['posterior'])}`, sha256 "
           f"{str(manifest.get('identity', {}).get('posterior_sha256'))[:12]}...)" if manifest.get("posterior")
           else " (the defaults of `sim/model/parameters.csv`)"),
        f"- code version: `{manifest.get('code_version')}`; created {manifest.get('created')}; "
        f"status: {manifest.get('status')}",
        f"- packages: {', '.join(f'{k} {v}' for k, v in manifest.get('packages', {}).items())}",
        f"- failed runs: {int(failed['failed'].sum())} of {len(study.runs)} (left out of every statistic"
        + ("; see failed_runs.csv)" if failed["failed"].sum() else ")"),
        "",
        "## How to read the numbers",
        "",
        "- **Probabilities**: share of runs with the outcome, with a 95% **Wilson score** interval.",
        "- **Times**: days since the episode's start"
        + "".join(f"; **{an.label(o)}: days since {clock_name(o)}** (over the runs that have that day)"
                  for o in CLOCKS if CLOCKS[o])
        + ". A table column, a row of `survival_medians.csv` (column `clock`) and a survival figure's panel each "
        "name their clock, the same in all three. **Kaplan-Meier** estimates; a run in which the event "
        "never happened is censored at the end of its follow-up, not dropped. Median day with a 95% interval "
        "(Brookmeyer-Crowley, from the Greenwood log(-log) band); `>N` (`>60`) = not reached within the N days of "
        "follow-up (the horizon, fewer on a clock that starts later); (events/runs) after each cell.",
        "- **Paired differences**: replicate r of a counterfactual and of its episode share the seed and the "
        "parameter draw (common random numbers). Mean of the per-pair differences (counterfactual - baseline; "
        "binary outcomes in percentage points) with a 95% **paired-bootstrap** percentile interval "
        f"({an.BOOTSTRAP_RESAMPLES} resamples of pairs, seed {an.BOOTSTRAP_SEED}); the % after `;` is the "
        "share of pairs in which the counterfactual changed the outcome.",
        "- A `-` or a missing column: the outcome happens in no run of that episode's scenarios.",
        "",
        "## Headline",
        "",
        markdown_table(report.headline),
        "",
    ]

    for episode, names in fams.items():
        fam = runs[runs["scenario"].isin(names)]
        spec = load_scenario(episode)
        start = spec.start_date
        binary = an.relevant_outcomes(fam, an.BINARY_OUTCOMES)
        continuous = an.relevant_outcomes(fam, an.CONTINUOUS_OUTCOMES)
        lines += [f"## Episode `{episode}`: {spec.description}", "",
                  f"Day 0 = {start:%d %B %Y}; horizon {int(fam['horizon_days'].max())} days. "
                  f"Scenarios: {', '.join(f'`{n}`' for n in names)}.", ""]  # fmt: skip

        # probabilities
        fp = probs[probs["scenario"].isin(names)]
        if binary:
            name = save(fg.plot_probabilities(fp, binary, names, title=f"{episode}: outcome probabilities by "
                                              f"scenario (95% Wilson intervals)"), f"probabilities_{episode}.png")
            lines += ["### Outcome probabilities", "", markdown_table(an.probability_table(fp, binary, header="{}")), "",
                      f"![outcome probabilities]({name})", ""]  # fmt: skip

        # survival
        panels = [o for o in SURVIVAL_PANELS if o in fam and _varying_times(fam, o)]
        time_cols = [o for o in an.TIME_OUTCOMES if o in fam and fam[o].notna().any()]
        fm = medians[medians["scenario"].isin(names)]
        other_clocks = [o for o in time_cols if CLOCKS.get(o)]
        if time_cols:
            lines += ["### Times to events (median days since the episode start [95%], unless a column names "
                      "another clock)", "", markdown_table(median_table(fm, time_cols)), ""]  # fmt: skip
            if other_clocks:
                lines += [" ".join(f"**{an.label(o).capitalize()}** is counted in days since {clock_name(o)}, over "
                                   "the runs that have that day (the n after the slash): the clock of the survival "
                                   "figure." for o in other_clocks), ""]  # fmt: skip
        if panels:
            curves = pd.concat([an.survival_curves(fam, o, names, origin=SURVIVAL_PANELS[o]) for o in panels],
                               ignore_index=True)  # fmt: skip
            clocks = {o: clock_name(o) for o in panels if SURVIVAL_PANELS[o]}
            name = save(fg.plot_survival(curves, start, names, episodes={n: episode for n in names}, clocks=clocks,
                                         title=f"{episode}: Kaplan-Meier curves, share of runs in which the event "
                                               "has not yet happened (censored at the end of follow-up)"),
                        f"survival_{episode}.png")  # fmt: skip
            lines += [f"![survival curves]({name})", "",
                      "Each panel's title and x axis name its clock"
                      + "".join(f" ({an.label(o)}: days since {clock_name(o)})" for o in clocks)
                      + ", as in the table above.", ""]  # fmt: skip

        # paired differences
        fd = diffs[diffs["scenario"].isin(names)]
        if len(fd):
            # the figure shows what the table shows: every outcome some counterfactual changed in some
            # pair (or, when none changed anything, every outcome of the episode)
            moved = changed_outcomes(fd, binary + continuous)
            shown = moved or [o for o in binary + continuous if o in set(fd["outcome"])]
            fc = change[change["scenario"].isin(names)] if change is not None else None
            name = save(fg.plot_paired_differences(fd, shown, prior=fc), f"differences_{episode}.png")
            lines += [f"### Paired differences against `{episode}`", ""]
            lines += [markdown_table(difference_table(fd, moved)) if moved else
                      "No counterfactual changed any outcome in any pair.", "", f"![paired differences]({name})", ""]
            if fc is not None:
                fc = fc[fc["outcome"].isin(shown)]
                lines += ["#### Under the posterior and under the priors alone", "", change_line(fc, prior.manifest[
                    "study"]), "", markdown_table(change_table(fc, shown)), "",
                    "Replicate r has the same seed in both studies, so the change is bootstrapped over replicates "
                    "(the same r resampled in both). An effect the priors alone already give comes from the rules' "
                    "structure; the change is what the record taught. All outcomes: `calibration_change.csv`.", ""]
        elif len(names) > 1 or any(n != episode for n in names):
            lines += ["### Paired differences", "", f"No pairs: the baseline `{episode}` is not in this study.", ""]
        if len(fd):
            lines += top_factors_lines(sensitivity_top[sensitivity_top["counterfactual"].isin(names)])

        # distributions
        if continuous:
            name = save(fg.plot_distributions(fam, continuous, names,
                                              title=f"{episode}: outcome distributions by scenario (empirical CDF: "
                                                    "share of runs with a value at most x)"),
                        f"distributions_{episode}.png")  # fmt: skip
            lines += ["### Distributions of the counts and continuous outcomes", "",
                      "Empirical CDFs: the share of runs with a value at most x. A discrete outcome rises in steps "
                      "at the values it takes (a step's height: the share of runs with that value).", "",
                      f"![distributions]({name})", ""]  # fmt: skip

        # timeline
        base = episode if episode in names else names[0]
        if design.get("events"):
            events = study.events([base])
            sim_tl = an.simulated_timeline(events, fam, [base], start_dates={base: start})
            horizon = int(fam.loc[fam["scenario"] == base, "horizon_days"].max())
            obs_tl = an.observed_timeline(observed, start, horizon) if observed is not None else None
            n_obs = int(obs_tl["count"].sum()) if obs_tl is not None else 0
            name = save(fg.plot_timeline(sim_tl, obs_tl, start, base), f"timeline_{episode}.png")
            lines += ["### Simulated timeline against the observed events", "",
                      f"Simulated daily events of `{base}` by CAMEO quad class and acting actor (mean across "
                      f"runs) above the {n_obs} observed events of the same window "
                      f"({start:%d %b} - {start + pd.Timedelta(days=horizon - 1):%d %b %Y}) from "
                      f"`{Path(observed_path).name}`, each on its own axis. The news reports a small fraction of "
                      "acts, so the scales differ: compare timing, not size. Observed events with an approximate "
                      "date sit on their article's publication date.", "", f"![timeline]({name})", ""]  # fmt: skip
        else:
            lines += ["### Simulated timeline", "", "Not drawn: the study was run without `--events`.", ""]

        # networks
        if networks:
            result, same, rep, seed = network_run(study, fam, base)
            name = save(fg.plot_networks(result.model), f"network_{episode}.png", dpi=NETWORK_DPI)
            lines += ["### Networks of one run", "",
                      f"Replicate {rep} of `{base}` (seed {seed}) re-run: "
                      + ("its outcomes equal the stored ones." if same else
                         "**its outcomes differ from the stored ones** (code changed since the study ran?)."),
                      "", f"![networks]({name})", ""]  # fmt: skip

    lines += ["## Files", "", *[f"- `{p.name}`" for p in report.tables + report.figures], ""]
    report.summary.write_text("\n".join(lines), encoding="utf-8")
    return report


def format_headline(report: Report) -> str:
    """The headline table as text (for the terminal)."""
    return report.headline.to_string(index=False)
