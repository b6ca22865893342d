"""The calibration report: its Markdown text, its summary lines and figures (matplotlib, Agg backend)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from calibration.checks import PredictiveCheck, coverage, describe  # noqa: E402
from calibration.inference.adjustment import MIN_ESS  # noqa: E402
from calibration.inference.information import CANDIDATE_MEASUREMENTS  # noqa: E402
from calibration.inference.prior import calibrated_parameters  # noqa: E402
from calibration.inference.smc import AbcResult, effective_sample_size  # noqa: E402
from calibration.targets import EpisodeSpec, profile_keys  # noqa: E402
from calibration.targets import NOT_TARGETS, RATIO_BEFORE_DAYS, milestone_targets  # noqa: E402
from sim.paths import RECORD_SOURCES, display_path  # noqa: E402
from sim.reporting.tables import format_cell, markdown_table  # noqa: E402
from sim.results.provenance import code_version, machine, package_versions  # noqa: E402

#: How a miss (False) is written in the report's tables: it should stand out.
NO = "**no**"


def cell(value) -> str:
    """A value as the report's tables write it."""
    return format_cell(value, 3, NO)


def table(frame: pd.DataFrame, columns: list[str], headers: list[str] | None = None) -> str:
    """A table of the report."""
    return markdown_table(frame, columns, headers, digits=3, no=NO)


def ppc_markdown(table_: pd.DataFrame) -> str:
    """A predictive check's interval table as Markdown."""
    t = table_.copy()
    t["int50"] = [f"[{cell(a)}, {cell(b)}]" for a, b in zip(t["q25"], t["q75"])]
    t["int90"] = [f"[{cell(a)}, {cell(b)}]" for a, b in zip(t["q05"], t["q95"])]
    if "p_censored" not in t:
        t["p_censored"] = math.nan
    return table(
        t, ["statistic", "meaning", "observed", "q50", "int50", "int90", "crps", "p_censored", "sim_undefined",
            "in50", "in90"],
        ["statistic", "meaning", "observed", "median", "50% interval", "90% interval", "CRPS",
         "P(not by the window's end)", "runs undefined", "in 50%", "in 90%"],
    )


@dataclass
class CalibrationRun:
    """What a calibration report is made from.

    Attributes:
        command: the command line recorded.
        seed: the base seed.
        workers: processes used.
        budget: the budget (`calibration.calibrate.DEFAULT_BUDGET`'s keys).
        quick: a quick (test) run.
        specs: the episodes' comparison specs.
        observed: the observed statistics.
        observed_acts: rows of the composed observed record.
        record_sha256: the hash of the observed record and its measurements.
        rows_per_source: rows each source of the record gave.
        merged: rows merged as the same act reported by several sources.
        screening: `screen_parameters`' table.
        screen_threshold: its threshold.
        max_inferred: its most inferred parameters.
        information: `calibration.inference.information.pilot_information`'s table.
        main: the both-episode ABC-SMC.
        predictive: its predictive check.
        cross: the cross-episode rows.
        identifiability: `checks.identifiability`'s table.
        timings: seconds per step (and 'total').
        started: when the run started (UTC).
        out: the output folder.
        publish: whether the posterior and report are published to calibration/data/.
    """

    command: str
    seed: int
    workers: int
    budget: dict
    quick: bool
    specs: dict[str, EpisodeSpec]
    observed: dict[str, float]
    observed_acts: int
    record_sha256: str
    rows_per_source: dict[str, int]
    merged: int
    screening: pd.DataFrame
    screen_threshold: float
    max_inferred: int
    information: pd.DataFrame
    main: AbcResult
    predictive: PredictiveCheck
    cross: pd.DataFrame
    identifiability: pd.DataFrame
    timings: dict[str, float]
    started: str
    out: Path
    publish: bool


def ppc_figure(table: pd.DataFrame, prior_table: pd.DataFrame | None, path: Path, title: str) -> None:
    """Observed value (dot) against 50% and 90% posterior predictive intervals (bars)."""
    n = len(table)
    fig, ax = plt.subplots(figsize=(8, 0.55 * n + 1.2))
    for i, row in enumerate(table.itertuples()):
        y = n - 1 - i
        if prior_table is not None:
            p = prior_table.iloc[i]
            ax.plot([p["q05"], p["q95"]], [y + 0.25] * 2, color="0.75", lw=2, label="prior 90%" if i == 0 else None)
        ax.plot([row.q05, row.q95], [y] * 2, color="tab:blue", lw=2, label="posterior 90%" if i == 0 else None)
        ax.plot([row.q25, row.q75], [y] * 2, color="tab:blue", lw=6, label="posterior 50%" if i == 0 else None)
        if not math.isnan(row.observed):
            ax.plot(row.observed, y, "o", color="tab:red" if not row.in90 else "k",
                    label="observed" if i == 0 else None)
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(table["statistic"])[::-1])
    ax.set_xlabel("days since the start (the violence ratio: a share)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def identifiability_figure(ident: pd.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 0.22 * len(ident) + 1.2))
    colors = {"informed": "tab:green", "weakly informed": "tab:orange", "not identified": "0.6",
              "not identified (screened out)": "0.85"}
    ax.barh(range(len(ident))[::-1], ident["sd_ratio"], color=[colors[v] for v in ident["verdict"]])
    ax.set_yticks(range(len(ident))[::-1])
    ax.set_yticklabels(ident["parameter"], fontsize=7)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.axvline(0.5, color="k", lw=0.5, ls=":")
    ax.set_xlabel("posterior sd / prior sd")
    ax.set_title("Identifiability (green < 0.5 <= orange < 0.8 <= grey)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def marginals_figure(posterior: pd.DataFrame, ident: pd.DataFrame, path: Path, k: int = 12) -> None:
    """Weighted posterior histograms of the k best-identified parameters over their prior range."""
    top = ident.head(k)
    cols = 4
    rows = math.ceil(len(top) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3 * cols, 2.2 * rows))
    w = posterior["weight"].to_numpy(dtype=float)
    for ax, row in zip(np.ravel(axes), top.itertuples()):
        ax.hist(posterior[row.parameter], bins=20, range=(row.prior_low, row.prior_high), weights=w,
                density=True, color="tab:blue", alpha=0.7)
        ax.axhline(1 / (row.prior_high - row.prior_low), color="0.4", ls="--", lw=1)
        ax.axvline(row.default, color="tab:red", lw=1)
        ax.set_title(row.parameter, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in np.ravel(axes)[len(top):]:
        ax.axis("off")
    fig.suptitle("Posterior (bars) vs prior (dashed); red: documented default", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def identification_text(ident: pd.DataFrame, information: pd.DataFrame) -> str:
    """What is identified and what is not, plainly, and what would identify the rest: the
    information bound of each parameter (`calibration.inference.information`) with and without
    the candidate measurements."""
    informed = ident[ident["verdict"] == "informed"]
    lines = [f"**Identified** (posterior sd <= half the prior's): {len(informed)} of {len(ident)} calibrated parameters"
             + (": " + ", ".join(f"`{p}` ({v:.2f})" for p, v in zip(informed["parameter"], informed["sd_ratio"]))
                if len(informed) else "") + "."]
    info = information.set_index("parameter")
    weak = ident[ident["verdict"] == "weakly informed"]
    if len(weak):
        lines.append("**Weakly informed** (0.5 to 0.8): " + ", ".join(
            f"`{p}` ({v:.2f}; informed by {info.loc[p, 'informative_targets']})"
            for p, v in zip(weak["parameter"], weak["sd_ratio"]) if p in info.index) + ".")
    bound = information[information["expected_sd_ratio"] <= 0.5]
    with_candidates = information[information["expected_sd_ratio_with_candidates"] <= 0.5]
    lines.append(
        f"**What the targets can teach at best.** An exact posterior would reach sd <= half the prior's, on average over "
        f"the records the model produces, for {len(bound)} parameter(s)"
        + (": " + ", ".join(f"`{p}`" for p in bound["parameter"]) if len(bound) else "")
        + f"; with the candidate measurements below added to the targets, for {len(with_candidates)}"
        + (": " + ", ".join(f"`{p}`" for p in with_candidates["parameter"]) if len(with_candidates) else "")
        + ". The limit is the record (one realisation of each episode, some thirty dated milestones), not the "
        "sampler: a parameter whose expected ratio is above 0.5 cannot be contracted to it by any inference from "
        "these targets. The table gives, per parameter, the out-of-fold R^2 of gradient boosting on the targets "
        "(1 - R^2 estimates the share of its prior variance an exact posterior keeps), the targets whose permutation "
        "costs most R^2 (those that identify it), and the candidate measurement that would add most.")
    return "\n\n".join(lines)


def information_section(information: pd.DataFrame, pilot_runs: int) -> str:
    """The information-bound table of the report."""
    cols = ["parameter", "r2_targets", "expected_sd_ratio", "informative_targets", "r2_with_candidates",
            "expected_sd_ratio_with_candidates", "best_candidate"]
    return (f"Over the {pilot_runs} prior predictive runs of the screening (`calibration/inference/information.py`; "
            "`information.csv`). Candidate measurements: "
            + ", ".join(f"`{m}`" for m in CANDIDATE_MEASUREMENTS) + " of each episode (run outcomes a record could "
            "report but the targets do not use).\n\n"
            + table(information, cols, ["parameter", "R^2 (targets)", "expected sd ratio", "targets that inform it "
                                        "(R^2 lost when permuted)", "R^2 (targets + candidates)",
                                        "expected sd ratio (with candidates)", "best candidate (R^2 lost)"]))


def _inside(cov: dict[str, float], interval: str) -> int:
    """How many scored statistics lie inside an interval ('in50', 'in90'), from `coverage`."""
    return int(round(cov[interval] * cov["n"]))


def summary(r: CalibrationRun) -> str:
    """The lines `run.py calibrate` prints."""
    main, ppc, cross, ident, timings, out, publish = (r.main, r.predictive.timeline, r.cross, r.identifiability,
                                                      r.timings, r.out, r.publish)
    cov = coverage(ppc)
    lines = [
        f"ABC-SMC: {main.generations} generations, {main.n_simulations} particles, final epsilon {main.epsilons[-1]:.3g}",
        f"posterior predictive: {_inside(cov, 'in90')}/{cov['n']} timeline targets inside their 90% interval, "
        f"{_inside(cov, 'in50')}/{cov['n']} inside 50%",
    ]
    outside = ppc[ppc["in90"].eq(False)]["statistic"].tolist()
    if outside:
        lines.append(f"outside 90%: {', '.join(outside)}")
    for row in cross.to_dict("records"):
        lines.append(f"cross-episode {row['calibrated on']} -> {row['predicted']}: {row['timeline in 90%']:.0%} of "
                     f"timeline targets in 90%, {row['timeline in 50%']:.0%} in 50%")
    weights = main.posterior["weight"]
    lines.append(f"posterior effective sample size {effective_sample_size(weights):.1f} of {len(weights)} draws")
    counts = ident["verdict"].value_counts()
    lines.append("identifiability: " + ", ".join(f"{counts.get(v, 0)} {v}" for v in (
        "informed", "weakly informed", "not identified", "not identified (screened out)")))
    lines.append(f"runtime {timings['total']:.0f} s; report {out / 'report.md'}" + ("; published to calibration/data/" if publish else ""))
    return "\n".join(lines)


def report_text(r: CalibrationRun) -> str:
    """The calibration report (Markdown)."""
    command, seed, workers, budget, quick, specs, observed = (r.command, r.seed, r.workers, r.budget, r.quick, r.specs,
                                                              r.observed)
    main, ppc, prior_ppc, prof = r.main, r.predictive.timeline, r.predictive.prior_timeline, r.predictive.profile
    cross, ident, timings, screen = r.cross, r.identifiability, r.timings, r.screening
    cov = coverage(ppc)
    pcov = coverage(prof)
    missing = [s for spec in specs.values() for s in spec.timeline_names() if np.isnan(observed[s])]
    outside = ppc[ppc["in90"].eq(False)]
    counts = ident["verdict"].value_counts()
    L = []
    L.append("# Calibration of the behaviour parameters (ABC-SMC)\n")
    if quick:
        L.append("**Quick run (tiny budget, for tests): not a usable posterior.**\n")
    L.append("## Provenance\n")
    L.append(f"- command: `{command}`")
    L.append(f"- seed: {seed}; workers: {workers} (the result does not depend on the number of workers)")
    L.append(f"- budget: population {budget['population']}, up to {budget['generations']} generations; "
             f"{budget['ppc_draws']} predictive draws; cross-episode: population {budget['cross_population']}, "
             f"{budget['cross_generations']} generations, {budget['cross_draws']} draws")
    L.append(f"- code (git commit): {code_version()}")
    L.append("- " + ", ".join(f"{name} {version}" for name, version in package_versions().items()))
    m = machine()
    L.append(f"- machine: {m['platform']}, {m['cpus']} logical CPUs")
    L.append(f"- observed record: {r.observed_acts} events composed from `{display_path(RECORD_SOURCES)}` ("
             + ", ".join(f"{k}: {v} rows" for k, v in r.rows_per_source.items())
             + f"; {r.merged} merged as one act reported by two sources); sha256 `{r.record_sha256}` (the record "
             "and its measurements; every study manifest carries it)")
    L.append(f"- started {r.started}\n")
    L.append("## Runtime\n")
    L.append("| step | seconds |\n|---|---|")
    for k, s in timings.items():
        L.append(f"| {k} | {s:.0f} |")
    L.append(f"\nABC-SMC: {main.n_simulations} particles simulated (each runs both episodes), "
             f"{main.generations} generations, epsilons {', '.join(f'{e:.3g}' for e in main.epsilons)}; effective sample "
             f"size per generation {', '.join(f'{e:.0f}' for e in main.ess)} of {budget['population']}.\n")
    L.append("## Result in brief\n")
    L.append(f"- Timeline targets inside their 90% posterior predictive interval: "
             f"{_inside(cov, 'in90')} of {cov['n']}; inside 50%: {_inside(cov, 'in50')} of {cov['n']}.")
    if len(outside):
        L.append("- Outside 90%: " + "; ".join(f"`{r.statistic}` (observed {r.observed:g}, 90% interval "
                                                 f"[{r.q05:g}, {r.q95:g}])" for r in outside.itertuples())
                 + " - see 'Targets the model does not reach' below.")
    L.append(f"- Profile keys (presence of a source>target CAMEO root) inside 90%: "
             f"{_inside(pcov, 'in90')} of {pcov['n']}.")
    for row in cross.to_dict("records"):
        L.append(f"- Cross-episode, calibrated on {row['calibrated on']} alone, predicting {row['predicted']}: "
                 f"{row['timeline in 90%']:.0%} of its timeline targets in 90%, {row['timeline in 50%']:.0%} in 50% "
                 f"(the both-episode fit: {row['both-episode fit: timeline in 90%']:.0%} in 90%).")
    w = main.posterior["weight"].to_numpy()
    ess = effective_sample_size(w)
    ess_text = (f"the posterior's effective sample size is {ess:.1f} of {len(w)} draws ({ess / len(w):.0%}; importance "
                "weights of the last generation" + (" x the adjustment's kernel" if main.adjustment is not None else "")
                + f"; importance weights alone, per generation {', '.join(f'{e:.0f}' for e in main.ess)})")
    if ess < 0.3 * len(w):
        L.append(f"- **Weakness: {ess_text}.** The weighted sample leans on a minority of its particles: its intervals "
                 "are noisier than the draw count suggests and the identifiability ratios less certain. A larger budget "
                 "(population, generations) or fewer inferred parameters would help; the default was sized to the "
                 "10-minute limit on 2 shared cores.")
    else:
        L.append(f"- {ess_text[0].upper() + ess_text[1:]}. (Before the reflected kernel - a multivariate normal kernel on "
                 "the logit scale - it was 4.5 of 300: see 'Inference'.)")
    L.append(f"- Identifiability: {counts.get('informed', 0)} parameters informed (posterior sd < half the prior's), "
             f"{counts.get('weakly informed', 0)} weakly informed, {counts.get('not identified', 0)} not identified "
             f"(posterior about the prior) and {counts.get('not identified (screened out)', 0)} screened out "
             f"(prior kept) of {len(ident)} calibrated.\n")
    L.append("## Targets\n")
    L.append("Computed by `calibration/targets.py` from the composed observed record and its measurements and, with "
             "the same definitions, from each simulated run, over each episode's whole window: "
             + "; ".join(f"{s.episode}: [day 0, {s.window_days}) from {s.start_date}" for s in specs.values()) + ".\n")
    L.append("**Milestones** (`calibration/data/milestone_targets.csv`): the day of the first record row marking it. "
             "A milestone that did not happen by the window's end is censored: its value is the window's end T on both "
             "sides, so a censored observation against a simulated day d costs T - d (and 'P(not by the window's end)' "
             "below is the predicted probability of censoring: the ceasefire still holding, the channel still open). "
             "The chronology records every state change of its window, so the absence of a state change is evidence; "
             "an act that changes no state (a refusal) may go unreported, so its absence is not (no observed value). "
             "A milestone an episode's scenario schedules is an input, not a target of that episode.\n")
    L.append("**Violence ratio.** Deaths a day in the ceasefire's first days over deaths a day in the "
             f"{RATIO_BEFORE_DAYS} days before, from the measurements, where both are measured; simulated, the same "
             "ratio of the run's civilian harm around its own entry into force. "
             + " ".join(f"{s.episode}: {s.ratio.evidence} = {s.ratio.observed:.3g}." if s.ratio else
                        f"{s.episode}: not measured (no deaths a day before its entry into force in the record)."
                        for s in specs.values()) + "\n")
    L.append("| statistic | meaning | observed |\n|---|---|---|")
    for spec in specs.values():
        for name in spec.timeline_names():
            L.append(f"| `{name}` | {describe(name)} | {cell(observed[name])} |")
    L.append("")
    if missing:
        L.append("Targets without an observed value (an act whose absence from the record is not evidence; dropped "
                 "from the distance): " + ", ".join(f"`{m}`" for m in missing) + ".\n")
    used = {m.milestone for m in milestone_targets()}
    L.append("Milestones of the record that are not targets: "
             + "; ".join(f"`{k}` ({v})" for k, v in NOT_TARGETS.items() if k not in used) + ".\n")
    L.append(f"**Profile.** Presence (0/1) in the window of each of the {len(profile_keys())} (source, target, CAMEO root) "
             "the model can emit among its five actors. Presence, not counts: the model emits a strike event per actor per "
             "day and daily criticism, a newspaper reports 'dozens of strikes' once; a count comparison would measure "
             "reporting volume. Observed events outside the model's repertoire (OTHER actors, roots no rule emits) are not "
             "compared. In the distance each episode's profile is one statistic (the share of keys that differ).\n")
    if main.projection is not None:
        r2 = main.projection.r2
        L.append("**Distance.** Semi-automatic summaries (Fearnhead and Prangle 2012; "
                 "`calibration/inference/projection.py`): each inferred parameter's ridge regression on the targets' "
                 "features (every milestone day and whether it was censored, the violence ratio, each episode's profile "
                 f"mismatch), fitted on the {budget['screen_draws']} prior predictive runs of the screening; the distance "
                 "is Euclidean over these summaries, each in units of its parameter's prior sd (so a summary the "
                 "targets barely inform varies little and weighs little; scaled by its own sd instead, as in the "
                 "previous calibration, every summary's noise weighed as much as the best-informed one's, and the "
                 "epsilon stopped falling with no parameter contracted). A sum of the thirty-odd "
                 "scaled targets instead hid every parameter's signal in the noise of the others (over prior draws no "
                 "parameter correlated above 0.2 with it; in a trial its ABC-SMC left every posterior sd above 0.85 of "
                 "the prior's). R^2 of each summary over the pilot (the share of a parameter's prior variance the "
                 "targets explain linearly; roughly, a posterior sd below half the prior's needs R^2 near 0.75): "
                 + ", ".join(f"`{k}` {v:.2f}" for k, v in sorted(r2.items(), key=lambda kv: -kv[1])) + ".\n")
    else:
        L.append("**Distance.** Weighted L1 over the targets (no pilot runs): "
                 + ", ".join(f"`{k}` {v:.3g}" for k, v in (main.distance.scales or {}).items()) + ".\n")
    L.append("**Inference.** ABC-SMC (pyabc), one shared parameter set for both episodes, "
             f"{len(calibrated_parameters())} calibrated parameters (`calibrated` in `sim/model/parameters.csv`) with independent "
             "uniform priors on their documented ranges (proposed and weighted on the parameters' own scale); policy levers, "
             "the deal's terms and structural numbers at their defaults; median epsilon schedule; component-wise normal perturbation kernel "
             "(sd = sqrt 2 x the population's weighted sd of each parameter, Beaumont et al. 2009; with 1 x, as before, "
             "a generation's effective sample size fell to 5 of 350) reflected at the range bounds "
             "(`ReflectedNormalTransition` in `calibration/inference/kernel.py`). The previous kernel, pyabc's multivariate normal on "
             "the logit scale z = logit((x - low)/(high - low)) with its logistic prior, pushed particles into the tails "
             "of z where that prior is tiny: the effective sample size fell to 4.5 of 300. Measured with a population "
             "of 150 and 4 generations (ESS of generations 1-3, of 150): logit scale, bandwidth factor 1: 11.6, 2.9, 3.0; "
             "Silverman's factor: 10.2, 1.5, 1.0; own scale, multivariate normal truncated at the bounds: 36.9, 25.1, "
             "18.0 (factor 1), 8.5, 1.0 (Silverman's, generations 1-2); own scale, reflected component-wise: 55.7, "
             "54.8, 40.5. A reflected step leaves a uniform marginal uniform, so the parameters the data barely inform "
             "do not make the weights vary. Each particle runs both episodes with a seed hashed from the base seed and "
             "its parameters.\n")
    L.append("**Regression adjustment.** " + (
        "The last generation is adjusted, each parameter (logit of its unit range) by the local-linear regression on "
        "its own summary, weighted by importance x the Epanechnikov kernel of the distance (after Beaumont, Zhang and "
        "Balding 2002; `calibration/inference/adjustment.py`, which gives the measurements behind one regression per "
        "parameter rather than one on all summaries): each particle keeps its own noise and loses the part of its "
        "parameter the regression attributes to its summary's gap from the observed one, which within "
        f"epsilon {main.epsilons[-1]:.3g} stays wide. The posterior sample is the adjusted one (effective sample "
        f"size {main.adjustment.ess:.0f} of {len(main.posterior)}); the identifiability table gives the sd ratio "
        "before the adjustment too. The predictive check below re-simulates the adjusted draws, so it tests what the "
        "adjustment gives." if main.adjustment is not None else
        "Not applied: the last generation's effective sample size is below "
        f"{MIN_ESS}, too few to fit the regressions (the sample is the SMC's).") + "\n")
    L.append("**Screening.** ABC-SMC importance weights degenerate in 45 dimensions: with every calibrated "
             "parameter moved by the perturbation kernel - then pyabc's multivariate normal kernel on the logit scale - the "
             "effective sample size fell to about 1 after one generation (measured with populations of 50, 200 and 300, "
             "with Silverman's and with unit kernel bandwidths; the reflected kernel used now was not tried with all 45). "
             "So a prior "
             f"predictive screening ({budget['screen_draws']} prior draws, one run per episode each) ranks the parameters by "
             "their largest absolute Spearman correlation with any target feature (a duration and the violence ratio over "
             "the runs where they are defined: how long a ceasefire held, over the runs in which one came into effect, "
             "shows a parameter that acts only then, as the joint monitoring does); those at or above "
             f"{r.screen_threshold} (at most {r.max_inferred}) are moved by the SMC, every other calibrated parameter is drawn "
             "from its prior in each simulation (the likelihood integrates over it) and, in the posterior sample, from its "
             "prior independently of the rest. Their posterior *is* their prior: they are listed as 'not identified "
             "(screened out)' below. Weak effects below the threshold are thereby ignored - a limit of this budget, "
             "not a finding that the parameter does nothing.\n")
    L.append(table(screen, ["parameter", "max_abs_spearman", "statistic", "inferred"],
                                   ["parameter", "max abs Spearman", "with", "inferred by the SMC"]))
    L.append("")
    L.append("## Posterior predictive check (milestones and violence)\n")
    L.append(f"One run per draw and episode, {budget['ppc_draws']} draws resampled from the weighted posterior. "
             "Milestones in days from the episode's start (the window's end T means not by then); CRPS in the "
             "statistic's units (days, or ratio); 'runs undefined' is the share of runs without a ceasefire in "
             "effect (the violence ratio is then undefined).\n")
    L.append(ppc_markdown(ppc))
    L.append("\nThe same under the prior (what the data changed):\n")
    L.append(ppc_markdown(prior_ppc))
    L.append("\n![timeline PPC](ppc_timeline.png)\n")
    L.append("## Posterior predictive check (profile)\n")
    bad = prof[prof["in90"].eq(False)]
    L.append(f"{_inside(pcov, 'in90')} of {pcov['n']} profile keys inside their 90% interval. Keys outside:\n")
    if len(bad):
        L.append(table(bad, ["statistic", "observed", "prior_share", "posterior_share"],
                                       ["key", "observed", "share of prior runs with it", "share of posterior runs with it"]))
    L.append("\n(Full table: `ppc_profile.csv`.)\n")
    L.append("## Targets the model does not reach\n")
    if len(outside) or len(bad):
        L.append("Timeline targets outside their 90% interval: "
                 + (", ".join(f"`{s}`" for s in outside["statistic"]) if len(outside) else "none") + ". "
                 "Profile keys outside: see above. Reasons, where the model's rules explain them:\n")
        L.append("- a key the model emits in every run but the articles do not report in the window (or vice versa) "
                 "cannot be fitted by any parameter: it is a limit of the model's repertoire or of the reporting, "
                 "not of the calibration;")
        L.append("- an indicator the model almost always produces (or never) shows the rule's structure, not a "
                 "parameter value.\n")
    else:
        L.append("None: every scored target lies inside its 90% interval.\n")
    L.append("## Cross-episode check\n")
    L.append(table(cross, list(cross.columns)))
    L.append("\nPer-target tables: `cross_feb_to_sep.csv`, `cross_sep_to_feb.csv`.\n")
    L.append("## Identifiability\n")
    L.append("Posterior sd / prior sd (uniform prior sd = width / sqrt 12); 'informed' < 0.5 <= 'weakly informed' < 0.8 "
             "<= 'not identified'. A parameter not identified keeps its prior: the batch runs then integrate over its "
             "whole documented range - its uncertainty is carried into the outcome distributions, not hidden.\n")
    L.append(table(ident, ["parameter", "basis", "default", "prior_low", "prior_high", "post_mean",
                                           "post_q05", "post_q95", "sd_ratio", "sd_ratio_smc", "expected_sd_ratio",
                                           "verdict"],
                                   ["parameter", "basis", "default", "prior low", "prior high", "posterior mean",
                                    "5%", "95%", "sd ratio", "sd ratio before adjustment",
                                    "expected sd ratio (information bound)", "verdict"]))
    L.append("")
    L.append(identification_text(ident, r.information))
    L.append("\n### What the targets can teach (information bound)\n")
    L.append(information_section(r.information, r.budget["screen_draws"]))
    L.append("\n![identifiability](identifiability.png)\n\n![marginals](posterior_marginals.png)\n")
    L.append("## Outputs\n")
    L.append("`posterior.csv` (draw_id, weight summing to 1, one column per calibrated parameter on its own scale), "
             "`abc.db` (pyabc history; parameters on their own scale), "
             "`abc_only_feb.db`, `abc_only_sep.db`, `ppc_timeline.csv`, `ppc_profile.csv`, `ppc_runs.csv`, "
             "`cross_episode.csv`, `identifiability.csv`, figures.\n")
    return "\n".join(L)
