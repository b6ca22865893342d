"""The validation report: `docs/validation/report.md` (published) or a quick run's, its tables (CSV) and figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from calibration.calibrate import DEFAULT_BUDGET as PUBLISHED_BUDGET  # noqa: E402
from calibration.checks import coverage  # noqa: E402
from calibration.validation.sbc import LEVELS, RANK_BINS, RANK_DRAWS  # noqa: E402
from sim.atomic import atomic_path  # noqa: E402
from sim.reporting.tables import markdown_table, replace_marked_section  # noqa: E402
from sim.results.provenance import code_version, machine, package_versions  # noqa: E402

if TYPE_CHECKING:
    from calibration.validation.validate import Validation

#: Seconds per step, so a report rewritten from the tables (`load_validation`) keeps them.
RUNTIME_FILE = "runtime.csv"
SCORE_COLUMNS = ["statistic", "observed", "q05", "q25", "q50", "q75", "q95", "crps", "brier", "in50", "in90", "pit"]


def _csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def _table(frame: pd.DataFrame, columns=None, headers=None) -> str:
    return markdown_table(frame, columns, headers, digits=3)


def pit_figure(scores: pd.DataFrame, path: Path) -> None:
    """Histograms of the PIT values, one row per episode (and one for both), one column per
    forecast (uniform when calibrated; few targets per panel, so read the shape, not the bars)."""
    forecasts = list(dict.fromkeys(scores["forecast"]))
    episodes = list(dict.fromkeys(scores["episode"])) + ["both episodes"]
    fig, axes = plt.subplots(len(episodes), len(forecasts), figsize=(3.2 * len(forecasts), 2.3 * len(episodes)),
                             sharey="row", squeeze=False)
    for i, episode in enumerate(episodes):
        rows = scores if episode == "both episodes" else scores[scores["episode"] == episode]
        for j, name in enumerate(forecasts):
            ax = axes[i, j]
            values = rows.loc[rows["forecast"] == name, "pit"].dropna()
            ax.hist(values, bins=5, range=(0, 1), color="#4477aa", edgecolor="white")
            ax.axhline(len(values) / 5, color="grey", ls="--", lw=1)
            ax.set_title(f"{episode}: {name} (n={len(values)})", fontsize=8)
            if i == len(episodes) - 1:
                ax.set_xlabel("PIT")
        axes[i, 0].set_ylabel("unseen targets")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def rank_figure(ranks: pd.DataFrame, summary: pd.DataFrame, path: Path) -> None:
    """SBC rank histograms of the parameters the SMC moved in most replications."""
    shown = summary.sort_values("inferred_share", ascending=False)
    shown = shown[shown["inferred_share"] > 0.5]["parameter"].tolist()[:30] or summary["parameter"].tolist()[:12]
    cols = 6
    rows = int(np.ceil(len(shown) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 1.8 * rows), squeeze=False)
    for ax, name in zip(axes.flat, shown):
        r = ranks.loc[ranks["parameter"] == name, "rank"]
        ax.hist(r, bins=RANK_BINS, range=(0, RANK_DRAWS + 1), color="#228833", edgecolor="white")
        ax.axhline(len(r) / RANK_BINS, color="grey", ls="--", lw=1)
        ax.set_title(name, fontsize=7)
        ax.set_xticks([])
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def write_report(v: "Validation", out: Path) -> Path:
    """Write the tables, the figures and report.md into `out`; returns the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    _csv(v.cutoff_scores, out / "cutoff_scores.csv")
    _csv(v.cutoff_skill, out / "cutoff_skill.csv")
    _csv(v.loo_scores, out / "leave_one_out.csv")
    _csv(v.sbc_ranks, out / "sbc_ranks.csv")
    _csv(v.sbc, out / "sbc_summary.csv")
    _csv(v.information, out / "information.csv")
    if v.timings:
        _csv(pd.DataFrame({"step": list(v.timings), "seconds": list(v.timings.values())}), out / RUNTIME_FILE)
    pit_figure(v.cutoff_scores, out / "pit.png")
    rank_figure(v.sbc_ranks, v.sbc, out / "sbc_ranks.png")
    b = v.budget
    L = ["# Validation: out-of-sample scores and calibration checks\n", "## Provenance\n",
         f"- command: `{v.command}`", f"- seed: {v.seed}; workers: {v.workers} (the result does not depend on them)",
         f"- code (git commit): {code_version()}", f"- machine: {machine()['platform']}, {machine()['cpus']} logical CPUs",
         "- " + ", ".join(f"{k} {x}" for k, x in package_versions().items()),
         f"- observed record sha256 `{v.record_sha256}`",
         f"- budget: cut-offs {', '.join(map(str, b.cutoffs))}; each calibration: {b.calibration.screen_draws} pilot runs, "
         f"population {b.calibration.population}, up to {b.calibration.generations} generations, "
         f"{b.calibration.draws} predictive draws; SBC: {b.sbc.replications} replications, population "
         f"{b.sbc.population}, up to {b.sbc.generations} generations, {b.sbc_pilot} pilot runs"
         + (" (a quick run: numbers are a smoke test, not evidence)" if v.quick else ""), ""]
    if v.timings:
        L += ["## Runtime\n", _table(pd.DataFrame({"step": list(v.timings),
                                                   "seconds": [round(s) for s in v.timings.values()]})),
              f"\nTotal: {sum(v.timings.values()):.0f} s.\n"]
    overall = v.cutoff_skill[v.cutoff_skill["episode"] == "both"]
    L += ["## 1. Forecasts past a cut-off\n",
          "Calibrated on the record up to day T (every target over [0, T): a later milestone is 'not by T'), "
          "then the whole window simulated; scored on the milestones on day T or later that the calibration did "
          "not see. References: the prior predictive, and the calibration on the other episode's whole window. "
          "CRPS in days of the milestone censored at the window's end; Brier of 'happened by the window's end'; "
          "skill = 1 - CRPS / CRPS of the reference (above 0: better than the reference).\n",
          "**Overall skill** (sum of CRPS over both episodes' unseen targets):\n",
          _table(overall, ["cutoff", "crps_posterior", "crps_prior", "crps_other episode", "skill_vs_prior",
                           "skill_vs_other episode"],
                 ["cut-off day", "CRPS (calibrated up to T)", "CRPS (prior)", "CRPS (other episode)",
                  "skill vs prior", "skill vs other episode"]), ""]
    for (day, ep), sk in v.cutoff_skill[v.cutoff_skill["episode"] != "both"].groupby(["cutoff", "episode"], sort=False):
        L += [f"### Day {day}, {ep}\n", _table(sk, list(sk.columns[2:])), ""]
        sc = v.cutoff_scores[(v.cutoff_scores["cutoff"] == day) & (v.cutoff_scores["episode"] == ep)
                             & (v.cutoff_scores["forecast"] == "posterior")]
        L += ["Scores of the calibration up to T:\n", _table(sc, SCORE_COLUMNS), ""]
    cov = v.cutoff_scores.groupby("forecast")[["in50", "in90"]].agg(lambda s: s.dropna().astype(bool).mean())
    L += ["Coverage of the unseen targets, all cut-offs (nominal 0.5 and 0.9):\n",
          _table(cov.reset_index(), ["forecast", "in50", "in90"]),
          "\nPIT of the unseen targets (randomised for censored and binary ones), per episode and forecast; the "
          "dashed line is what a calibrated forecast gives on average:\n", "![PIT](pit.png)\n"]
    L += ["## 2. Leave one episode out\n",
          "Calibrated on one episode's whole window, every target of the other scored.\n"]
    for left, tab in v.loo_scores.groupby("left_out", sort=False):
        cov = coverage(tab)
        L += [f"### {left} left out\n",
              f"Coverage: {cov['in50']:.2f} in 50%, {cov['in90']:.2f} in 90% of {cov['n']} targets; total CRPS "
              f"{tab['crps'].sum():.1f}.\n", _table(tab, SCORE_COLUMNS), ""]
    s = v.sbc
    moved = s[s["inferred_share"] > 0]
    L += ["## 3. Simulation-based calibration\n",
          f"{b.sbc.replications} records simulated from prior draws, each calibrated by the same pipeline at the "
          f"reduced budget above; the rank of the true value among {RANK_DRAWS} posterior draws "
          f"({RANK_BINS}-bin chi-square test of uniformity) and whether the central "
          + " and ".join(f"{int(x * 100)}%" for x in LEVELS) + " intervals hold it (expected coverage). Verdict from "
          "the 90% coverage (binomial test at 5%): overconfident = intervals too narrow.\n",
          f"**What this checks.** {sbc_scope(b)}\n",
          f"- parameters the SMC moved in some replication: {len(moved)} of {len(s)}; rank histograms uniform at "
          f"the 5% level: {int(moved['uniform_at_5pct'].sum())} of {len(moved)}",
          f"- expected coverage over those: {moved['coverage50'].mean():.2f} at 50%, {moved['coverage90'].mean():.2f} "
          "at 90%",
          "- overconfident: " + (", ".join(f"`{p}`" for p in moved.loc[moved['verdict'] == 'overconfident', 'parameter'])
                                 or "none"),
          "- underconfident: " + (", ".join(f"`{p}`" for p in moved.loc[moved['verdict'] == 'underconfident',
                                                                         'parameter']) or "none"), "",
          _table(s.sort_values("coverage90"), list(s.columns)), "\n![SBC ranks](sbc_ranks.png)\n"]
    L += ["## 4. Identifiability\n",
          "The published posterior's sd ratio (posterior sd / prior sd) beside the information bound of the "
          "SBC's pilot (`calibration/inference/information.py`: the expected sd ratio an exact posterior "
          "reaches from these targets, the targets that inform each parameter, the candidate measurement that "
          "would add most).\n"]
    merged = v.information.merge(v.identifiability[["parameter", "sd_ratio", "verdict"]], on="parameter")
    L += [_table(merged, ["parameter", "sd_ratio", "verdict", "expected_sd_ratio", "informative_targets",
                          "expected_sd_ratio_with_candidates", "best_candidate"]), ""]
    L += ["## Outputs\n", "`cutoff_scores.csv`, `cutoff_skill.csv`, `leave_one_out.csv`, `sbc_ranks.csv`, "
          "`sbc_summary.csv`, `information.csv`, `pit.png`, `sbc_ranks.png`.\n"]
    path = out / "report.md"
    with atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(L), encoding="utf-8")
    return path


#: The README's section that `run.py validate` (default run) rewrites between these markers.
README_START, README_END = "<!-- validation:start -->", "<!-- validation:end -->"


def sbc_scope(b) -> str:
    """What the SBC's budget checks, against the published calibration's."""
    pub = PUBLISHED_BUDGET
    return (f"The SBC runs the calibration pipeline (screening, semi-automatic summaries, ABC-SMC, adjustment) at "
            f"population {b.sbc.population} x {b.sbc.generations} generations on a {b.sbc_pilot}-run pilot; the "
            f"published posterior was made at population {pub['population']} x {pub['generations']} on a "
            f"{pub['screen_draws']}-run pilot. So it checks the procedure at the reduced budget. The published "
            "posterior's coverage is not measured directly: there epsilon falls further and the adjustment acts on "
            "closer particles, which can narrow the intervals or centre them better. An SBC at the published budget "
            "costs one full calibration (about 15 minutes on 2 cores) per replication.")


def trust_section(v: "Validation") -> str:
    """The README's 'How far to trust these numbers', from a validation's numbers."""
    overall = v.cutoff_skill[v.cutoff_skill["episode"] == "both"]
    moved = v.sbc[v.sbc["inferred_share"] > 0]
    over = moved.loc[moved["verdict"] == "overconfident", "parameter"].tolist()
    under = moved.loc[moved["verdict"] == "underconfident", "parameter"].tolist()
    loo = []
    for left, tab in v.loo_scores.groupby("left_out", sort=False):
        cov = coverage(tab)
        loo.append(f"{left} predicted from the other episode alone: {cov['in90']:.0%} of its {cov['n']} targets "
                   f"inside their 90% interval, {cov['in50']:.0%} inside 50%")
    bound = v.information[v.information["expected_sd_ratio"] <= 0.5]
    lines = [README_START, "## How far to trust these numbers", "",
             f"Measured by `{v.command}` ([`docs/validation/report.md`](docs/validation/report.md); this section "
             "is rewritten by it):", ""]
    for _, r in overall.iterrows():
        lines.append(f"- **Forecast past day {int(r['cutoff'])}** (calibrated on the record up to that day, scored on "
                     f"the milestones after it): CRPS skill {r['skill_vs_prior']:+.2f} against the prior predictive, "
                     f"{r['skill_vs_other episode']:+.2f} against the calibration on the other episode (above 0: better).")
    lines += ["- **Leave one episode out**: " + "; ".join(loo) + ".",
              f"- **Simulation-based calibration** ({v.budget.sbc.replications} simulated records, each calibrated at "
              f"population {v.budget.sbc.population} x {v.budget.sbc.generations} generations, against "
              f"{PUBLISHED_BUDGET['population']} x {PUBLISHED_BUDGET['generations']} for the published posterior, "
              "so it checks the procedure at that budget): expected coverage "
              f"{moved['coverage50'].mean():.2f} for the 50% intervals and {moved['coverage90'].mean():.2f} for the 90% "
              f"intervals of the {len(moved)} inferred parameters; rank histograms uniform at 5% for "
              f"{int(moved['uniform_at_5pct'].sum())} of them. Overconfident (intervals too narrow): "
              + (", ".join(f"`{p}`" for p in over) or "none") + "; underconfident: "
              + (", ".join(f"`{p}`" for p in under) or "none") + ".",
              f"- **Identifiability**: {int((v.identifiability['sd_ratio'] <= 0.5).sum())} parameters have a posterior "
              f"sd below half the prior's; by the information bound, an exact posterior from these targets would reach it "
              f"for {len(bound)}. Effects resting on the others carry their prior ranges: read the headline beside its "
              "prior-predictive column.", README_END]
    return "\n".join(lines)


def update_readme(path: Path, section: str) -> None:
    """Replace the README's validation section (between the markers) with `section`."""
    replace_marked_section(path, README_START, README_END, section)
