"""`run.py report` writes the summary and every figure of a stored study."""

from __future__ import annotations

import hashlib
import re

import pytest
from posteriors import write_posterior

import run
import sim.reporting.report as report_module
from sim.experiments.batch import run_study

SCENARIOS = ["geneva_2016_02", "geneva_2016_02_no_strikes", "ceasefire_2016_09", "ceasefire_2016_09_jic"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    return run_study("small", SCENARIOS, replicates=12, seed=5, parameters="defaults", events=True,
                     results_dir=root, progress=False)


@pytest.fixture(scope="module")
def written(study):
    code = run.main(["report", "--study", "small", "--results", str(study.path.parent)])
    assert code == 0
    return study.path / "report"


def test_report_writes_every_figure(written):
    names = {p.name for p in written.glob("*.png")}
    for episode in ("geneva_2016_02", "ceasefire_2016_09"):
        for kind in ("probabilities", "survival", "differences", "distributions", "timeline", "network"):
            assert f"{kind}_{episode}.png" in names
    for path in written.glob("*.png"):
        assert path.read_bytes()[:8] == PNG and path.stat().st_size > 10_000


def test_summary_has_the_design_tables_and_links(written, study):
    text = (written / "summary.md").read_text()
    for words in ("## Design", "study seed: 5", "replicates per scenario: 12", "parameters: defaults",
                  "code version:", "failed runs: 0 of 48", "Wilson score", "Kaplan-Meier", "paired-bootstrap",
                  "## Headline", "### Outcome probabilities", "### Times to events", "### Paired differences",
                  "### Simulated timeline against the observed events", "news reports a small fraction",
                  "its outcomes equal the stored ones"):  # fmt: skip
        assert words in text, words
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        assert (written / link).is_file(), link
    for table in ("probabilities.csv", "survival_medians.csv", "paired_differences.csv", "failed_runs.csv"):
        assert (written / table).is_file()


def test_headline_marks_outcomes_an_episode_never_has(study):
    table = report_module.headline_table(study.runs).set_index("scenario")
    assert table.loc["ceasefire_2016_09", "P(talks paused)"] == "-"
    assert re.fullmatch(r"\d\.\d\d \[\d\.\d\d, \d\.\d\d\]", table.loc["geneva_2016_02", "P(talks paused)"])
    assert table.loc["geneva_2016_02", "runs"] == 12


def test_failed_runs_are_counted_in_the_report(tmp_path):
    tiny = run_study("tiny", ["ceasefire_2016_09"], replicates=4, seed=1, parameters="defaults",
                     results_dir=tmp_path, progress=False)
    runs = tiny.runs.copy()
    runs.loc[0, "error"] = "RuntimeError: boom (at model.py:1)"
    tiny.__dict__["runs"] = runs  # one failed run, in memory
    out = report_module.write_report(tiny, out=tmp_path / "report", networks=False)
    text = out.summary.read_text()
    assert "failed runs: 1 of 4" in text
    assert "Simulated timeline" in text and "without `--events`" in text
    assert "RuntimeError: boom" in (tmp_path / "report" / "failed_runs.csv").read_text()
    assert report_module.headline_table(runs).iloc[0]["runs"] == 3


def test_report_of_a_posterior_study_names_the_posterior_and_reruns_its_draw(tmp_path):
    posterior = tmp_path / "posterior.csv"
    write_posterior(posterior, {"draw_id": [7, 8], "weight": [0.5, 0.5], "rus_strike_rate": [10, 70]})
    study = run_study("post", ["ceasefire_2016_09"], replicates=3, seed=2, parameters="posterior",
                      posterior_path=posterior, results_dir=tmp_path, progress=False, days=15)
    out = report_module.write_report(study, out=tmp_path / "report")
    text = out.summary.read_text()
    digest = hashlib.sha256(posterior.read_bytes()).hexdigest()
    assert f"one posterior draw per replicate from `{posterior}`, sha256 {digest[:12]}" in text
    assert "its outcomes equal the stored ones" in text  # the network run uses the stored draw


def test_report_of_a_missing_study_is_a_one_line_error(tmp_path, capsys):
    assert run.main(["report", "--study", "nope", "--results", str(tmp_path)]) == 2
    assert "no study here" in capsys.readouterr().err
