"""The model: reproducibility, order independence, common random numbers, invariants."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim.events import EVENT_COLUMNS, MODEL_ACTORS, cameo
from sim.experiments.runs import simulate
from sim.model.model import DiplomacyModel, check_declared
from sim.model.outcomes import outcome_columns
from sim.model.rules import RULES
from sim.scenario_types import Edge, ExtraActor, Intervention
from sim.scenarios import load_scenario


def same(a: dict, b: dict) -> bool:
    """Outcome records equal, NaN equal to NaN."""
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        if x != y:
            return False
    return True


def test_same_seed_same_run(feb):
    a = simulate(feb, seed=7)
    b = simulate(feb, seed=7)
    assert a.model.event_log == b.model.event_log
    assert same(a.outcomes, b.outcomes)


def test_different_seeds_differ(feb):
    logs = {tuple(simulate(feb, seed=s).model.event_log) for s in range(5)}
    assert len(logs) == 5


def test_mesa_step_and_run_agree(feb):
    stepped = DiplomacyModel(feb, rng=11)
    while stepped.running:
        stepped.step()
    assert stepped.event_log == DiplomacyModel(feb, rng=11).run().event_log


def test_agent_order_does_not_matter(feb, sept):
    for scenario in (feb, sept):
        for seed in range(3):
            forward = DiplomacyModel(scenario, rng=seed)
            shuffled = DiplomacyModel(scenario, rng=seed)
            order = [a.code for a in shuffled.agents]
            while [a.code for a in shuffled.agents] == order:
                shuffled.agents.shuffle(inplace=True)  # the agents decide in the AgentSet's order
            assert forward.run().event_log == shuffled.run().event_log


def test_run_steps_through_mesa(feb):
    model = DiplomacyModel(feb, rng=2).run()
    assert model.steps == model.horizon == feb.horizon_days
    assert model.time == float(model.horizon)
    assert not model.running
    stepped = DiplomacyModel(feb, rng=2, horizon_days=5)
    for _ in range(3):
        stepped.step()
    assert (stepped.steps, stepped.time, stepped.day) == (3, 3.0, 3)
    stepped.run()  # runs the rest
    assert (stepped.steps, stepped.day) == (5, 5)


def test_channel_restore_reopens_the_channel(sept):
    restored = dataclasses.replace(sept, interventions=(
        Intervention(kind="schedule", event="channel_suspend", from_day=2),
        Intervention(kind="schedule", event="channel_restore", from_day=4),
    ))
    model = DiplomacyModel(restored, rng=1, record_daily=True).run()
    channel = [row[4] for row in model.daily]
    assert channel[2:4] == [False, False] and channel[4]


def test_halt_counterfactual_shares_every_draw_of_the_untouched_mechanisms(feb):
    """Pairing: baseline and the shipped halt-to-strikes counterfactual, one seed."""
    halt = load_scenario("geneva_2016_02_no_strikes")
    assert [iv.mechanism for iv in halt.interventions] == ["rus_strikes"]
    base, cf = DiplomacyModel(feb, rng=3).run(), DiplomacyModel(halt, rng=3).run()
    for name in RULES:  # every stream, drawn or not in these runs
        np.testing.assert_array_equal(base.uniforms[name], cf.uniforms[name])
    assert sum(base.world.rus_strikes) > 0 and sum(cf.world.rus_strikes) == 0
    # the draws are shared, the decisions differ: without strikes the rules answer other situations
    assert base.event_log != cf.event_log


def test_draws_of_a_day_do_not_depend_on_the_horizon(feb):
    short, long = DiplomacyModel(feb, rng=5, horizon_days=20), DiplomacyModel(feb, rng=5)
    for name in RULES:
        np.testing.assert_array_equal(short.uniforms[name], long.uniforms[name][:20 * RULES[name].draws_per_day])
        assert short.uniforms.on(name, 19) == long.uniforms.on(name, 19)


def test_counterfactual_is_identical_before_its_intervention(feb):
    """Common random numbers: the runs agree event for event until the intervention starts."""
    start = feb.day_of(feb.start_date) + 10
    halt = dataclasses.replace(
        feb,
        interventions=(Intervention(kind="force", mechanism="rus_strikes", value=0.0, from_day=start),),
    )
    for seed in range(5):
        base = [e for e in simulate(feb, seed=seed).model.event_log if e[0] < start]
        cf = [e for e in simulate(halt, seed=seed).model.event_log if e[0] < start]
        assert base == cf


def test_events_follow_the_schema(feb, sept):
    for scenario in (feb, sept):
        frame = simulate(scenario, seed=2).events
        assert list(frame.columns) == list(EVENT_COLUMNS)
        assert len(frame) > 0
        assert set(frame["source"]) | set(frame["target"]) <= set(MODEL_ACTORS) | {"OTHER"}
        for code, root, quad in zip(frame["cameo_code"], frame["cameo_root"], frame["quad_class"]):
            assert isinstance(code, str) and cameo(code).root == root and cameo(code).quad_class == quad
        dates = frame["event_date"]
        first, last = scenario.start_date.isoformat(), scenario.date_of(scenario.horizon_days - 1).isoformat()
        assert dates.min() >= first and dates.max() <= last
        assert (frame["story_id"] == "sim").all()
        assert frame["coder"].str.split("@").str[0].isin(list(RULES)).all()


def test_outcome_record_has_fixed_columns_and_sane_values(feb, sept):
    columns = outcome_columns()
    for scenario in (feb, sept):
        for seed in range(5):
            out = simulate(scenario, seed=seed).outcomes
            assert list(out) == columns
            assert 0.0 <= out["opp_territory_share"] <= 1.0
            assert 0 <= out["talks_days_in_session"] <= scenario.horizon_days
            assert 0 <= out["ceasefire_in_effect_days"] <= scenario.horizon_days
            assert out["civilian_harm"] >= 0
            assert out["talks_paused"] == (not math.isnan(out["talks_pause_day"]))
            assert out["channel_suspended"] == (not math.isnan(out["channel_suspend_day"]))
            if out["channel_suspended"] and not math.isnan(out["us_threat_day"]):
                assert out["us_threat_day"] <= out["channel_suspend_day"]
            assert any(k.startswith("n_RUS_OPP_19") for k in out)


def test_event_counts_match_the_event_log(sept):
    result = simulate(sept, seed=4)
    frame = result.events
    n = result.outcomes["n_RUS_OPP_19"]
    assert n == ((frame["source"] == "RUS") & (frame["target"] == "OPP") & (frame["cameo_root"] == "19")).sum()
    mean = frame.loc[(frame["source"] == "USA") & (frame["target"] == "RUS"), "goldstein"].mean()
    assert result.outcomes["goldstein_USA_RUS"] == pytest.approx(mean)


def test_daily_trajectory(sept):
    daily = simulate(sept, seed=1, record_daily=True).daily
    assert len(daily) == sept.horizon_days
    assert daily["day"].tolist() == list(range(sept.horizon_days))
    assert daily["civilian_harm"].is_monotonic_increasing
    assert daily.loc[0, "ceasefire"] == "terms"  # the deal of 9 Sep came with its terms
    assert "in_effect" in set(daily["ceasefire"])


def test_added_backer_is_other_and_leaves_us_draws_alone(feb):
    with_turkey = dataclasses.replace(
        feb,
        actors=(ExtraActor(code="TUR", label="Turkey", role="backer"),),
        edges=feb.edges + (Edge("TUR", "OPP", "backs", 1.0),),
    )
    base, turkey = simulate(feb, seed=9), simulate(with_turkey, seed=9)
    frame = turkey.events
    tur = frame[frame["source_text"] == "TUR"]
    assert (tur["source"] == "OTHER").all()
    appeals = frame[(frame["cameo_code"] == "0232")]
    if len(appeals):
        assert "TUR" in set(appeals["target_text"])
    # The US's criticism draws are its own: the same first criticism day with or without Turkey.
    first = [e for e in base.model.event_log if e[1] == "USA" and e[3] == "112"][:1]
    first_t = [e for e in turkey.model.event_log if e[1] == "USA" and e[3] == "112"][:1]
    assert first == first_t


def test_set_and_edge_interventions_apply_over_their_range(sept):
    closed = dataclasses.replace(
        sept,
        interventions=(
            Intervention(kind="edge", source="USA", target="RUS", edge_kind="channel", open=False, from_day=0, to_day=9),
        ),
    )
    model = DiplomacyModel(closed, rng=1, record_daily=True).run()
    channel = [row[4] for row in model.daily]
    assert not any(channel[:10])
    assert model.world.channel_suspend_day == 0


def test_scheduled_event_intervention(feb):
    agreed = dataclasses.replace(
        feb, interventions=(Intervention(kind="schedule", event="ceasefire_agreed", from_day=5),)
    )
    out = simulate(agreed, seed=1).outcomes
    assert out["ceasefire_agreed"] and out["ceasefire_agreed_day"] == 5


def test_unknown_parameter_is_refused(feb):
    with pytest.raises(ValueError, match="unknown parameter 'no_such'"):
        DiplomacyModel(feb, rng=1, no_such=1.0)
    with pytest.raises(ValueError, match=r"rus_refuse_prob = 2.0 is outside its allowed range \[0.98, 0.9999\]"):
        DiplomacyModel(feb, rng=1, rus_refuse_prob=2.0)


def test_keyword_parameters_and_rng_as_in_mesa_examples(feb):
    model = DiplomacyModel(feb, rng=42, rus_strike_rate=10.0)
    assert model.seed == 42 and model.params["rus_strike_rate"] == 10.0
    assert model.rng is not None and model.running
    assert len(model.agents) == 5
    assert {a.code for a in model.agents} == set(MODEL_ACTORS)


def test_uniforms_of_a_day_are_its_block_of_the_stream(feb):
    model = DiplomacyModel(feb, rng=9)
    for name, mech in RULES.items():
        k = mech.draws_per_day
        stream = model.uniforms[name]
        assert len(stream) == model.horizon * k
        assert model.uniforms.on(name, 7) == stream[7 * k:8 * k]
    with pytest.raises(KeyError):
        model.uniforms.on("no_such_rule", 0)


def test_a_scenario_name_is_refused_with_what_to_pass_instead():
    with pytest.raises(TypeError, match=r"load_scenario"):
        DiplomacyModel("geneva_2016_02", rng=1)


def test_an_undeclared_event_is_refused_even_after_declared_ones():
    check_declared(("envoy_pause", "ENVOY", "GOV", "165"))  # declared
    with pytest.raises(AssertionError, match=r"envoy_pause emitted an undeclared event ENVOY->USA 195"):
        check_declared(("envoy_pause", "ENVOY", "USA", "195"))
    with pytest.raises(AssertionError, match=r"undeclared event OTHER->OPP 195"):
        check_declared(("backer_support", "TUR", "OPP", "195"))


def test_every_event_of_a_run_is_declared_by_its_rule(feb):
    """The model checks each kind of event the kernel logged against its rule's declaration."""
    model = DiplomacyModel(feb, rng=1).run()
    kinds = {(rule, source, target, code) for _, source, target, code, rule, _ in model.event_log}
    assert len(kinds) > 20
    for key in kinds:
        check_declared(key)


def test_the_model_steps_the_kernel_and_reads_the_day_back(feb):
    """The Mesa model and the kernel are one run: stepping day by day gives the kernel's own
    record, and the views (world, terrain, network) follow each step."""
    model = DiplomacyModel(feb, rng=2, collect=False)
    harm = []
    for _ in range(model.horizon):
        model.step()
        harm.append(model.world.civilian_harm)
    assert model.day == model.horizon and not model.running
    assert harm == sorted(harm) and harm[-1] > harm[0]
    assert model.outcomes() == DiplomacyModel(feb, rng=2, collect=False).run().outcomes()
    assert model.world.harm == pytest.approx(np.diff([0.0, *harm]).tolist())
    held = sum(1 for c in model.terrain.control.values() if c == "OPP")
    assert held == sum(1 for c in model.kernel.control().values() if c == "OPP")
