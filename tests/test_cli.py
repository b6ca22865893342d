"""The command line: timelines, JSON, event files, listing, and one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.events import read_events
from sim.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT


def run(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_simulate_prints_a_dated_timeline_and_outcomes():
    proc = run("simulate", "--scenario", "geneva_2016_02", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("# geneva_2016_02 (seed 1): 2016-01-25 to 2016-03-24, 60 days")
    assert "2016-02-01 ENVOY -> GOV,OPP 045 formally opens the talks" in out
    assert "outcomes:" in out and "talks_pause_day" in out


def test_simulate_json_and_events_out(tmp_path):
    events = tmp_path / "events.csv"
    proc = run("simulate", "--scenario", "ceasefire_2016_09", "--seed", "2", "--days", "30",
               "--json", "--events-out", str(events))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["scenario"] == "ceasefire_2016_09" and record["seed"] == 2
    assert record["horizon_days"] == 30 and record["ceasefire_agreed_day"] == 0
    frame = read_events(events)
    assert len(frame) > 0 and frame["event_date"].max() <= "2016-10-08"
    assert frame["cameo_code"].str.len().min() >= 3  # codes kept as text with leading zeros


def test_same_seed_same_output():
    a = run("simulate", "--scenario", "geneva_2016_02", "--seed", "5", "--json")
    b = run("simulate", "--scenario", "geneva_2016_02", "--seed", "5", "--json")
    assert a.stdout == b.stdout


def test_scenarios_lists_every_file():
    proc = run("scenarios")
    assert proc.returncode == 0
    names = {line.split()[0] for line in proc.stdout.splitlines()}
    assert names == {p.stem for p in (ROOT / "scenarios").glob("*.toml")}


@pytest.mark.parametrize(
    "args, expected",
    [
        (["simulate", "--scenario", "no_such", "--seed", "1"], "unknown scenario 'no_such'"),
        (["simulate", "--scenario", "geneva_2016_02", "--seed", "x"], "--seed: invalid int value"),
        (["simulate", "--scenario", "geneva_2016_02"], "the following arguments are required: --seed"),
        (["simulate", "--scenario", "geneva_2016_02", "--seed", "1", "--days", "0"], "--days"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(args, expected):
    proc = run(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_help_everywhere():
    for args in ([], ["simulate"], ["scenarios"], ["extract"], ["record"]):
        proc = run(*args, "--help")
        assert proc.returncode == 0 and "usage:" in proc.stdout


def test_help_shows_the_api_defaults():
    import inspect

    from sim.experiments.batch import run_study
    from sim.experiments.default_study import run_default_study

    default = inspect.signature(run_default_study).parameters
    text = " ".join(run("default", "--help").stdout.split())
    assert f"replicates per scenario (default {default['replicates'].default})" in text
    assert f"study seed (default {default['seed'].default})" in text
    assert f"local worker processes (default {default['workers'].default})" in text
    assert "results folder (default results/)" in text
    text = " ".join(run("batch", "--help").stdout.split())
    assert f"local worker processes (default {inspect.signature(run_study).parameters['workers'].default})" in text
    assert "scenario folder (default: scenarios/)" in text


def test_left_out_flags_leave_the_api_defaults():
    import run as cli

    args = cli.build_parser().parse_args(["batch", "--study", "s", "--scenarios", "a", "--replicates", "2",
                                          "--seed", "1", "--workers", "3"])
    assert cli._given(args, "workers", "results_dir", "scenario_dir") == {"workers": 3}
