"""The agents: the UN envoy, the government, the opposition, Russia, the US, and added backers.

An agent is thin: it holds its rules (`sim.model.rules`, one module per actor) and, each day,
runs them on the frozen `Situation` with today's parameters, each rule's uniforms of the day
and its forced value. The model resolves every agent's actions together, in the order of
their effects.
"""

from __future__ import annotations

from functools import cache, partial
from operator import itemgetter
from typing import TYPE_CHECKING

from mesa import Agent

from sim.model.rules import EFFECT_RANK, RULES, Rule
from sim.model.world import Situation

if TYPE_CHECKING:
    from sim.model.model import DiplomacyModel

#: How the day's decided actions are ordered: (effect rank, rule, actor); ties keep the order
#: of decision (a stable sort).
ACTION_ORDER = itemgetter(0, 1, 2)


@cache
def rules_of(actor: str) -> tuple[Rule, ...]:
    """The rules an actor runs each day, in the order of the rule table."""
    return tuple(rule for rule in RULES.values() if rule.actor == actor)


class DiplomacyAgent(Agent):
    """One actor of the model: runs its rules each day.

    Args:
        model: the model.
        code: actor code (ENVOY, GOV, OPP, RUS, USA, or an added actor's code).

    Attributes:
        code: actor code.
        rules: the rules it runs each day, in order.
    """

    #: The actor whose rules the agent runs (its own code unless it is a backer).
    actor: str = ""

    def __init__(self, model: DiplomacyModel, code: str):
        super().__init__(model)
        self.code = code
        self.rules = self.rules_for(code)
        self._decisions: tuple | None = None  # made on the first day (see `decide`)

    def rules_for(self, code: str) -> tuple[Rule, ...]:
        """The rules of this kind of agent."""
        return rules_of(self.actor or code)

    def _decision(self, rule: Rule):
        if rule.actor == "BACKER":  # a backer's rule needs to know which backer decides
            return partial(rule.decide, backer=self.code)
        return rule.decide

    def decide(self, s: Situation, actions: list) -> None:
        """Run every rule on the day's situation; append (effect rank, rule, actor, action)
        for each action to `actions`."""
        model = self.model
        decisions = self._decisions
        if decisions is None:
            # (name, decision, its stream, draws per day), looked up once per run. Made on the
            # first day, not in __init__, so that the streams are drawn inside `run`, where the
            # cyclic garbage collector is off (see `sim.model.model`).
            uniforms = model.uniforms
            decisions = self._decisions = tuple(
                (rule.name, self._decision(rule), uniforms[rule.name], rule.draws_per_day) for rule in self.rules
            )
        params, forced, day = model.params_today, model.forced_today, model.day
        code, append, rank = self.code, actions.append, EFFECT_RANK
        for name, decide, stream, k in decisions:
            start = day * k
            # most days force nothing: skip the lookup then
            for action in decide(s, params, stream[start:start + k], forced.get(name) if forced else None):
                append((rank[action.effect], name, code, action))


class Russia(DiplomacyAgent):
    """Russia: air strikes backing the government, refusals of calls to halt, rhetoric
    (`sim.model.rules.russia`)."""

    actor = "RUS"


class Government(DiplomacyAgent):
    """The Syrian government: the offensive, its own bombardment, its stance on the talks
    (`sim.model.rules.government`)."""

    actor = "GOV"


class Opposition(DiplomacyAgent):
    """The opposition: ultimatum, walk-out, demands, appeals, return, counter-attacks
    (`sim.model.rules.opposition`)."""

    actor = "OPP"


class Envoy(DiplomacyAgent):
    """The UN envoy: convening, appeals to the backers, pausing and resuming the talks
    (`sim.model.rules.envoy`)."""

    actor = "ENVOY"


class UnitedStates(DiplomacyAgent):
    """The US: criticism, calls to halt, the threat to suspend and the suspension of the
    channel (`sim.model.rules.united_states`), and, as a backer of the opposition, military aid
    (`sim.model.rules.backers`)."""

    actor = "USA"

    def rules_for(self, code: str) -> tuple[Rule, ...]:
        return rules_of("USA") + rules_of("BACKER")


class Backer(DiplomacyAgent):
    """An actor a scenario adds as a backer of a party (e.g. Turkey); OTHER in the events
    (`sim.model.rules.backers`)."""

    actor = "BACKER"


#: Agent class of each of the five actors; an added actor is a `Backer`.
AGENT_CLASSES: dict[str, type[DiplomacyAgent]] = {
    "ENVOY": Envoy,
    "GOV": Government,
    "OPP": Opposition,
    "RUS": Russia,
    "USA": UnitedStates,
}
