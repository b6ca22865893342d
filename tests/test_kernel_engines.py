"""The two engines are one model: a study's task run on the compiled kernel and on Mesa
`DiplomacyModel`s gives the same runs, events and daily tables, seed for seed, on every shipped
scenario; and the kernel keeps the paired design (one rule's parameter changed leaves every
other rule's draws as they were).

The closing note of the kernel's issue states the same equality over 1,000 seeds of every
scenario (`python -m benchmarks.bench_engines --equality 1000`); here 40 seeds each, with
posterior draws, keep the suite short.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments.design import Task
from sim.experiments.posterior import load_posterior
from sim.experiments.tasks import run_task
from sim.kernel.batch import run_block
from sim.kernel.layout import RULE_NAMES, A
from sim.kernel.replicate import KernelRun
from sim.model.parameters import resolve_parameters
from sim.results.store import arrow_table
from sim.scenarios import list_scenarios, load_scenario

SEEDS = 40


@pytest.fixture(scope="module")
def draws():
    return tuple(load_posterior().parameter_sets(SEEDS, 2024))


@pytest.mark.parametrize("name", [info.name for info in list_scenarios()])
def test_a_task_on_the_kernel_equals_it_on_mesa_models_run_for_run(name, draws):
    scenario = load_scenario(name)
    task = Task("equality", scenario, tuple(range(SEEDS)), tuple(range(500, 500 + SEEDS)), tuple(range(SEEDS)),
                draws, None, True, True)
    kernel, mesa = run_task(task), run_task(task, engine="mesa")
    assert (kernel.engine, mesa.engine) == ("kernel", "mesa")  # not the fallback
    assert kernel.failed == mesa.failed == 0
    for kind in ("runs", "events", "daily"):
        left, right = (arrow_table(kind, getattr(r, kind)).to_pandas() for r in (kernel, mesa))
        assert left.shape == right.shape, f"{name}: {kind} has {left.shape} on the kernel, {right.shape} on Mesa"
        for column in left.columns:
            assert left[column].equals(right[column]), f"{name}: {kind}.{column} differs between the engines"


def test_a_365_day_horizon_is_equal_too(draws):
    scenario = load_scenario("geneva_2016_02")
    task = Task("long", scenario, tuple(range(6)), tuple(range(6)), tuple(range(6)), draws[:6], 365, True, False)
    kernel, mesa = run_task(task), run_task(task, engine="mesa")
    assert kernel.engine == "kernel"
    for kind in ("runs", "events"):
        left, right = (arrow_table(kind, getattr(r, kind)).to_pandas() for r in (kernel, mesa))
        assert left.equals(right)


def test_a_failing_block_falls_back_to_runs_that_record_their_error(draws):
    scenario = load_scenario("geneva_2016_02")
    bad = dict(draws[0], rus_strike_rate=-5.0)  # outside its range: the run raises
    task = Task("errors", scenario, (0, 1), (0, 1), (0, 1), (draws[1], bad), None, False, False)
    result = run_task(task)
    assert result.engine == "mesa" and result.failed == 1
    assert result.runs[0]["error"] is None and "rus_strike_rate" in result.runs[1]["error"]


def test_unknown_engine_is_refused_by_name(draws):
    task = Task("x", load_scenario("geneva_2016_02"), (0,), (0,), (0,), draws[:1])
    with pytest.raises(ValueError, match="engine 'fast'; allowed: kernel, mesa"):
        run_task(task, engine="fast")


def _events_by_rule(block, run: int) -> dict[str, list[tuple]]:
    rows = block.events[block.events[:, 0] == run]
    out: dict[str, list[tuple]] = {}
    for row in rows:
        out.setdefault(RULE_NAMES[row[5]], []).append(tuple(row[1:5]))
    return out


def test_one_rules_parameter_changed_leaves_the_other_rules_draws_unchanged(draws):
    """Paired design: the US's criticism rate raised to its maximum. Over the first two days
    (criticism answers yesterday's strikes, and what it says reaches the others the day after)
    every other rule acts exactly as before, seed for seed, while the criticism itself changes;
    over the whole horizon Russia's strike total still pairs closely (common random numbers)."""
    scenario = load_scenario("geneva_2016_02")
    base = resolve_parameters({**draws[0], **scenario.parameters})
    changed = dict(base, us_criticism_rate=3.0)
    seeds = list(range(200))
    one_day = [run_block(scenario, [p] * len(seeds), seeds, 2, events=True) for p in (base, changed)]
    moved = 0
    for run in range(len(seeds)):
        before, after = (_events_by_rule(b, run) for b in one_day)
        for rule in set(before) | set(after):
            if rule != "us_criticism":
                assert before.get(rule) == after.get(rule), f"seed {run}: {rule} moved with us_criticism_rate"
        moved += before.get("us_criticism") != after.get("us_criticism")
    assert moved > 0, "the changed parameter changed nothing: the check would be empty"
    full = [run_block(scenario, [p] * len(seeds), seeds).outcomes for p in (base, changed)]
    column = list(KernelRun(scenario, base, 0, 1).outcomes()).index("rus_strikes_total")
    correlation = np.corrcoef(full[0][:, column], full[1][:, column])[0, 1]
    assert correlation > 0.9
    assert A.USA == 4  # the actor ids the event rows use are the kernel's
