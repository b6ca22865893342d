"""`run.py report` writes the summary and every figure of a stored study."""

from __future__ import annotations

import copy
import hashlib
import re

import pandas as pd
import pytest
from posteriors import write_posterior

import run
import sim.reporting.figures as figures_module
import sim.reporting.report as report_module
from sim.experiments.batch import run_study
from sim.reporting import analysis as an
from sim.reporting.summary import format_summary, summary_table

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


def test_the_report_shows_the_parameters_each_headline_effect_rests_on_from_the_committed_record(written):
    # docs/sensitivity/ holds the record of every shipped counterfactual (make sensitivity)
    text = (written / "summary.md").read_text()
    assert text.count("### Which assumptions drive each effect (the sensitivity record)") == 2  # one per episode
    assert "make sensitivity" in text
    top = pd.read_csv(written / "sensitivity_top.csv")
    assert set(top["counterfactual"]) == {"geneva_2016_02_no_strikes", "ceasefire_2016_09_jic"}
    assert set(top["outcome"]) == {"talks_paused", "ceasefire_in_effect_days"}  # their headline outcomes
    assert top.groupby("counterfactual")["rank"].apply(list).tolist() == [[1, 2, 3]] * 2
    assert (top["ST_low"] <= top["ST"]).all() and (top["ST"] <= top["ST_high"]).all()


@pytest.fixture(scope="module")
def drawn(study, tmp_path_factory):
    """A report of the study in which the JIC came into force in a few runs (in memory), with the
    arguments every figure function was called with."""
    runs = study.runs.copy()
    jic = runs["scenario"] == "ceasefire_2016_09_jic"
    runs.loc[jic & runs["replicate"].isin([1, 4, 7]), "jic_in_force"] = True  # only the JIC scenario moves it
    changed = copy.copy(study)
    changed.__dict__["runs"] = runs
    calls = {}
    with pytest.MonkeyPatch.context() as mp:
        for name in ("plot_survival", "plot_paired_differences"):
            original = getattr(figures_module, name)

            def record(*args, _name=name, _original=original, **kwargs):
                fig = _original(*args, **kwargs)
                calls.setdefault(_name, []).append((args, kwargs, fig))
                return fig

            mp.setattr(figures_module, name, record)
        out = report_module.write_report(changed, out=tmp_path_factory.mktemp("drawn"), networks=False)
    return out, calls


def test_the_paired_differences_figure_shows_what_only_the_jic_changes(drawn):
    out, calls = drawn
    (diffs, outcomes), kwargs, fig = next(c for c in calls["plot_paired_differences"]
                                          if "ceasefire_2016_09_jic" in set(c[0][0]["scenario"]))  # fmt: skip
    jic = diffs[diffs["outcome"] == "jic_in_force"].set_index("scenario")["changed"]
    assert jic["ceasefire_2016_09_jic"] == pytest.approx(3 / 12)
    assert "jic_in_force" in outcomes and "JIC in force" in [ax.get_title() for ax in fig.axes]
    # the figure's outcomes are the table's: every outcome some counterfactual changed in some pair
    moved = set(diffs.loc[diffs["changed"] > 0, "outcome"])
    assert set(outcomes) == moved
    text = out.summary.read_text()
    table = text[text.index("### Paired differences against `ceasefire_2016_09`"):]
    assert "JIC in force" in table.split("\n\n")[1].splitlines()[0]


def test_the_times_table_and_the_survival_figure_use_the_same_clock(drawn, study):
    out, calls = drawn
    medians = pd.read_csv(out.folder / "survival_medians.csv")
    collapse = medians[medians["outcome"] == "ceasefire_collapse_day"].set_index("scenario")
    assert (collapse["clock"] == "ceasefire_agreed_day").all()
    assert (medians.loc[medians["outcome"] != "ceasefire_collapse_day", "clock"] == "episode start").all()
    text = out.summary.read_text()
    assert "| ceasefire collapses (days since ceasefire agreed) |" in text
    assert "**ceasefire collapses: days since ceasefire agreed**" in text
    checked = 0
    for (curves, *_), kwargs, fig in calls["plot_survival"]:
        part = curves[curves["outcome"] == "ceasefire_collapse_day"]
        if part.empty:
            continue
        assert kwargs["clocks"] == {"ceasefire_collapse_day": "ceasefire agreed"}
        panel = next(ax for ax in fig.axes if ax.get_title().startswith("ceasefire collapses"))
        assert "days since ceasefire agreed" in panel.get_title()
        assert "days since ceasefire agreed" in " ".join(panel.get_xlabel().split())
        for scenario, curve in part.groupby("scenario"):
            # the table's median is the figure's curve's median, and counts the runs the curve counts
            median, low, high = an.km_median(curve)
            row = collapse.loc[scenario]
            assert (row["median"], row["low"], row["high"]) == pytest.approx((median, low, high), nan_ok=True)
            assert row["n"] == curve["at_risk"].iloc[0] and row["events"] == curve["events"].sum()
            checked += 1
    assert checked >= 2
    # in the Geneva episode the ceasefire comes on different days: only the runs that have one are counted
    geneva = study.runs[study.runs["scenario"] == "geneva_2016_02"]
    assert collapse.loc["geneva_2016_02", "n"] == geneva["ceasefire_agreed_day"].notna().sum() < len(geneva)


def test_the_batch_summary_has_the_reports_labels_and_intervals(study):
    text = format_summary(study)
    headline = report_module.headline_table(study.runs, report_module.outcome_list("summary")).set_index("scenario")
    table = summary_table(study.runs).set_index("scenario")
    assert "P(talks paused)" in text and "civilian harm, median" in text
    assert "P(talks_paused)" not in text and "civilian_harm" not in text  # no raw names
    for column in headline.columns.drop("runs"):
        assert (table[column] == headline[column]).all(), column  # the report's cells, intervals and all
    cell = table.loc["geneva_2016_02", "P(talks paused)"]
    assert re.fullmatch(r"\d\.\d\d \[\d\.\d\d, \d\.\d\d\]", cell) and cell in text
    assert table.loc["ceasefire_2016_09", "P(talks paused)"] == "-"
    assert table["runs"].tolist() == [12] * 4 and table["failed"].tolist() == [0] * 4


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
