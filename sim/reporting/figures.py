"""Figures of a study, each a function that returns a matplotlib Figure (restyle it at will).

    from sim.reporting import analysis, figures
    runs, _ = analysis.valid_runs(study.runs)
    figures.plot_probabilities(analysis.outcome_probabilities(runs))
    figures.plot_survival(analysis.survival_curves(runs, "talks_pause_day"), start_date="2016-01-25")
    figures.plot_paired_differences(analysis.paired_differences(runs))
    figures.plot_distributions(runs, ["civilian_harm", "localities_captured"])
    figures.plot_timeline(sim_timeline, observed_timeline, start_date="2016-01-25")
    figures.plot_networks(simulate("ceasefire_2016_09", seed=1).model)

The figures are drawn at the size they are printed (`WIDTH` inches, a page's text width, fonts
of 7.5 to 10 points; save them at 300 dpi): one legend per figure, outside the data; scenarios
told apart by colour, line style and marker, so curves that coincide stay visible. No backend is
chosen here (a notebook shows the figures inline); scripts that write files use Agg
(`sim.reporting.report` does).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import deque
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.reporting.analysis import ACTORS, QUAD_CLASSES, UNITS, label, scenario_order

#: Width of the figures in inches (a page's text width); heights follow their content.
WIDTH = 7.5
#: Font sizes in points at that width.
FONT = {"suptitle": 10.0, "title": 9.0, "label": 8.0, "tick": 7.5, "legend": 8.0, "note": 7.0}
BASELINE_COLOR = "black"
#: Colours of the counterfactuals, in order (Okabe-Ito, colour-blind safe, then a few more).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8c564b", "#7f7f7f",
           "#bcbd22", "#17becf")  # fmt: skip
LINESTYLES = ("--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5)), "-", (0, (1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
#: Markers drawn on each curve of a step chart, at positions staggered between the curves (so a
#: curve lying on another still shows its markers).
MARKS_PER_CURVE = 5
#: Where a prior-predictive estimate sits below its scenario's posterior one (rows are 1 apart).
PRIOR_OFFSET = -0.3
CONTROL_COLORS = {"GOV": "#c0392b", "OPP": "#27ae60", "OTHER": "#f1c40f"}
CONTROL_NAMES = {"GOV": "government", "OPP": "opposition", "OTHER": "other (Kurdish-led)"}
QUAD_COLORS = {1: "#2c7fb8", 2: "#41ab5d", 3: "#fe9929", 4: "#d7301f"}
#: Colour and line style of each acting actor in the timeline.
ACTOR_STYLES = {
    "ENVOY": dict(color="#E69F00", linestyle=(0, (5, 1.5, 1, 1.5))),
    "GOV": dict(color="#D55E00", linestyle="-"),
    "OPP": dict(color="#009E73", linestyle="--"),
    "RUS": dict(color="#CC79A7", linestyle="-."),
    "USA": dict(color="#0072B2", linestyle=":"),
}
EDGE_STYLES = {
    "backs": dict(color="#1f4e9c", linestyle="-", label="backs (support, aid)"),
    "mediates": dict(color="#7f7f7f", linestyle=":", label="mediates"),
    "fights": dict(color="#8b0000", linestyle="-", label="fights"),
    "channel": dict(color="#2ca02c", linestyle="-", label="channel (open)"),
}
#: Fixed positions of the actor network (others are placed on a circle around them).
ACTOR_POSITIONS = {"ENVOY": (0.0, 1.0), "GOV": (-1.0, 0.0), "OPP": (1.0, 0.0),
                   "RUS": (-1.0, -1.25), "USA": (1.0, -1.25)}  # fmt: skip
#: Schematic positions of the Aleppo localities (roughly east, north; not to scale).
TERRAIN_POSITIONS = {
    "bab_al_salameh": (0.2, 10.0), "azaz": (0.4, 9.0), "tal_rifaat": (1.2, 7.6), "mare": (2.6, 7.9),
    "mayer": (0.6, 6.4), "nubul": (-0.9, 6.3), "zahraa": (-1.8, 5.5), "ratyan": (1.0, 5.3),
    "bashkoy": (-0.5, 4.6), "bayanoun": (2.1, 5.3), "hayan": (2.4, 4.3), "hreitan": (2.0, 3.3),
    "anadan": (0.7, 3.6), "kafr_hamra": (1.0, 2.5), "castello": (2.3, 1.8), "handarat": (3.6, 2.6),
    "aleppo_east_north": (3.7, 1.1), "aleppo_east_center": (4.0, 0.1), "aleppo_east_south": (3.6, -0.9),
    "aleppo_west": (1.6, 0.2),
}  # fmt: skip


# --------------------------------------------------------------------------- helpers
def short_name(scenario: str, episode: str | None = None) -> str:
    """'geneva_2016_02_no_strikes' -> 'no strikes'; an episode -> 'baseline (name)'."""
    if episode is None or scenario == episode:
        return f"baseline ({scenario})" if episode is not None else scenario
    if scenario.startswith(episode + "_"):
        return scenario[len(episode) + 1:].replace("_", " ")
    return scenario


def _episodes(table: pd.DataFrame) -> dict[str, str]:
    return table.drop_duplicates("scenario").set_index("scenario")["episode"].to_dict() if "episode" in table else {}


def _guess_episodes(scenarios: Sequence[str]) -> dict[str, str]:
    """Scenario -> episode from the names alone: a name that extends another's is its counterfactual."""
    base = [s for s in scenarios if not any(s != o and s.startswith(o + "_") for o in scenarios)]
    return {s: next((b for b in base if s == b or s.startswith(b + "_")), s) for s in scenarios}


def scenario_colors(scenarios: Sequence[str], episodes: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per scenario: black for baselines, the palette in order for the others."""
    return {name: style["color"] for name, style in scenario_styles(scenarios, episodes).items()}


def scenario_styles(scenarios: Sequence[str], episodes: dict[str, str] | None = None) -> dict[str, dict]:
    """Per scenario: color, linestyle, marker, linewidth and zorder of its curve.

    Baselines: a wide black solid line without markers, drawn first (a counterfactual lying on
    it shows on top); counterfactuals: the palette's colours, line styles and markers in order.
    """
    episodes = episodes or {}
    styles, i = {}, 0
    for name in scenarios:
        if episodes.get(name, None) == name:
            styles[name] = dict(color=BASELINE_COLOR, linestyle="-", marker=None, linewidth=2.4, zorder=2)
        else:
            styles[name] = dict(color=PALETTE[i % len(PALETTE)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                                marker=MARKERS[i % len(MARKERS)], linewidth=1.3, zorder=3)  # fmt: skip
            i += 1
    return styles


def _handle(style: dict, name: str) -> Line2D:
    """A legend entry of a curve style (line and marker)."""
    return Line2D([], [], color=style["color"], linestyle=style["linestyle"], linewidth=style["linewidth"],
                  marker=style["marker"], markersize=4.5, markerfacecolor="white", label=name)


def _step_curve(ax, x, y, style: dict, k: int, n: int, span: tuple[float, float]) -> None:
    """A step curve (value y[i] from x[i] on) with MARKS_PER_CURVE markers at positions
    staggered by the curve's index k of n, so curves that coincide all stay visible."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ax.step(x, y, where="post", color=style["color"], linestyle=style["linestyle"], linewidth=style["linewidth"],
            zorder=style["zorder"])
    if style["marker"] is None or len(x) == 0:
        return
    lo, hi = span
    step = (hi - lo) / MARKS_PER_CURVE
    at = lo + (np.arange(MARKS_PER_CURVE) + (k + 0.5) / max(n, 1)) * step
    at = at[(at >= x[0]) & (at <= x[-1])]
    values = y[np.searchsorted(x, at, side="right") - 1]
    ax.plot(at, values, linestyle="none", marker=style["marker"], markersize=4.5, markerfacecolor="white",
            markeredgewidth=1.1, color=style["color"], zorder=style["zorder"] + 1)


def _wrap(text: str, width_in: float, size: float) -> str:
    """Text wrapped to lines about `width_in` inches long at `size` points."""
    chars = max(12, int(width_in * 72 / (0.52 * size)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def _suptitle(fig: Figure, text: str) -> None:
    width = fig.get_size_inches()[0]
    fig.suptitle(_wrap(text, width - 0.3, FONT["suptitle"]), fontsize=FONT["suptitle"])


def _legend_below(fig: Figure, handles: list, ncols: int = 4, title: str | None = None) -> None:
    """One legend for the whole figure, below its panels."""
    fig.legend(handles=handles, loc="outside lower center", ncols=max(1, min(ncols, len(handles))),
               fontsize=FONT["legend"], frameon=False, handlelength=3.0, columnspacing=1.5, title=title,
               title_fontsize=FONT["legend"])


def _tidy(ax, grid: str = "both") -> None:
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(axis=grid, color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)


def percent(share: float) -> str:
    """A share as a percentage: '0%', '<1%', '12%'."""
    return "0%" if share == 0 else "<1%" if share < 0.01 else f"{100 * share:.0f}%"


def _err(value: float, low: float, high: float) -> list[list[float]]:
    """Error bar lengths (never negative: rounding can put a bound a hair past the value)."""
    return [[max(0.0, value - low)], [max(0.0, high - value)]]


def _grid(n: int, ncols: int) -> tuple[int, int]:
    ncols = max(1, min(ncols, n))
    return int(np.ceil(n / ncols)), ncols


def _scenario_rows(scenarios: list[str], episodes: dict[str, str], panels: int, ncols: int,
                   row: float, panel_extra: float, extra: float = 0.9):
    """A figure of `panels` panels with one row per scenario (top to bottom) in each.

    Args:
        row: height per scenario row, panel_extra: extra height per row of panels, extra:
            extra height of the figure (title, legend), in inches.

    Returns:
        (figure, axes, y position of each scenario, scenario -> colour).
    """
    colors = scenario_colors(scenarios, episodes)
    nrows, ncols = _grid(panels, ncols)
    fig = Figure(figsize=(WIDTH, row * len(scenarios) * nrows + panel_extra * nrows + extra), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for ax in list(axes.flat)[panels:]:
        ax.set_visible(False)
    return fig, axes, np.arange(len(scenarios))[::-1], colors


def _bottom_xlabels(axes, panels: int, text: str) -> None:
    """The x axis label on the lowest panel of each column (of the first `panels` panels)."""
    for col in range(axes.shape[1]):
        shown = [axes[r, col] for r in range(axes.shape[0]) if r * axes.shape[1] + col < panels]
        if shown:
            shown[-1].set_xlabel(text, fontsize=FONT["label"])


def _panel_width(ncols: int, labels: float = 1.3) -> float:
    """Width of one panel in inches, after the scenario labels on the left."""
    return (WIDTH - labels) / max(ncols, 1)


def _date(value) -> dt.date | None:
    return None if value is None else pd.Timestamp(value).date()


def _add_date_axis(ax, start_date) -> None:
    """A secondary x axis on top with the calendar date of 'days since the episode start'."""
    start = _date(start_date)
    if start is None:
        return
    origin = mdates.date2num(start)
    top = ax.secondary_xaxis("top", functions=(lambda d: d + origin, lambda x: x - origin))
    top.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=5))
    top.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    top.tick_params(labelsize=FONT["tick"])


# --------------------------------------------------------------------------- probabilities
def plot_probabilities(
    probabilities: pd.DataFrame, outcomes: Sequence[str] | None = None, scenarios: Sequence[str] | None = None,
    title: str | None = None, ncols: int = 4,
) -> Figure:
    """Probability of each binary outcome by scenario, with its 95% interval (one panel per outcome).

    The baseline's probability is drawn as a dashed line on top of its shaded interval, so a
    counterfactual's distance from it reads at a glance.

    Args:
        probabilities: `analysis.outcome_probabilities` output.
        outcomes: outcomes to show (default: all in the table).
        scenarios: scenarios to show, top to bottom (default: table order).
    """
    table = probabilities
    outcomes = list(outcomes or dict.fromkeys(table["outcome"]))
    scenarios = list(scenarios or scenario_order(table))
    episodes = _episodes(table)
    fig, axes, y, colors = _scenario_rows(scenarios, episodes, len(outcomes), ncols, 0.17, 0.55, 1.0)
    width = _panel_width(axes.shape[1])
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        rows = table[table["outcome"] == outcome].set_index("scenario")
        for yy, name in zip(y, scenarios):
            if name not in rows.index:
                continue
            r = rows.loc[name]
            if episodes.get(name) == name:  # the band underneath, the baseline's line on top of it
                ax.axvspan(r["low"], r["high"], color="0.85", linewidth=0, zorder=0.5)
                ax.axvline(r["p"], color="0.25", linestyle="--", linewidth=0.9, zorder=2.5)
            ax.errorbar(r["p"], yy, xerr=_err(r["p"], r["low"], r["high"]), fmt="o", color=colors[name],
                        markersize=3.5, capsize=1.5, linewidth=1.1, zorder=3)
        ax.set_xlim(-0.04, 1.04)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "", "0.5", "", "1"])
        ax.set_title(_wrap(label(outcome), width, FONT["title"]), fontsize=FONT["title"])
        _tidy(ax, "x")
    axes[0, 0].set_yticks(y, [short_name(s, episodes.get(s)) for s in scenarios])
    for row in axes:
        row[0].tick_params(axis="y", labelsize=FONT["tick"])
    _bottom_xlabels(axes, len(outcomes), _wrap("probability (share of runs)", width, FONT["label"]))
    n = int(table["n"].max()) if len(table) else 0
    _suptitle(fig, title or f"Outcome probabilities by scenario (95% Wilson intervals, up to {n} runs each)")
    handles = [Line2D([], [], color="0.25", linestyle="--", linewidth=0.9, label="baseline probability"),
               Patch(color="0.85", label="baseline 95% interval")]  # fmt: skip
    _legend_below(fig, handles, 2)
    return fig


# --------------------------------------------------------------------------- survival
def plot_survival(
    curves: pd.DataFrame, start_date=None, scenarios: Sequence[str] | None = None, title: str | None = None,
    band: bool | str = "baseline", episodes: dict[str, str] | None = None, xlabels: dict[str, str] | None = None,
    clocks: dict[str, str] | None = None, ncols: int = 2,
) -> Figure:
    """Kaplan-Meier curves by scenario: the share of runs in which the event has not yet happened.

    One panel per outcome in `curves` (`analysis.survival_curves` output, one or several
    outcomes concatenated). Runs without the event are censored at the horizon (the curve ends
    there). Each panel's title and x axis name its clock.

    Args:
        curves: Kaplan-Meier curves (scenario, outcome, time, survival, low, high, horizon).
        start_date: date of day 0 (adds a calendar axis on top of the panels whose clock starts then).
        scenarios: scenarios to draw (default: all in the table).
        band: the pointwise 95% band shaded for 'baseline' only, for every curve ('all' or
            True), or for none (False).
        episodes: scenario -> episode (baselines drawn black); default from the names.
        clocks: outcome -> when its clock starts, for clocks that do not start at day 0 (e.g.
            'ceasefire agreed'): the panel's title says '(days since <it>)' and its x axis 'days
            since <it> (runs in which it happened)'; such panels get no calendar axis. Other
            panels say 'days since the episode start'.
        xlabels: outcome -> x axis label (overrides the one from `clocks`; no calendar axis).
    """
    scenarios = list(scenarios or dict.fromkeys(curves["scenario"]))
    episodes = episodes if episodes is not None else _guess_episodes(scenarios)
    styles = scenario_styles(scenarios, episodes)
    band = "all" if band is True else band
    clocks, xlabels = clocks or {}, xlabels or {}
    outcomes = list(dict.fromkeys(curves["outcome"]))
    nrows, ncols = _grid(len(outcomes), ncols)
    fig = Figure(figsize=(WIDTH, 2.75 * nrows + 1.3), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    start = _date(start_date)
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        part = curves[curves["outcome"] == outcome]
        end = float(np.nanmax(part["horizon"])) if "horizon" in part and part["horizon"].notna().any() else float(
            part["time"].max())  # fmt: skip
        drawn = [name for name in scenarios if (part["scenario"] == name).any()]
        for k, name in enumerate(drawn):
            c = part[part["scenario"] == name]
            t, s, lo, hi = (c[key].to_numpy(dtype=float) for key in ("time", "survival", "low", "high"))
            t, s, lo, hi = [0.0, *t], [1.0, *s], [1.0, *lo], [1.0, *hi]
            last = float(c["horizon"].max()) if "horizon" in c else np.nan
            if np.isfinite(last) and last > t[-1]:  # the curve stays flat to the end of follow-up
                t, s, lo, hi = [*t, last], [*s, s[-1]], [*lo, lo[-1]], [*hi, hi[-1]]
            _step_curve(ax, t, s, styles[name], k, len(drawn), (0.0, end))
            baseline = episodes.get(name) == name
            if band == "all" or (band == "baseline" and baseline):
                ax.fill_between(t, lo, hi, step="post", color=styles[name]["color"], alpha=0.13 if baseline else 0.1,
                                linewidth=0, zorder=1)  # fmt: skip
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlim(0, end if np.isfinite(end) and end > 0 else None)
        clock = clocks.get(outcome)
        if outcome in xlabels:
            xlabel = xlabels[outcome]
        elif clock:
            xlabel = f"days since {clock} (runs in which it happened)"
        else:
            xlabel = "days since the episode start" + (f" (day 0 = {start:%d %b %Y})" if start else "")
        width = WIDTH / ncols
        ax.set_xlabel(_wrap(xlabel, width - 0.4, FONT["label"]), fontsize=FONT["label"])
        if i % ncols == 0:
            ax.set_ylabel("share of runs: not yet", fontsize=FONT["label"])
        since = clock or "the episode start"
        ax.set_title(_wrap(f"{label(outcome)} (days since {since})", width - 0.4, FONT["title"]),
                     fontsize=FONT["title"])
        _tidy(ax)
        if start and not clock and outcome not in xlabels:
            _add_date_axis(ax, start)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    _suptitle(fig, title or "Kaplan-Meier survival curves (runs without the event censored at the horizon)")
    handles = [_handle(styles[name], short_name(name, episodes.get(name))) for name in scenarios]
    if band:
        handles.append(Patch(color="0.75", label="95% band" + (" of the baseline" if band == "baseline" else "")))
    _legend_below(fig, handles, 3)
    return fig


# --------------------------------------------------------------------------- paired differences
def plot_paired_differences(
    differences: pd.DataFrame, outcomes: Sequence[str] | None = None, title: str | None = None, ncols: int = 4,
    prior: pd.DataFrame | None = None,
) -> Figure:
    """Counterfactual - baseline, pair by pair: mean difference with its 95% bootstrap interval.

    One panel per outcome (default: every outcome of the table, in its order); binary outcomes
    in percentage points (pp), continuous ones in their units. The label beside each point is the
    share of pairs in which the counterfactual changed the outcome. With `prior`
    (`analysis.calibration_change`), the same difference under the priors alone is drawn below
    each point as an open grey marker.
    """
    table = differences
    outcomes = list(outcomes or dict.fromkeys(table["outcome"]))
    scenarios = scenario_order(table)
    episodes = _episodes(table)
    row = 0.23 if prior is not None else 0.19
    fig, axes, y, colors = _scenario_rows(scenarios, episodes, len(outcomes), ncols, row, 0.7, 1.1)
    width = _panel_width(axes.shape[1], 1.2)
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        rows = table[table["outcome"] == outcome].set_index("scenario")
        binary = (rows["kind"] == "binary").all() if len(rows) else True
        scale = 100.0 if binary else 1.0
        for yy, name in zip(y, scenarios):
            if name not in rows.index:
                continue
            r = rows.loc[name]
            d, lo, hi = r["diff"] * scale, r["low"] * scale, r["high"] * scale
            ax.errorbar(d, yy, xerr=_err(d, lo, hi), fmt="o", color=colors[name], markersize=3.5,
                        capsize=1.5, linewidth=1.1, zorder=3)
            ax.annotate(percent(r["changed"]), (hi, yy), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=FONT["note"] - 0.5, color="0.3")
            if prior is not None:
                p = prior[(prior["scenario"] == name) & (prior["outcome"] == outcome)]
                if len(p):
                    p = p.iloc[0]
                    d, lo, hi = p["diff_prior"] * scale, p["low_prior"] * scale, p["high_prior"] * scale
                    ax.errorbar(d, yy + PRIOR_OFFSET, xerr=_err(d, lo, hi), fmt="o", mfc="white", color="0.55",
                                markersize=3, capsize=1.5, linewidth=0.9, zorder=3)
        ax.axvline(0, color="0.4", linewidth=0.8, zorder=1)
        ax.margins(x=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        unit = "pp" if binary else UNITS.get(outcome, "units of the outcome")
        ax.set_xlabel(_wrap(f"difference ({unit})", width, FONT["label"]), fontsize=FONT["label"])
        ax.set_title(_wrap(label(outcome), width, FONT["title"]), fontsize=FONT["title"])
        _tidy(ax, "x")
    bases = sorted({episodes.get(s, "?") for s in scenarios})
    one = len(bases) == 1
    axes[0, 0].set_yticks(y, [short_name(s, episodes.get(s)) + ("" if one else f"\nvs {episodes.get(s, '?')}")
                              for s in scenarios])  # fmt: skip
    for r in axes:
        r[0].tick_params(axis="y", labelsize=FONT["tick"])
    pairs = int(table["pairs"].max()) if len(table) else 0
    against = f"baseline {bases[0]}" if one else "its episode's baseline"
    _suptitle(fig, title or f"Paired differences, counterfactual - {against} (common random numbers, up to {pairs} "
              "pairs; 95% paired-bootstrap intervals)")  # fmt: skip
    handles = [Line2D([], [], linestyle="none", marker="$\\%$", color="0.3",
                      label="% beside a point: share of pairs in which the outcome changed; pp: percentage points")]
    if prior is not None:
        handles.append(Line2D([], [], linestyle="none", marker="o", mfc="white", color="0.55",
                              label="open grey: the same design under the priors alone"))
    _legend_below(fig, handles, 1)
    return fig


# --------------------------------------------------------------------------- distributions
def plot_distributions(
    runs: pd.DataFrame, outcomes: Sequence[str], scenarios: Sequence[str] | None = None,
    title: str | None = None, ncols: int = 3,
) -> Figure:
    """Distribution of outcomes by scenario: the empirical CDF, the share of runs with a value at most x.

    A step curve per scenario and a panel per outcome. A discrete outcome (localities, a share
    of the localities) rises in steps at the values it takes, the height of a step being the
    share of runs with that value; a two-peaked one rises in two steep stretches.
    """
    scenarios = list(scenarios or scenario_order(runs))
    episodes = _episodes(runs) or _guess_episodes(scenarios)
    styles = scenario_styles(scenarios, episodes)
    nrows, ncols = _grid(len(outcomes), ncols)
    fig = Figure(figsize=(WIDTH, 2.3 * nrows + 1.3), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    width = WIDTH / ncols
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        data = {s: np.sort(runs.loc[runs["scenario"] == s, outcome].dropna().astype(float).to_numpy())
                for s in scenarios}  # fmt: skip
        data = {s: d for s, d in data.items() if len(d)}
        if not data:
            ax.text(0.5, 0.5, "no runs", transform=ax.transAxes, ha="center", fontsize=FONT["note"], color="0.5")
            continue
        every = np.concatenate(list(data.values()))
        lo, hi = float(every.min()), float(every.max())
        pad = 0.03 * (hi - lo) if hi > lo else 0.5
        for k, (name, d) in enumerate(data.items()):
            values, counts = np.unique(d, return_counts=True)
            x, y = [lo - pad, *values, hi + pad], [0.0, *(np.cumsum(counts) / len(d)), 1.0]
            _step_curve(ax, x, y, styles[name], k, len(data), (lo, hi))
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(-0.02, 1.02)
        if np.allclose(every, np.round(every)):
            ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.set_xlabel(_wrap(UNITS.get(outcome, outcome), width - 0.3, FONT["label"]), fontsize=FONT["label"])
        if i % ncols == 0:
            ax.set_ylabel("share of runs with\na value at most x", fontsize=FONT["label"])
        ax.set_title(_wrap(label(outcome), width - 0.3, FONT["title"]), fontsize=FONT["title"])
        _tidy(ax)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    _suptitle(fig, title or "Outcome distributions by scenario (empirical CDF: share of runs with a value at most x)")
    _legend_below(fig, [_handle(styles[s], short_name(s, episodes.get(s))) for s in scenarios], 3)
    return fig


# --------------------------------------------------------------------------- timeline
def plot_timeline(
    simulated: pd.DataFrame, observed: pd.DataFrame | None, start_date, scenario: str | None = None,
    actors: Sequence[str] = ACTORS, title: str | None = None,
) -> Figure:
    """Simulated daily events (mean across runs) over the observed events, by CAMEO quad class and actor.

    One block per quad class (2 x 2): on top, the simulated events per day of each acting
    actor (a line each, the mean across runs); below it, on the same dates, the observed
    events per day (bars stacked by actor). The observed ones are acts reported in the news
    articles, a small fraction of what happened, so each quantity has its own axis: compare
    timing, not size.

    Args:
        simulated: `analysis.simulated_timeline` output (grouped by source and quad_class).
        observed: `analysis.observed_timeline` output for the same window (None: none drawn).
        start_date: date of day 0.
        scenario: which scenario of `simulated` to draw (default: the first).
    """
    scenario = scenario or simulated["scenario"].iloc[0]
    sim = simulated[simulated["scenario"] == scenario]
    start = pd.Timestamp(start_date)
    horizon = int(sim["day"].max()) + 1 if len(sim) else 1
    end = start + pd.Timedelta(days=horizon - 1)
    quads = list(QUAD_CLASSES)
    with_observed = observed is not None
    fig = Figure(figsize=(WIDTH, 6.6 if with_observed else 5.2), layout="constrained")
    blocks = fig.subfigures(2, 2, wspace=0.02, hspace=0.02).ravel()
    obs_top = 0  # one observed scale for every block
    if with_observed and len(observed):
        obs_top = int(observed.groupby(["day", "quad_class"])["count"].sum().max())
    for block, quad in zip(blocks, quads):
        if with_observed:
            ax, obs_ax = block.subplots(2, 1, sharex=True, height_ratios=[3, 1.1])
        else:
            ax, obs_ax = block.subplots(1, 1), None
        part = sim[sim["quad_class"] == quad]
        drawn = False
        for actor in actors:
            a = part[part["source"] == actor].sort_values("day")
            if len(a) and a["mean"].max() > 0:
                dates = start + pd.to_timedelta(a["day"].to_numpy(), unit="D")
                ax.plot(dates, a["mean"], linewidth=1.2, **ACTOR_STYLES.get(actor, dict(color="0.3")))
                drawn = True
        if not drawn:
            ax.text(0.5, 0.5, "no simulated events", transform=ax.transAxes, ha="center", va="center",
                    fontsize=FONT["note"], color="0.5")
            ax.set_ylim(0, 1)
        else:
            ax.set_ylim(bottom=0)
        ax.set_xlim(start - pd.Timedelta(days=0.5), end + pd.Timedelta(days=0.5))
        ax.set_ylabel("simulated\nevents/day", fontsize=FONT["label"])
        ax.set_title(f"{quad}: {QUAD_CLASSES[quad]}", fontsize=FONT["title"], color=QUAD_COLORS[quad],
                     fontweight="bold")
        _tidy(ax)
        bottom_ax = ax
        if obs_ax is not None:
            obs = observed[observed["quad_class"] == quad] if len(observed) else observed
            base = np.zeros(horizon)
            for actor in actors:
                o = obs[obs["source"] == actor] if len(obs) else obs
                if not len(o):
                    continue
                counts = np.zeros(horizon)
                np.add.at(counts, o["day"].to_numpy(dtype=int), o["count"].to_numpy(dtype=float))
                dates = start + pd.to_timedelta(np.arange(horizon), unit="D")
                obs_ax.bar(dates, counts, bottom=base, width=0.9, color=ACTOR_STYLES.get(actor, {}).get("color", "0.3"),
                           linewidth=0)  # fmt: skip
                base += counts
            if not base.any():
                obs_ax.text(0.5, 0.5, "no observed events", transform=obs_ax.transAxes, ha="center", va="center",
                            fontsize=FONT["note"], color="0.5")
            obs_ax.set_ylim(0, max(obs_top, 1) * 1.1)
            obs_ax.yaxis.set_major_locator(MaxNLocator(2, integer=True))
            obs_ax.set_ylabel("observed\n(news)/day", fontsize=FONT["label"])
            _tidy(obs_ax)
            bottom_ax = obs_ax
        for a in (ax, bottom_ax):
            a.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=5))
            a.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        if bottom_ax is not ax:
            ax.tick_params(labelbottom=False)
        bottom_ax.set_xlabel(f"date ({start:%Y}; day 0 = {start:%d %b})", fontsize=FONT["label"])
        block.align_ylabels()
    reps = int(sim["replicates"].max()) if len(sim) else 0
    _suptitle(fig, title or f"{scenario}: events per day by CAMEO quad class, simulated (mean of {reps} runs) and "
              "observed in the news. The news reports a small fraction of acts: compare timing, not size.")
    handles = [Line2D([], [], linewidth=1.4, label=actor, **ACTOR_STYLES.get(actor, dict(color="0.3")))
               for actor in actors]  # fmt: skip
    _legend_below(fig, handles, 5, title="acting actor: lines, simulated events (mean across runs); bars, observed "
                  "events reported in the articles" if with_observed else "acting actor (lines: mean across runs)")
    return fig


# --------------------------------------------------------------------------- networks
def supply_path(terrain, control: dict[str, str] | None = None) -> list[str]:
    """The opposition-held path from the crossing to the city (shortest), or [] when cut."""
    control = control or terrain.control
    if control.get(terrain.crossing) != "OPP":
        return []
    goals = {c for c in terrain.city if control.get(c) == "OPP"}
    parent = {terrain.crossing: None}
    queue = deque([terrain.crossing])
    while queue:
        node = queue.popleft()
        if node in goals:
            path = []
            while node is not None:
                path.append(node)
                node = parent[node]
            return path[::-1]
        for nxt in terrain.neighbours[node]:
            if nxt not in parent and control.get(nxt) == "OPP":
                parent[nxt] = node
                queue.append(nxt)
    return []


def _actor_positions(nodes) -> dict[str, tuple[float, float]]:
    pos = {n: ACTOR_POSITIONS[n] for n in nodes if n in ACTOR_POSITIONS}
    extra = [n for n in nodes if n not in pos]
    for k, name in enumerate(extra):
        angle = np.pi / 6 - k * np.pi / 4
        pos[name] = (2.1 * np.cos(angle), -0.6 + 1.2 * np.sin(angle))
    return pos


def draw_actor_network(ax, graph, title: str = "Actor network") -> None:
    """Draw an ActorNetwork graph (MultiDiGraph, key = kind, attrs weight/open) on an axes."""
    pos = _actor_positions(list(graph.nodes))
    drawn = set()
    for source, target, kind, data in graph.edges(keys=True, data=True):
        symmetric = kind in ("channel", "fights")
        key = (frozenset((source, target)), kind) if symmetric else (source, target, kind)
        if key in drawn:
            continue
        drawn.add(key)
        style = dict(EDGE_STYLES.get(kind, dict(color="0.5", linestyle="-")))
        style.pop("label", None)
        closed = not data.get("open", True)
        if closed:
            style.update(color="#d62728", linestyle="--")
        rad = 0.0
        arrow = "-" if symmetric else "-|>"
        ax.annotate("", xy=pos[target], xytext=pos[source],
                    arrowprops=dict(arrowstyle=arrow, color=style["color"], linestyle=style["linestyle"],
                                    linewidth=1.0 + 1.5 * float(data.get("weight", 1.0)), shrinkA=22, shrinkB=22,
                                    connectionstyle=f"arc3,rad={rad}", mutation_scale=14))  # fmt: skip
        mid = ((pos[source][0] + pos[target][0]) / 2, (pos[source][1] + pos[target][1]) / 2)
        text = f"{kind} ({'suspended' if kind == 'channel' else 'closed'})" if closed else kind
        ax.text(mid[0], mid[1] + 0.07, text, ha="center", va="bottom", fontsize=7,
                color=style["color"], bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=0.5))
    for name, (x, y) in pos.items():
        ax.scatter([x], [y], s=900, color="white", edgecolor="black", zorder=3)
        ax.text(x, y, name, ha="center", va="center", fontsize=8, fontweight="bold", zorder=4)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 1.2, max(ys) + 0.5)  # room for the legend below the nodes
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    handles = [Line2D([], [], color=s["color"], linestyle=s["linestyle"], linewidth=2, label=s["label"])
               for s in EDGE_STYLES.values()]  # fmt: skip
    handles.append(Line2D([], [], color="#d62728", linestyle="--", linewidth=2, label="suspended / closed"))
    ax.legend(handles=handles, loc="lower center", ncols=3, fontsize=7, frameon=False)


def draw_terrain(ax, terrain, control: dict[str, str] | None = None, title: str = "Terrain") -> None:
    """Draw a TerrainNetwork: nodes coloured by control, sized by population, the supply route."""
    control = dict(control or terrain.control)
    pos = {n: TERRAIN_POSITIONS.get(n) for n in terrain.names}
    if any(p is None for p in pos.values()):
        import networkx as nx

        pos = nx.spring_layout(terrain.graph(), seed=0)
    for a, adj in terrain.neighbours.items():
        for b in adj:
            if a < b:
                ax.plot([pos[a][0], pos[b][0]], [pos[a][1], pos[b][1]], color="0.75", linewidth=1.0, zorder=1)
    path = supply_path(terrain, control)
    if path:
        xs, ys = zip(*(pos[n] for n in path))
        ax.plot(xs, ys, color="#27ae60", linewidth=5, alpha=0.45, zorder=2, solid_capstyle="round")
    pops = np.array([terrain.population[n] for n in terrain.names], dtype=float)
    sizes = 40 + 500 * np.sqrt(pops / max(pops.max(), 1.0))
    for name, size in zip(terrain.names, sizes):
        x, y = pos[name]
        marker = "s" if name == terrain.crossing else "o"
        edge = "black"
        lw = 2.2 if name in terrain.city else 0.8
        ax.scatter([x], [y], s=size, marker=marker, color=CONTROL_COLORS.get(control[name], "0.5"),
                   edgecolor=edge, linewidth=lw, zorder=3)
        ax.annotate(terrain.labels.get(name, name), (x, y), xytext=(7, 5), textcoords="offset points",
                    fontsize=6.5, zorder=4)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.12)
    ax.axis("off")
    status = "supply route open" if path else "supply route cut"
    ax.set_title(f"{title}\n{status}", fontsize=10)
    handles = [Patch(color=c, label=f"held by {CONTROL_NAMES[k]}") for k, c in CONTROL_COLORS.items()]
    handles += [
        Line2D([], [], color="#27ae60", linewidth=5, alpha=0.45, label="opposition supply route"),
        Line2D([], [], marker="s", color="white", markeredgecolor="black", markersize=8, linestyle="none",
               label="border crossing"),
        Line2D([], [], marker="o", color="white", markeredgecolor="black", markeredgewidth=2.2, markersize=8,
               linestyle="none", label="city district (route goal)"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncols=2, fontsize=7,
              frameon=False, title="node size: population", title_fontsize=7)


def plot_networks(model, initial_control: dict[str, str] | None = None, title: str | None = None) -> Figure:
    """The actor network at the end of a run, and the terrain at its start and its end.

    Args:
        model: a finished DiplomacyModel (`simulate(...).model`).
        initial_control: control on day 0 (default: the scenario's terrain).
    """
    spec = model.scenario_spec
    if initial_control is None:
        initial_control = {loc.name: loc.control for loc in spec.terrain.localities}
    last = spec.start_date + dt.timedelta(days=model.horizon - 1)
    fig = Figure(figsize=(17, 7.2), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1.0, 1.0, 1.0])
    draw_actor_network(axes[0], model.actor_network.graph,
                       title=f"Actor network at the end ({last:%d %b %Y})\nedge width: weight")
    draw_terrain(axes[1], model.terrain, initial_control, title=f"Terrain at the start ({spec.start_date:%d %b %Y})")
    draw_terrain(axes[2], model.terrain, model.terrain.control, title=f"Terrain at the end ({last:%d %b %Y})")
    w = model.world

    def when(day):
        return "never" if day is None else f"day {day} ({spec.start_date + dt.timedelta(days=day):%d %b})"

    facts = (f"channel suspended: {when(w.channel_suspend_day)}; supply route cut: {when(w.supply_cut_day)}; "
             f"talks paused: {when(w.talks_pause_day)}; ceasefire collapsed: {when(w.ceasefire_collapse_day)}")
    fig.suptitle(title or f"{spec.name}, one run (seed {model.seed})\n{facts}", fontsize=11)
    return fig
