"""Progress bars show in a terminal and stay out of log files and pipes."""

from __future__ import annotations

import io
import sys

from sim.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_in_a_log_file(monkeypatch):
    log = io.StringIO()  # not a terminal: a file, a pipe, CI's output
    monkeypatch.setattr(sys, "stderr", log)
    with progress_bar(100, unit="run") as bar:
        bar.update(100)
        assert bar.disable
    assert log.getvalue() == ""


def test_a_bar_in_a_terminal_unless_turned_off(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(100, unit="run") as bar:
        bar.update(100)
        assert not bar.disable
    assert "100/100" in terminal.getvalue()
    with progress_bar(100, enabled=False) as quiet:
        assert quiet.disable
