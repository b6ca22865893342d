"""The calibration report: Markdown and figures (matplotlib, Agg backend)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def _fmt(v, digits=3) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "**no**"
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return "-"
        return f"{v:.{digits}g}"
    return str(v)


def markdown_table(frame: pd.DataFrame, columns: list[str], headers: list[str] | None = None, digits=3) -> str:
    headers = headers or columns
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(_fmt(row[c], digits) for c in columns) + " |")
    return "\n".join(lines)


def ppc_markdown(table: pd.DataFrame) -> str:
    t = table.copy()
    t["int50"] = [f"[{_fmt(a)}, {_fmt(b)}]" for a, b in zip(t["q25"], t["q75"])]
    t["int90"] = [f"[{_fmt(a)}, {_fmt(b)}]" for a, b in zip(t["q05"], t["q95"])]
    return markdown_table(
        t, ["statistic", "meaning", "observed", "q50", "int50", "int90", "sim_undefined", "in50", "in90"],
        ["statistic", "meaning", "observed", "median", "50% interval", "90% interval",
         "runs undefined", "in 50%", "in 90%"],
    )


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
    ax.set_xlabel("days (indicators: 0/1)")
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
