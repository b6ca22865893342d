"""Studies: same results on any executor, crash-safe resumption, posterior draws, the store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from posteriors import write_posterior as write_draws

from sim.errors import UserError
from sim.experiments.batch import plan_study, run_study
from sim.experiments.design import replicate_seed
from sim.experiments.runs import rerun, simulate
from sim.paths import PROJECT_ROOT
from sim.reporting.summary import summary_table
from sim.results.store import load_study
from sim.scenarios import load_scenario

ROOT = PROJECT_ROOT
SCENARIOS = ["geneva_2016_02", "geneva_2016_02_no_strikes", "ceasefire_2016_09"]


def sorted_runs(study) -> pd.DataFrame:
    return study.runs.sort_values(["scenario", "replicate"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted study on one worker, the reference for the other executors."""
    root = tmp_path_factory.mktemp("results")
    return run_study("ref", SCENARIOS, replicates=24, seed=11, parameters="defaults", task_size=5,
                     events=True, daily=True, results_dir=root, progress=False)


def test_study_has_every_run_once(reference):
    runs = reference.runs
    assert len(runs) == 3 * 24
    assert not runs.duplicated(["scenario", "replicate"]).any()
    assert runs["error"].isna().all()
    assert list(runs["scenario"].unique()) == SCENARIOS  # design order


def test_replicates_pair_up_across_scenarios(reference):
    runs = reference.runs
    seeds = runs.pivot(index="replicate", columns="scenario", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()
    assert seeds.iloc[:, 0].tolist() == [replicate_seed(11, r) for r in range(24)]


def test_runs_match_single_simulations(reference):
    row = reference.runs.query("scenario == 'ceasefire_2016_09' and replicate == 3").iloc[0]
    alone = simulate("ceasefire_2016_09", seed=int(row["seed"])).outcomes
    for key in ("ceasefire_collapse_day", "channel_suspend_day", "civilian_harm", "n_RUS_OPP_19"):
        assert row[key] == pytest.approx(alone[key], nan_ok=True)


def test_two_workers_give_identical_runs(reference, tmp_path):
    study = run_study("two", SCENARIOS, replicates=24, seed=11, parameters="defaults", task_size=5,
                      events=True, daily=True, workers=2, results_dir=tmp_path, progress=False)
    pd.testing.assert_frame_equal(sorted_runs(study), sorted_runs(reference))
    pd.testing.assert_frame_equal(study.events(), reference.events())
    pd.testing.assert_frame_equal(study.daily(), reference.daily())


def test_dask_local_cluster_gives_identical_runs(reference, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        study = run_study("dask", SCENARIOS, replicates=24, seed=11, parameters="defaults", task_size=5,
                          events=True, client=client, results_dir=tmp_path, progress=False)
        assert "dask" in study.manifest["last_session"]["executor"]
    pd.testing.assert_frame_equal(sorted_runs(study), sorted_runs(reference))
    pd.testing.assert_frame_equal(study.events(), reference.events())


def test_sigkill_then_rerun_gives_the_uninterrupted_table(tmp_path):
    args = [sys.executable, str(ROOT / "run.py"), "batch", "--study", "killed", "--scenarios",
            ",".join(SCENARIOS), "--replicates", "200", "--seed", "5", "--defaults", "--quiet",
            "--results", str(tmp_path)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    runs_dir = tmp_path / "killed" / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(runs_dir.glob("*.parquet"))) < 6:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    parts_at_kill = len(list(runs_dir.glob("*.parquet")))
    assert 6 <= parts_at_kill < 50, "the study should be killed mid-way"
    resumed = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stdout
    interrupted = load_study(tmp_path / "killed")
    task_size = interrupted.manifest["design"]["task_size"]
    assert interrupted.manifest["last_session"]["runs"] == 3 * 200 - parts_at_kill * task_size
    fresh = run_study("fresh", SCENARIOS, replicates=200, seed=5, parameters="defaults",
                      results_dir=tmp_path, progress=False)
    pd.testing.assert_frame_equal(sorted_runs(interrupted), sorted_runs(fresh))
    assert not list((tmp_path / "killed").rglob("*.tmp"))


def test_different_design_is_refused(tmp_path):
    run_study("s", ["geneva_2016_02"], replicates=3, seed=1, parameters="defaults", results_dir=tmp_path, progress=False)
    with pytest.raises(UserError, match="holds a study with a different design.seed, tasks_sha256;"):
        run_study("s", ["geneva_2016_02"], replicates=3, seed=2, parameters="defaults", results_dir=tmp_path, progress=False)
    with pytest.raises(UserError, match="holds a study with a different design.replicates"):  # fewer: runs would go
        run_study("s", ["geneva_2016_02"], replicates=2, seed=1, parameters="defaults", results_dir=tmp_path, progress=False)
    again = run_study("s", ["geneva_2016_02"], replicates=3, seed=1, parameters="defaults", results_dir=tmp_path,
                      progress=False, workers=2)
    assert again.manifest["last_session"]["resumed"] and again.manifest["last_session"]["runs"] == 0


def test_a_failing_run_is_recorded_and_the_study_goes_on(tmp_path, monkeypatch):
    import sim.experiments.runs as runs_module

    failing_seed = replicate_seed(3, 2)

    class Fragile(runs_module.DiplomacyModel):
        def run(self):
            if self.seed == failing_seed:
                raise RuntimeError("boom")
            return super().run()

    monkeypatch.setattr(runs_module, "DiplomacyModel", Fragile)
    import sim.experiments.tasks as tasks_module

    engine = tasks_module.run_block

    def fragile_block(scenario, parameters, seeds, *args, **kwargs):  # the engine fails on the whole block
        if failing_seed in seeds:
            raise RuntimeError("boom")
        return engine(scenario, parameters, seeds, *args, **kwargs)

    monkeypatch.setattr(tasks_module, "run_block", fragile_block)  # its block is rerun run by run
    study = run_study("f", ["geneva_2016_02"], replicates=5, seed=3, parameters="defaults", results_dir=tmp_path,
                      progress=False)
    runs = study.runs
    assert len(runs) == 5
    failed = runs[runs["error"].notna()]
    assert failed["replicate"].tolist() == [2]
    assert "RuntimeError: boom" in failed["error"].iloc[0]
    assert pd.isna(failed["talks_pause_day"].iloc[0]) and pd.isna(failed["talks_paused"].iloc[0])
    assert summary_table(runs)["failed"].tolist() == [1]


def write_posterior(path: Path) -> Path:
    return write_draws(path, {"draw_id": [10, 11, 12], "weight": [0.7, 0.3, 0.0],
                              "rus_strike_rate": [10.0, 70.0, 40.0], "opp_threat_base": [-6.0, -2.0, -3.0]})


def test_posterior_draws_pair_up_and_follow_the_weights(tmp_path):
    posterior = write_posterior(tmp_path / "posterior.csv")
    study = run_study("p", ["geneva_2016_02", "geneva_2016_02_no_strikes"], replicates=200, seed=2,
                      parameters="posterior", posterior_path=posterior, results_dir=tmp_path, progress=False, days=5)
    runs = study.runs
    draws = runs.pivot(index="replicate", columns="scenario", values="draw_id")
    assert (draws.nunique(axis=1) == 1).all()
    assert set(runs["draw_id"]) <= {10, 11}  # weight 0 is never drawn
    assert 0.55 < (draws.iloc[:, 0] == 10).mean() < 0.85
    by_draw = runs.groupby("draw_id")["param_rus_strike_rate"].unique()
    assert by_draw[10].tolist() == [10.0] and by_draw[11].tolist() == [70.0]
    assert study.manifest["design"]["parameters"] == "posterior"


def test_rerun_reproduces_a_stored_run_with_its_posterior_draw(tmp_path):
    posterior = write_posterior(tmp_path / "posterior.csv")
    study = run_study("r", ["geneva_2016_02"], replicates=6, seed=3, parameters="posterior",
                      posterior_path=posterior, results_dir=tmp_path, progress=False, days=20)
    runs = study.runs
    for replicate in range(6):
        row = runs[runs["replicate"] == replicate].iloc[0]
        again = rerun(study, "geneva_2016_02", replicate).outcomes
        for key, value in again.items():
            assert value == row[key] or (pd.isna(value) and pd.isna(row[key])), key
    # the draw matters: the same seed with default parameters is another run
    differs = [simulate("geneva_2016_02", seed=int(r["seed"]), days=20).outcomes["civilian_harm"] != r["civilian_harm"]
               for _, r in runs.iterrows()]
    assert any(differs)
    with pytest.raises(UserError, match="no run of scenario 'geneva_2016_02' with replicate 99"):
        rerun(study, "geneva_2016_02", 99)


def test_posterior_draw_of_a_replicate_does_not_depend_on_study_size(tmp_path):
    posterior = write_posterior(tmp_path / "posterior.csv")
    small = plan_study("a", ["geneva_2016_02"], 10, 4, "posterior", posterior_path=posterior)
    large = plan_study("b", ["geneva_2016_02"], 100, 4, "posterior", posterior_path=posterior)
    assert [d for t in small.tasks for d in t.draw_ids] == [d for t in large.tasks for d in t.draw_ids][:10]


def test_bad_posterior_is_one_line(tmp_path):
    bad = tmp_path / "posterior.csv"
    write_draws(bad, {"draw_id": [1], "weight": [1.0], "rus_strike_rate": [900]})
    with pytest.raises(UserError, match=r"rus_strike_rate: line 2: 900 is outside its range \[5, 80\]"):
        plan_study("x", ["geneva_2016_02"], 2, 1, "posterior", posterior_path=bad)
    with pytest.raises(UserError, match="no posterior sample here"):
        plan_study("x", ["geneva_2016_02"], 2, 1, "posterior", posterior_path=tmp_path / "none.csv")


def test_manifest_records_what_reproduces_the_study(reference):
    manifest = json.loads((reference.path / "manifest.json").read_text())
    assert manifest["design"]["seed"] == 11 and manifest["design"]["replicates"] == 24
    assert manifest["code_version"] and manifest["packages"]["mesa"].startswith("3.5")
    assert "geneva_2016_02.toml" in manifest["identity"]["scenario_files"]
    assert "aleppo.toml" in manifest["identity"]["scenario_files"]
    assert manifest["status"] == "complete" and manifest["n_runs"] == 72


def test_loaders(reference):
    events = reference.events(["ceasefire_2016_09"])
    assert set(events["scenario"]) == {"ceasefire_2016_09"}
    assert events["cameo_code"].map(type).eq(str).all()
    daily = reference.daily()
    assert len(daily) == 3 * 24 * 60
    assert load_study(reference.path).runs.equals(reference.runs)


def test_loader_refuses_tables_not_stored(tmp_path):
    study = run_study("plain", ["geneva_2016_02"], 2, 1, "defaults", results_dir=tmp_path, progress=False)
    with pytest.raises(UserError, match="run without --events"):
        study.events()


def test_mesa_batch_run_runs_the_model():
    import mesa

    from sim.model.model import DiplomacyModel

    results = mesa.batch_run(
        DiplomacyModel,
        parameters={"scenario": load_scenario("ceasefire_2016_09"), "rus_ceasefire_compliance": [0.5, 0.95]},
        rng=[7, 8],
        max_steps=60,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 4
    one = frame[(frame["rus_ceasefire_compliance"] == 0.5) & (frame["seed"] == 7)].iloc[0]
    alone = simulate("ceasefire_2016_09", seed=7, parameters={"rus_ceasefire_compliance": 0.5}).outcomes
    assert one["ceasefire_collapse_day"] == pytest.approx(alone["ceasefire_collapse_day"], nan_ok=True)
    assert one["civilian_harm"] == pytest.approx(alone["civilian_harm"])


BATCH = ["batch", "--study", "c", "--seed", "1"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--scenarios", "geneva_2016_02", "--replicates", "0"], "--replicates: must be at least 1"),
        (["--scenarios", "geneva_2016_02,nope", "--replicates", "2"], "unknown scenario 'nope'"),
        (["--scenarios", "geneva_2016_02", "--replicates", "2", "--workers", "2", "--scheduler", "tcp://x:1"],
         "not allowed with argument"),
        (["--scenarios", "geneva_2016_02", "--replicates", "2", "--posterior", "--defaults"],
         "not allowed with argument"),
        (["--scenarios", "geneva_2016_02,geneva_2016_02", "--replicates", "2"], "listed twice"),
    ],
)
def test_batch_cli_mistakes(tmp_path, args, expected):
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), *BATCH, *args, "--results", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert expected in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()  # nothing written half-way


def test_seeds_are_reproducible_across_processes():
    code = "from sim.experiments.design import replicate_seed; print([replicate_seed(1, r) for r in range(3)])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert out.strip() == str([replicate_seed(1, r) for r in range(3)])
    assert len(set(replicate_seed(1, r) for r in range(1000))) == 1000
    assert np.all(np.array([replicate_seed(9, r) for r in range(100)]) < 2**63)


def test_a_lost_worker_stops_cleanly_and_the_rerun_completes(tmp_path):
    psutil = pytest.importorskip("psutil")
    args = [sys.executable, str(ROOT / "run.py"), "batch", "--study", "lost", "--scenarios", "geneva_2016_02",
            "--replicates", "400", "--seed", "8", "--defaults", "--quiet", "--workers", "2",
            "--results", str(tmp_path)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs_dir = tmp_path / "lost" / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(runs_dir.glob("*.parquet"))) < 2:
        time.sleep(0.05)
    workers = [c for c in psutil.Process(proc.pid).children(recursive=True) if "spawn" in " ".join(c.cmdline())]
    assert workers, "the study runs on worker processes"
    workers[0].kill()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "a worker process died" in err and "run the same command again to resume" in err
    assert "Traceback" not in err
    rerun = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    fresh = run_study("fresh", ["geneva_2016_02"], replicates=400, seed=8, parameters="defaults",
                      results_dir=tmp_path, progress=False)
    pd.testing.assert_frame_equal(sorted_runs(load_study(tmp_path / "lost")), sorted_runs(fresh))


def test_a_dask_study_whose_workers_all_die_stops_in_one_line_keeps_its_parts_and_resumes(tmp_path, monkeypatch):
    """Every worker of the cluster is gone mid-study: after the stated timeout the study stops
    with one line (StudyInterrupted), what finished is stored and loads, and a rerun on a new
    cluster completes it with the uninterrupted table."""
    distributed = pytest.importorskip("dask.distributed")
    import threading

    from sim.experiments import executors
    from sim.experiments.batch import StudyInterrupted

    monkeypatch.setattr(executors, "DASK_NO_WORKER_TIMEOUT", 2.0)
    monkeypatch.setattr(executors, "DASK_POLL_SECONDS", 0.5)
    design = dict(replicates=200, seed=4, parameters="defaults", task_size=10, results_dir=tmp_path, progress=False)
    runs_dir = tmp_path / "gone" / "runs"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:

        def kill_the_workers_once_parts_are_stored():
            deadline = time.time() + 120
            while time.time() < deadline and len(list(runs_dir.glob("*.parquet"))) < 3:
                time.sleep(0.02)
            cluster.scale(0)  # the cluster loses every worker, with tasks still to run

        killer = threading.Thread(target=kill_the_workers_once_parts_are_stored, daemon=True)
        killer.start()
        with pytest.raises(StudyInterrupted) as stopped:
            run_study("gone", ["geneva_2016_02"], client=client, **design)
        killer.join(60)
    message = str(stopped.value)
    assert "\n" not in message and "no live worker for 2 s" in message and "run the same command again" in message
    kept = load_study(tmp_path / "gone")
    assert 3 * 10 <= len(kept.runs) < 200 and not kept.complete
    resumed = run_study("gone", ["geneva_2016_02"], **design)
    assert resumed.manifest["last_session"]["runs"] == 200 - len(kept.runs)
    fresh = run_study("fresh", ["geneva_2016_02"], **design)
    pd.testing.assert_frame_equal(sorted_runs(resumed), sorted_runs(fresh))


def test_a_study_grows_to_more_replicates_keeping_its_runs(tmp_path, capsys):
    """500 -> 1,000 replicates need not start over: replicate r's seed and draw do not depend on
    the study's size, so only the new replicates run, and the table equals a fresh study's."""
    design = dict(seed=2, parameters="posterior", results_dir=tmp_path, progress=False)
    small = run_study("g", SCENARIOS[:2], replicates=30, **design)
    before = small.runs.copy()
    grown = run_study("g", SCENARIOS[:2], replicates=70, **design)
    assert "grown from 30 to 70 replicates; the stored runs are kept" in capsys.readouterr().err
    assert grown.manifest["last_session"]["runs"] == 2 * 40
    assert grown.manifest["resumed"][-1]["grown_from_replicates"] == 30
    assert grown.manifest["design"]["replicates"] == 70 and grown.manifest["n_runs"] == 140
    pd.testing.assert_frame_equal(grown.runs[grown.runs["replicate"] < 30].reset_index(drop=True), before)
    fresh = run_study("fresh", SCENARIOS[:2], replicates=70, **design)
    pd.testing.assert_frame_equal(sorted_runs(grown), sorted_runs(fresh))
    again = run_study("g", SCENARIOS[:2], replicates=70, **design)  # the same command: nothing to do
    assert again.manifest["last_session"]["runs"] == 0
