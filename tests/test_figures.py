"""Figure functions return Figures a reader can read: titles, axis labels with units, legends."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.experiments.runs import simulate  # noqa: E402
from sim.reporting import analysis as an  # noqa: E402
from sim.reporting import figures as fg  # noqa: E402


def texts(fig: Figure) -> str:
    """Every text of a figure: suptitle, titles, axis labels, tick labels, legends, annotations
    (lines wrapped to fit a panel are joined back with spaces)."""
    out = [" ".join(t.get_text().split()) for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(out)


def visible_axes(fig: Figure):
    return [ax for ax in fig.axes if ax.get_visible()]


def legend_texts(fig: Figure) -> list[str]:
    """The texts of the figure's one legend (there are none in the panels)."""
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    return [t.get_text() for t in fig.legends[0].get_texts()]


def step_lines(ax) -> list:
    """The curves of a panel (not the marker-only lines drawn on them)."""
    return [line for line in ax.get_lines() if line.get_linestyle() not in ("None", "none", "")]


def styles_of(ax) -> list[tuple]:
    """(colour, line style) of each curve and (colour, marker) of each marker line of a panel."""
    return [(matplotlib.colors.to_hex(line.get_color()), line.get_linestyle(), line.get_marker())
            for line in ax.get_lines()]


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for scenario, p, harm in (("ep", 0.8, 500.0), ("ep_no_strikes", 0.3, 150.0), ("ep_other", 0.6, 400.0)):
        for r in range(40):
            paused = bool(rng.random() < p)
            rows.append({
                "scenario": scenario, "episode": "ep", "replicate": r, "seed": r, "error": None,
                "horizon_days": 60, "talks_paused": paused,
                "talks_pause_day": float(rng.integers(5, 40)) if paused else math.nan,
                "channel_suspended": bool(rng.random() < p / 2), "civilian_harm": harm + 50 * rng.standard_normal(),
                "localities_captured": int(rng.integers(0, 4)),
                "opp_walkout_day": math.nan, "ceasefire_collapse_day": math.nan, "us_threat_day": math.nan,
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_probabilities_figure(runs):
    fig = fg.plot_probabilities(an.outcome_probabilities(runs, ["talks_paused", "channel_suspended"]))
    assert isinstance(fig, Figure)
    text = texts(fig)
    assert "Outcome probabilities by scenario" in fig.get_suptitle() and "Wilson" in fig.get_suptitle()
    assert "talks paused" in text and "channel suspended" in text
    assert "probability (share of runs)" in text
    assert "baseline (ep)" in text and "no strikes" in text  # readable scenario names
    assert legend_texts(fig) == ["baseline probability", "baseline 95% interval"]
    assert len(visible_axes(fig)) == 2


def test_the_baseline_probability_is_drawn_over_its_band(runs):
    fig = fg.plot_probabilities(an.outcome_probabilities(runs, ["talks_paused"]))
    ax = visible_axes(fig)[0]
    band = [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb("0.85")]
    line = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(band) == 1 and len(line) == 1
    assert line[0].get_zorder() > band[0].get_zorder()


def test_survival_figure(runs):
    curves = an.survival_curves(runs, "talks_pause_day")
    fig = fg.plot_survival(curves, start_date="2016-01-25")
    assert isinstance(fig, Figure)
    ax = visible_axes(fig)[0]
    assert ax.get_title() == "talks paused (days since the episode start)"
    assert "days since the episode start (day 0 = 25 Jan 2016)" in ax.get_xlabel()
    assert "not yet" in ax.get_ylabel()
    # one legend for the figure, outside the panels
    assert legend_texts(fig) == ["baseline (ep)", "no strikes", "other", "95% band of the baseline"]
    assert "censored at the horizon" in fig.get_suptitle()
    # every curve is drawn to the horizon (60), not stopped at its last event
    curves_drawn = step_lines(ax)
    assert len(curves_drawn) == 3
    for line in curves_drawn:
        assert max(line.get_xdata()) == 60


def test_survival_curves_that_coincide_stay_visible(runs):
    # two counterfactuals identical to each other: each still has its own style and markers
    twin = runs[runs["scenario"] == "ep_no_strikes"].assign(scenario="ep_twin")
    curves = an.survival_curves(pd.concat([runs, twin]), "talks_pause_day")
    fig = fg.plot_survival(curves)
    ax = visible_axes(fig)[0]
    styles = styles_of(ax)
    assert len(set(styles)) == len(styles)  # no two curves (or marker sets) drawn alike
    markers = [line for line in ax.get_lines() if line.get_linestyle() in ("None", "none", "")]
    assert len(markers) == 3  # one marker line per counterfactual (the baseline: a wide solid line)
    xs = [tuple(np.round(m.get_xdata(), 6)) for m in markers]
    assert len(set(xs)) == 3  # at staggered positions, so coinciding curves show all their markers


def test_survival_figure_with_another_clock(runs):
    curves = an.survival_curves(runs, "talks_pause_day")
    fig = fg.plot_survival(curves, start_date="2016-01-25", clocks={"talks_pause_day": "X"})
    ax = visible_axes(fig)[0]
    assert ax.get_xlabel() == "days since X (runs in which it happened)"
    assert ax.get_title() == "talks paused (days since X)"
    assert not ax.child_axes  # no calendar axis for a clock that does not start at day 0
    fig = fg.plot_survival(curves, start_date="2016-01-25", xlabels={"talks_pause_day": "days since Y"})
    assert visible_axes(fig)[0].get_xlabel() == "days since Y"


def test_paired_differences_figure(runs):
    diffs = an.paired_differences(runs, ["talks_paused", "civilian_harm"], resamples=200)
    fig = fg.plot_paired_differences(diffs)
    text = texts(fig)
    assert "Paired differences, counterfactual - baseline ep" in " ".join(fig.get_suptitle().split())
    assert "difference (pp)" in text and "pp: percentage points" in text
    assert "difference (civilians killed (expected))" in text
    assert "share of pairs in which the outcome changed" in text
    assert "%" in text and "no strikes" in text
    assert [ax.get_title() for ax in visible_axes(fig)] == ["talks paused", "civilian harm"]


def test_distributions_are_empirical_cdfs(runs):
    fig = fg.plot_distributions(runs, ["civilian_harm", "localities_captured"])
    assert "Outcome distributions" in fig.get_suptitle() and "empirical CDF" in fig.get_suptitle()
    assert "civilians killed (expected)" in texts(fig) and "localities" in texts(fig)
    assert legend_texts(fig) == ["baseline (ep)", "no strikes", "other"]
    harm, localities = visible_axes(fig)
    assert not harm.patches and not localities.patches  # no boxes
    for ax in (harm, localities):
        for line in step_lines(ax):
            y = np.asarray(line.get_ydata(), dtype=float)
            assert y[0] == 0 and y[-1] == 1 and (np.diff(y) >= 0).all()  # a CDF, rising from 0 to 1
    # a discrete outcome: its steps are at the values it takes, each as high as their share of runs
    base = runs.loc[runs["scenario"] == "ep", "localities_captured"]
    line = step_lines(localities)[0]
    x, y = np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)
    assert set(x[1:-1]) == set(base.unique().astype(float))
    assert np.allclose(np.diff(y)[:-1], base.value_counts(normalize=True).sort_index().to_numpy())


def test_timeline_figure():
    runs = pd.DataFrame({"scenario": "ep", "episode": "ep", "replicate": [0, 1], "error": None, "horizon_days": 10})
    events = pd.DataFrame({"scenario": "ep", "replicate": [0, 0, 1], "day": [0, 3, 3],
                           "source": ["RUS", "RUS", "USA"], "quad_class": [4, 4, 3]})  # fmt: skip
    sim = an.simulated_timeline(events, runs, ["ep"], start_dates={"ep": "2016-01-25"})
    observed = pd.DataFrame({"event_date": ["2016-01-27"], "source": ["RUS"], "quad_class": [4],
                             "date_precision": ["day"]})  # fmt: skip
    fig = fg.plot_timeline(sim, an.observed_timeline(observed, "2016-01-25", 10), "2016-01-25")
    text = texts(fig)
    for words in ("verbal cooperation", "material conflict", "simulated events/day", "observed (news)/day",
                  "mean across runs", "observed events reported in the articles", "small fraction of acts",
                  "date (2016; day 0 = 25 Jan)", "no simulated events", "no observed events"):
        assert words in text, words
    assert "ep: events per day by CAMEO quad class" in fig.get_suptitle()
    assert legend_texts(fig) == list(an.ACTORS)
    # compact: one simulated and one observed axis per quad class, no twin axes
    assert len(fig.axes) == 8
    assert all(ax.yaxis.get_label_position() == "left" for ax in fig.axes)
    assert len({ax.get_title() for ax in fig.axes if ax.get_title()}) == 4


def test_networks_figure():
    result = simulate("ceasefire_2016_09", seed=3, days=30)
    fig = fg.plot_networks(result.model)
    text = texts(fig)
    assert "ceasefire_2016_09, one run (seed" in fig.get_suptitle()
    assert "channel suspended:" in fig.get_suptitle()
    for words in ("Actor network at the end", "Terrain at the start (09 Sep 2016)", "backs (support, aid)",
                  "mediates", "channel (open)", "suspended / closed", "held by government",
                  "opposition supply route", "border crossing", "node size: population", "East Aleppo (north)"):
        assert words in text, words
    # the episode starts with the route cut (east Aleppo besieged)
    assert "supply route cut" in text


def test_suspended_channel_is_drawn_dashed_red():
    result = simulate("ceasefire_2016_09", seed=1)
    assert result.outcomes["channel_suspended"]
    fig = fg.plot_networks(result.model)
    assert "channel (suspended)" in texts(fig)
    patches = [t.arrow_patch for t in fig.axes[0].texts if getattr(t, "arrow_patch", None) is not None]
    arrows = [a for a in patches if a.get_linestyle() in ("--", "dashed")]
    assert arrows and all(matplotlib.colors.to_hex(a.get_edgecolor()) == "#d62728" for a in arrows)


def test_supply_path_follows_opposition_land():
    result = simulate("geneva_2016_02", seed=1, days=1)
    path = fg.supply_path(result.model.terrain)
    assert path[0] == "bab_al_salameh" and path[-1] in result.model.terrain.city
    control = dict(result.model.terrain.control, azaz="GOV")
    assert fg.supply_path(result.model.terrain, control) == []
