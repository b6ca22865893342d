"""The interactive page (app.py, sim/viz): its data without a browser, then the page in chromium.

The browser test serves the page on a free port of this machine, opens it in Debian's headless
chromium through playwright, checks that the network, the map, the feed and the plots render,
presses Step and checks that the day shown and the feed advance. It is skipped only when
/usr/bin/chromium is absent (`make env` installs it).
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import socket
import subprocess
import sys

import pytest

from sim.experiments.runs import simulate
from sim.reporting.timeline import timeline_lines
from sim.viz.live_model import DEFAULTS, POSTERIOR_DRAW, LiveModel, parse_seed, resolve_parameters
from sim.viz.views import daily_frame, day_caption, edge_states, feed_lines, state_caption


# --------------------------------------------------------------------------- data, no browser
def test_feed_after_n_steps_is_the_command_lines_newest_first():
    model = LiveModel("geneva_2016_02", seed=1, parameter_set=DEFAULTS, start_day=10)
    assert model.day == 10 and model.steps == 10
    feed = feed_lines(model, limit=15)
    # the whole run through `run.py simulate`'s path: its lines of days 0-9, newest first
    tenth_day = (dt.date(2016, 1, 25) + dt.timedelta(days=10)).isoformat()
    expected = [line for line in timeline_lines(simulate("geneva_2016_02", seed=1)) if line < tenth_day]
    assert [str(line) for line in feed] == expected[::-1][:15]
    assert all(line.day <= 9 for line in feed) and feed[0].day == 9
    assert feed[0].date == dt.date(2016, 1, 25) + dt.timedelta(days=9)
    assert [line.day for line in feed] == sorted((line.day for line in feed), reverse=True)


def test_feed_grows_by_the_steps_events():
    model = LiveModel("geneva_2016_02", seed=2, parameter_set=DEFAULTS)
    assert feed_lines(model) == []
    model.step()
    first = feed_lines(model)
    assert first and all(line.day == 0 for line in first)
    model.step()
    second = feed_lines(model)
    assert second[0].day == 1 and len(second) > len(first)
    assert feed_lines(model, limit=0) == []


def test_edge_states_name_each_edge_once_and_a_suspended_channel():
    model = LiveModel("ceasefire_2016_09", seed=1, parameter_set=DEFAULTS)
    states = edge_states(model)
    kinds = [(e.source, e.kind, e.target) for e in states]
    assert len(kinds) == len(set(kinds))
    assert ("RUS", "backs", "GOV") in kinds and ("USA", "backs", "OPP") in kinds
    assert ("ENVOY", "mediates", "GOV") in kinds and ("GOV", "fights", "OPP") in kinds
    # symmetric kinds once per pair, in the direction the scenario declares
    assert [k for k in kinds if k[1] == "channel"] == [("USA", "channel", "RUS")]
    assert all(e.is_open for e in states)
    model.actor_network.set_open("USA", "RUS", "channel", False)
    channel = next(e for e in edge_states(model) if e.kind == "channel")
    assert channel.state == "suspended" and str(channel) == "USA negotiates with (channel) RUS: suspended"
    assert "US-Russia channel suspended" in state_caption(model)


def test_day_caption_and_daily_frame_follow_the_steps():
    model = LiveModel("geneva_2016_02", seed=1, parameter_set=DEFAULTS)
    assert day_caption(model).startswith("Start · Mon 25 Jan 2016 · 0 of 60")
    assert daily_frame(model).empty
    for _ in range(3):
        model.step()
    assert day_caption(model) == "Day 2 · Wed 27 Jan 2016 · 3 of 60 days simulated"
    frame = daily_frame(model)
    assert frame["day"].tolist() == [0, 1, 2]
    assert frame["date"].tolist() == [dt.date(2016, 1, 25 + d) for d in range(3)]
    assert frame["civilian_harm"].is_monotonic_increasing
    assert frame["rus_strikes"].tolist() == model.world.rus_strikes


def test_controls_resolve_as_the_page_gives_them():
    assert parse_seed(" 7 ") == 7 and parse_seed(3) == 3
    from sim.errors import UserError

    for bad in ("", "-1", "1.5", "seven"):
        with pytest.raises(UserError, match="seed"):
            parse_seed(bad)
    assert resolve_parameters(DEFAULTS, 99) == (None, DEFAULTS)
    with pytest.raises(UserError, match="parameters"):
        resolve_parameters("prior", 0)
    parameters, label = resolve_parameters(POSTERIOR_DRAW, 3)
    if parameters is not None:  # a checkout with a calibration
        assert label.startswith("posterior draw 3")
        model = LiveModel("geneva_2016_02", seed=1, parameter_set=POSTERIOR_DRAW, draw=3)
        assert all(model.params[name] == value for name, value in parameters.items())
    # the day to start at is cut at the horizon, and the run ends there
    model = LiveModel("geneva_2016_02", seed=1, parameter_set=DEFAULTS, start_day=999)
    assert model.day == model.horizon == 60 and not model.running


def test_figures_draw_at_the_start_and_after_steps():
    pytest.importorskip("matplotlib")
    from sim.viz.figures import daily_figure, network_figure, png_bytes, terrain_figure

    model = LiveModel("ceasefire_2016_09", seed=1, parameter_set=DEFAULTS)
    for make in (network_figure, terrain_figure, daily_figure):
        assert png_bytes(make(model), dpi=40).startswith(b"\x89PNG")
    for _ in range(5):
        model.step()
    texts = [t.get_text() for t in daily_figure(model).findobj(lambda a: hasattr(a, "get_text"))]
    assert "Daily state, day 4, 13 Sep 2016" in texts


# --------------------------------------------------------------------------- the page in chromium
def _browser_or_skip():
    from sim.viz.browser import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium; make env installs it)")
    pytest.importorskip("solara", reason="the page needs the viz extra (make env installs it)")
    pytest.importorskip("playwright", reason="the browser test needs the viz extra (make env installs it)")


@pytest.mark.slow
def test_the_page_renders_and_steps_in_chromium(tmp_path):
    _browser_or_skip()
    # every wait below is bounded (sim.viz.browser: the server 40 s, the first render 40 s,
    # each step 20 s), so a page that never renders fails instead of hanging
    from sim.viz.browser import day_shown, open_page, running_server, step

    log = tmp_path / "server.log"
    with running_server(log=log) as url, open_page(url) as page:
        # the four panels, found by their ids and alt text
        for element_id, alt in (("actor-network", "Actor network at the start"),
                                ("terrain-map", "Terrain map at the start"),
                                ("daily-plots", "Daily plots at the start")):  # fmt: skip
            image = page.locator(f"img#{element_id}")
            assert image.get_attribute("alt").startswith(alt)
            assert image.get_attribute("src").startswith("data:image/png;base64,")
            assert image.evaluate("img => img.complete && img.naturalWidth > 100")
        assert "RUS backs GOV: open" in page.locator("img#actor-network").get_attribute("alt")
        assert "supply route open" in page.locator("img#terrain-map").get_attribute("alt")
        assert page.inner_text("#edge-states") == "Every edge open"
        assert day_shown(page).startswith("Start · Mon 25 Jan 2016")
        assert page.locator("#event-feed .feed-line").count() == 0
        # the controls SolaraViz makes from model_params
        for label in ("Scenario", "Seed", "Parameters", "Day to start at"):
            assert page.get_by_text(label, exact=True).count() >= 1, label
        assert "geneva_2016_02" in page.inner_text("body")

        step(page)
        assert day_shown(page) == "Day 0 · Mon 25 Jan 2016 · 1 of 60 days simulated"
        first = page.locator("#event-feed .feed-line").all_inner_texts()
        assert first and all(line.startswith("2016-01-25 ") for line in first)

        step(page, 2)
        assert day_shown(page) == "Day 2 · Wed 27 Jan 2016 · 3 of 60 days simulated"
        lines = page.locator("#event-feed .feed-line").all_inner_texts()
        assert lines[0].startswith("2016-01-27 ") and len(lines) > len(first)
        assert re.search(r"\(\d+ events so far\)", page.inner_text("body"))
        assert page.locator("img#daily-plots").get_attribute("alt").startswith("Daily plots on day 2 (27 Jan 2016)")

        # a control takes effect on Reset: another scenario, from its start
        page.get_by_text("geneva_2016_02", exact=True).first.click()
        page.get_by_role("option", name="ceasefire_2016_09", exact=True).click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function("() => document.querySelector('#day-shown').innerText.startsWith('Start · Fri 09 Sep')",
                               timeout=20_000)  # fmt: skip
        assert page.inner_text("#run-state").startswith("ceasefire_2016_09, seed 1")
        assert "supply route cut" in page.locator("img#terrain-map").get_attribute("alt")
        assert page.locator("#event-feed .feed-line").count() == 0


@pytest.mark.slow
def test_run_py_app_serves_the_page_and_a_sigterm_stops_it_with_its_server(tmp_path):
    _browser_or_skip()
    from sim.paths import PROJECT_ROOT
    from sim.viz.browser import free_port, wait_until_answering

    port = free_port()
    log = (tmp_path / "app.log").open("w")
    app = subprocess.Popen([sys.executable, "run.py", "app", "--port", str(port)], cwd=PROJECT_ROOT,
                           stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/", app)
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    assert f"parley page at http://127.0.0.1:{port}" in (tmp_path / "app.log").read_text()
    # the server child is gone with it: the port can be bound again
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_run_py_app_refuses_a_port_out_of_range_in_one_line():
    from sim.paths import PROJECT_ROOT

    done = subprocess.run([sys.executable, "run.py", "app", "--port", "70000"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "run.py app: error: argument --port: must be from 1 to 65535, got 70000 (see --help)")
