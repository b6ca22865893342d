"""The page's Solara components and controls, for Mesa's SolaraViz (`app.py` puts them together).

Four panels, each a plain function of the model returning its element, as SolaraViz expects
(it wraps each in a component that re-renders after every step and on Reset): the actor network, the terrain map, the event feed with the day shown, and
the daily plots. SolaraViz lays them out two by two in cells of fixed height, so each panel
fits its content into `PANEL_HEIGHT` (the feed scrolls; a figure shrinks to fit). Figures are
PNG images with alt text and element ids, so a reader, a screen reader and the browser test
find them alike.

The controls (`model_params`) are the keyword arguments of `LiveModel`: the scenario, the
seed, the parameters (a posterior draw or the defaults), the draw and the day to start at;
they take effect on Reset, as in every SolaraViz page.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider

from sim.scenarios import load_scenario
from sim.viz.figures import daily_figure, network_figure, png_bytes, terrain_figure
from sim.viz.live_model import (
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    POSTERIOR_DRAW,
    LiveModel,
    parameter_sets,
    posterior_or_none,
    scenario_names,
)
from sim.viz.views import (
    control_counts,
    day_caption,
    edge_states,
    feed_lines,
    last_day,
    state_caption,
)

#: Height of a panel in pixels: SolaraViz's grid cells are 10 rows of 30 px with 10 px gaps
#: (390 px); a little less leaves room for the cell's padding.
PANEL_HEIGHT = 380
#: Element ids the browser test (and any reader's script) finds the panels by.
IDS = {"network": "actor-network", "terrain": "terrain-map", "feed": "event-feed", "plots": "daily-plots",
       "day": "day-shown", "state": "run-state", "edges": "edge-states"}  # fmt: skip
PAGE_NAME = "parley: one run"


def model_params() -> dict:
    """SolaraViz's controls: keyword arguments of `LiveModel` with their inputs."""
    sets = parameter_sets()
    horizon = max(load_scenario(name).horizon_days for name in scenario_names())
    params: dict = {
        "scenario_name": {"type": "Select", "value": DEFAULT_SCENARIO, "values": list(scenario_names()),
                          "label": "Scenario"},
        "seed": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Seed"},
        "parameter_set": {"type": "Select", "value": sets[0], "values": list(sets), "label": "Parameters"},
    }  # fmt: skip
    posterior = posterior_or_none()
    if posterior is not None:
        params["draw"] = Slider("Posterior draw N", value=0, min=0, max=len(posterior.draw_ids) - 1, step=1)
    params["start_day"] = Slider("Day to start at", value=0, min=0, max=horizon, step=1)
    return params


def initial_model() -> LiveModel:
    """The run the page opens on: the controls' defaults."""
    return LiveModel()


def _image(make_figure: Callable[[LiveModel], Figure], model: LiveModel, element_id: str, alt: str,
           max_height: int, changes_with: tuple):
    """A figure as an <img> that fits its panel.

    Args:
        make_figure: draws the figure of a model.
        model: the model shown.
        element_id: the img element's id.
        alt: its alt text (and tooltip).
        max_height: its largest height in pixels.
        changes_with: what the figure depends on besides the model: it is redrawn only when the
            model (Reset) or one of these changes (drawing is most of a step's time).
    """
    png = solara.use_memo(lambda: png_bytes(make_figure(model)), dependencies=[model.build_number, *changes_with])
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return solara.v.Html(
        tag="img",
        attributes={"src": src, "alt": alt, "id": element_id, "title": alt},
        style_=f"display: block; max-width: 100%; max-height: {max_height}px; margin: 0 auto; object-fit: contain;",
    )


def _when(model: LiveModel) -> str:
    day = last_day(model)
    return "at the start" if day is None else f"on day {day} ({model.date_of(day):%d %b %Y})"


def actor_network_panel(model: LiveModel):
    """The actor network today, and the edges that are closed or suspended, in words."""
    states = edge_states(model)
    closed = [str(e) for e in states if not e.is_open]
    alt = f"Actor network {_when(model)}: " + "; ".join(str(e) for e in states)
    with solara.Column(style={"height": f"{PANEL_HEIGHT}px", "overflow": "hidden", "gap": "2px"}) as panel:
        _image(network_figure, model, IDS["network"], alt, PANEL_HEIGHT - 30, (model.actor_network.version,))
        solara.v.Html(tag="div", attributes={"id": IDS["edges"]},
                      style_="font-size: 12px; text-align: center;",
                      children=["Closed: " + "; ".join(closed) if closed else "Every edge open"])
    return panel


def terrain_panel(model: LiveModel):
    """The terrain map today: control of each locality and the supply route."""
    route = "open" if model.world.supply_open else "cut"
    held = control_counts(model)
    alt = (f"Terrain map {_when(model)}: localities held by GOV {held['GOV']}, OPP {held['OPP']}, "
           f"OTHER {held['OTHER']}; supply route {route}")
    with solara.Column(style={"height": f"{PANEL_HEIGHT}px", "overflow": "hidden"}) as panel:
        _image(terrain_figure, model, IDS["terrain"], alt, PANEL_HEIGHT, (model.terrain.version,))
    return panel


def event_feed_panel(model: LiveModel):
    """The day shown, the state of the run, and the newest events, dated, newest first."""
    lines = feed_lines(model)
    today = last_day(model)
    with solara.Column(style={"height": f"{PANEL_HEIGHT}px", "gap": "4px"}) as panel:
        solara.v.Html(tag="div", attributes={"id": IDS["day"]}, style_="font-size: 16px; font-weight: 600;",
                      children=[day_caption(model)])
        solara.v.Html(tag="div", attributes={"id": IDS["state"]}, style_="font-size: 12px; color: #333;",
                      children=[f"{model.scenario_name}, seed {model.seed}, {model.parameter_label} · "
                                + state_caption(model)])
        solara.v.Html(tag="div", style_="font-size: 13px; font-weight: 600; margin-top: 4px;",
                      children=[f"Event feed, newest first ({len(model.event_log)} events so far)"])
        with solara.v.Html(tag="div", attributes={"id": IDS["feed"], "role": "log", "aria-label": "Event feed"},
                           style_="flex: 1 1 auto; overflow-y: auto; min-height: 0;"):
            for line in lines:
                background = "#fff3d1" if line.day == today else "transparent"  # today's acts stand out
                solara.v.Html(tag="div", attributes={"class": "feed-line"},
                              style_=f"font-family: monospace; font-size: 12px; background: {background}; "
                                     "padding: 1px 2px; border-bottom: 1px solid #eee;",
                              children=[str(line)])  # fmt: skip
            if not lines:
                solara.v.Html(tag="div", style_="font-size: 12px; color: #666;",
                              children=["No events yet: press Step or \u25b6."])
    return panel


def daily_plots_panel(model: LiveModel):
    """The daily state so far: talks, ceasefire, channel, supply route; strikes; civilian harm."""
    alt = (f"Daily plots {_when(model)}: talks and ceasefire states, strikes per day, "
           f"civilian harm {model.world.civilian_harm:,.0f} so far")
    with solara.Column(style={"height": f"{PANEL_HEIGHT}px", "overflow": "hidden"}) as panel:
        _image(daily_figure, model, IDS["plots"], alt, PANEL_HEIGHT, (model.day,))
    return panel


#: The panels in the order SolaraViz lays them out (two per row).
COMPONENTS = [actor_network_panel, terrain_panel, event_feed_panel, daily_plots_panel]

__all__ = ["COMPONENTS", "IDS", "PAGE_NAME", "POSTERIOR_DRAW", "initial_model", "model_params"]
