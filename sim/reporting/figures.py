"""Figures of a study, each a function that returns a matplotlib Figure (restyle it at will).

    from sim.reporting import analysis, figures
    runs, _ = analysis.valid_runs(study.runs)
    figures.plot_probabilities(analysis.outcome_probabilities(runs))
    figures.plot_survival(analysis.survival_curves(runs, "talks_pause_day"), start_date="2016-01-25")
    figures.plot_paired_differences(analysis.paired_differences(runs))
    figures.plot_timeline(sim_timeline, observed_timeline, start_date="2016-01-25")
    figures.plot_networks(simulate("ceasefire_2016_09", seed=1).model)

No backend is chosen here (a notebook shows the figures inline); scripts that write files use
Agg (`sim.reporting.report` does).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.reporting.analysis import ACTORS, QUAD_CLASSES, UNITS, label, scenario_order

BASELINE_COLOR = "black"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")  # fmt: skip
LINESTYLES = ("-", "--", "-.", ":")
#: Where a prior-predictive estimate sits below its scenario's posterior one (rows are 1 apart).
PRIOR_OFFSET = -0.3
CONTROL_COLORS = {"GOV": "#c0392b", "OPP": "#27ae60", "OTHER": "#f1c40f"}
CONTROL_NAMES = {"GOV": "government", "OPP": "opposition", "OTHER": "other (Kurdish-led)"}
QUAD_COLORS = {1: "#2c7fb8", 2: "#41ab5d", 3: "#fe9929", 4: "#d7301f"}
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


def scenario_colors(scenarios: Sequence[str], episodes: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per scenario: black for baselines, the palette in order for the others."""
    episodes = episodes or {}
    colors, i = {}, 0
    for name in scenarios:
        if episodes.get(name, None) == name:
            colors[name] = BASELINE_COLOR
        else:
            colors[name] = PALETTE[i % len(PALETTE)]
            i += 1
    return colors


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
                   size: tuple[float, float, float, float, float]):
    """A figure of `panels` panels with one row per scenario (top to bottom) in each.

    Args:
        size: (panel width, extra width, height per scenario row, extra height per panel row,
            extra height) in inches.

    Returns:
        (figure, axes, y position of each scenario, scenario -> colour).
    """
    colors = scenario_colors(scenarios, episodes)
    nrows, ncols = _grid(panels, ncols)
    width, extra_width, row, panel_extra, extra = size
    fig = Figure(figsize=(width * ncols + extra_width, row * len(scenarios) * nrows + panel_extra * nrows + extra),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    return fig, axes, np.arange(len(scenarios))[::-1], colors


def _date(value) -> dt.date | None:
    return None if value is None else pd.Timestamp(value).date()


def _add_date_axis(ax, start_date) -> None:
    """A secondary x axis on top with the calendar date of 'days since the episode start'."""
    start = _date(start_date)
    if start is None:
        return
    origin = mdates.date2num(start)
    top = ax.secondary_xaxis("top", functions=(lambda d: d + origin, lambda x: x - origin))
    top.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
    top.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    top.tick_params(labelsize=8)


# --------------------------------------------------------------------------- probabilities
def plot_probabilities(
    probabilities: pd.DataFrame, outcomes: Sequence[str] | None = None, scenarios: Sequence[str] | None = None,
    title: str | None = None, ncols: int = 4,
) -> Figure:
    """Probability of each binary outcome by scenario, with its 95% interval (one panel per outcome).

    The baseline's probability is drawn as a dashed line with its interval shaded, so a
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
    fig, axes, y, colors = _scenario_rows(scenarios, episodes, len(outcomes), ncols, (3.3, 2.2, 0.32, 1.4, 0.6))
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        rows = table[table["outcome"] == outcome].set_index("scenario")
        for yy, name in zip(y, scenarios):
            if name not in rows.index:
                continue
            r = rows.loc[name]
            if episodes.get(name) == name:
                ax.axvline(r["p"], color="0.4", linestyle="--", linewidth=0.8, zorder=0)
                ax.axvspan(r["low"], r["high"], color="0.85", zorder=0)
            ax.errorbar(r["p"], yy, xerr=_err(r["p"], r["low"], r["high"]), fmt="o",
                        color=colors[name], markersize=4, capsize=2, linewidth=1.2)
        ax.set_xlim(-0.03, 1.03)
        ax.set_title(label(outcome), fontsize=10)
        ax.set_xlabel("probability (share of runs)", fontsize=8)
        ax.grid(axis="x", color="0.92")
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    axes[0, 0].set_yticks(y, [short_name(s, episodes.get(s)) for s in scenarios])
    for row in axes:
        row[0].tick_params(axis="y", labelsize=8)
    n = int(table["n"].max()) if len(table) else 0
    fig.suptitle(title or f"Outcome probabilities by scenario (95% Wilson intervals, up to {n} runs each)", fontsize=11)
    handles = [Line2D([], [], color="0.4", linestyle="--", label="baseline probability"),
               Patch(color="0.85", label="baseline 95% interval")]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


# --------------------------------------------------------------------------- survival
def plot_survival(
    curves: pd.DataFrame, start_date=None, scenarios: Sequence[str] | None = None, title: str | None = None,
    band: bool = True, episodes: dict[str, str] | None = None, xlabels: dict[str, str] | None = None,
) -> Figure:
    """Kaplan-Meier curves by scenario: the share of runs in which the event has not yet happened.

    One panel per outcome in `curves` (`analysis.survival_curves` output, one or several
    outcomes concatenated). Runs without the event are censored at the horizon (the curve ends
    there); shaded: pointwise 95% band.

    Args:
        curves: Kaplan-Meier curves (scenario, outcome, time, survival, low, high).
        start_date: date of day 0 (adds a calendar axis on top).
        scenarios: scenarios to draw (default: all in the table).
        episodes: scenario -> episode (baselines drawn black); default from the names.
        xlabels: outcome -> x axis label, for clocks that do not start at day 0 (e.g. 'days since
            the ceasefire was agreed'); such panels get no calendar axis.
    """
    scenarios = list(scenarios or dict.fromkeys(curves["scenario"]))
    if episodes is None:
        base = [s for s in scenarios if not any(s != o and s.startswith(o + "_") for o in scenarios)]
        episodes = {s: next((b for b in base if s == b or s.startswith(b + "_")), s) for s in scenarios}
    colors = scenario_colors(scenarios, episodes)
    outcomes = list(dict.fromkeys(curves["outcome"]))
    nrows, ncols = _grid(len(outcomes), 2)
    fig = Figure(figsize=(6.2 * ncols, 4.4 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    start = _date(start_date)
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        for name in scenarios:
            c = curves[(curves["scenario"] == name) & (curves["outcome"] == outcome)]
            if c.empty:
                continue
            t, s, lo, hi = (c[k].to_numpy(dtype=float) for k in ("time", "survival", "low", "high"))
            t, s, lo, hi = [0.0, *t], [1.0, *s], [1.0, *lo], [1.0, *hi]
            end = float(c["horizon"].max()) if "horizon" in c else np.nan
            if np.isfinite(end) and end > t[-1]:  # the curve stays flat to the end of follow-up
                t, s, lo, hi = [*t, end], [*s, s[-1]], [*lo, lo[-1]], [*hi, hi[-1]]
            baseline = episodes.get(name) == name
            # baseline: a wide black line underneath, so a counterfactual equal to it shows on top
            dash = LINESTYLES[scenarios.index(name) % len(LINESTYLES)]  # equal curves stay distinguishable
            style = dict(linewidth=3.5, alpha=0.75, zorder=1) if baseline else dict(linewidth=1.4, zorder=2,
                                                                                     linestyle=dash)
            ax.step(t, s, where="post", color=colors[name], label=short_name(name, episodes.get(name)), **style)
            if band:
                ax.fill_between(t, lo, hi, step="post", color=colors[name], alpha=0.12, linewidth=0)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlim(left=0)
        day0 = f" (day 0 = {start:%d %b %Y})" if start else ""
        xlabel = (xlabels or {}).get(outcome)
        ax.set_xlabel(xlabel or f"days since the episode start{day0}", fontsize=9)
        ax.set_ylabel(f"share of runs: {label(outcome)} not yet", fontsize=9)
        ax.set_title(f"Time until: {label(outcome)}", fontsize=10)
        ax.grid(color="0.92")
        ax.legend(fontsize=7, loc="best", title="scenario", title_fontsize=7)
        if start and not xlabel:
            _add_date_axis(ax, start)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle(title or "Kaplan-Meier survival curves (runs without the event censored at the horizon; "
                 "shaded: 95% band)", fontsize=11)  # fmt: skip
    return fig


# --------------------------------------------------------------------------- paired differences
def plot_paired_differences(
    differences: pd.DataFrame, outcomes: Sequence[str] | None = None, title: str | None = None, ncols: int = 3,
    prior: pd.DataFrame | None = None,
) -> Figure:
    """Counterfactual - baseline, pair by pair: mean difference with its 95% bootstrap interval.

    One panel per outcome; binary outcomes in percentage points, continuous ones in their units.
    The label beside each point is the share of pairs in which the counterfactual changed the
    outcome. With `prior` (`analysis.calibration_change`), the same difference under the priors
    alone is drawn below each point as an open grey marker.
    """
    table = differences
    outcomes = list(outcomes or dict.fromkeys(table["outcome"]))
    scenarios = scenario_order(table)
    episodes = _episodes(table)
    fig, axes, y, colors = _scenario_rows(scenarios, episodes, len(outcomes), ncols, (4.3, 2.0, 0.36, 1.5, 0.8))
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
            ax.errorbar(d, yy, xerr=_err(d, lo, hi), fmt="o", color=colors[name], markersize=4,
                        capsize=2, linewidth=1.2)
            ax.annotate(percent(r["changed"]), (hi, yy), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=7, color="0.3")
            if prior is not None:
                p = prior[(prior["scenario"] == name) & (prior["outcome"] == outcome)]
                if len(p):
                    p = p.iloc[0]
                    d, lo, hi = p["diff_prior"] * scale, p["low_prior"] * scale, p["high_prior"] * scale
                    ax.errorbar(d, yy + PRIOR_OFFSET, xerr=_err(d, lo, hi), fmt="o", mfc="white", color="0.55",
                                markersize=4, capsize=2, linewidth=1.0)
        ax.axvline(0, color="0.4", linewidth=0.8)
        ax.margins(x=0.25)
        unit = "percentage points" if binary else UNITS.get(outcome, "units of the outcome")
        ax.set_xlabel(f"difference ({unit})", fontsize=8)
        ax.set_title(label(outcome), fontsize=10)
        ax.grid(axis="x", color="0.92")
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    bases = sorted({episodes.get(s, "?") for s in scenarios})
    one = len(bases) == 1
    axes[0, 0].set_yticks(y, [short_name(s, episodes.get(s)) + ("" if one else f"\nvs {episodes.get(s, '?')}")
                              for s in scenarios])  # fmt: skip
    pairs = int(table["pairs"].max()) if len(table) else 0
    against = f"baseline {bases[0]}" if one else "its episode's baseline"
    fig.suptitle(title or f"Paired differences, counterfactual - {against} (common random numbers, up to {pairs} "
                 "pairs; 95% paired-bootstrap intervals)", fontsize=11)  # fmt: skip
    handles = [Line2D([], [], linestyle="none", marker="$\\%$", color="0.3",
                      label="% beside a point: share of pairs in which the outcome changed")]
    if prior is not None:
        handles.append(Line2D([], [], linestyle="none", marker="o", mfc="white", color="0.55",
                              label="open grey: the same design under the priors alone"))
    fig.legend(handles=handles, loc="outside lower center", fontsize=8, frameon=False, ncols=len(handles))
    return fig


# --------------------------------------------------------------------------- distributions
def plot_distributions(
    runs: pd.DataFrame, outcomes: Sequence[str], scenarios: Sequence[str] | None = None,
    title: str | None = None, ncols: int = 3,
) -> Figure:
    """Distribution of continuous outcomes by scenario (box: quartiles; whiskers: 5-95%; dot: mean)."""
    scenarios = list(scenarios or scenario_order(runs))
    episodes = _episodes(runs)
    fig, axes, y, colors = _scenario_rows(scenarios, episodes, len(outcomes), ncols, (4.0, 2.0, 0.34, 1.4, 0.6))
    for i, outcome in enumerate(outcomes):
        ax = axes.flat[i]
        data = [runs.loc[runs["scenario"] == s, outcome].dropna().astype(float).to_numpy() for s in scenarios]
        present = [k for k, d in enumerate(data) if len(d)]
        bp = ax.boxplot([data[k] for k in present], positions=y[present], orientation="horizontal",
                        whis=(5, 95), showfliers=False, widths=0.6, patch_artist=True, showmeans=True,
                        meanprops=dict(marker="o", markerfacecolor="white", markeredgecolor="black", markersize=3))
        for patch, k in zip(bp["boxes"], present):
            patch.set(facecolor=colors[scenarios[k]], alpha=0.35, edgecolor=colors[scenarios[k]])
        for med in bp["medians"]:
            med.set(color="black")
        ax.set_title(label(outcome), fontsize=10)
        ax.set_xlabel(UNITS.get(outcome, outcome), fontsize=8)
        ax.grid(axis="x", color="0.92")
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    axes[0, 0].set_yticks(y, [short_name(s, episodes.get(s)) for s in scenarios])
    fig.suptitle(title or "Outcome distributions by scenario (box: quartiles and median; whiskers: 5-95%; "
                 "white dot: mean)", fontsize=11)  # fmt: skip
    return fig


# --------------------------------------------------------------------------- timeline
def plot_timeline(
    simulated: pd.DataFrame, observed: pd.DataFrame | None, start_date, scenario: str | None = None,
    actors: Sequence[str] = ACTORS, title: str | None = None,
) -> Figure:
    """Simulated daily events (median, 5-95% band) against the observed events, by actor and quad class.

    Rows: the acting actor (source); columns: CAMEO quad class. The simulated counts (left axis)
    are acts of the model; the observed ones (stems, right axis) are acts reported in the news
    articles, a small fraction of what happened, so the two scales differ.

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
    quads = list(QUAD_CLASSES)
    fig = Figure(figsize=(15, 2.1 * len(actors) + 1.6), layout="constrained")
    axes = fig.subplots(len(actors), len(quads), squeeze=False, sharex=True)
    end = start + pd.Timedelta(days=horizon - 1)
    for i, actor in enumerate(actors):
        for j, quad in enumerate(quads):
            ax = axes[i, j]
            part = sim[(sim["source"] == actor) & (sim["quad_class"] == quad)].sort_values("day")
            color = QUAD_COLORS[quad]
            if len(part) and part["high"].max() + part["mean"].max() > 0:
                dates = start + pd.to_timedelta(part["day"].to_numpy(), unit="D")
                ax.fill_between(dates, part["low"], part["high"], step="mid", color=color, alpha=0.2, linewidth=0)
                ax.step(dates, part["median"], where="mid", color=color, linewidth=1.6)
                ax.plot(dates, part["mean"], color="0.15", linewidth=0.8, linestyle=":")
                ax.set_ylim(0, 1.15 * max(part["high"].max(), part["mean"].max()))
            else:
                ax.text(0.5, 0.6, "no simulated events", transform=ax.transAxes, ha="center", fontsize=8,
                        color="0.5")
                ax.set_ylim(0, 1)
            ax.set_xlim(start - pd.Timedelta(days=0.5), end + pd.Timedelta(days=0.5))
            ax.tick_params(labelsize=7)
            ax.grid(color="0.94")
            if observed is not None and len(observed):
                obs = observed[(observed["source"] == actor) & (observed["quad_class"] == quad)]
                twin = ax.twinx()
                if len(obs):
                    odates = start + pd.to_timedelta(obs["day"].to_numpy(), unit="D")
                    markers, stems, base = twin.stem(odates, obs["count"].to_numpy(), linefmt="k-", markerfmt="kD",
                                                     basefmt=" ")
                    markers.set_markersize(4)
                    stems.set_linewidth(1.0)
                top = max(3, int(observed["count"].max()) + 1)
                twin.set_ylim(0, top)
                twin.tick_params(labelsize=7, colors="0.25")
                if j == len(quads) - 1:
                    twin.set_ylabel("observed/day\n(news)", fontsize=8, color="0.25")
                else:  # one observed scale for every panel: its labels on the right-hand column only
                    twin.tick_params(labelright=False)
            if i == 0:
                ax.set_title(f"{quad}: {QUAD_CLASSES[quad]}", fontsize=10, color=color)
            if j == 0:
                ax.set_ylabel(f"{actor}\nsimulated/day", fontsize=8)
    for ax in axes[-1]:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.set_xlabel(f"date ({start:%Y}; day 0 = {start:%d %b})", fontsize=8)
    reps = int(sim["replicates"].max()) if len(sim) else 0
    fig.suptitle(title or f"{scenario}: simulated events per day by actor (rows) and CAMEO quad class (columns), "
                 f"{reps} runs, vs observed events", fontsize=11)  # fmt: skip
    handles = [
        Line2D([], [], color="0.3", linewidth=1.3, label="simulated: median across runs (left axis)"),
        Line2D([], [], color="0.15", linewidth=0.8, linestyle=":", label="simulated: mean"),
        Patch(color="0.3", alpha=0.2, label="simulated: 5-95% of runs"),
        Line2D([], [], color="black", marker="D", markersize=4, linestyle="-",
               label="observed events reported in the articles (right axis)"),
    ]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    fig.text(0.5, -0.005, "The news reports a small fraction of acts (e.g. one article sentence for a day of "
             "strikes), so observed and simulated counts are on different scales; compare timing, not size. Observed "
             "events with an approximate date sit on their article's publication date.",
             ha="center", va="top", fontsize=8, style="italic")  # fmt: skip
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
