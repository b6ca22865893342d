"""The page in a real browser: Debian's headless chromium driven by playwright.

For the browser test (tests/test_app.py) and the screenshot (`python -m sim.viz.screenshot`):
start the server on a free port of this machine, wait until it answers, open the page, step it.
Playwright drives the system's chromium (`CHROMIUM`, the apt package `chromium`, which
`make env` installs); `playwright install`, which downloads a browser build, is never needed.

    with running_server() as url, open_page(url) as page:
        step(page, 5)
        page.screenshot(path="page.png")
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sim.paths import PROJECT_ROOT
from sim.viz import DEFAULT_HOST, server_command, server_environment

#: Debian's chromium (apt package `chromium`).
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium's flags on a machine without a network or a display: without the network ones it
#: waits on connections that never open (component updates, sync, QUIC probes).
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
#: The window the page is shown in: the four panels two by two, the sidebar beside them.
VIEWPORT = {"width": 1600, "height": 1000}
#: Seconds to wait for the server to answer, for the page's panels to appear, for one step.
SERVER_TIMEOUT = 40.0
RENDER_TIMEOUT = 40.0
STEP_TIMEOUT = 20.0


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nothing listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, server: subprocess.Popen, timeout: float = SERVER_TIMEOUT) -> None:
    """Return once `url` answers HTTP 200.

    Raises:
        RuntimeError: the server exited, or did not answer within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the page's server exited with code {server.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the page's server did not answer {url} within {timeout:.0f} s")


@contextmanager
def running_server(host: str = DEFAULT_HOST, port: int | None = None, log: Path | None = None) -> Iterator[str]:
    """The page's server on `host`:`port` (a free port by default), stopped on exit.

    Args:
        host: address to listen on.
        port: port to listen on (None: a free one).
        log: file for the server's output (None: discarded).

    Yields:
        The page's URL, once the server answers.
    """
    port = free_port(host) if port is None else port
    with ExitStack() as closing:
        out = closing.enter_context(open(log, "wb")) if log is not None else subprocess.DEVNULL
        server = subprocess.Popen(server_command(host, port), cwd=PROJECT_ROOT, env=server_environment(),
                                  stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            url = f"http://{host}:{port}/"
            wait_until_answering(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def open_page(url: str, viewport: dict | None = None) -> Iterator:
    """The page open in headless chromium, once its panels have rendered.

    Args:
        url: the page's URL.
        viewport: the window's size in pixels (default `VIEWPORT`).

    Yields:
        The playwright Page.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="parley-chromium-") as profile, sync_playwright() as playwright:
        # a fresh profile: no state from another run, nothing written to the user's own
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True,
            viewport=viewport or VIEWPORT,
        )  # fmt: skip
        try:
            page = context.new_page()
            page.goto(url, timeout=RENDER_TIMEOUT * 1000)
            page.wait_for_selector("#event-feed", timeout=RENDER_TIMEOUT * 1000)
            yield page
        finally:
            context.close()


def day_shown(page) -> str:
    """The text of the page's day line ('Day 4 · Fri 29 Jan 2016 · 5 of 60 days simulated')."""
    return page.inner_text("#day-shown")


def step(page, times: int = 1) -> None:
    """Press Step `times` times, each time waiting until the page shows the next day, its
    daily plots included."""
    for _ in range(times):
        before = day_shown(page)
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function("before => document.querySelector('#day-shown').innerText !== before",
                               arg=before, timeout=STEP_TIMEOUT * 1000)  # fmt: skip
        # the day line is text, the plots an image redrawn for the day: wait for both
        day = day_shown(page).split(" · ")[0].removeprefix("Day ")
        page.wait_for_function("alt => document.querySelector('#daily-plots').alt.startsWith(alt)",
                               arg=f"Daily plots on day {day} ", timeout=STEP_TIMEOUT * 1000)  # fmt: skip
