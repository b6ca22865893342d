"""Effects under the posterior beside the priors alone: the change's arithmetic, the companion
study, and the report, headline and README block that show them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim.experiments.batch as batch
import sim.experiments.default_study as default_study
import sim.reporting.headline as headline
from sim.errors import UserError
from sim.experiments.batch import run_study
from sim.experiments.prior_predictive import run_prior_companion
from sim.results.companion import companion_name, prior_companion
from sim.reporting import analysis as an
from sim.reporting.report import change_line, write_report

PAIR = ["geneva_2016_02", "geneva_2016_02_no_strikes"]


def runs_of(harm_base: list[float], harm_cf: list[float], paused_base: list[bool], paused_cf: list[bool]):
    """A runs table of one baseline and one counterfactual, replicate r paired, seed r."""
    rows = []
    for scenario, harm, paused in (("geneva_2016_02", harm_base, paused_base),
                                   ("geneva_2016_02_no_strikes", harm_cf, paused_cf)):  # fmt: skip
        for r, (h, p) in enumerate(zip(harm, paused)):
            rows.append({"scenario": scenario, "episode": "geneva_2016_02", "replicate": r, "seed": r, "error": None,
                         "horizon_days": 60, "civilian_harm": h, "talks_paused": p,
                         "talks_pause_day": 10.0 if p else math.nan})  # fmt: skip
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the change's arithmetic
def test_the_change_is_the_posterior_effect_minus_the_prior_effect():
    rng = np.random.default_rng(3)
    base = rng.normal(800, 50, 200)
    posterior = runs_of(list(base), list(base - 600 + rng.normal(0, 5, 200)), [True] * 200, [False] * 200)
    prior = runs_of(list(base), list(base - 100 + rng.normal(0, 5, 200)), [True] * 200, [True] * 100 + [False] * 100)
    change = an.calibration_change(posterior, prior, ["civilian_harm", "talks_paused"]).set_index("outcome")
    harm = change.loc["civilian_harm"]
    assert harm["change"] == pytest.approx(harm["diff_posterior"] - harm["diff_prior"])
    assert harm["diff_posterior"] < harm["diff_prior"] < 0  # the calibration made the effect larger
    assert harm["change_low"] <= harm["change"] <= harm["change_high"] < -400
    paused = change.loc["talks_paused"]
    assert paused["diff_posterior"] == pytest.approx(-1.0) and paused["diff_prior"] == pytest.approx(-0.5)
    assert paused["change"] == pytest.approx(-0.5) and paused["change_high"] < 0
    # each study's own effect is the paired difference the report prints
    alone = an.paired_differences(posterior, ["civilian_harm"]).set_index("outcome").loc["civilian_harm"]
    assert harm["diff_posterior"] == pytest.approx(alone["diff"])
    assert (harm["low_posterior"], harm["high_posterior"]) == pytest.approx((alone["low"], alone["high"]))


def test_the_same_study_twice_changes_nothing():
    runs = runs_of([5.0, 7.0, 9.0, 4.0], [1.0, 8.0, 2.0, 4.0], [True, False, True, True], [False, False, True, False])
    change = an.calibration_change(runs, runs.copy(), ["civilian_harm", "talks_paused"])
    assert (change["change"] == 0).all()
    # no pair changed: the interval bounds an unseen change (exact), it does not collapse to a point
    assert (change["change_low"] <= 0).all() and (change["change_high"] >= 0).all()
    assert "changed none of these 2 effects" in change_line(change, "x_prior")


def test_undefined_outcomes_are_left_out_pair_by_pair():
    # the day of the pause is defined only where both runs paused
    posterior = runs_of([1.0] * 4, [1.0] * 4, [True, True, False, True], [True, False, False, True])
    prior = runs_of([1.0] * 4, [1.0] * 4, [True] * 4, [True] * 4)
    row = an.calibration_change(posterior, prior, ["talks_pause_day"]).iloc[0]
    assert row["pairs_posterior"] == 2 and row["pairs_prior"] == 4
    assert row["change"] == 0.0


def test_replicates_missing_from_one_study_are_left_out_of_both():
    posterior = runs_of([1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [True] * 3, [True] * 3)
    prior = posterior[posterior["replicate"] != 2]
    row = an.calibration_change(posterior, prior, ["civilian_harm"]).iloc[0]
    assert row["pairs_posterior"] == row["pairs_prior"] == 2
    assert row["diff_posterior"] == pytest.approx(-1.5)


# --------------------------------------------------------------------------- the companion study
@pytest.fixture(scope="module")
def posterior_study(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    return run_study("pair", PAIR, replicates=6, seed=4, parameters="posterior", results_dir=root, progress=False)


@pytest.fixture(scope="module")
def companion(posterior_study):
    return run_prior_companion(posterior_study)


def test_the_companion_shares_the_design_and_seeds_but_not_the_draws(posterior_study, companion):
    assert companion.path.name == companion_name("pair")
    a, b = posterior_study.manifest["design"], companion.manifest["design"]
    for key in ("scenarios", "replicates", "seed", "days", "task_size"):
        assert a[key] == b[key], key
    merged = posterior_study.runs.merge(companion.runs, on=["scenario", "replicate"], suffixes=("", "_prior"))
    assert (merged["seed"] == merged["seed_prior"]).all()
    assert posterior_study.manifest["identity"]["posterior_sha256"] != companion.manifest["identity"][
        "posterior_sha256"]  # prior draws, not the posterior's
    assert prior_companion(posterior_study).path == companion.path


def test_a_companion_of_another_design_is_not_used(posterior_study, companion, tmp_path):
    other = run_study("pair", PAIR, replicates=6, seed=5, parameters="posterior", results_dir=tmp_path,
                      progress=False)
    run_study(companion_name("pair"), PAIR, replicates=6, seed=6, parameters="defaults", results_dir=tmp_path,
              progress=False)
    assert prior_companion(other) is None  # seed 6 is not the study's seed 5
    assert prior_companion(run_study("lonely", PAIR, replicates=2, seed=1, parameters="posterior",
                                     results_dir=tmp_path, progress=False)) is None


def test_a_study_on_the_defaults_has_no_companion(tmp_path):
    study = run_study("plain", PAIR, replicates=2, seed=1, parameters="defaults", results_dir=tmp_path,
                      progress=False)
    with pytest.raises(UserError, match="parameters 'defaults'.*--posterior"):
        run_prior_companion(study)


def test_the_report_shows_the_effects_beside_the_priors(posterior_study, companion, tmp_path):
    report = write_report(posterior_study, out=tmp_path / "with", networks=False)  # 'auto' finds the companion
    text = report.summary.read_text()
    assert "#### Under the posterior and under the priors alone" in text
    assert f"study `{companion_name('pair')}`" in text and "calibration changed it by [95%]" in text
    assert (tmp_path / "with" / "calibration_change.csv").is_file()
    plain = write_report(posterior_study, out=tmp_path / "without", networks=False, prior=None)
    assert "priors alone" not in plain.summary.read_text()


def test_the_default_prior_companion_is_rerun_when_the_model_changed(monkeypatch, tmp_path):
    monkeypatch.setattr(default_study, "default_scenarios", lambda: PAIR)
    study = default_study.run_default_study(replicates=2, workers=1, results_dir=tmp_path, progress=False,
                                            log=lambda *a: None)
    prior = default_study.run_default_prior(study, workers=1, progress=False, log=lambda *a: None)
    assert prior.manifest["design"]["seed"] == study.manifest["design"]["seed"]
    monkeypatch.setattr(batch, "model_fingerprint", lambda: "another model")
    said = []
    again = default_study.run_default_prior(study, workers=1, progress=False, log=said.append)
    assert again.manifest["last_session"]["runs"] == 4 and "code changed" in said[0]


def test_batch_with_prior_runs_the_companion_and_report_uses_it(tmp_path, capsys):
    import run

    args = ["--study", "cli", "--scenarios", ",".join(PAIR), "--replicates", "3", "--seed", "2", "--results",
            str(tmp_path), "--quiet"]
    assert run.main(["batch", *args, "--posterior", "--with-prior"]) == 0
    assert "under the priors alone" in capsys.readouterr().out
    assert (tmp_path / companion_name("cli") / "manifest.json").is_file()
    assert run.main(["report", "--study", "cli", "--results", str(tmp_path)]) == 0
    assert "priors alone" in (tmp_path / "cli" / "report" / "summary.md").read_text()
    plain = ["batch", "--study", "plain", "--scenarios", PAIR[0], "--replicates", "2", "--seed", "1", "--results",
             str(tmp_path), "--defaults", "--with-prior"]
    assert run.main(plain) == 2
    assert "--with-prior" in capsys.readouterr().err and not (tmp_path / "plain").exists()  # nothing run


# --------------------------------------------------------------------------- the headline and its README block
def test_the_headline_block_is_rewritten_between_its_markers(posterior_study, companion, tmp_path):
    runs = {"posterior": posterior_study.runs, "prior": companion.runs}
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{headline.README_START}\nold table\n{headline.README_END}\nrest\n")
    headline.update_readme(runs, "run.py headline --replicates 6 --seed 4", readme)
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n") and "old table" not in text
    assert "`run.py headline --replicates 6 --seed 4`" in text and "6 paired replicates" in text
    assert "calibration changed it by [95%]" in text and "The calibration changed" in text
