"""Fixtures shared by the test modules: the two shipped episodes, loaded once per session.

Paths come from `sim.paths` (PROJECT_ROOT, SCENARIO_DIR, ...) and the evidence folder beside
the checkout from `SHARED_DIR` below; a test module needs no path arithmetic of its own.
"""

from __future__ import annotations

import pytest

from sim.paths import PROJECT_ROOT
from sim.scenarios import load_scenario

#: The project's evidence beside the checkout (articles, gold annotation, chronology).
SHARED_DIR = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def feb():
    """The Geneva episode (February 2016), loaded."""
    return load_scenario("geneva_2016_02")


@pytest.fixture(scope="session")
def sept():
    """The September 2016 ceasefire episode, loaded."""
    return load_scenario("ceasefire_2016_09")


@pytest.fixture(scope="session")
def shared_dir():
    """`../shared` beside the checkout: the articles, the gold annotation, the chronology."""
    return SHARED_DIR
