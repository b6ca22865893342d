"""Sensitivity studies: the Saltelli sample paired over baseline and counterfactual, stored and
resumed like any study, its indices and boxes, and the command's refusals."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.errors import UserError
from sim.experiments.sensitivity import plan_sensitivity, run_sensitivity
from sim.paths import PROJECT_ROOT
from sim.reporting.sensitivity import (
    analyse,
    box_conditions,
    cart_boxes,
    point_effects,
    prim_box,
    screened_parameters,
    sobol_indices,
)
from sim.reporting.sensitivity_record import top_factors, top_factors_lines
from sim.reporting.sensitivity_report import record_sensitivity, write_sensitivity

GENEVA, NO_STRIKES = "geneva_2016_02", "geneva_2016_02_no_strikes"
STRIKE_PARAMETERS = ["rus_strike_rate", "rus_offensive_strike_rate", "rus_ceasefire_compliance"]


def test_a_mixed_row_differs_from_its_base_row_in_one_parameter_and_every_point_pairs_up():
    plan, sample = plan_sensitivity("s", GENEVA, NO_STRIKES, n=8, replicates=3, parameters=STRIKE_PARAMETERS)
    d = len(STRIKE_PARAMETERS)
    assert sample.points.shape == (8 * (d + 2), d)
    for base in range(0, len(sample.points), d + 2):
        a = sample.points[base]
        for i in range(d):  # row AB_i: A with column i from B
            changed = np.flatnonzero(sample.points[base + 1 + i] != a)
            assert list(changed) == [i]
    by_scenario = {}
    for task in plan.tasks:
        for r, seed, point, params in zip(task.replicates, task.seeds, task.draw_ids, task.parameters):
            by_scenario.setdefault(task.scenario.name, {})[r] = (seed, point, params)
    assert by_scenario[GENEVA] == by_scenario[NO_STRIKES]  # baseline and counterfactual pair run for run
    runs = by_scenario[GENEVA]
    assert len(runs) == len(sample.points) * 3
    # replicate k of every point has the same seed; the points' replicates differ
    assert {runs[r][0] for r in range(0, len(runs), 3)} == {runs[0][0]}
    assert len({runs[r][0] for r in range(3)}) == 3
    assert all(runs[r][1] == r // 3 for r in runs)


def test_the_sample_is_part_of_the_identity_and_fixed_by_the_seed():
    _, one = plan_sensitivity("s", GENEVA, NO_STRIKES, n=8, seed=4, parameters=STRIKE_PARAMETERS)
    _, same = plan_sensitivity("s", GENEVA, NO_STRIKES, n=8, seed=4, parameters=STRIKE_PARAMETERS)
    _, other = plan_sensitivity("s", GENEVA, NO_STRIKES, n=8, seed=5, parameters=STRIKE_PARAMETERS)
    assert one.sha256 == same.sha256 != other.sha256
    plan, _ = plan_sensitivity("s", GENEVA, NO_STRIKES, n=8, seed=4, parameters=STRIKE_PARAMETERS)
    assert plan.extra["sensitivity"]["sample_sha256"] == one.sha256


def test_the_prior_space_is_each_parameters_range_and_the_default_set_leaves_out_what_a_scenario_fixes():
    from sim.model.parameters import parameter_table

    table = parameter_table()
    _, sample = plan_sensitivity("s", GENEVA, NO_STRIKES, n=2)
    assert "ceasefire_task_force" not in sample.names  # the Geneva episode sets it
    _, pressed = plan_sensitivity("s", GENEVA, "geneva_2016_02_us_pressure", n=2)
    levers = {"us_call_halt_prob", "us_criticism_rate", "us_threat_after_days", "us_threat_prob"}
    assert set(sample.names) - set(pressed.names) == levers  # set from day 0 to the end: not varied
    assert set(sample.names) == {n for n, s in table.items() if s.calibrated} - {"ceasefire_task_force"}
    for name, (low, high), column in zip(sample.names, sample.bounds, sample.points.T):
        assert (low, high) == (table[name].low, table[name].high)
        assert low <= column.min() and column.max() <= high


@pytest.mark.parametrize("kwargs, words", [
    ({"baseline": NO_STRIKES, "counterfactual": GENEVA}, "is a counterfactual, not an episode"),
    ({"counterfactual": "ceasefire_2016_09_jic"}, "is not a counterfactual of geneva_2016_02"),
    ({"parameters": ["ceasefire_task_force"]}, "ceasefire_task_force is fixed by scenario geneva_2016_02"),
    ({"parameters": ["no_such"]}, "'no_such' is not a parameter"),
    # a set intervention over the whole run overrides whatever the sample gives the lever
    ({"counterfactual": "geneva_2016_02_us_pressure", "parameters": ["us_call_halt_prob"]},
     r"us_call_halt_prob is fixed by scenario geneva_2016_02_us_pressure \(to 0.8\)"),
    ({"n": 100}, "--n: 100 is not a power of 2"),
    ({"space": "everywhere"}, "allowed: prior, posterior"),
])  # fmt: skip
def test_a_bad_argument_is_refused_in_one_line(kwargs, words):
    args = {"baseline": GENEVA, "counterfactual": NO_STRIKES, "n": 4, **kwargs}
    with pytest.raises(UserError, match=words):
        plan_sensitivity("s", **args)


def test_sobol_indices_rank_a_known_function():
    # effect = 4 x0 + x1 (x2 inert): ST0 > ST1 > ST2 = 0, and the intervals hold them apart
    from SALib.sample import sobol

    spec = {"names": ["x0", "x1", "x2"], "bounds": [[0, 1]] * 3}
    points = sobol.sample({"num_vars": 3, "names": spec["names"], "bounds": spec["bounds"]}, 512,
                          calc_second_order=False, seed=1)  # fmt: skip
    indices = sobol_indices(spec, 4 * points[:, 0] + points[:, 1]).set_index("parameter")
    assert list(indices.index) == ["x0", "x1", "x2"]
    assert indices.loc["x0", "ST_low"] > indices.loc["x1", "ST_high"]
    assert abs(indices.loc["x0", "S1"] - 16 / 17) < 0.05 and abs(indices.loc["x2", "ST"]) < 0.01


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(3000, 3)), columns=["a", "b", "c"])
    box = prim_box(x, (x["a"] > 0.6).to_numpy() & (x["b"] < 0.5).to_numpy(), "planted")
    assert set(box.limits.index) == {"a", "b"}
    assert abs(box.limits.loc["a", "low"] - 0.6) < 0.05 and abs(box.limits.loc["b", "high"] - 0.5) < 0.05
    assert box.density > 0.9 and box.coverage > 0.8


@pytest.mark.slow
def test_the_strike_halts_effect_on_civilian_harm_rests_on_the_offensive_strike_rate(tmp_path):
    # the offensive's strikes are most of the strikes the halt removes (articles 000, 001):
    # its rate must lead the total indices of the effect on civilian harm
    study = run_sensitivity("sens", GENEVA, NO_STRIKES, n=16, parameters=STRIKE_PARAMETERS, results_dir=tmp_path,
                            progress=False)  # fmt: skip
    result = analyse(study, "civilian_harm")
    assert result.indices["parameter"].iloc[0] == "rus_offensive_strike_rate"
    assert result.signs["negative"] > 0.95  # fewer strikes, fewer civilians killed, everywhere in the space
    assert result.effects["effect"].lt(0).mean() > 0.95
    # resumable and executor-independent: the same study on 2 workers, in another folder, is equal
    again = run_sensitivity("sens", GENEVA, NO_STRIKES, n=16, parameters=STRIKE_PARAMETERS,
                            results_dir=tmp_path / "two", workers=2, progress=False)  # fmt: skip
    pd.testing.assert_frame_equal(study.runs, again.runs)
    written = write_sensitivity(study, "civilian_harm")
    assert {p.name for p in written.figures} == {"indices.png", "prim_tradeoff.png", "prim_limits.png", "scatter.png"}
    assert "rus_offensive_strike_rate" in written.summary.read_text()
    table = pd.read_csv(written.folder / "indices.csv")
    assert list(table.columns) == ["parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]


def test_the_other_parameters_vary_as_one_group_that_swaps_together():
    plan, sample = plan_sensitivity("s", GENEVA, NO_STRIKES, n=4, parameters=STRIKE_PARAMETERS[:2], others=True)
    rest = [n for n in sample.names if n not in STRIKE_PARAMETERS[:2]]
    assert len(sample.names) == 66 and len(rest) == 64  # nothing calibrated is held fixed
    group = f"the other {len(rest)} parameters"
    assert sample.factors == [*STRIKE_PARAMETERS[:2], group]
    assert sample.points.shape == (4 * (3 + 2), 66)
    a, ab_group = sample.points[0], sample.points[3]  # rows: A, AB_0, AB_1, AB_group, B
    changed = {sample.names[i] for i in np.flatnonzero(ab_group != a)}
    assert changed == set(rest)
    assert plan.extra["sensitivity"]["groups"] == [*STRIKE_PARAMETERS[:2], *[group] * 64]
    with pytest.raises(UserError, match="--others: needs --parameters"):
        plan_sensitivity("s", GENEVA, NO_STRIKES, n=4, others=True)


def test_a_group_gets_the_indices_of_its_parameters_together():
    # effect = 4 x0 + x1 + x2 with x1, x2 grouped: ST(x0) = 16/18, ST(group) = 2/18
    from SALib.sample import sobol

    spec = {"names": ["x0", "x1", "x2"], "bounds": [[0, 1]] * 3, "groups": ["x0", "g", "g"]}
    points = sobol.sample({**spec, "num_vars": 3}, 1024, calc_second_order=False, seed=2)
    assert points.shape == (1024 * 4, 3)
    indices = sobol_indices(spec, 4 * points[:, 0] + points[:, 1] + points[:, 2]).set_index("parameter")
    assert list(indices.index) == ["x0", "g"]
    assert abs(indices.loc["x0", "ST"] - 16 / 18) < 0.05 and abs(indices.loc["g", "ST"] - 2 / 18) < 0.03


def test_the_boxes_look_for_twice_the_typical_effect_half_of_it_and_its_reversal():
    boxes = box_conditions(np.array([-0.3, -0.2, -0.1, -0.8, 0.2]))
    assert list(boxes["large"][0]) == [False, False, False, True, False] and "median" in boxes["large"][1]
    assert list(boxes["small"][0]) == [False, False, True, False, False]  # |effect| <= 0.1
    assert list(boxes["reversed"][0]) == [False, False, False, False, True]
    # most of the space unmoved (median 0): measured against the mean, -0.1
    boxes = box_conditions(np.array([0.0] * 16 + [-1.0] * 3 + [1.0]))
    assert "mean" in boxes["large"][1] and boxes["large"][0].sum() == 3 and boxes["reversed"][0].sum() == 1
    assert boxes["small"][0].sum() == 16
    # a yes/no effect that is -1 at most points: nothing can be twice that; where it vanishes can be
    boxes = box_conditions(np.array([-1.0] * 6 + [0.0] * 4))
    assert boxes["large"][0].sum() == 0 and boxes["small"][0].sum() == 4
    boxes = box_conditions(np.array([0.0] * 8 + [-1.0, 1.0]))
    assert list(boxes) == ["large"] and boxes["large"][0].sum() == 2 and "not zero" in boxes["large"][1]


@pytest.mark.slow
def test_a_screen_then_the_top_parameters_with_the_rest_grouped_make_the_record_the_report_reads(tmp_path):
    from sim.results.fingerprint import model_fingerprint

    screen = run_sensitivity("s_screen", GENEVA, NO_STRIKES, n=4, results_dir=tmp_path, progress=False)
    names, how = screened_parameters(screen, "civilian_harm", 2)
    assert len(names) == 2 and how["study"] == "s_screen" and how["parameters"] == names
    with pytest.raises(UserError, match="--screen: 66; allowed: 1 to 65"):
        screened_parameters(screen, "civilian_harm", 66)
    study = run_sensitivity("s", GENEVA, NO_STRIKES, n=4, parameters=names, others=True, screened_by=how,
                            results_dir=tmp_path, progress=False)  # fmt: skip
    # a yes/no outcome the record keeps as a day (opp_walked_out: opp_walkout_day is not NaN)
    walked = point_effects(study, "opp_walked_out")["effect"]
    happened = study.runs.assign(w=study.runs["opp_walkout_day"].notna()).pivot(index="replicate", columns="scenario",
                                                                                 values="w").astype(float)
    pd.testing.assert_series_equal((happened[NO_STRIKES] - happened[GENEVA]).reset_index(drop=True),
                                   walked.reset_index(drop=True), check_names=False)  # one replicate per point
    record = tmp_path / "record"
    written = record_sensitivity(study, "civilian_harm", record)
    assert written.folder == record / NO_STRIKES / "civilian_harm"
    assert not (written.folder / "effects.csv").exists()  # the study holds it; the record stays small
    factors = set(pd.read_csv(written.folder / "indices.csv")["parameter"])
    assert factors == {*names, "the other 64 parameters"}
    assert "screening study `s_screen`" in written.summary.read_text()
    # the report's table reads the counterfactual's headline outcome: civilian_harm is not it
    assert top_factors([NO_STRIKES], record).empty
    record_sensitivity(study, "talks_paused", record)
    table = top_factors([GENEVA, NO_STRIKES], record)
    assert list(table["rank"]) == [1, 2, 3] and set(table["counterfactual"]) == {NO_STRIKES}
    assert table["current_model"].all() and (table["ST"].diff().dropna() <= 0).all()
    assert table["command"].iloc[0] == study.manifest["command"]
    lines = "\n".join(top_factors_lines(table))
    assert f"`{NO_STRIKES}` | talks_paused" in lines and "make sensitivity" in lines and "another model" not in lines
    index = (record / "README.md").read_text()  # every analysis in the record, with its command
    assert f"[`{NO_STRIKES}`]({NO_STRIKES}/civilian_harm/summary.md)" in index and study.manifest["command"] in index
    info = written.folder.parent / "talks_paused" / "record.json"
    info.write_text(info.read_text().replace(model_fingerprint(), "0" * 64))
    assert "made with another model than today's" in "\n".join(top_factors_lines(top_factors([NO_STRIKES], record)))


@pytest.mark.parametrize("flags, words", [
    (["--scenarios", f"{GENEVA},{NO_STRIKES}", "--outcome", "nope"], "--outcome: 'nope' is not an outcome; allowed: "),
    (["--scenarios", NO_STRIKES, "--outcome", "talks_paused"], "--scenarios: "),
    (["--scenarios", f"{GENEVA},ceasefire_2016_09_jic", "--outcome", "talks_paused"],
     "is not a counterfactual of geneva_2016_02"),
    (["--scenarios", f"{GENEVA},{NO_STRIKES}", "--outcome", "talks_paused", "--parameters", "ceasefire_task_force"],
     "fixed by scenario geneva_2016_02"),
    (["--scenarios", f"{GENEVA},{NO_STRIKES}", "--screen", "5", "--parameters", "gov_strike_rate"],
     "--screen: chooses the parameters itself"),
    (["--scenarios", f"{GENEVA},{NO_STRIKES}", "--others"], "--others: needs --parameters"),
])  # fmt: skip
def test_the_command_refuses_in_one_line_with_exit_2_and_writes_nothing(flags, words, tmp_path):
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "sensitivity", *flags, "--results",
                           str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_study_reads_some_run_columns_without_the_others(tmp_path):
    from sim.experiments.batch import run_study

    study = run_study("few", [GENEVA, NO_STRIKES], replicates=4, seed=2, parameters="defaults",
                      results_dir=tmp_path, progress=False)  # fmt: skip
    some = study.run_columns(["civilian_harm", "param_rus_strike_rate"])
    assert list(some.columns) == ["scenario", "replicate", "civilian_harm", "param_rus_strike_rate"]
    pd.testing.assert_frame_equal(some, study.runs[list(some.columns)])
    with pytest.raises(UserError, match="the runs table has no column no_such"):
        study.run_columns(["no_such"])


def test_cart_boxes_do_not_depend_on_numpys_global_random_state():
    """Same data, same tree: with a twin feature every split on it ties with one on its twin,
    and an unseeded tree broke those ties by numpy's global state (the stored records' CART
    tables changed from one remake to the next)."""
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.integers(0, 3, size=(600, 6)).astype(float), columns=list("abcdef"))
    x["g"] = x["a"]
    condition = (((x["a"] > 0) & (x["b"] < 2)) | (rng.random(600) < 0.1)).to_numpy()
    frames = []
    for seed in range(8):
        np.random.seed(seed)
        frames.append(cart_boxes(x, condition))
    assert len(frames[0]) > 2
    assert all(frame.equals(frames[0]) for frame in frames)
