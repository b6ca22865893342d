"""Scenario files: the shipped ones load, counterfactuals merge, every mistake is one clear line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.errors import UserError
from sim.paths import PROJECT_ROOT
from sim.paths import SCENARIO_DIR as DEFAULT_DIR
from sim.scenario_types import CeasefireState, Edge, TalksState
from sim.scenarios import EPISODES, list_scenarios, load_scenario

ROOT = PROJECT_ROOT
SHIPPED = sorted(p.stem for p in DEFAULT_DIR.glob("*.toml"))
COUNTERFACTUALS = {
    "geneva_2016_02_no_strikes": "geneva_2016_02",
    "geneva_2016_02_no_strikes_from_talks": "geneva_2016_02",
    "ceasefire_2016_09_no_strikes": "ceasefire_2016_09",
    "ceasefire_2016_09_no_strikes_from_ceasefire": "ceasefire_2016_09",
    "geneva_2016_02_us_pressure": "geneva_2016_02",
    "ceasefire_2016_09_us_pressure": "ceasefire_2016_09",
    "geneva_2016_02_no_preconditions": "geneva_2016_02",
    "geneva_2016_02_envoy_never_pauses": "geneva_2016_02",
    "ceasefire_2016_09_jic": "ceasefire_2016_09",
    "geneva_2016_02_turkey_backs": "geneva_2016_02",
}

TERRAIN = """
name = "t"
description = "test terrain"
crossing = "a"
city = ["c"]

[[locality]]
name = "a"
label = "A"
population = 10
control = "OPP"
kind = "crossing"

[[locality]]
name = "b"
label = "B"
population = 20
control = "OPP"
kind = "town"

[[locality]]
name = "c"
label = "C"
population = 30
control = "OPP"
kind = "city"

[[locality]]
name = "d"
label = "D"
population = 40
control = "GOV"
kind = "city"

[[road]]
between = ["a", "b"]
[[road]]
between = ["b", "c"]
[[road]]
between = ["c", "d"]
"""


def episode(name="ep", top="", tail="", state=None, terrain=None) -> str:
    """A small valid episode; `top` goes among the top-level keys, `tail` at the end."""
    state = state if state is not None else """
[state]
talks = "not_started"
ceasefire = "none"
channel = "open"
offensive = false
opp_present = true
"""
    terrain = terrain if terrain is not None else """
[terrain]
file = "terrain/t.toml"
offensive_axis = ["b", "c"]
"""
    return f"""
name = "{name}"
kind = "episode"
description = "A test episode"
start_date = 2016-01-25
horizon_days = 30
{top}
{state}
{terrain}
[[edge]]
source = "RUS"
target = "GOV"
kind = "backs"
weight = 1.0

[[edge]]
source = "USA"
target = "RUS"
kind = "channel"
weight = 2.0

[[edge]]
source = "ENVOY"
target = "OPP"
kind = "mediates"
weight = 1.0

[[schedule]]
date = 2016-01-29
event = "talks_open"
{tail}
"""


def counterfactual(name="cf", extends="ep", top="", tail="") -> str:
    return f"""
name = "{name}"
kind = "counterfactual"
extends = "{extends}"
description = "A test counterfactual"
{top}
{tail}
"""


FORCE = """
[[intervention]]
kind = "force"
mechanism = "rus_strikes"
value = 0.0
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "terrain").mkdir()
    (tmp_path / "terrain" / "t.toml").write_text(TERRAIN)
    (tmp_path / "ep.toml").write_text(episode())
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def error(folder: Path, name: str, text: str | None = None) -> tuple[str, Path]:
    """Write `text` as NAME.toml (unless None), load it, return the error and the file."""
    path = folder / f"{name}.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(UserError) as info:
        load_scenario(name, folder)
    return str(info.value), path


def check(msg: str, path: Path, key: str, *allowed: str) -> None:
    """One line naming the file, the key and what is allowed."""
    assert "\n" not in msg, msg
    assert "Traceback" not in msg
    assert msg.startswith(f"{path}: {key}: "), msg
    assert "; allowed: " in msg, msg
    for part in allowed:
        assert part in msg.split("; allowed: ", 1)[1], (part, msg)


# --------------------------------------------------------------------------- shipped files
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.description and "\n" not in scenario.description
    assert scenario.files[0].name == f"{scenario.episode}.toml"
    assert scenario.files[-1].name == "aleppo.toml"
    assert scenario.episode in EPISODES


def test_shipped_counterfactuals_present():
    for name, root in COUNTERFACTUALS.items():
        scenario = load_scenario(name)
        assert scenario.kind == "counterfactual"
        assert scenario.extends == root and scenario.episode == root


def test_list_scenarios_lists_all_with_kinds():
    infos = list_scenarios()
    assert sorted(i.name for i in infos) == SHIPPED
    kinds = {i.name: i.kind for i in infos}
    for name in EPISODES:
        assert kinds[name] == "episode"
    for name in COUNTERFACTUALS:
        assert kinds[name] == "counterfactual"
    order = [(i.kind != "episode", i.name) for i in infos]
    assert order == sorted(order)
    assert all(i.path.is_file() for i in infos)


def test_shipped_interventions():
    no_strikes = load_scenario("geneva_2016_02_no_strikes").interventions
    assert [(i.kind, i.mechanism, i.value, i.from_day, i.to_day) for i in no_strikes] == [
        ("force", "rus_strikes", 0.0, 0, None)
    ]
    assert load_scenario("geneva_2016_02_no_strikes_from_talks").interventions[0].from_day == 4
    assert load_scenario("ceasefire_2016_09_no_strikes_from_ceasefire").interventions[0].from_day == 3
    pressure = load_scenario("geneva_2016_02_us_pressure").interventions
    assert {i.parameter: i.value for i in pressure} == {
        "us_call_halt_prob": 0.8,
        "us_criticism_rate": 2.5,
        "us_threat_after_days": 3.0,
        "us_threat_prob": 0.9,
    }
    turkey = load_scenario("geneva_2016_02_turkey_backs")
    assert [a.code for a in turkey.actors] == ["TUR"]
    assert Edge("TUR", "OPP", "backs", 1.0, True) in turkey.edges


def test_load_by_path_and_fast():
    path = DEFAULT_DIR / "ceasefire_2016_09_jic.toml"
    assert load_scenario(path).name == "ceasefire_2016_09_jic"
    assert load_scenario(str(path)).name == "ceasefire_2016_09_jic"
    load_scenario("ceasefire_2016_09_jic")
    start = time.perf_counter()
    for _ in range(20):
        load_scenario("ceasefire_2016_09_jic")
    assert (time.perf_counter() - start) / 20 < 0.005


def test_returned_parameters_are_a_fresh_dict(folder):
    write(folder, "cf", counterfactual(tail="[parameters]\nrus_refuse_prob = 0.985\n"))
    first = load_scenario("cf", folder)
    first.parameters["rus_refuse_prob"] = 0.1
    assert load_scenario("cf", folder).parameters == {"rus_refuse_prob": 0.985}


def test_cache_sees_edited_file(folder):
    path = write(folder, "cf", counterfactual(top='horizon_days = 20'))
    assert load_scenario("cf", folder).horizon_days == 20
    path.write_text(counterfactual(top='horizon_days = 25'))
    assert load_scenario("cf", folder).horizon_days == 25


# --------------------------------------------------------------------------- semantics
def test_episode_contents(folder):
    s = load_scenario("ep", folder)
    assert s.kind == "episode" and s.episode == "ep" and s.extends is None
    assert s.start_date == dt.date(2016, 1, 25) and s.horizon_days == 30
    assert s.state.talks is TalksState.NOT_STARTED and s.state.channel_open
    assert s.terrain.name == "t" and s.terrain.offensive_axis == ("b", "c")
    assert s.terrain.crossing == "a" and s.terrain.city == ("c",)
    assert [loc.name for loc in s.terrain.localities] == ["a", "b", "c", "d"]
    assert s.terrain.roads == (("a", "b"), ("b", "c"), ("c", "d"))
    assert s.files == (folder / "ep.toml", folder / "terrain" / "t.toml")
    assert s.interventions == ()


def test_symmetric_edges_both_ways(folder):
    s = load_scenario("ep", folder)
    assert Edge("USA", "RUS", "channel", 2.0, True) in s.edges
    assert Edge("RUS", "USA", "channel", 2.0, True) in s.edges
    assert Edge("RUS", "GOV", "backs", 1.0, True) in s.edges
    assert not any(e.source == "GOV" and e.target == "RUS" for e in s.edges)
    assert len(s.edges) == 4


def test_date_to_day(folder):
    write(folder, "ep2", episode(name="ep2", tail="""
[[schedule]]
day = 10
event = "offensive_start"
[[schedule]]
date = 2016-01-26
event = "channel_suspend"
"""))
    s = load_scenario("ep2", folder)
    assert [(e.day, e.event) for e in s.schedule] == [
        (1, "channel_suspend"), (4, "talks_open"), (10, "offensive_start")]
    assert s.day_of(dt.date(2016, 1, 29)) == 4 and s.date_of(4) == dt.date(2016, 1, 29)


def test_counterfactual_inherits_overrides_appends(folder):
    write(folder, "cf", counterfactual(top="horizon_days = 20", tail="""
[state]
channel = "suspended"
ceasefire = "in_effect"

[terrain]
offensive_axis = ["d"]
[terrain.control]
b = "GOV"

[parameters]
rus_refuse_prob = 0.985
opp_preconditions = 0

[[actor]]
code = "TUR"
label = "Turkey"
role = "backer"

[[edge]]
source = "TUR"
target = "OPP"
kind = "backs"
weight = 0.5
state = "closed"

[[schedule]]
date = 2016-01-30
event = "ceasefire_agreed"

[[intervention]]
kind = "force"
mechanism = "rus_strikes"
value = 0
from_date = 2016-01-29
to_day = 9

[[intervention]]
kind = "set"
parameter = "us_threat_after_days"
value = 3

[[intervention]]
kind = "edge"
source = "RUS"
target = "USA"
edge_kind = "channel"
state = "closed"
from_day = 5

[[intervention]]
kind = "schedule"
event = "jic_in_force"
date = 2016-02-01
"""))
    base = load_scenario("ep", folder)
    s = load_scenario("cf", folder)
    assert s.kind == "counterfactual" and s.extends == "ep" and s.episode == "ep"
    assert s.description == "A test counterfactual"
    assert s.start_date == base.start_date and s.horizon_days == 20
    # [state] key by key
    assert not s.state.channel_open and s.state.ceasefire is CeasefireState.IN_EFFECT
    assert s.state.talks is TalksState.NOT_STARTED and s.state.opp_present
    # terrain: control merged, axis replaced, file inherited
    control = {loc.name: loc.control for loc in s.terrain.localities}
    assert control == {"a": "OPP", "b": "GOV", "c": "OPP", "d": "GOV"}
    assert s.terrain.offensive_axis == ("d",)
    # appended
    assert s.edges[: len(base.edges)] == base.edges
    assert s.edges[-1] == Edge("TUR", "OPP", "backs", 0.5, False)
    assert [a.code for a in s.actors] == ["TUR"]
    assert [(e.day, e.event) for e in s.schedule] == [(4, "talks_open"), (5, "ceasefire_agreed")]
    assert s.parameters == {"rus_refuse_prob": 0.985, "opp_preconditions": 0.0}
    force, set_, edge, sched = s.interventions
    assert (force.kind, force.mechanism, force.value, force.from_day, force.to_day) == (
        "force", "rus_strikes", 0.0, 4, 9)
    assert force.active(4) and force.active(9) and not force.active(3) and not force.active(10)
    assert (set_.parameter, set_.value, set_.from_day, set_.to_day) == (
        "us_threat_after_days", 3.0, 0, None)
    assert (edge.source, edge.target, edge.edge_kind, edge.open, edge.from_day) == (
        "RUS", "USA", "channel", False, 5)
    assert (sched.event, sched.from_day) == ("jic_in_force", 7)
    assert force.origin == str(folder / "cf.toml")
    assert s.files == (folder / "ep.toml", folder / "cf.toml", folder / "terrain" / "t.toml")


def test_counterfactual_of_counterfactual(folder):
    write(folder, "cf", counterfactual(tail="[parameters]\nrus_refuse_prob = 0.985\n"
                                       "[terrain.control]\nb = \"GOV\"\n" + FORCE))
    write(folder, "cf2", counterfactual(name="cf2", extends="cf", tail="""
[parameters]
rus_halt_days = 5
[terrain.control]
c = "OTHER"
[[intervention]]
kind = "force"
mechanism = "envoy_pause"
value = 0
"""))
    s = load_scenario("cf2", folder)
    assert s.episode == "ep" and s.extends == "cf"
    assert s.parameters == {"rus_refuse_prob": 0.985, "rus_halt_days": 5.0}
    assert [i.mechanism for i in s.interventions] == ["rus_strikes", "envoy_pause"]
    assert [loc.control for loc in s.terrain.localities] == ["OPP", "GOV", "OTHER", "GOV"]
    assert [p.name for p in s.files] == ["ep.toml", "cf.toml", "cf2.toml", "t.toml"]
    infos = list_scenarios(folder)
    assert [(i.name, i.kind, i.extends) for i in infos] == [
        ("ep", "episode", None), ("cf", "counterfactual", "ep"), ("cf2", "counterfactual", "cf")]


def test_counterfactual_may_replace_terrain_file(folder):
    (folder / "terrain" / "u.toml").write_text(TERRAIN.replace('name = "t"', 'name = "u"'))
    write(folder, "cf", counterfactual(tail='[terrain]\nfile = "terrain/u.toml"\n'))
    s = load_scenario("cf", folder)
    assert s.terrain.name == "u" and s.terrain.offensive_axis == ("b", "c")
    assert s.files[-1] == folder / "terrain" / "u.toml"


def test_counterfactual_may_repeat_start_date(folder):
    write(folder, "cf", counterfactual(top="start_date = 2016-01-25"))
    assert load_scenario("cf", folder).start_date == dt.date(2016, 1, 25)


def test_counterfactual_outside_the_folder_extends_shipped(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(counterfactual(name="mine", extends="geneva_2016_02", tail=FORCE))
    s = load_scenario(path)
    assert s.episode == "geneva_2016_02" and s.files[1] == path


# --------------------------------------------------------------------------- errors: files
def test_unknown_scenario_name(folder):
    with pytest.raises(UserError) as info:
        load_scenario("nope", folder)
    msg = str(info.value)
    assert "nope" in msg and "allowed: ep" in msg and "\n" not in msg


def test_missing_path(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_scenario(tmp_path / "gone.toml")


def test_malformed_toml(folder):
    msg, path = error(folder, "bad", 'name = "bad"\nkind = "episode"\nhorizon_days = = 3\n')
    assert msg.startswith(f"{path}: line 3, column ")
    assert "malformed TOML" in msg and "\n" not in msg


def test_malformed_toml_invalid_date_literal(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "start_date = 2016-01-25", "start_date = 2016-02-30"))
    assert msg.startswith(f"{path}: line ") and "malformed TOML" in msg


def test_not_utf8(folder):
    (folder / "bad.toml").write_bytes(b'name = "\xff"\n')
    msg, path = error(folder, "bad")
    assert msg.startswith(f"{path}: ") and "UTF-8" in msg


def test_unknown_top_level_key(folder):
    msg, path = error(folder, "bad", episode(name="bad", top="colour = 3"))
    check(msg, path, "colour", "name", "horizon_days", "schedule")


def test_unknown_table_keys(folder):
    text = episode(name="bad").replace("opp_present = true", "opp_present = true\nmood = 1")
    msg, path = error(folder, "bad", text)
    check(msg, path, "state.mood", "talks", "opp_present")
    msg, path = error(folder, "bad", episode(name="bad", tail="""
[[edge]]
source = "USA"
target = "OPP"
kind = "backs"
weight = 1
colour = "red"
"""))
    check(msg, path, "edge[4].colour", "source", "weight", "state")
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "[terrain]", "[terrain]\nmap = 1"))
    check(msg, path, "terrain.map", "file", "offensive_axis", "control")


def test_missing_required_keys(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace("horizon_days = 30", ""))
    check(msg, path, "horizon_days", "horizon_days")
    assert "missing" in msg
    msg, path = error(folder, "bad", episode(name="bad").replace("ceasefire = \"none\"", ""))
    check(msg, path, "state.ceasefire", "talks")
    msg, path = error(folder, "bad", episode(name="bad").replace("weight = 2.0", ""))
    check(msg, path, "edge[2].weight")
    msg, path = error(folder, "bad", episode(name="bad").replace('kind = "episode"', ""))
    check(msg, path, "kind", "episode, counterfactual")


def test_wrong_types(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace("horizon_days = 30",
                                                                  'horizon_days = "30"'))
    check(msg, path, "horizon_days", "1..366")
    assert "string" in msg
    msg, path = error(folder, "bad", episode(name="bad").replace("offensive = false",
                                                                  'offensive = "no"'))
    check(msg, path, "state.offensive", "true, false")
    msg, path = error(folder, "bad", episode(name="bad", state="state = 3"))
    check(msg, path, "state", "[state]")
    msg, path = error(folder, "bad", counterfactual(name="bad", top="edge = 3"))
    check(msg, path, "edge", "[[edge]]")
    msg, path = error(folder, "bad", episode(name="bad").replace('weight = 2.0', 'weight = "2"'))
    check(msg, path, "edge[2].weight", "> 0 and <= 10")
    msg, path = error(folder, "bad", episode(name="bad").replace(
        'description = "A test episode"', 'description = """two\nlines"""'))
    check(msg, path, "description", "one")
    msg, path = error(folder, "bad", episode(name="bad", tail="[parameters]\nrus_refuse_prob = true\n"))
    check(msg, path, "parameters.rus_refuse_prob", "[0.98, 0.9999]")


def test_name_must_match_file(folder):
    msg, path = error(folder, "bad", episode(name="other"))
    check(msg, path, "name", "'bad'")


def test_bad_kind(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('"episode"', '"baseline"'))
    check(msg, path, "kind", "episode, counterfactual")


def test_episode_with_extends(folder):
    msg, path = error(folder, "bad", episode(name="bad", top='extends = "ep"'))
    check(msg, path, "extends")
    assert "episode" in msg


def test_episode_with_intervention(folder):
    msg, path = error(folder, "bad", episode(name="bad", tail=FORCE))
    check(msg, path, "intervention")


def test_counterfactual_without_extends(folder):
    text = counterfactual(name="bad").replace('extends = "ep"', "")
    msg, path = error(folder, "bad", text)
    check(msg, path, "extends")


def test_extends_missing_scenario(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", extends="nowhere"))
    check(msg, path, "extends", "ep")
    assert "nowhere" in msg


def test_extends_cycle(folder):
    write(folder, "a", counterfactual(name="a", extends="b"))
    write(folder, "b", counterfactual(name="b", extends="a"))
    msg, path = error(folder, "a")
    assert "a -> b -> a" in msg
    assert msg.startswith(f"{folder / 'b.toml'}: extends: ")
    msg, path = error(folder, "c", counterfactual(name="c", extends="c"))
    check(msg, path, "extends")
    assert "c -> c" in msg


def test_bad_dates(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "start_date = 2016-01-25", 'start_date = "2016-02-30"'))
    check(msg, path, "start_date", "TOML date")
    assert "'2016-02-30' is not a valid date" in msg
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "start_date = 2016-01-25", 'start_date = "2016-01-25"'))
    check(msg, path, "start_date", "no quotes")
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "start_date = 2016-01-25", "start_date = 2016-01-25T10:00:00"))
    check(msg, path, "start_date", "TOML date")
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "date = 2016-01-29", 'date = "2016-01-32"'))
    check(msg, path, "schedule[1].date", "TOML date")


@pytest.mark.parametrize("horizon", [0, 367, -5])
def test_horizon_range(folder, horizon):
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "horizon_days = 30", f"horizon_days = {horizon}"))
    check(msg, path, "horizon_days", "1..366")


def test_state_values(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('talks = "not_started"',
                                                                  'talks = "open"'))
    check(msg, path, "state.talks", "not_started", "in_session", "paused", "collapsed")
    msg, path = error(folder, "bad", episode(name="bad").replace('ceasefire = "none"',
                                                                  'ceasefire = "holding"'))
    check(msg, path, "state.ceasefire", "none", "agreed", "in_effect", "collapsed")
    msg, path = error(folder, "bad", episode(name="bad").replace('channel = "open"',
                                                                  'channel = "closed"'))
    check(msg, path, "state.channel", "open, suspended")


def test_unknown_actor_in_edge(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('source = "RUS"',
                                                                  'source = "IRN"', 1))
    check(msg, path, "edge[1].source", "ENVOY", "GOV", "OPP", "RUS", "USA", "OTHER")
    assert "IRN" in msg


def test_edge_to_itself(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('target = "GOV"',
                                                                  'target = "RUS"', 1))
    check(msg, path, "edge[1].target")


ACTOR = """
[[actor]]
code = "{code}"
label = "Someone"
role = "{role}"
"""


@pytest.mark.parametrize("code", ["tur", "T", "TOOLONGCODE", "TU1", "GOV", "OTHER"])
def test_bad_actor_codes(folder, code):
    msg, path = error(folder, "bad", episode(name="bad", tail=ACTOR.format(code=code, role="backer")))
    check(msg, path, "actor[1].code", "capital letters")


def test_duplicate_actor_code(folder):
    write(folder, "cf", counterfactual(tail=ACTOR.format(code="TUR", role="backer")))
    msg, path = error(folder, "bad", counterfactual(name="bad", extends="cf",
                                                    tail=ACTOR.format(code="TUR", role="backer")))
    check(msg, path, "actor[1].code")
    assert "TUR" in msg and "twice" in msg
    msg, path = error(folder, "bad", episode(name="bad", tail=ACTOR.format(code="TUR", role="backer")
                                             + ACTOR.format(code="TUR", role="backer")))
    check(msg, path, "actor[2].code")


def test_actor_role(folder):
    msg, path = error(folder, "bad", episode(name="bad", tail=ACTOR.format(code="TUR", role="spoiler")))
    check(msg, path, "actor[1].role", "backer")


def test_extra_actor_can_have_edges(folder):
    write(folder, "ok", episode(name="ok", tail=ACTOR.format(code="TUR", role="backer") + """
[[edge]]
source = "TUR"
target = "OPP"
kind = "backs"
weight = 1
"""))
    assert Edge("TUR", "OPP", "backs", 1.0, True) in load_scenario("ok", folder).edges


def test_edge_kind(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('kind = "mediates"',
                                                                  'kind = "talks_to"'))
    check(msg, path, "edge[3].kind", "backs, mediates, channel, fights")


@pytest.mark.parametrize("weight", ["0", "-1", "10.5", "nan", "inf"])
def test_edge_weight(folder, weight):
    msg, path = error(folder, "bad", episode(name="bad").replace("weight = 2.0", f"weight = {weight}"))
    check(msg, path, "edge[2].weight", "> 0 and <= 10")


def test_edge_weight_ten_is_fine(folder):
    write(folder, "ok", episode(name="ok").replace("weight = 2.0", "weight = 10"))
    assert load_scenario("ok", folder).edges[1].weight == 10.0


def test_edge_state(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace(
        "weight = 2.0", 'weight = 2.0\nstate = "shut"'))
    check(msg, path, "edge[2].state", "open, closed")


def test_duplicate_edges(folder):
    msg, path = error(folder, "bad", episode(name="bad", tail="""
[[edge]]
source = "RUS"
target = "GOV"
kind = "backs"
weight = 3.0
"""))
    check(msg, path, "edge[4]", "once")
    assert "RUS -> GOV" in msg
    msg, path = error(folder, "bad", episode(name="bad", tail="""
[[edge]]
source = "RUS"
target = "USA"
kind = "channel"
weight = 3.0
"""))
    check(msg, path, "edge[4]")
    assert "RUS -> USA" in msg and "symmetric" in msg
    msg, path = error(folder, "bad", counterfactual(name="bad", tail="""
[[edge]]
source = "ENVOY"
target = "OPP"
kind = "mediates"
weight = 1.0
"""))
    check(msg, path, "edge[1]")


# --------------------------------------------------------------------------- errors: terrain
def test_terrain_file_missing(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace("terrain/t.toml",
                                                                  "terrain/nowhere.toml"))
    check(msg, path, "terrain.file", "terrain/t.toml")


def test_terrain_section_missing(folder):
    msg, path = error(folder, "bad", episode(name="bad", terrain=""))
    check(msg, path, "terrain")
    msg, path = error(folder, "bad", episode(name="bad", terrain="[terrain]\n"))
    check(msg, path, "terrain.file")


def terrain_error(folder: Path, text: str) -> tuple[str, Path]:
    tpath = folder / "terrain" / "t.toml"
    tpath.write_text(text)
    msg, _ = error(folder, "ep")
    return msg, tpath


def test_terrain_malformed(folder):
    msg, tpath = terrain_error(folder, TERRAIN + "\n[[road]\n")
    assert msg.startswith(f"{tpath}: line ") and "malformed TOML" in msg


def test_terrain_unknown_key(folder):
    msg, tpath = terrain_error(folder, 'rivers = 2\n' + TERRAIN)
    check(msg, tpath, "rivers", "crossing", "locality", "road")
    msg, tpath = terrain_error(folder, TERRAIN.replace('label = "B"', 'label = "B"\nheight = 3'))
    check(msg, tpath, "locality[2].height", "population", "kind")


def test_terrain_name_matches_file(folder):
    msg, tpath = terrain_error(folder, TERRAIN.replace('name = "t"', 'name = "x"'))
    check(msg, tpath, "name", "'t'")


def test_duplicate_locality(folder):
    msg, tpath = terrain_error(folder, TERRAIN.replace('name = "d"', 'name = "c"'))
    check(msg, tpath, "locality[4].name", "unique")


@pytest.mark.parametrize("bad", ["B", "1b", "b-c", "b c", "_b"])
def test_locality_identifier(folder, bad):
    msg, tpath = terrain_error(folder, TERRAIN.replace('name = "d"', f'name = "{bad}"'))
    check(msg, tpath, "locality[4].name", "^[a-z][a-z0-9_]*$")


def test_locality_control(folder):
    msg, tpath = terrain_error(folder, TERRAIN.replace('control = "GOV"', 'control = "ISIS"'))
    check(msg, tpath, "locality[4].control", "GOV, OPP, OTHER")


def test_locality_kind(folder):
    msg, tpath = terrain_error(folder, TERRAIN.replace('kind = "town"', 'kind = "village"'))
    check(msg, tpath, "locality[2].kind", "town", "city", "crossing", "enclave", "camp", "junction")


@pytest.mark.parametrize("population", ["-1", "2.5", '"many"'])
def test_locality_population(folder, population):
    msg, tpath = terrain_error(folder, TERRAIN.replace("population = 20", f"population = {population}"))
    check(msg, tpath, "locality[2].population", ">= 0")


def test_unknown_locality_in_road(folder):
    msg, tpath = terrain_error(folder, TERRAIN.replace('between = ["c", "d"]', 'between = ["c", "z"]'))
    check(msg, tpath, "road[3].between", "a, b, c, d")
    msg, tpath = terrain_error(folder, TERRAIN.replace('between = ["c", "d"]', 'between = ["c"]'))
    check(msg, tpath, "road[3].between")
    msg, tpath = terrain_error(folder, TERRAIN + '[[road]]\nbetween = ["b", "a"]\n')
    check(msg, tpath, "road[4].between", "once")


def test_crossing_and_city_are_localities(folder):
    msg, tpath = terrain_error(folder, TERRAIN.replace('crossing = "a"', 'crossing = "zz"'))
    check(msg, tpath, "crossing", "a, b, c, d")
    msg, tpath = terrain_error(folder, TERRAIN.replace('city = ["c"]', 'city = ["c", "zz"]'))
    check(msg, tpath, "city", "a, b, c, d")
    msg, tpath = terrain_error(folder, TERRAIN.replace('city = ["c"]', 'city = "c"'))
    check(msg, tpath, "city")


def test_unknown_locality_in_control_override(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace(
        'offensive_axis = ["b", "c"]', 'offensive_axis = ["b", "c"]\n[terrain.control]\nzz = "GOV"'))
    check(msg, path, "terrain.control.zz", "a, b, c, d")
    msg, path = error(folder, "bad", counterfactual(name="bad", tail='[terrain.control]\nzz = "GOV"\n'))
    check(msg, path, "terrain.control.zz", "a, b, c, d")


def test_control_override_value(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail='[terrain.control]\nb = "gov"\n'))
    check(msg, path, "terrain.control.b", "GOV, OPP, OTHER")


def test_unknown_locality_in_axis(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('["b", "c"]', '["b", "zz"]'))
    check(msg, path, "terrain.offensive_axis", "a, b, c, d")
    msg, path = error(folder, "bad", episode(name="bad").replace('["b", "c"]', '["b", "b"]'))
    check(msg, path, "terrain.offensive_axis", "once")
    msg, path = error(folder, "bad", episode(name="bad").replace('["b", "c"]', '"b"'))
    check(msg, path, "terrain.offensive_axis")


# --------------------------------------------------------------------------- errors: parameters
def test_unknown_parameter(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail="[parameters]\nrus_mood = 1\n"))
    check(msg, path, "parameters.rus_mood", "rus_strike_rate", "harm_per_strike")


def test_parameter_out_of_range(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail="[parameters]\nrus_refuse_prob = 1.5\n"))
    check(msg, path, "parameters.rus_refuse_prob", "[0.98, 0.9999]")
    assert "rus_refuse_prob" in msg


# --------------------------------------------------------------------------- errors: interventions
def iv(body: str) -> str:
    return f"[[intervention]]\n{body}\n"


def test_intervention_kind(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=FORCE + iv('kind = "nudge"')))
    check(msg, path, "intervention[2].kind", "force, set, edge, schedule")
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv('mechanism = "jic"')))
    check(msg, path, "intervention[1].kind", "force, set, edge, schedule")


@pytest.mark.parametrize("kind,body,bad_key,allowed", [
    ("force", 'mechanism = "jic"\nvalue = 1\nparameter = "x"', "parameter", "mechanism, value"),
    ("set", 'parameter = "rus_refuse_prob"\nvalue = 1\nmechanism = "jic"', "mechanism", "parameter, value"),
    ("edge", 'source = "USA"\ntarget = "RUS"\nedge_kind = "channel"\nstate = "open"\nvalue = 1',
     "value", "edge_kind, state"),
    ("schedule", 'event = "talks_open"\nday = 1\nfrom_day = 2', "from_day", "event, day, date"),
])
def test_intervention_keys_by_kind(folder, kind, body, bad_key, allowed):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(f'kind = "{kind}"\n{body}')))
    check(msg, path, f"intervention[1].{bad_key}", allowed)


@pytest.mark.parametrize("kind,body,missing", [
    ("force", 'value = 1', "mechanism"),
    ("force", 'mechanism = "jic"', "value"),
    ("set", 'value = 1', "parameter"),
    ("edge", 'source = "USA"\ntarget = "RUS"\nedge_kind = "channel"', "state"),
    ("schedule", 'day = 3', "event"),
    ("schedule", 'event = "talks_open"', "day"),
])
def test_intervention_missing_keys(folder, kind, body, missing):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(f'kind = "{kind}"\n{body}')))
    check(msg, path, f"intervention[1].{missing}")


def test_force_unknown_mechanism(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "force"\nmechanism = "rus_mood"\nvalue = 0')))
    check(msg, path, "intervention[1].mechanism", "rus_strikes", "envoy_pause", "jic")


@pytest.mark.parametrize("mechanism,value,allowed", [
    ("envoy_pause", "1.5", "[0, 1]"),
    ("jic", "-0.1", "[0, 1]"),
    ("rus_strikes", "-1", "[0, 1000]"),
    ("rus_strikes", '"none"', "[0, 1000]"),
    ("rus_strikes", "true", "[0, 1000]"),
])
def test_forced_value(folder, mechanism, value, allowed):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        f'kind = "force"\nmechanism = "{mechanism}"\nvalue = {value}')))
    check(msg, path, "intervention[1].value", allowed)
    assert mechanism in msg or "number" in msg


def test_set_parameter(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "set"\nparameter = "us_mood"\nvalue = 1')))
    check(msg, path, "intervention[1].parameter", "us_threat_prob")
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "set"\nparameter = "us_threat_after_days"\nvalue = 40')))
    check(msg, path, "intervention[1].value", "[1, 25]")
    assert "us_threat_after_days" in msg


def test_edge_intervention_needs_existing_edge(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "edge"\nsource = "USA"\ntarget = "OPP"\nedge_kind = "backs"\nstate = "closed"')))
    check(msg, path, "intervention[1]", "RUS->GOV backs", "USA->RUS channel")
    assert "no edge USA -> OPP (backs)" in msg
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "edge"\nsource = "USA"\ntarget = "RUS"\nedge_kind = "channel"\nstate = "shut"')))
    check(msg, path, "intervention[1].state", "open, closed")
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "edge"\nsource = "USA"\ntarget = "RUS"\nedge_kind = "chat"\nstate = "open"')))
    check(msg, path, "intervention[1].edge_kind", "backs, mediates, channel, fights")
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "edge"\nsource = "IRN"\ntarget = "RUS"\nedge_kind = "channel"\nstate = "open"')))
    check(msg, path, "intervention[1].source", "ENVOY", "OTHER")


def test_edge_intervention_on_edge_added_later_in_chain(folder):
    write(folder, "cf", counterfactual(tail=ACTOR.format(code="TUR", role="backer") + """
[[edge]]
source = "TUR"
target = "OPP"
kind = "backs"
weight = 1
""" + iv('kind = "edge"\nsource = "TUR"\ntarget = "OPP"\nedge_kind = "backs"\nstate = "closed"\nfrom_day = 3')))
    s = load_scenario("cf", folder)
    assert s.interventions[0].open is False and s.interventions[0].from_day == 3


def test_schedule_intervention_event(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "schedule"\nevent = "peace"\nday = 3')))
    check(msg, path, "intervention[1].event", "talks_open", "jic_in_force")


@pytest.mark.parametrize("bounds,key,allowed", [
    ("from_day = 30", "intervention[1].from_day", "days 0..29"),
    ("to_day = 30", "intervention[1].to_day", "days 0..29"),
    ("from_date = 2016-01-24", "intervention[1].from_date", "2016-01-25..2016-02-23"),
    ("to_date = 2016-02-24", "intervention[1].to_date", "days 0..29"),
    ("from_day = -1", "intervention[1].from_day", ">= 0"),
    ("from_day = 1.5", "intervention[1].from_day", ">= 0"),
    ("from_day = 10\nto_day = 9", "intervention[1].to_day", "days 10..29"),
    ("from_day = 10\nto_date = 2016-01-26", "intervention[1].to_date", "days 10..29"),
    ("from_day = 1\nfrom_date = 2016-01-26", "intervention[1].from_date", "from_day"),
    ("to_day = 1\nto_date = 2016-01-26", "intervention[1].to_date", "to_day"),
    ('from_date = "2016-02-30"', "intervention[1].from_date", "TOML date"),
])
def test_intervention_day_ranges(folder, bounds, key, allowed):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=FORCE + bounds + "\n"))
    check(msg, path, key, allowed)


def test_schedule_intervention_day_and_date(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "schedule"\nevent = "talks_open"\nday = 3\ndate = 2016-01-28')))
    check(msg, path, "intervention[1].date", "day")
    msg, path = error(folder, "bad", counterfactual(name="bad", tail=iv(
        'kind = "schedule"\nevent = "talks_open"\nday = 30')))
    check(msg, path, "intervention[1].day", "days 0..29")


def test_day_ranges_use_the_merged_horizon(folder):
    write(folder, "ok", counterfactual(name="ok", top="horizon_days = 40",
                                       tail=FORCE + "from_day = 35\n"))
    assert load_scenario("ok", folder).interventions[0].from_day == 35
    write(folder, "cf", counterfactual(tail=FORCE + "from_day = 25\n"))
    msg, _ = error(folder, "bad", counterfactual(name="bad", extends="cf", top="horizon_days = 20"))
    check(msg, folder / "cf.toml", "intervention[1].from_day", "days 0..19", "bad.toml")


def test_intervention_table_of_wrong_type(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", top='intervention = "force"'))
    check(msg, path, "intervention", "[[intervention]]")


# --------------------------------------------------------------------------- errors: schedule
def test_schedule_event(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace('event = "talks_open"',
                                                                  'event = "talks_begin"'))
    check(msg, path, "schedule[1].event", "talks_open", "ceasefire_agreed", "jic_in_force")


def test_schedule_days(folder):
    msg, path = error(folder, "bad", episode(name="bad").replace("date = 2016-01-29",
                                                                  "date = 2016-03-29"))
    check(msg, path, "schedule[1].date", "days 0..29")
    assert "day 64" in msg
    msg, path = error(folder, "bad", episode(name="bad").replace("date = 2016-01-29", "day = 30"))
    check(msg, path, "schedule[1].day", "days 0..29")
    msg, path = error(folder, "bad", episode(name="bad").replace("date = 2016-01-29",
                                                                  "date = 2016-01-29\nday = 4"))
    check(msg, path, "schedule[1].date", "day")
    msg, path = error(folder, "bad", episode(name="bad").replace("date = 2016-01-29", ""))
    check(msg, path, "schedule[1].day", "date")


def test_counterfactual_keeps_start_date(folder):
    msg, path = error(folder, "bad", counterfactual(name="bad", top="start_date = 2016-02-01"))
    check(msg, path, "start_date", "2016-01-25")
    assert "keeps its episode's start date" in msg


# --------------------------------------------------------------------------- listing
def test_list_scenarios_names_a_broken_file(folder):
    write(folder, "zz_broken", counterfactual(name="zz_broken", tail=iv('kind = "nudge"')))
    with pytest.raises(UserError) as info:
        list_scenarios(folder)
    assert str(folder / "zz_broken.toml") in str(info.value)


def test_list_scenarios_skips_terrain_folder(folder):
    assert [i.name for i in list_scenarios(folder)] == ["ep"]


def test_list_scenarios_missing_folder(tmp_path):
    with pytest.raises(UserError, match="not found"):
        list_scenarios(tmp_path / "none")


# --------------------------------------------------------------------------- command line
def test_cli_lists_scenarios():
    proc = subprocess.run([sys.executable, "run.py", "scenarios"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in SHIPPED:
        assert name in proc.stdout


def test_cli_bad_scenario_folder_listing(folder):
    write(folder, "zz_broken", "name = \n")
    proc = subprocess.run([sys.executable, "run.py", "scenarios", "--dir", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "zz_broken.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_simulate_bad_scenario(folder):
    pytest.importorskip("sim.experiments.runs")
    path = write(folder, "bad", counterfactual(name="bad", extends="geneva_2016_02",
                                               tail=iv('kind = "force"\nmechanism = "jic"\nvalue = 2')))
    proc = subprocess.run([sys.executable, "run.py", "simulate", "--scenario", str(path),
                           "--seed", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "intervention[1].value" in proc.stderr


# --------------------------------------------------------------------------- headline outcome
def test_a_counterfactual_names_its_headline_outcome_and_an_episode_cannot(folder):
    write(folder, "cf", counterfactual(top='headline_outcome = "talks_paused"', tail=FORCE))
    assert load_scenario("cf", folder).headline_outcome == "talks_paused"
    write(folder, "cf2", counterfactual(name="cf2", extends="cf"))
    assert load_scenario("cf2", folder).headline_outcome == "talks_paused"  # inherited along the chain
    msg, path = error(folder, "bad", counterfactual(name="bad", top='headline_outcome = "peace"', tail=FORCE))
    check(msg, path, "headline_outcome", "talks_paused", "channel_suspended")
    assert "horizon_days" not in msg  # not an effect anyone asks about
    msg, path = error(folder, "ep", episode(top='headline_outcome = "talks_paused"'))
    check(msg, path, "headline_outcome", "start_date")


def test_every_shipped_counterfactual_names_a_headline_outcome():
    for name in COUNTERFACTUALS:
        assert load_scenario(name).headline_outcome is not None, name
