"""Each rule pushes the way the article evidence says (paired runs, common random numbers).

Every comparison runs the same seeds with and without a change, so the difference is the
change's effect, not noise between seeds.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sim.experiments.runs import simulate
from sim.scenario_types import Intervention

SEEDS = range(60)


def outcomes(scenario, parameters=None, seeds=SEEDS):
    return [simulate(scenario, seed=s, parameters=parameters).outcomes for s in seeds]


def mean(rows, key):
    return float(np.mean([float(r[key]) for r in rows]))


def share(rows, key):
    return float(np.mean([bool(r[key]) for r in rows]))


def with_interventions(scenario, *interventions):
    return dataclasses.replace(scenario, interventions=scenario.interventions + interventions)


def force(mechanism, value, from_day=0):
    return Intervention(kind="force", mechanism=mechanism, value=value, from_day=from_day)


def test_halting_russian_strikes_protects_the_talks_and_the_route(feb):
    base = outcomes(feb)
    halt = outcomes(with_interventions(feb, force("rus_strikes", 0.0)))
    assert share(halt, "talks_paused") < share(base, "talks_paused")
    assert share(halt, "supply_route_cut") < share(base, "supply_route_cut")
    assert mean(halt, "civilian_harm") < mean(base, "civilian_harm")
    assert mean(halt, "opp_territory_share") > mean(base, "opp_territory_share")


def test_air_support_raises_the_capture_hazard(feb):
    # 001 s11: 'thanks mainly to Russian support'
    weak = outcomes(feb, {"gov_air_support_gain": 0.1})
    strong = outcomes(feb, {"gov_air_support_gain": 3.0})
    assert mean(strong, "localities_captured") > mean(weak, "localities_captured")
    assert share(strong, "supply_route_cut") > share(weak, "supply_route_cut")


def test_offensive_escalates_russian_strikes(feb):
    no_offensive = dataclasses.replace(feb, schedule=tuple(e for e in feb.schedule if e.event != "offensive_start"))
    base, calm = outcomes(feb, seeds=range(20)), outcomes(no_offensive, seeds=range(20))
    assert mean(base, "rus_strikes_total") > 1.5 * mean(calm, "rus_strikes_total")


def test_walkout_hazard_rises_with_strikes(feb):
    # 004 s6: the opposition cancelled a meeting over the 'unprecedented' bombing
    deaf = outcomes(feb, {"opp_walkout_strike_gain": 0.0, "opp_threat_strike_gain": 0.0})
    sensitive = outcomes(feb, {"opp_walkout_strike_gain": 3.0, "opp_threat_strike_gain": 3.0})
    walked = lambda rows: share([{"w": not math.isnan(r["opp_walkout_day"])} for r in rows], "w")  # noqa: E731
    assert walked(sensitive) > walked(deaf)


def test_dropping_preconditions_keeps_the_opposition_in(feb):
    base = outcomes(feb)
    dropped = outcomes(with_interventions(feb, Intervention(kind="set", parameter="opp_preconditions", value=0.0)))
    assert mean(dropped, "n_OPP_GOV_12") == 0  # no conditional refusals any more
    first_walkout = lambda rows: np.mean([60 if math.isnan(r["opp_walkout_day"]) else r["opp_walkout_day"] for r in rows])  # noqa: E731
    assert first_walkout(dropped) >= first_walkout(base)


def test_envoy_who_never_pauses(feb):
    never = outcomes(with_interventions(feb, force("envoy_pause", 0.0)), seeds=range(20))
    assert share(never, "talks_paused") == 0
    assert min(r["talks_days_in_session"] for r in never) > 0


def test_envoy_pause_rises_with_violence(feb):
    calm = outcomes(feb, {"envoy_pause_violence_gain": 0.0})
    alarmed = outcomes(feb, {"envoy_pause_violence_gain": 4.0})
    assert share(alarmed, "talks_paused") > share(calm, "talks_paused")


def test_russia_refuses_calls_to_halt(feb, sept):
    # 000 s8: 'Russia refused to suspend its air strikes'
    for scenario in (feb, sept):
        rows = outcomes(scenario, seeds=range(20))
        assert mean(rows, "n_RUS_ENVOY_12") + mean(rows, "n_RUS_USA_12") > 0
        obliging = outcomes(scenario, {"rus_refuse_prob": 0.98}, seeds=range(20))
        assert mean(obliging, "rus_refusals") < mean(rows, "rus_refusals")


def test_pressure_lowers_russian_refusals(sept):
    deaf = outcomes(sept, {"rus_pressure_sensitivity": 0.0})
    responsive = outcomes(sept, {"rus_pressure_sensitivity": 0.3})
    assert mean(responsive, "n_RUS_USA_08") + mean(responsive, "n_RUS_ENVOY_08") > mean(deaf, "n_RUS_USA_08") + mean(deaf, "n_RUS_ENVOY_08")


def test_suspended_channel_carries_no_us_pressure(sept):
    closed = with_interventions(
        sept,
        Intervention(kind="edge", source="USA", target="RUS", edge_kind="channel", open=False),
        force("envoy_appeal", 0.0),
    )
    for seed in range(5):
        model = simulate(closed, seed=seed).model
        calls = [e for e in model.event_log if e[1] == "USA" and e[2] == "RUS" and e[3] in ("0256", "112")]
        assert calls, "the US still speaks in public"
        assert model.world.pressure == []


def test_ceasefire_compliance_prolongs_the_ceasefire(sept):
    lax = outcomes(sept, {"rus_ceasefire_compliance": 0.3, "gov_ceasefire_compliance": 0.3})
    strict = outcomes(sept, {"rus_ceasefire_compliance": 1.0, "gov_ceasefire_compliance": 1.0})
    assert mean(strict, "ceasefire_in_effect_days") > mean(lax, "ceasefire_in_effect_days")


def test_us_threat_precedes_suspension(sept):
    for row in outcomes(sept):
        if row["channel_suspended"]:
            assert row["us_threat_day"] < row["channel_suspend_day"]


def test_earlier_us_threshold_means_earlier_suspension(sept):
    late = outcomes(sept, {"us_threat_after_days": 20})
    early = outcomes(sept, {"us_threat_after_days": 3})
    day = lambda rows: np.mean([99 if math.isnan(r["channel_suspend_day"]) else r["channel_suspend_day"] for r in rows])  # noqa: E731
    assert day(early) < day(late)


def test_joint_implementation_center_cuts_strikes(sept):
    # a truce quiet enough for the center's seven quiet days (no declared end, few collapses)
    quiet = {"gov_truce_end_rate": 0.0, "ceasefire_fragility": 0.005, "ceasefire_quiet_level": 60}
    base = outcomes(sept, quiet)
    jic = outcomes(with_interventions(sept, force("jic", 1.0)), quiet)
    assert share(base, "jic_in_force") == 0  # it never formed
    assert share(jic, "jic_in_force") > 0
    assert mean(jic, "ceasefire_in_effect_days") >= mean(base, "ceasefire_in_effect_days")


def test_strikes_cause_civilian_harm(sept):
    assert mean(outcomes(sept, {"harm_per_strike": 1.0}, range(10)), "civilian_harm") > mean(
        outcomes(sept, {"harm_per_strike": 0.05}, range(10)), "civilian_harm"
    )


def test_grievance_brings_the_governments_declaration_forward(sept):
    # chronology 2016-09-19: the army declares the truce over two days after the coalition strike
    deaf = outcomes(sept, {"gov_truce_end_rate": 0.0}, seeds=range(30))
    touchy = outcomes(sept, {"gov_truce_end_rate": 0.5}, seeds=range(30))
    assert mean(touchy, "ceasefire_in_effect_days") < mean(deaf, "ceasefire_in_effect_days")


def test_joint_monitoring_prolongs_the_ceasefire(sept):
    # the task force as a term of the deal lowers the collapse and truce-end hazards
    alone = outcomes(sept, {"ceasefire_task_force": 0.0, "monitoring_fragility_factor": 0.1}, seeds=range(30))
    monitored = outcomes(sept, {"ceasefire_task_force": 1.0, "monitoring_fragility_factor": 0.1}, seeds=range(30))
    assert mean(monitored, "ceasefire_in_effect_days") > mean(alone, "ceasefire_in_effect_days")
