"""The page's figures (matplotlib `Figure`s, no pyplot: SolaraViz plays the model from a
thread, and pyplot's global state is not thread-safe).

The actor network and the terrain are drawn by the report's own functions
(`sim.reporting.figures.draw_actor_network`, `draw_terrain`), so the page and the report show a
run alike; the daily plots are the page's own: the states of the talks, the ceasefire, the
channel and the supply route as bands, strikes per day, civilian harm.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.model.model import DiplomacyModel
from sim.reporting.figures import CONTROL_COLORS, draw_actor_network, draw_terrain
from sim.scenario_types import CeasefireState, TalksState
from sim.viz.views import control_counts, daily_frame, last_day

#: Colours of the states in the daily bands (one legend entry each).
TALKS_COLORS = {
    TalksState.NOT_STARTED.value: "#d9d9d9", TalksState.IN_SESSION.value: "#1b9e77",
    TalksState.PAUSED.value: "#ff7f00", TalksState.COLLAPSED.value: "#67000d",
    TalksState.AGREEMENT.value: "#377eb8",
}  # fmt: skip
CEASEFIRE_COLORS = {
    CeasefireState.NONE.value: "#d9d9d9", CeasefireState.AGREED.value: "#c6dbef",
    CeasefireState.TERMS.value: "#6baed6", CeasefireState.IN_EFFECT.value: "#08519c",
    CeasefireState.COLLAPSED.value: "#67000d",
}  # fmt: skip
OPEN_CUT_COLORS = {True: "#a6d96a", False: "#e41a1c"}
STRIKE_COLORS = {"RUS": "#6a3d9a", "GOV": CONTROL_COLORS["GOV"]}
#: Size of a figure: a panel of the page is about 600 x 380 px, so at this size a figure is shown
#: near its natural scale and 8-point text stays legible (about 11 px).
PANEL_FIGSIZE = (5.6, 3.6)
#: Resolution of the PNGs the page shows: 1.5 pixels per displayed pixel, sharp when the panel
#: is shown at its natural size or enlarged.
PNG_DPI = 150


def _day_label(model: DiplomacyModel) -> str:
    day = last_day(model)
    if day is None:
        return f"start, {model.date_of(0):%d %b %Y}"
    return f"day {day}, {model.date_of(day):%d %b %Y}"


def _legend_to_the_right(ax, **kwargs) -> None:
    """Move the legend the report draws below its axes to their right: the page's panels are
    wider than tall, the report's figures taller than wide."""
    legend = ax.get_legend()
    if legend is None:
        return
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    title = legend.get_title().get_text()
    legend.remove()
    ax.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), ncols=1, fontsize=7.5,
              frameon=False, title=title or None, title_fontsize=7.5, **kwargs)


def network_figure(model: DiplomacyModel) -> Figure:
    """The actor network as it stands: each edge by kind, closed or suspended edges dashed red."""
    fig = Figure(figsize=PANEL_FIGSIZE, layout="constrained")
    ax = fig.subplots()
    # no day in the title: the figure changes only when an edge does, so the page redraws it
    # only then
    draw_actor_network(ax, model.actor_network.graph, title="Actor network: who backs, mediates, fights, negotiates")
    _legend_to_the_right(ax)
    # the report leaves room below the nodes for its legend, which now stands to the right
    ys = [y for _, y in (t.get_position() for t in ax.texts if t.get_text() in model.actor_network.graph)]
    if ys:
        ax.set_ylim(min(ys) - 0.45, max(ys) + 0.4)
    ax.text(0.0, 0.0, "edge width: weight", transform=ax.transAxes, fontsize=7, color="0.4")
    return fig


def terrain_figure(model: DiplomacyModel) -> Figure:
    """The terrain as it stands: control of each locality, the supply route while it is open."""
    counts = control_counts(model)
    held = ", ".join(f"{side} {n}" for side, n in counts.items())
    fig = Figure(figsize=PANEL_FIGSIZE, layout="constrained")
    ax = fig.subplots()
    # no day in the title, as for the network: redrawn only when control changes
    draw_terrain(ax, model.terrain, model.terrain.control, title=f"Terrain: localities held {held}")
    _legend_to_the_right(ax)
    return fig


def _bands(ax, frame: pd.DataFrame, row: float, column: str, colors: dict) -> None:
    """One horizontal band of a state column: a bar per day in the state's colour."""
    for value, color in colors.items():
        days = frame.loc[frame[column] == value, "day"].tolist()
        if days:
            ax.broken_barh([(d - 0.5, 1.0) for d in days], (row - 0.4, 0.8), facecolors=color, edgecolor="none")


def _day_axis(ax, model: DiplomacyModel, every: int) -> None:
    """Days of the whole horizon on the x-axis, each tick with its date below: the feed is
    dated, the model counts days."""
    start = model.date_of(0)
    ticks = list(range(0, model.horizon, every))
    ax.set_xlim(-0.5, model.horizon - 0.5)
    ax.set_xticks(ticks, [f"{d}\n{start + dt.timedelta(days=d):%d %b}" for d in ticks], fontsize=7)


def daily_figure(model: DiplomacyModel) -> Figure:
    """The daily state so far: the states as bands, strikes per day, civilian harm.

    The x-axes span the whole horizon from the first day, so the plots fill as the run goes.
    """
    frame = daily_frame(model)
    days = frame["day"].to_numpy()
    fig = Figure(figsize=PANEL_FIGSIZE, layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.15])
    states = fig.add_subplot(grid[0, :])
    strikes = fig.add_subplot(grid[1, 0])
    harm = fig.add_subplot(grid[1, 1])

    rows = {"talks": 3, "ceasefire": 2, "channel_open": 1, "supply_open": 0}
    _bands(states, frame, rows["talks"], "talks", TALKS_COLORS)
    _bands(states, frame, rows["ceasefire"], "ceasefire", CEASEFIRE_COLORS)
    _bands(states, frame, rows["channel_open"], "channel_open", OPEN_CUT_COLORS)
    _bands(states, frame, rows["supply_open"], "supply_open", OPEN_CUT_COLORS)
    states.set_yticks(list(rows.values()), ["talks", "ceasefire", "US-Russia channel", "supply route"], fontsize=7.5)
    states.set_ylim(-0.6, 3.6)
    states.set_title(f"Daily state, {_day_label(model)}", fontsize=9)
    seen = set(frame["talks"]) | set(frame["ceasefire"])
    handles = [Patch(color=c, label=f"talks {s.replace('_', ' ')}") for s, c in TALKS_COLORS.items() if s in seen]
    handles += [Patch(color=c, label=f"ceasefire {s.replace('_', ' ')}") for s, c in CEASEFIRE_COLORS.items()
                if s in seen and s != CeasefireState.NONE.value]  # fmt: skip
    handles += [Patch(color=OPEN_CUT_COLORS[True], label="open"),
                Patch(color=OPEN_CUT_COLORS[False], label="cut / suspended")]  # fmt: skip
    states.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    _day_axis(states, model, every=14)

    strikes.bar(days, frame["rus_strikes"], color=STRIKE_COLORS["RUS"], width=0.85, label="Russian")
    strikes.bar(days, frame["gov_strikes"], bottom=frame["rus_strikes"], color=STRIKE_COLORS["GOV"], width=0.85,
                label="government")
    strikes.set_title("strikes per day", fontsize=8.5)
    most = int((frame["rus_strikes"] + frame["gov_strikes"]).max()) if len(frame) else 0
    strikes.set_ylim(0, most * 1.6 + 1)  # headroom: the legend sits above the tallest bar
    strikes.legend(loc="upper left", fontsize=7, frameon=False, handlelength=1.0)
    _day_axis(strikes, model, every=21)

    harm.fill_between(days, 0, frame["civilian_harm"], color="0.85")
    harm.plot(days, frame["civilian_harm"], color="black", linewidth=1.4)
    harm.set_title(f"civilians killed, cumulative: {model.world.civilian_harm:,.0f}", fontsize=8.5)
    harm.set_ylim(bottom=0)
    _day_axis(harm, model, every=21)
    for ax in (states, strikes, harm):
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", color="0.92")
    return fig


def png_bytes(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """The figure as PNG bytes (what the page sends to the browser)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
