"""A Mesa user's habits work: a live DataCollector, true steps and time, `seed=`, and
`mesa.batch_run` with one row per day and with posterior draws."""

from __future__ import annotations

import math

import mesa
import pandas as pd
import pytest
from mesa import DataCollector
from posteriors import write_posterior

from sim.experiments.posterior import load_posterior
from sim.experiments.runs import simulate
from sim.model.model import AGENT_REPORTERS, DAILY_COLUMNS, DiplomacyModel
from sim.model.outcomes import OUTCOME_DESCRIPTIONS
from sim.scenarios import load_scenario


@pytest.fixture(scope="module")
def feb():
    return load_scenario("geneva_2016_02")


def test_the_datacollector_collects_every_day(feb):
    model = DiplomacyModel(feb, rng=1)
    for _ in range(5):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 5 and frame["day"].tolist() == [0, 1, 2, 3, 4]
    assert frame["civilian_harm"].iloc[-1] == model.world.civilian_harm
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 60 and frame["civilian_harm"].is_monotonic_increasing
    assert frame["civilian_harm"].iloc[-1] == model.outcomes()["civilian_harm"]
    assert frame["civilian_harm"].iloc[-1] > frame["civilian_harm"].iloc[4]  # it kept collecting


def test_the_outcome_record_is_collected_on_the_last_day(feb):
    model = DiplomacyModel(feb, rng=2).run()
    frame = model.datacollector.get_model_vars_dataframe()
    record = model.outcomes()
    for name in OUTCOME_DESCRIPTIONS:
        assert frame[name].iloc[:-1].isna().all() or name in DAILY_COLUMNS
        last = frame[name].iloc[-1]
        assert last == record[name] or (math.isnan(last) and math.isnan(record[name]))


def test_the_collected_days_are_the_daily_table(feb):
    model = DiplomacyModel(feb, rng=3, record_daily=True).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame[list(DAILY_COLUMNS)].values.tolist() == [list(row) for row in model.daily]
    stepped = DiplomacyModel(feb, rng=3)  # without record_daily: the same rows
    stepped.run()
    pd.testing.assert_frame_equal(stepped.datacollector.get_model_vars_dataframe(), frame)


def test_collecting_does_not_change_the_run(feb):
    quiet = DiplomacyModel(feb, rng=4, collect=False).run()
    assert quiet.datacollector is None
    assert quiet.event_log == DiplomacyModel(feb, rng=4).run().event_log


def test_own_reporters_and_agent_reporters(feb):
    model = DiplomacyModel(feb, rng=5, horizon_days=10, model_reporters={"harm_x2": lambda m: 2 * m.world.civilian_harm},
                           agent_reporters=AGENT_REPORTERS).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert (frame["harm_x2"] == 2 * frame["civilian_harm"]).all()
    agents = model.datacollector.get_agent_vars_dataframe()
    assert len(agents) == 10 * len(model.agents)
    per_day = agents.groupby(level="Step")["events_today"].sum().tolist()
    assert per_day == [sum(1 for e in model.event_log if e[0] == day) for day in range(10)]


def test_the_datacollector_can_be_replaced(feb):
    model = DiplomacyModel(feb, rng=6, horizon_days=3)
    model.datacollector = DataCollector(model_reporters={"day": "day"})
    model.run()
    assert model.datacollector.get_model_vars_dataframe()["day"].tolist() == [1, 2, 3]  # after each day


def test_steps_and_time_count_the_days_and_stop_at_the_horizon(feb):
    model = DiplomacyModel(feb, rng=7, horizon_days=5)
    model.step()
    assert (model.steps, model.time, model.day) == (1, 1.0, 1)
    model.run()
    assert (model.steps, model.time, model.day, model.running) == (5, 5.0, 5, False)
    model.step()  # past the horizon: nothing happens, the clock stays
    assert (model.steps, model.time) == (5, 5.0)
    assert len(model.datacollector.get_model_vars_dataframe()) == 5


def test_seed_is_mesas_other_name_for_rng(feb):
    assert DiplomacyModel(feb, seed=8).run().event_log == DiplomacyModel(feb, rng=8).run().event_log
    with pytest.raises(ValueError, match="give the seed once"):
        DiplomacyModel(feb, rng=1, seed=1)


def test_batch_run_gives_one_row_per_day(feb):
    rows = pd.DataFrame(mesa.batch_run(DiplomacyModel, parameters={"scenario": feb}, rng=[1, 2],
                                       data_collection_period=1, number_processes=1, display_progress=False))
    assert rows.groupby("RunId").size().tolist() == [60, 60]
    last = rows[rows["seed"] == 2].iloc[-1]  # Mesa names the column after the model's `seed` argument
    assert last["talks_paused"] == simulate(feb, seed=2).outcomes["talks_paused"]


def test_batch_run_with_posterior_draws(feb, tmp_path):
    posterior = load_posterior(write_posterior(tmp_path / "posterior.csv", {"draw_id": [0, 1], "weight": [0.5, 0.5], "rus_strike_rate": [10.0, 60.0]}))
    draws = posterior.parameter_sets(4, seed=1)
    assert {d["rus_strike_rate"] for d in draws} <= {10.0, 60.0}
    rows = pd.DataFrame(mesa.batch_run(DiplomacyModel, parameters={"scenario": feb, "parameters": draws}, rng=[3],
                                       number_processes=1, display_progress=False))
    assert len(rows) == 4
    for row, draw in zip(rows.itertuples(), draws):
        assert row.rus_strikes_total == simulate(feb, seed=3, parameters=draw).outcomes["rus_strikes_total"]
