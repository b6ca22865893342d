"""parley: an agent-based simulation of conflict diplomacy (Mesa).

The public API, for a notebook or a script::

    import sim
    result = sim.simulate("geneva_2016_02", seed=1)              # one run
    study = sim.run_study("demo", ["geneva_2016_02", "geneva_2016_02_no_strikes"], replicates=100, seed=1)
    study = sim.load_study("demo")                                 # a stored study
    sim.rerun(study, "geneva_2016_02", replicate=0).model          # one stored run again
    sim.write_report(study)                                        # tables and figures
    sim.DiplomacyModel(sim.load_scenario("ceasefire_2016_09"), rng=1)   # the Mesa model itself
    sim.load_posterior().parameter_sets(20, seed=1)                # posterior draws, for mesa.batch_run

Names are imported on first use, so `import sim.paths` stays cheap and nothing here imports
the layers below at import time.
"""

from __future__ import annotations

import importlib

#: Public name -> the module that defines it.
_API = {
    "DiplomacyModel": "sim.model.model",
    "load_scenario": "sim.scenarios",
    "load_posterior": "sim.experiments.posterior",
    "simulate": "sim.experiments.runs",
    "rerun": "sim.experiments.runs",
    "run_study": "sim.experiments.batch",
    "load_study": "sim.results.store",
    "write_report": "sim.reporting.report",
}
__all__ = list(_API)


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
