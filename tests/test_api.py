"""The public API of `sim`: the names a notebook uses, imported lazily."""

from __future__ import annotations

import subprocess
import sys

import sim


def test_public_names_are_the_api_functions():
    from sim.experiments.batch import run_study
    from sim.experiments.runs import rerun, simulate
    from sim.model.model import DiplomacyModel
    from sim.reporting.report import write_report
    from sim.results.store import load_study
    from sim.scenarios import load_scenario

    assert sim.simulate is simulate and sim.rerun is rerun and sim.run_study is run_study
    assert sim.load_study is load_study and sim.write_report is write_report
    assert sim.DiplomacyModel is DiplomacyModel and sim.load_scenario is load_scenario
    assert set(sim.__all__) <= set(dir(sim))


def test_importing_sim_paths_imports_no_layer():
    code = ("import sys, sim.paths; print(sorted(m for m in sys.modules if m.startswith('sim.') "
            "and m not in ('sim.paths',)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error():
    try:
        sim.no_such_function  # noqa: B018
    except AttributeError as err:
        assert "no_such_function" in str(err)
    else:
        raise AssertionError("sim.no_such_function should not exist")
