"""What every rule is made of: its declaration, its actions, its emissions, shared helpers.

A rule is one behaviour of one actor (or of the world). It is written once, in compiled form:
its decision in `sim.kernel.rules` (`decide_<rule>`) and its effects and scheduled events in
`sim.kernel.effects`, which the batch engine and the Mesa model (stepping the same compiled
day) both run. Its actor's module here holds its **declaration** (`Rule`): actor, what forcing
sets, its random stream, the emissions it may make, the parameters it reads, its effects and
their order, the scheduled events it scripts.

A rule can be looked at alone (the rules' tests, a notebook) on a hand-made `Situation`:
`sim.kernel.bridge` calls the compiled decision (`decide_alone`), an effect (`apply_alone`) or
a scheduled event (`script_alone`) on Python objects. A decision is a function of the day's
`Situation`, the parameters, its uniforms for the day (`draws_per_day` floats from its own
random stream) and its forced value (None unless a scenario forces the rule today); the world
rules, which run in the evening on the world as the day's actions left it, read the `World`
as well.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, NamedTuple

#: One event as a rule makes it: (source, target, CAMEO code, text). The text is a str or an
#: object whose str() is the text (written only when read, see `StrikeReport`).
Event = tuple[str, str, str, Any]


class Quantity(str, Enum):
    """What forcing a rule sets."""

    RATE = "rate"  # events per day (>= 0)
    PROBABILITY = "probability"  # per day or per occasion (0..1)


@dataclass(frozen=True)
class Emission:
    """One kind of event a rule emits: a CAMEO code from a source to one or more targets.

    Calibration and the outcome record name codes through these (`envoy.PAUSE.code`,
    `envoy.PAUSE.triples`) rather than repeating them.

    Attributes:
        source: the emitting actor ('BACKER' for any backer of the party: the US or an actor a
            scenario adds).
        targets: the actors it is addressed to ('BACKER' likewise).
        code: the CAMEO code.
    """

    source: str
    targets: tuple[str, ...]
    code: str

    @cached_property
    def triples(self) -> tuple[tuple[str, str, str], ...]:
        """(source, target, code) for every target, in order."""
        return tuple((self.source, target, self.code) for target in self.targets)

    def to(self, target: str, text: Any) -> Event:
        """The event to one target."""
        return (self.source, target, self.code, text)

    def to_all(self, text: Any) -> tuple[Event, ...]:
        """The event to every target, in order, with one text."""
        source, code = self.source, self.code
        return tuple((source, target, code, text) for target in self.targets)

    def by(self, source: str, target: str, text: Any) -> Event:
        """The event from a named actor standing for 'BACKER'."""
        return (source, target, self.code, text)


class Action(NamedTuple):
    """What a rule decided: the events it emits and the effect on the world.

    A named tuple: hundreds are made per run.

    Attributes:
        rule: the rule that decided it.
        events: `Event`s to record.
        effect: name of the world effect (None for talk only), e.g. 'walkout'.
        payload: data of the effect.
    """

    rule: str
    events: tuple[Event, ...] = ()
    effect: str | None = None
    payload: Any = None


@dataclass(frozen=True)
class Effect:
    """One effect on the world a rule's actions can have.

    Attributes:
        name: the name actions carry in `Action.effect`.
        rank: its place in the day's order of application (lower first; talk-only actions
            come first of all, world rules' effects last, in the evening).
    """

    name: str
    rank: int


@dataclass(frozen=True)
class Rule:
    """The declaration of one behaviour rule.

    Attributes:
        name: identifier used in scenarios (`mechanism = "rus_strikes"`) and in the `coder`
            column of simulated events.
        actor: the acting agent ('WORLD' for rules of the world state, 'BACKER' for a rule
            every backer runs).
        quantity: what a `force` intervention sets.
        forced_meaning: what the forced value replaces, in words.
        draws_per_day: uniforms the rule draws per day from its own stream.
        emissions: the `Emission`s it may make.
        reads: the parameters its decision (and its harm measurement) reads, exactly.
        summary: the rule in one line.
        decide: the name of its compiled decision in `sim.kernel.rules` (see the module
            docstring); None for a measurement or a scheduled event only.
        effects: the world effects its actions carry.
        scripts: the scheduled events the rule's own effects carry out (a scenario's
            `talks_pause` is the envoy's pause).
    """

    name: str
    actor: str
    quantity: Quantity
    forced_meaning: str
    draws_per_day: int
    emissions: tuple[Emission, ...]
    reads: tuple[str, ...]
    summary: str
    decide: str | None
    effects: tuple[Effect, ...] = ()
    scripts: tuple[str, ...] = ()

    @cached_property
    def emits(self) -> tuple[tuple[str, str, str], ...]:
        """Every (source, target, CAMEO code) the rule may emit, in declaration order."""
        return tuple(triple for emission in self.emissions for triple in emission.triples)


def sigmoid(x: float) -> float:
    """Logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    """Log-odds of p, finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def hazard(rate: float) -> float:
    """Probability of at least one event in a day at a Poisson rate."""
    return 1.0 - math.exp(-max(rate, 0.0))


class StrikeReport:
    """The text of a day's strike event, written only when someone reads it.

    Args:
        counts: locality -> strikes.
        labels: locality -> readable name.
    """

    __slots__ = ("counts", "labels")

    def __init__(self, counts: dict[str, int], labels: Mapping[str, str]):
        self.counts = counts
        self.labels = labels

    def __str__(self) -> str:
        top = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))[:3]
        where = ", ".join(f"{self.labels[n]} ({k})" for n, k in top)
        return f"{sum(self.counts.values())} strikes, most on {where}"

    def __eq__(self, other) -> bool:
        return isinstance(other, StrikeReport) and self.counts == other.counts

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.counts.items())))
