"""The model's behaviour rules, one module per actor, and their registry.

Each rule's actor module holds its declaration (`sim.model.rules.base.Rule`): the actor, what
forcing sets, its random stream (`draws_per_day`), what it emits, the parameters it reads, its
effects and their order, the scheduled events it carries out. Its decision and effects are
written once, compiled (`sim.kernel.rules`, `sim.kernel.effects`). This package derives from
the declarations what the model needs: the rules by name (`RULES`, the order of the rule table
in docs/model.md), the effects and their order of application (`EFFECTS`, `EFFECT_RANK`), the
scheduled events (`SCRIPTS`).

Modules: `russia`, `government`, `opposition`, `envoy`, `united_states`, `backers`,
`world_rules` (ceasefire, JIC, political agreement, the scheduled coalition strike, civilian
harm); `base` holds what they share.
"""

from __future__ import annotations

from types import MappingProxyType

from sim.model.rules import (
    backers,
    envoy,
    government,
    opposition,
    russia,
    united_states,
    world_rules,
)
from sim.model.rules.base import Action, Effect, Emission, Quantity, Rule

_ORDER = (
    "rus_strikes", "rus_halt_response", "rus_drawdown", "rus_rhetoric",
    "gov_offensive", "gov_bombardment", "gov_truce", "gov_talks_stance",
    "opp_ultimatum", "opp_walkout", "opp_demands", "opp_appeal", "opp_return", "opp_counterattack",
    "envoy_convene", "envoy_appeal", "envoy_pause", "envoy_resume",
    "talks_agreement",
    "us_criticism", "us_threat", "us_suspend",
    "backer_support",
    "ceasefire", "jic", "coalition_strike", "civilian_harm",
)  # fmt: skip


def _registry() -> dict[str, Rule]:
    declared = {
        rule.name: rule
        for module in (russia, government, opposition, envoy, united_states, backers, world_rules)
        for rule in module.RULES
    }
    assert set(declared) == set(_ORDER), "every rule is declared once and placed in the order"
    return {name: declared[name] for name in _ORDER}


#: Every rule by name, in the order of the rule table.
RULES: MappingProxyType[str, Rule] = MappingProxyType(_registry())


def _effects() -> dict[str, Effect]:
    effects: dict[str, Effect] = {}
    for rule in RULES.values():
        for effect in rule.effects:
            known = effects.setdefault(effect.name, effect)
            assert known is effect, f"two effects named {effect.name!r}"
    ranks = [effect.rank for effect in effects.values()]
    assert len(set(ranks)) == len(ranks), "every effect has its own rank"
    return dict(sorted(effects.items(), key=lambda item: item[1].rank))


#: Every effect by name, in the order of application.
EFFECTS: MappingProxyType[str, Effect] = MappingProxyType(_effects())
#: Effect name -> its rank in the day's order of application (None: talk only, first).
EFFECT_RANK: MappingProxyType[str | None, int] = MappingProxyType(
    {None: 0, **{name: effect.rank for name, effect in EFFECTS.items()}}
)


def _scripts() -> dict[str, str]:
    scripts: dict[str, str] = {}
    for rule in RULES.values():
        for event in rule.scripts:
            assert event not in scripts, f"two rules script {event!r}"
            scripts[event] = rule.name
    return scripts


#: Scheduled event (a scenario's `[[schedule]]` or `kind = "schedule"`) -> the rule whose
#: effects carry it out (`sim.kernel.effects.run_script`; `sim.kernel.bridge.script_alone`).
SCRIPTS: MappingProxyType[str, str] = MappingProxyType(_scripts())


def check_forced_value(rule: str, value, where: str = "intervention") -> float:
    """Validate a forced value for a rule.

    Raises:
        ValueError: unknown rule, not a number, or out of range (names what is allowed).
    """
    if rule not in RULES:
        raise ValueError(f"{where}: unknown mechanism {rule!r}; allowed: {', '.join(RULES)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: value for {rule} must be a number, got {value!r}")
    quantity = RULES[rule].quantity
    if quantity is Quantity.PROBABILITY and not 0 <= value <= 1:
        raise ValueError(f"{where}: {rule} forces a probability; value must be in [0, 1], got {value}")
    if quantity is Quantity.RATE and not 0 <= value <= 1000:
        raise ValueError(f"{where}: {rule} forces a rate; value must be in [0, 1000], got {value}")
    return float(value)


__all__ = [
    "EFFECTS",
    "EFFECT_RANK",
    "RULES",
    "SCRIPTS",
    "Action",
    "Effect",
    "Emission",
    "Quantity",
    "Rule",
    "check_forced_value",
]
