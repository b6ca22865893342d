"""Write a sensitivity analysis to `<study>/sensitivity/<outcome>/`: tables (CSV), figures (PNG)
and summary.md.

    from sim.reporting.sensitivity_report import write_sensitivity
    written = write_sensitivity(study, "talks_paused")

Files: `indices.csv` (S1, ST with 95% intervals), `effects.csv` (each point's parameters and
effect), `distribution.csv`, `signs.csv`, `prim_boxes.csv` (each box's coverage, density, mass
and limits), `prim_trajectory.csv`, `cart.csv`, `feature_scores.csv`; `indices.png` (a bar
chart with intervals), `prim_tradeoff.png` (the peeling trajectory, the chosen box marked),
`prim_limits.png` (each box's limits against the parameter's range), `scatter.png` (the effect
against the three parameters of largest total index).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.atomic import atomic_path
from sim.paths import SENSITIVITY_RECORD
from sim.reporting.sensitivity import PRIM_SIGNIFICANCE, RESAMPLES, Box, SensitivityResult, analyse, sensitivity_spec
from sim.reporting.sensitivity_record import RECORD_FILE, record_folder, write_record_index
from sim.results.provenance import code_version
from sim.results.sensitivity_sample import grouped_factors
from sim.results.store import Study

TOP = 3
#: The colour of each kind of PRIM box in the limits figure.
BOX_COLOURS = {"large": "#2c3e50", "small": "#7f8c8d", "reversed": "#c0392b"}


@dataclass(frozen=True)
class WrittenSensitivity:
    """What `write_sensitivity` wrote.

    Attributes:
        folder: the folder.
        summary: summary.md.
        tables: the CSV files.
        figures: the PNG files.
        result: the analysis.
    """

    folder: Path
    summary: Path
    tables: list[Path]
    figures: list[Path]
    result: SensitivityResult


def write_sensitivity(study: Study, outcome: str, out: str | Path | None = None, seed: int = 1,
                      effects: bool = True) -> WrittenSensitivity:
    """Analyse one paired effect of a sensitivity study and write its tables, figures and summary.

    Args:
        study: the sensitivity study.
        outcome: the outcome whose paired effect is analysed.
        out: folder (default `<study>/sensitivity/<outcome>`).
        seed: seed of the bootstrap intervals, the extra trees.
        effects: also write effects.csv (every point's parameters and effect: large).

    Raises:
        UserError: an unknown outcome, an unfinished study, or an effect with no variance
            (before anything is written).
    """
    result = analyse(study, outcome, seed)  # every refusal comes before the first file
    spec = sensitivity_spec(study)
    folder = Path(out) if out is not None else study.path / "sensitivity" / outcome
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "indices.csv": result.indices,
        "distribution.csv": result.distribution.rename("value").rename_axis("statistic").reset_index(),
        "signs.csv": result.signs.rename("share").rename_axis("sign").reset_index(),
        "prim_boxes.csv": boxes_table(result),
        "prim_trajectory.csv": trajectories_table(result),
        "cart.csv": result.cart,
        "feature_scores.csv": result.feature_scores.rename_axis("parameter").reset_index(),
    }
    if effects:
        tables["effects.csv"] = result.effects.reset_index(names="point")
    written_tables = []
    for name, frame in tables.items():
        with atomic_path(folder / name) as tmp:
            frame.to_csv(tmp, index=False)
        written_tables.append(folder / name)
    figures = [_save(folder / "indices.png", indices_figure(result)),
               _save(folder / "prim_tradeoff.png", tradeoff_figure(result)),
               _save(folder / "prim_limits.png", limits_figure(result)),
               _save(folder / "scatter.png", scatter_figure(result))]  # fmt: skip
    summary = folder / "summary.md"
    with atomic_path(summary) as tmp:
        Path(tmp).write_text(summary_text(study, spec, result), encoding="utf-8")
    return WrittenSensitivity(folder, summary, written_tables, figures, result)


def record_sensitivity(study: Study, outcome: str, record_dir: str | Path = SENSITIVITY_RECORD,
                       seed: int = 1) -> WrittenSensitivity:
    """Write the analysis as the committed record of its counterfactual, which the report reads:
    `<record_dir>/<counterfactual>/<outcome>/`, the tables (not effects.csv: the study holds it),
    figures and summary, and `record.json` (the study, its command, sample, model fingerprint, size);
    then the record's index, `<record_dir>/README.md`, again.

    Raises:
        UserError: as `write_sensitivity` (before anything is written).
    """
    spec = sensitivity_spec(study)
    folder = record_folder(spec["counterfactual"], outcome, record_dir)
    written = write_sensitivity(study, outcome, folder, seed, effects=False)
    manifest = study.manifest
    record = {
        "baseline": spec["baseline"], "counterfactual": spec["counterfactual"], "outcome": outcome,
        "study": study.path.name, "command": manifest["command"], "code_version": manifest.get("code_version"),
        "analysis_code_version": code_version(),
        "model_fingerprint": manifest["identity"].get("model_fingerprint"), "identity_sha256": manifest["identity_sha256"],
        "runs": manifest["n_runs"], "completed": manifest.get("completed"), "machine": manifest.get("machine"),
        "sensitivity": spec,
    }  # fmt: skip
    with atomic_path(folder / RECORD_FILE) as tmp:
        Path(tmp).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    write_record_index(record_dir)
    return written


def _boxes(result: SensitivityResult) -> list[tuple[str, Box]]:
    return list(result.boxes.items())


def boxes_table(result: SensitivityResult) -> pd.DataFrame:
    """One row per restricted parameter of each PRIM box, with the box's statistics."""
    rows = []
    for kind, box in _boxes(result):
        for parameter, limit in box.limits.iterrows():
            rows.append({"box": kind, "condition": box.condition, "coverage": box.coverage, "density": box.density,
                         "mass": box.mass, "base_rate": box.base_rate, "parameter": parameter, **limit.to_dict()})
    return pd.DataFrame(rows, columns=["box", "condition", "coverage", "density", "mass", "base_rate", "parameter",
                                       "low", "high", "space_low", "space_high", "qp_value"])  # fmt: skip


def trajectories_table(result: SensitivityResult) -> pd.DataFrame:
    """Each PRIM box's peeling trajectory."""
    frames = [box.trajectory.assign(box=kind) for kind, box in _boxes(result)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["coverage", "density", "mass",
                                                                                      "res_dim", "box"])


def _save(path: Path, figure) -> Path:
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)
    return path


def _title(result: SensitivityResult) -> str:
    return f"{result.counterfactual} - {result.baseline}: {result.outcome}"


def indices_figure(result: SensitivityResult, top: int = 15):
    """First-order and total indices with their 95% intervals, the `top` parameters by ST."""
    import matplotlib.pyplot as plt
    import numpy as np

    table = result.indices.head(top).iloc[::-1]
    y = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(table) + 1.2))
    for offset, index, colour in ((0.18, "ST", "#34495e"), (-0.18, "S1", "#95a5a6")):
        ax.barh(y + offset, table[index], height=0.34, color=colour, label=f"{index} (95% interval)",
                xerr=[table[index] - table[f"{index}_low"], table[f"{index}_high"] - table[index]],
                error_kw={"linewidth": 0.8, "capsize": 2})  # fmt: skip
    ax.set_yticks(y, table["parameter"], fontsize=7)
    ax.axvline(0, color="0.3", linewidth=0.6)
    ax.set_xlabel("Sobol index (share of the effect's variance)")
    ax.set_title(_title(result), fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return fig


def tradeoff_figure(result: SensitivityResult):
    """PRIM's coverage-density trade-off for each box, the chosen box circled."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    for kind, box in _boxes(result):
        line = ax.plot(box.trajectory["coverage"], box.trajectory["density"], marker=".", linewidth=0.8,
                       label=f"{kind}: {box.condition}")[0]  # fmt: skip
        ax.scatter([box.coverage], [box.density], s=90, facecolor="none", edgecolor=line.get_color(), linewidth=1.5)
    if _boxes(result):
        ax.legend(fontsize=6, frameon=False, loc="lower left")
    else:
        ax.text(0.5, 0.5, "no point meets a box's condition", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM trade-off\n{_title(result)}", fontsize=9)
    return fig


def limits_figure(result: SensitivityResult):
    """Each PRIM box's limits as a share of the sampled range of each restricted parameter."""
    import matplotlib.pyplot as plt

    boxes = _boxes(result)
    rows = sum(len(box.limits) for _, box in boxes) or 1
    fig, ax = plt.subplots(figsize=(6, 0.35 * rows + 1.2))
    labels, y = [], 0
    for kind, box in boxes:
        for parameter, limit in box.limits.iterrows():
            width = limit["space_high"] - limit["space_low"]
            low, high = (limit["low"] - limit["space_low"]) / width, (limit["high"] - limit["space_low"]) / width
            ax.plot([0, 1], [y, y], color="0.85", linewidth=6, solid_capstyle="butt")
            ax.plot([low, high], [y, y], color=BOX_COLOURS.get(kind, "#2c3e50"), linewidth=6,
                    solid_capstyle="butt")  # fmt: skip
            ax.text(1.02, y, f"{limit['low']:.3g} to {limit['high']:.3g}", va="center", fontsize=6)
            labels.append(f"{kind}: {parameter}")
            y += 1
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlim(0, 1.25)
    ax.set_xlabel("share of the sampled range (grey: the whole range; dark: inside the box)")
    ax.set_title(f"PRIM boxes\n{_title(result)}", fontsize=9)
    if not boxes:
        ax.text(0.5, 0.5, "no point meets a box's condition", ha="center", va="center", transform=ax.transAxes)
    return fig


def scatter_figure(result: SensitivityResult, top: int = TOP):
    """The effect at each point against each of the `top` parameters by total index."""
    import matplotlib.pyplot as plt

    # a group of parameters has no one value to plot against
    names = [p for p in result.indices["parameter"] if p in result.effects.columns][:top]
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.scatter(result.effects[name], result.effects["effect"], s=4, alpha=0.35, color="#2c3e50", linewidth=0)
        ax.axhline(0, color="0.5", linewidth=0.6)
        st = result.indices.set_index("parameter").loc[name]
        ax.set_title(f"{name}\nST {st['ST']:.2f} [{st['ST_low']:.2f}, {st['ST_high']:.2f}]", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel(f"effect on {result.outcome}", fontsize=8)
    fig.suptitle(_title(result), fontsize=9)
    fig.tight_layout()
    return fig


def _grouping_lines(spec: dict) -> list[str]:
    """How the factors were chosen, when some parameters share one pair of indices."""
    if not spec.get("groups"):
        return []
    groups = list(grouped_factors(spec["groups"]))
    lines = [f"Grouped factors: {', '.join(groups)} vary together, with one pair of indices each; a group's total "
             "index bounds what all its parameters add, alone and in interaction."]
    screen = spec.get("screened_by")
    if screen:
        lines[0] += (f" The parameters analysed one by one are the {screen['top']} of largest total index on "
                     f"{screen['outcome']} in the screening study `{screen['study']}` ({screen['base_points']} base "
                     f"points, sample sha256 `{screen['sample_sha256'][:12]}`).")
    return [*lines, ""]


def summary_text(study: Study, spec: dict, result: SensitivityResult) -> str:
    """The analysis in words and tables (markdown)."""
    d = result.distribution
    factors = len(result.indices)
    lines = [
        f"# Sensitivity of {result.outcome}: {result.counterfactual} against {result.baseline}",
        "",
        f"Study `{study.path.name}`: {spec['points']:,} points ({spec['base_points']} Saltelli base points x "
        f"({factors} factors + 2)), {len(spec['names'])} parameters varied, {spec['replicates_per_point']} "
        f"replicate(s) per point, the {spec['space']} space, seed {study.manifest['design']['seed']}, sample "
        f"sha256 `{spec['sample_sha256'][:12]}`. Command: `{study.manifest['command']}`.",
        "",
        *_grouping_lines(spec),
        "The effect at a point is the paired difference counterfactual minus baseline, averaged over the point's "
        "replicates (the same seeds at every point). Intervals are SALib's 95% bootstrap intervals "
        f"({RESAMPLES:,} resamples). The indices share out the effect's variance across the space, including the "
        "variance the replicates' chance leaves in each point's effect; with few replicates per point that "
        "chance lowers every S1 and raises every ST.",
        "",
        "## Sobol indices (top 10 by total index)",
        "",
        "| parameter | S1 [95%] | ST [95%] |",
        "|---|---:|---:|",
    ]
    for row in result.indices.head(10).itertuples():
        lines.append(f"| {row.parameter} | {row.S1:.3f} [{row.S1_low:.3f}, {row.S1_high:.3f}] | "
                     f"{row.ST:.3f} [{row.ST_low:.3f}, {row.ST_high:.3f}] |")
    lines += [
        "",
        f"## The effect across the space ({int(d['points']):,} points)",
        "",
        f"Mean {d['mean']:+.3g} (sd {d['sd']:.3g}); median {d['median']:+.3g}; 50% of the space between "
        f"{d['q25']:+.3g} and {d['q75']:+.3g}, 90% between {d['q05']:+.3g} and {d['q95']:+.3g}.",
        "",
        f"Sign: negative in {result.signs['negative']:.1%} of the space, zero in {result.signs['zero']:.1%}, "
        f"positive in {result.signs['positive']:.1%}.",
        "",
        "## Scenario discovery (PRIM, EMA Workbench)",
        "",
    ]
    boxes = _boxes(result)
    if not boxes:
        lines.append("No box: no point meets a box's condition (twice the typical effect, half of it, or the "
                     "opposite sign), or every point does.")
    for kind, box in boxes:
        lines += [f"**{kind}** ({box.condition}; {box.base_rate:.1%} of the space): coverage {box.coverage:.2f}, "
                  f"density {box.density:.2f}, mass {box.mass:.2f}.", ""]
        limits = box.limits.sort_values("qp_value")
        supported = limits[limits["qp_value"] < PRIM_SIGNIFICANCE]
        lines += [f"- {p}: {lim['low']:.4g} to {lim['high']:.4g} (sampled {lim['space_low']:.4g} to "
                  f"{lim['space_high']:.4g}; quasi-p {lim['qp_value']:.2g}, supported)"
                  for p, lim in supported.iterrows()]
        if len(limits) > len(supported):  # peeling in many dimensions also trims slivers off the rest
            lines.append(f"- and {len(limits) - len(supported)} restriction(s) not supported (quasi-p >= "
                         f"{PRIM_SIGNIFICANCE}): {', '.join(limits.index[len(supported):])} (prim_boxes.csv)")
        lines.append("")
    if len(result.cart):
        best = result.cart.iloc[0]
        lines += [f"CART cross-check: its densest leaf has density {best['density']:.2f}, coverage "
                  f"{best['coverage']:.2f}, mass {best['mass']:.2f}.", ""]
    scores = ", ".join(f"{n} {v:.2f}" for n, v in result.feature_scores.head(5).items())
    lines += ["## Feature scores (extra trees)", "", f"Highest: {scores}.", ""]
    return "\n".join(lines)
