"""The agents: the UN envoy, the government, the opposition, Russia, the US, and added backers.

An agent is thin: it holds its rules' declarations (`sim.model.rules`, one module per actor).
Each day the compiled kernel runs every agent's rules on the same frozen situation, with the
day's parameters, each rule's uniforms of the day and its forced value, and resolves their
actions together in the order of their effects (`sim.kernel.engine`); the model steps it
(`sim.model.model`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from mesa import Agent

from sim.model.rules import RULES, Rule

if TYPE_CHECKING:
    from sim.model.model import DiplomacyModel


@cache
def rules_of(actor: str) -> tuple[Rule, ...]:
    """The rules an actor runs each day, in the order of the rule table."""
    return tuple(rule for rule in RULES.values() if rule.actor == actor)


class DiplomacyAgent(Agent):
    """One actor of the model and the rules it runs each day.

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

    def rules_for(self, code: str) -> tuple[Rule, ...]:
        """The rules of this kind of agent."""
        return rules_of(self.actor or code)


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
