"""Every rule reads exactly the parameters it declares (so the generated docs table is true).

The rules are written once, compiled (`sim.kernel`), where a parameter is read only as
`p[P.<name>]`. This test reads the kernel's source: for each rule, the parameters its decision
reads, with every kernel function it calls (transitively), must be the ones it declares (for
`civilian_harm`, a measurement, those its harm function reads). Pressure on Russia is weighed
through a table of parameters by CAMEO code (`PRESSURE_PARAMETER_OF_CODE`), which counts as
reading each of them; the morning's mean strikes S (`SF.seen_strikes_mean`, computed once a day
for every rule that reads it) counts as reading its window, `violence_window_days`. Recording an event (`emit`: the log, and the pressure it puts on
Russia) is the world's, not the deciding rule's.
"""

from __future__ import annotations

import ast
import inspect

import pytest

from sim.kernel import effects, engine, rules, world
from sim.model.rules import RULES
from sim.model.rules.russia import PRESSURE_PARAMETERS

MODULES = (rules, effects, world, engine)


def _functions() -> dict[str, ast.FunctionDef]:
    found: dict[str, ast.FunctionDef] = {}
    for module in MODULES:
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = node
    return found


FUNCTIONS = _functions()


def _reads_and_calls(node: ast.AST) -> tuple[set[str], set[str]]:
    """The parameters `node` reads directly (`P.name`, the pressure table) and the kernel
    functions it calls."""
    reads, calls = set(), set()
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name) and child.value.id == "P":
            reads.add(child.attr)
        elif isinstance(child, ast.Name) and child.id == "PRESSURE_PARAMETER_OF_CODE":
            reads |= set(PRESSURE_PARAMETERS.values())
        elif isinstance(child, ast.Attribute) and child.attr == "seen_strikes_mean":
            reads.add("violence_window_days")
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in FUNCTIONS:
            calls.add(child.func.id)
    return reads, calls


def reads_of(*nodes: ast.AST) -> set[str]:
    """The parameters `nodes` read, with every kernel function they call, transitively (recording
    an event, `emit`, left out)."""
    seen, reads, todo = set(), set(), list(nodes)
    while todo:
        node = todo.pop()
        direct, calls = _reads_and_calls(node)
        reads |= direct
        for name in calls - seen - {"emit"}:
            seen.add(name)
            todo.append(FUNCTIONS[name])
    return reads


def effect_branches(effect: str) -> list[ast.AST]:
    """The statements of `apply_effect`'s branch for `effect` (`elif effect == X.<effect>:`)."""
    branches = []
    for node in ast.walk(FUNCTIONS["apply_effect"]):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            right = node.test.comparators[0]
            if isinstance(right, ast.Attribute) and right.attr in (effect, f"{effect}_"):  # X.return_
                branches += node.body
    return branches


def declared_reads(name: str) -> set[str]:
    rule = RULES[name]
    nodes: list[ast.AST] = []
    if rule.decide is not None:
        nodes.append(FUNCTIONS[rule.decide])
    if name == "civilian_harm":
        nodes.append(FUNCTIONS["add_harm"])
    return reads_of(*nodes)


@pytest.mark.parametrize("name", [name for name, rule in RULES.items() if rule.decide is not None or
                                  name == "civilian_harm"])
def test_a_rule_reads_exactly_the_parameters_it_declares(name):
    read, declared = declared_reads(name), set(RULES[name].reads)
    assert read - declared == set(), f"{name} reads undeclared {sorted(read - declared)}"
    assert declared - read == set(), f"{name} declares parameters it never reads: {sorted(declared - read)}"


def test_every_declared_effect_has_its_branch():
    for rule in RULES.values():
        for effect in rule.effects:
            assert effect_branches(effect.name), f"{rule.name}: no branch of apply_effect for {effect.name!r}"


def test_the_check_sees_a_read_and_a_call():
    """The check is not vacuous: a decision reading a parameter through a helper is seen."""
    decision = ast.parse("def decide_x(st, sc, p, u, forced, day):\n    return helper(p) + p[P.alpha]")
    helper = ast.parse("def helper(p):\n    return p[P.beta]").body[0]
    FUNCTIONS["helper"] = helper
    try:
        assert reads_of(decision.body[0]) == {"alpha", "beta"}
    finally:
        del FUNCTIONS["helper"]
