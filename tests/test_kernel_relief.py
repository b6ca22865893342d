"""The relief of a siege names its enclaves on any terrain a file may hold.

The compiled effect records the relieved enclaves as one bit each (by their place among the
terrain's enclaves), and the text is rebuilt from those bits. On a terrain of 70 localities
whose enclaves come after the 64th, both paths (the Mesa model's event log and a study's
event table) name them; a terrain with more enclaves than the bits hold is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_input_errors import one_line
from test_scenarios import check, counterfactual, episode

from sim.errors import UserError
from sim.experiments.design import Task
from sim.experiments.tasks import run_task
from sim.model.model import DiplomacyModel
from sim.scenario_types import MAX_ENCLAVES
from sim.scenarios import load_scenario

FILLERS = 66  # opposition towns in a chain, listed before the enclaves (indices 2..67)
RELIEF = "breaks the siege of Nubl and Zahraa"


def _locality(name: str, label: str, control: str, kind: str, population: int = 1000) -> str:
    return (f'[[locality]]\nname = "{name}"\nlabel = "{label}"\npopulation = {population}\n'
            f'control = "{control}"\nkind = "{kind}"\n')


def _terrain(enclaves: tuple[str, ...] = ("nubl", "zahraa")) -> str:
    """The government's city `west`; `front` (the opposition's, the offensive's target) between
    it and the government-held enclaves, which only `front` reaches; a chain of opposition
    towns from the crossing to the opposition's city district."""
    fillers = [f"f{i:02d}" for i in range(FILLERS)]
    parts = [f'name = "big"\ncrossing = "{fillers[-1]}"\ncity = ["{fillers[0]}"]\n',
             _locality("west", "West", "GOV", "city"), _locality("front", "Front", "OPP", "town")]
    parts += [_locality(name, name.upper(), "OPP", "town") for name in fillers]
    parts += [_locality(name, name.capitalize(), "GOV", "enclave") for name in enclaves]
    roads = [("west", "front"), *((a, b) for a, b in zip(fillers, fillers[1:])), ("west", fillers[0])]
    roads += [("front", name) for name in enclaves]
    parts += [f'[[road]]\nbetween = ["{a}", "{b}"]\n' for a, b in roads]
    return "\n".join(parts)


#: An offensive under way on the large terrain (the test episode's actors and schedule).
EPISODE = episode(name="relief", state="""
[state]
talks = "not_started"
ceasefire = "none"
channel = "open"
offensive = true
opp_present = true
""", terrain="""
[terrain]
file = "terrain/big.toml"
offensive_axis = ["front"]
""")
#: The offensive forced to take its next target every day.
FORCED = counterfactual(name="relief_forced", extends="relief", tail="""
[[intervention]]
kind = "force"
mechanism = "gov_offensive"
value = 1.0
""")


def _folder(tmp_path: Path, terrain: str) -> Path:
    folder = tmp_path / "scenarios"
    (folder / "terrain").mkdir(parents=True)
    (folder / "terrain" / "big.toml").write_text(terrain)
    (folder / "relief.toml").write_text(EPISODE)
    (folder / "relief_forced.toml").write_text(FORCED)
    return folder


def test_a_relief_past_the_64th_locality_names_its_enclaves(tmp_path):
    scenario = load_scenario("relief_forced", _folder(tmp_path, _terrain()))
    names = [loc.name for loc in scenario.terrain.localities]
    assert len(names) == 70 and names.index("nubl") >= 64
    model = DiplomacyModel(scenario, rng=1).run()
    texts = [str(text) for _, source, _, code, _, text in model.event_log if (source, code) == ("GOV", "190")]
    assert RELIEF in texts
    assert model.terrain.control["front"] == "GOV"
    task = Task("t", scenario, (0,), (1,), (-1,), ({},), events=True)
    result = run_task(task)
    assert result.engine == "kernel"
    assert RELIEF in [str(t) for t in result.events["trigger"].to_pylist()]


def test_a_terrain_with_more_enclaves_than_a_relief_can_name_is_refused(tmp_path):
    enclaves = tuple(f"e{i:02d}" for i in range(MAX_ENCLAVES + 1))
    folder = _folder(tmp_path, _terrain(enclaves))
    with pytest.raises(UserError) as info:
        load_scenario("relief", folder)
    check(one_line(info), folder / "terrain" / "big.toml", "locality", f"at most {MAX_ENCLAVES} enclaves")
