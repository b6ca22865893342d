"""Progress bars that suit where they are shown: a terminal, a notebook, or a log file.

A bar redraws itself with carriage returns: in a terminal that is one line, but in a log file or
a pipe (CI, `make run > log`, a cluster's job output) it floods the file with one line per
update, so it is left out there. In a notebook the widget bar needs ipywidgets; without it
tqdm warns "IProgress not found", so the text bar is used instead.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    ipython = getattr(shell, "get_ipython", lambda: None)() if shell else None
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


def progress_bar(total: int, enabled: bool = True, **options):
    """A tqdm bar on stderr: the widget in a notebook with ipywidgets, text in a terminal or a
    notebook without it, none in a log file or a pipe (or when not `enabled`).

    Args:
        total: the count the bar goes to.
        enabled: show it at all.
        **options: tqdm's (initial, unit, desc, smoothing...).
    """
    if _in_notebook() and find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    shown = enabled and (_in_notebook() or sys.stderr.isatty())
    return tqdm(total=total, disable=not shown, file=sys.stderr, **options)
