"""Every rule is tested alone, and every rule's decision keeps to its declaration.

- Each `tests/test_rules_alone_<actor>.py` names the rules it covers (`RULES_TESTED`) and holds
  at least two tests `test_<rule>_...` for each; together they cover `sim.model.rules.RULES`
  exactly, so a new rule without tests of its own fails here.
- Called alone on a spread of hand-built situations with low, middle and high uniforms, forced
  and not, every decision (issue 9: "a rule reads only its Situation, plus its parameters and
  its random stream"): changes neither the situation, the world nor the parameters, gives the
  same actions for the same inputs, and makes only actions of its own name with effects and
  events it declares; and its compiled source reads no more uniforms than its `draws_per_day`.
"""

from __future__ import annotations

import ast
import copy
import importlib
import re
from pathlib import Path

import pytest
from situations import HIGH, LOW, decide, inbox, params, situation, world
from test_rule_reads import FUNCTIONS

from sim.model.rules import RULES, Quantity
from sim.model.rules.world_rules import EVENING
from sim.scenario_types import CeasefireState, TalksState

MODULES = sorted(p.stem for p in Path(__file__).parent.glob("test_rules_alone_*.py") if p.stem != Path(__file__).stem)


def covered() -> dict[str, str]:
    """rule -> the module that tests it."""
    found: dict[str, str] = {}
    for name in MODULES:
        for rule in importlib.import_module(name).RULES_TESTED:
            assert rule not in found, f"{rule} is claimed by {found[rule]} and {name}"
            found[rule] = name
    return found


def test_every_rule_is_tested_alone():
    assert set(covered()) == set(RULES), (
        f"without tests: {sorted(set(RULES) - set(covered()))}; unknown: {sorted(set(covered()) - set(RULES))}")


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_has_tests_of_its_own(rule):
    module = importlib.import_module(covered()[rule])
    own = [name for name in dir(module) if re.fullmatch(rf"test_{rule}_\w+", name)]
    assert len(own) >= 2, f"{rule}: {own}"


EVERY_CODE = [(src, code) for src in ("ENVOY", "USA", "OPP", "GOV", "RUS", "TUR")
              for code in ("0256", "020", "022", "134", "112", "164", "0232")]
SITUATIONS = [
    situation(),
    situation(day=0, strikes=(), talks=TalksState.NOT_STARTED),
    situation(strike_level=300, offensive=True, opp_present=False, ultimatum_running=True, ultimatum_expired=True,
              rus_strikes_yesterday=80, lost_yesterday=("front",), lost_held=(("bare", 5), ("front", 9)),
              inbox=inbox(RUS=EVERY_CODE, GOV=EVERY_CODE, USA=EVERY_CODE, TUR=EVERY_CODE),
              opp_backers=("USA", "TUR"), envoy_reach=("RUS", "TUR", "USA"), backers=("TUR", "USA"),
              air_support=150, support_until=12, rus_halt_until=11, pressure_received=((8, "134", 1.0),),
              opp_walked_out_yesterday=True, talks_paused_yesterday=True),
    situation(ceasefire=CeasefireState.IN_EFFECT, jic=True, monitored=True, strike_level=30, escalation_days=20,
              us_threat_day=3, rus_strikes_yesterday=10, last_envoy_ceasefire_call=9, lost_held=(("front", 8),),
              grievance=((8, 1.0), (9, 10.0)), quiet_streak=20, round_end_due=5),
    situation(talks=TalksState.PAUSED, resume_due=4, opp_present=False, ceasefire=CeasefireState.COLLAPSED,
              ceasefire_collapse_day=6, axis_target="front", strike_level=10, channel_open=False, us_threat_day=1),
    situation(talks=TalksState.PAUSED, resume_due=4, round_scheduled_day=9, ceasefire=CeasefireState.TERMS,
              ceasefire_accepted=True, strike_level=200, escalation_days=30),
    situation(talks=TalksState.PAUSED, resume_due=4, round_scheduled_day=12, ceasefire=CeasefireState.COLLAPSED,
              strike_level=200, escalation_days=30, axis_target=None, offensive=True),
]
WORLDS = [
    world(),
    world(ceasefire=CeasefireState.AGREED, ceasefire_agreed_day=7),
    world(ceasefire=CeasefireState.TERMS, ceasefire_agreed_day=3, ceasefire_terms_day=7, ceasefire_effect_due=10),
    world(ceasefire=CeasefireState.TERMS, ceasefire_agreed_day=3, ceasefire_terms_day=7, ceasefire_effect_due=10,
          ceasefire_accepted_by=("GOV",)),
    world(ceasefire=CeasefireState.COLLAPSED, strikes=[300] * 11, offensive=False),
    world(ceasefire=CeasefireState.IN_EFFECT, ceasefire_effect_day=3, quiet_streak=9, violations=[40] * 11,
          rus_strikes=[30] * 11, gov_strikes=[30] * 11),
    world(ceasefire=CeasefireState.COLLAPSED, talks=TalksState.PAUSED, opp_present=False, rus_strikes=[50] * 11),
]
UNIFORMS = [LOW, 0.3, 0.5, HIGH]


def calls(rule):
    """(situation, world, u, forced) covering every branch of a rule."""
    k = rule.draws_per_day
    forcings = [None, 0.0, 1.0] if rule.quantity is Quantity.PROBABILITY else [None, 0.0, 25.0]
    worlds = WORLDS if rule.name in EVENING else [None]
    for s in SITUATIONS:
        for w in worlds:
            for x in UNIFORMS:
                for forced in forcings:
                    yield s, w, [x] * k, forced
            yield s, w, [LOW, HIGH, LOW, HIGH][:k], None
            yield s, w, [HIGH, LOW, HIGH, LOW][:k], None


def allowed(rule, event) -> bool:
    src, tgt, code, _ = event
    return any(code == c and s in (src, "BACKER") and t in (tgt, "BACKER") for s, t, c in rule.emits)


def inputs(s):
    """A comparable deep copy of a situation (the strike targets by their content)."""
    targets = s.strike_targets
    return copy.deepcopy(s._replace(strike_targets=(targets.localities, targets.axis_target)))


DECIDING = [name for name, rule in RULES.items() if rule.decide is not None]


@pytest.mark.parametrize("name", DECIDING)
def test_every_decision_keeps_to_its_declaration(name):
    rule = RULES[name]
    declared_effects = {effect.name for effect in rule.effects}
    backers = ["USA", "TUR"] if rule.actor == "BACKER" else [None]
    for s, w, u, forced in calls(rule):
        for backer in backers:
            p = params()
            before = (inputs(s), copy.deepcopy(w), dict(p))
            actions = decide(name, s, p, u, forced, w, backer)
            assert (inputs(s), w, p) == before, f"{name} changed its inputs"
            assert actions == decide(name, s, p, list(u), forced, copy.deepcopy(w), backer), f"{name}: not pure"
            for action in actions:
                assert action.rule == name
                assert action.effect is None or action.effect in declared_effects, (name, action.effect)
                for event in action.events:
                    assert allowed(rule, event), f"{name} emits undeclared {event[:3]}"


def _uniform_indices(function: ast.FunctionDef) -> list[ast.expr]:
    """The indices a compiled decision reads its uniforms `u` at."""
    return [node.slice for node in ast.walk(function)
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "u"]


@pytest.mark.parametrize("name", DECIDING)
def test_every_decision_draws_no_more_than_its_draws_per_day(name):
    """Read in the compiled decision's source (compiled code reads past an array's end without
    an error): every uniform it reads is one of its `draws_per_day`, at a constant index below
    it or at an index taken modulo the day's uniforms."""
    rule = RULES[name]
    indices = _uniform_indices(FUNCTIONS[rule.decide])
    assert indices, f"{name} reads none of its uniforms"
    for index in indices:
        if isinstance(index, ast.Constant):
            assert 0 <= index.value < rule.draws_per_day, f"{name} reads u[{index.value}] of {rule.draws_per_day}"
        else:
            assert isinstance(index, ast.BinOp) and isinstance(index.op, ast.Mod) and \
                ast.unparse(index.right) == "u.shape[0]", f"{name} reads u[{ast.unparse(index)}]"
