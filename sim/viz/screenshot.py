"""The page's screenshot for the docs: `python -m sim.viz.screenshot [--steps 20] [--out PATH]`.

Serves the page on a free port of this machine, opens it in headless chromium, presses Step
`--steps` times and saves the window (default docs/figures/app.png, which docs/app.md shows).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.paths import PROJECT_ROOT, display_path
from sim.viz import require_viz_extra
from sim.viz.browser import CHROMIUM, open_page, running_server, step

#: Where docs/app.md finds the screenshot.
SCREENSHOT = PROJECT_ROOT / "docs" / "figures" / "app.png"
#: Days stepped before the screenshot: far enough that the feed, the plots and the map have
#: changed (the Geneva talks have opened and paused, the offensive has begun).
STEPS = 20


def take_screenshot(out: Path = SCREENSHOT, steps: int = STEPS) -> Path:
    """Serve the page, step it `steps` days in chromium, save the window as PNG at `out`."""
    require_viz_extra()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found: apt-get install -y chromium (make env does)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with running_server() as url, open_page(url) as page:
        step(page, steps)
        page.screenshot(path=str(out))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help="days to step first (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=SCREENSHOT, help="PNG to write (default: docs/figures/app.png)")
    args = parser.parse_args(argv)
    print(display_path(take_screenshot(args.out, args.steps)))


if __name__ == "__main__":
    main()
