"""The interactive page of one run (Mesa SolaraViz): `serve()` starts it on `app.py`.

    from sim.viz import serve
    serve(port=8765)          # blocks; open http://127.0.0.1:8765, Ctrl-C stops it

The page needs the `viz` extra (`pip install -c constraints.txt -e '.[viz]'`): Solara 1.58 with
its bundled front-end (solara-assets), so it renders without a network. The modules:
`live_model` (the model the controls build), `views` (what the page shows, as data), `figures`
(the matplotlib figures), `components` (the Solara panels and controls), `browser` (the page
in headless chromium, for the test) and `screenshot` (`python -m sim.viz.screenshot` writes
docs/figures/app.png). This module imports none of them, so `import sim.viz` works without the
extra.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys

from sim.errors import UserError
from sim.paths import PROJECT_ROOT

#: The page's Solara app (the project root's app.py, as `solara run app.py` finds it).
APP_PATH = PROJECT_ROOT / "app.py"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Solara's usage reports go to a third party; off for a research tool (and a closed network).
QUIET_ENVIRONMENT = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def server_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> list[str]:
    """The command that serves the page: this interpreter's `solara run app.py`, production mode.

    Args:
        host: address to listen on (127.0.0.1: this machine only).
        port: port to listen on.
        open_browser: let Solara open a browser tab on the page.
    """
    return [sys.executable, "-m", "solara", "run", str(APP_PATH), "--host", host, "--port", str(int(port)),
            "--production", "--no-check-version", "--open" if open_browser else "--no-open"]  # fmt: skip


def server_environment() -> dict[str, str]:
    """This process's environment with Solara's usage reports off."""
    return {**os.environ, **QUIET_ENVIRONMENT}


def require_viz_extra() -> None:
    """Refuse in one line when the page's packages are not installed.

    Raises:
        UserError: solara, or its bundled front-end, is missing.
    """
    missing = [name for name in ("solara", "solara_assets", "mesa.visualization")
               if importlib.util.find_spec(name.split(".")[0]) is None]  # fmt: skip
    if missing:
        raise UserError(f"the page needs the viz extra ({', '.join(missing)} not installed); "
                        "allowed: pip install -c constraints.txt -e '.[viz]' (make env installs it)")


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> int:
    """Serve the page on app.py and block until the server stops (Ctrl-C).

    Args:
        host: address to listen on (127.0.0.1: this machine only).
        port: port to listen on.
        open_browser: let Solara open a browser tab on the page.

    Returns:
        The server's exit code (0 after Ctrl-C).

    Raises:
        UserError: the viz extra is not installed.
    """
    require_viz_extra()
    print(f"parley page at http://{host}:{port} (Ctrl-C stops it)", flush=True)
    # a child process rather than Solara's click command in this one: Solara's server wants
    # the main thread and its own signal handling, and the caller keeps neither busy
    server = subprocess.Popen(server_command(host, port, open_browser), cwd=PROJECT_ROOT, env=server_environment())
    # SIGTERM (a job scheduler, `kill`) stops the page like Ctrl-C does, never leaving the server behind
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(server)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop(server: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the server: Ctrl-C's signal first (it may have had it already), then a kill after `grace` s."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
