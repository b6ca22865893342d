"""run.py validate: cut-off forecasts, leave one episode out, SBC (`calibration.validation`)."""

import math

import numpy as np
import pandas as pd
import pytest

import run
from calibration.targets import episode_specs, observed_statistics, read_observed
from calibration.validation.forecast import cutoff_specs, skill_table, unseen_targets
from calibration.validation.sbc import central_interval, sbc_summary, simulated_record, weighted_rank


@pytest.fixture(scope="module")
def record():
    obs = read_observed()
    specs = episode_specs(obs)
    return obs, specs, observed_statistics(obs, specs)


def test_a_cutoff_calibration_sees_only_the_days_before_it(record):
    obs, specs, observed = record
    cut = cutoff_specs(specs, observed, 20)
    assert all(s.window_days == 20 for s in cut.values())
    seen = observed_statistics(obs, cut)
    # the Geneva pause (day 9) is seen; the cessation (day 33) is 'not by day 20'; its violence ratio is unseen
    assert seen["feb_talks_pause"] == 9
    assert seen["feb_ceasefire_in_effect"] == 20
    assert cut["geneva_2016_02"].ratio is None
    assert cutoff_specs(specs, observed, 40)["geneva_2016_02"].ratio is not None   # days 33-34 fall before 40


def test_the_scored_targets_are_those_the_cutoff_hid(record):
    _, specs, observed = record
    geneva = unseen_targets(specs["geneva_2016_02"], observed, 20)
    assert "feb_talks_pause" not in geneva and "feb_capture" not in geneva          # days 9: seen
    assert {"feb_ceasefire_in_effect", "feb_talks_resume", "feb_violence_ratio"} <= set(geneva)
    assert "feb_channel_suspend" in geneva                                          # never: the forecast must say so
    september = unseen_targets(specs["ceasefire_2016_09"], observed, 20)
    assert "sep_channel_suspend" in september and "sep_us_threat" not in september  # days 24 and 19
    assert "sep_rus_refuses_halt" not in september                                  # no observed value


def test_skill_table_sums_the_crps_and_compares_to_each_reference():
    scores = pd.DataFrame({"forecast": ["posterior", "prior", "posterior", "prior"],
                           "statistic": ["a", "a", "b", "b"], "crps": [1.0, 2.0, 3.0, 2.0]})
    table = skill_table(scores, "posterior", ["prior"]).set_index("statistic")
    assert table.loc["a", "skill_vs_prior"] == pytest.approx(0.5)
    assert table.loc["b", "skill_vs_prior"] == pytest.approx(-0.5)
    assert table.loc["overall (sum)", "crps_posterior"] == 4.0
    assert table.loc["overall (sum)", "skill_vs_prior"] == pytest.approx(0.0)


def test_ranks_of_truths_drawn_from_the_posterior_are_uniform_and_too_narrow_ones_are_not():
    rng = np.random.default_rng(5)
    right, narrow = [], []
    for _ in range(600):
        values, weights = rng.normal(0, 1, 400), rng.uniform(0.5, 1.5, 400)
        truth = rng.normal(0, 1)
        right.append(weighted_rank(values, weights, truth, rng))
        narrow.append(weighted_rank(values * 0.3, weights, truth, rng))
    frame = pd.DataFrame({"parameter": ["right"] * 600 + ["narrow"] * 600, "rank": right + narrow,
                          "inferred": True, "in50": False, "in90": False})
    # the interval hits of each, as run_sbc records them
    frame["in90"] = [lo <= t <= hi for lo, hi, t in
                     [(-1.645, 1.645, x) for x in rng.normal(0, 1, 600)] + [(-0.49, 0.49, x) for x in rng.normal(0, 1, 600)]]
    summary = sbc_summary(frame).set_index("parameter")
    assert summary.loc["right", "uniform_at_5pct"]
    assert not summary.loc["narrow", "uniform_at_5pct"]
    assert summary.loc["narrow", "verdict"] == "overconfident"
    assert summary.loc["right", "verdict"] == "fine"


def test_central_interval_of_a_weighted_sample():
    values = np.arange(100, dtype=float)
    lo, hi = central_interval(values, np.ones(100), 0.9)
    assert (lo, hi) == (4.0, 94.0)   # the first values whose weighted CDF reaches 5% and 95%
    lo, hi = central_interval(values, np.r_[np.zeros(50), np.ones(50)], 0.5)
    assert 60 <= lo <= 63 and 86 <= hi <= 88


def test_a_simulated_record_keeps_the_real_records_gaps(record):
    _, specs, observed = record
    flat = {n: 5.0 for s in specs.values() for n in s.timeline_names()}
    flat.update({n: 1.0 for s in specs.values() for n in s.profile_names()})
    fake = simulated_record(flat, observed)
    assert math.isnan(fake["sep_rus_refuses_halt"])      # the record has no value: neither has the replication
    assert fake["feb_talks_pause"] == 5.0
    assert fake[specs["geneva_2016_02"].profile_names()[0]] == 1.0


def test_validate_quick_from_the_command_line(tmp_path, capsys):
    code = run.main(["validate", "--quick", "--out", str(tmp_path), "--workers", "2"])
    assert code in (0, None)
    printed = capsys.readouterr().out
    assert "forecast past day 20: CRPS skill" in printed and "SBC:" in printed
    report = (tmp_path / "report.md").read_text()
    for section in ("## 1. Forecasts past a cut-off", "## 2. Leave one episode out",
                    "## 3. Simulation-based calibration", "## 4. Identifiability"):
        assert section in report
    assert f"command: `python run.py validate --quick --out {tmp_path} --workers 2`" in report
    scores = pd.read_csv(tmp_path / "cutoff_scores.csv")
    assert set(scores["forecast"]) == {"posterior", "prior", "other episode"}
    assert scores["pit"].dropna().between(0, 1).all()
    ranks = pd.read_csv(tmp_path / "sbc_ranks.csv")
    assert ranks["rank"].between(0, 99).all() and ranks["replication"].nunique() == 2
    assert (tmp_path / "pit.png").stat().st_size > 0 and not (tmp_path / "work").exists()


@pytest.mark.parametrize("value,message", [("0", "outside the window"), ("60", "outside the window"),
                                           ("20,x", "invalid day 'x'")])
def test_cutoff_mistakes_are_one_line(value, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        run.main(["validate", "--quick", "--cutoffs", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "--cutoffs" in err[0]


def test_the_readme_section_is_replaced_between_its_markers_only(tmp_path):
    from calibration.validation.report import README_END, README_START, update_readme

    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{README_START}\nold numbers\n{README_END}\nafter\n")
    update_readme(readme, f"{README_START}\nnew numbers\n{README_END}")
    assert readme.read_text() == f"before\n{README_START}\nnew numbers\n{README_END}\nafter\n"

