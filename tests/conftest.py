"""Fixtures shared by the test modules: the two shipped episodes, loaded once per session.

Paths come from `sim.paths` (PROJECT_ROOT, SCENARIO_DIR, SHARED_DIR for the evidence beside
the checkout, ...); a test module needs no path arithmetic of its own.
"""

from __future__ import annotations

import pytest

from sim.scenarios import load_scenario


@pytest.fixture(scope="session")
def feb():
    """The Geneva episode (February 2016), loaded."""
    return load_scenario("geneva_2016_02")


@pytest.fixture(scope="session")
def sept():
    """The September 2016 ceasefire episode, loaded."""
    return load_scenario("ceasefire_2016_09")
