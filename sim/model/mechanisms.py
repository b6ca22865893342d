"""The model's behaviour rules (mechanisms): who acts, what can be forced, what is emitted.

`MECHANISMS` is the one table of rules. Each rule

- belongs to an actor (or to the world, for the ceasefire and civilian harm),
- has one quantity a scenario can force over a day range (a rate or a probability: forcing
  `rus_strikes` to 0 halts the Russian air strikes; forcing `envoy_pause` to 0 gives an
  envoy who never pauses),
- draws its randomness from its own stream, a fixed number of uniforms per day
  (`draws_per_day`), so that a run's draws in one rule do not depend on what any other rule
  did (common random numbers between scenarios),
- emits only the (source, target, CAMEO code) triples it declares; the outcome record counts
  events over exactly the dyads and roots declared here, so its columns never vary.

The parameters of each rule are in `sim/data/parameters.csv` (see `sim.model.parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType


class Quantity(str, Enum):
    """What forcing a mechanism sets."""

    RATE = "rate"  # events per day (>= 0)
    PROBABILITY = "probability"  # per day or per occasion (0..1)


@dataclass(frozen=True)
class Mechanism:
    """One behaviour rule.

    Attributes:
        name: identifier used in scenarios (`mechanism = "rus_strikes"`) and in the `coder`
            column of simulated events.
        actor: the acting agent ('WORLD' for rules of the world state).
        quantity: what a `force` intervention sets.
        forced_meaning: what the forced value replaces, in words.
        draws_per_day: uniforms drawn per day from the rule's stream.
        emits: the (source, target, CAMEO code) triples the rule may emit. 'BACKER' stands for
            any actor that backs the party (USA, or an actor a scenario adds).
        summary: the rule in one line.
    """

    name: str
    actor: str
    quantity: Quantity
    forced_meaning: str
    draws_per_day: int
    emits: tuple[tuple[str, str, str], ...]
    summary: str


_R, _P = Quantity.RATE, Quantity.PROBABILITY

MECHANISMS: MappingProxyType[str, Mechanism] = MappingProxyType({m.name: m for m in (
    Mechanism("rus_strikes", "RUS", _R, "Russian strikes per day", 2,
              (("RUS", "OPP", "195"),),
              "Russia strikes opposition-held localities at a rate that rises during a government "
              "offensive and falls under a ceasefire, a halt or the JIC"),
    Mechanism("rus_halt_response", "RUS", _P, "probability of refusing a call to halt", 2,
              (("RUS", "ENVOY", "1246"), ("RUS", "USA", "1246"), ("RUS", "ENVOY", "087"),
               ("RUS", "USA", "087")),
              "Russia refuses calls to halt its strikes; pressure received lowers the odds"),
    Mechanism("rus_rhetoric", "RUS", _P, "probability of answering an accusation", 2,
              (("RUS", "USA", "112"), ("RUS", "USA", "016"), ("RUS", "USA", "110")),
              "Russia answers US accusations with counter-accusations or denials, and the "
              "suspension of the channel with regret and blame"),
    Mechanism("gov_offensive", "GOV", _P, "daily probability of capturing the next locality", 2,
              (("GOV", "OPP", "190"), ("GOV", "OPP", "192"), ("GOV", "OPP", "191")),
              "The government's offensive captures frontline localities with a hazard that rises "
              "with air support; breaking a siege and cutting the supply route are events"),
    Mechanism("gov_bombardment", "GOV", _R, "government strikes per day", 2,
              (("GOV", "OPP", "195"),),
              "Government air and artillery strikes on opposition-held localities"),
    Mechanism("gov_talks_stance", "GOV", _P, "probability of blaming the opposition", 2,
              (("GOV", "OPP", "112"), ("GOV", "USA", "016"), ("GOV", "OPP", "016")),
              "The government blames the opposition for walk-outs and pauses and denies "
              "accusations"),
    Mechanism("opp_ultimatum", "OPP", _P, "daily probability of an ultimatum", 1,
              (("OPP", "GOV", "139"),),
              "Under bombardment the opposition threatens to bring down the talks within a "
              "deadline unless the offensive ends"),
    Mechanism("opp_walkout", "OPP", _P, "daily probability of walking out", 1,
              (("OPP", "ENVOY", "164"),),
              "The opposition walks out of the talks: at the end of an unmet ultimatum, or with a "
              "hazard rising with strikes on its towns and its preconditions"),
    Mechanism("opp_demands", "OPP", _P, "daily probability of restating its conditions", 1,
              (("OPP", "GOV", "125"),),
              "The opposition refuses to negotiate unless the bombardment stops (its "
              "preconditions)"),
    Mechanism("opp_appeal", "OPP", _P, "probability of appealing to backers", 2,
              (("OPP", "BACKER", "0232"), ("OPP", "RUS", "112")),
              "After losing a locality the opposition appeals to its backers for weapons; under "
              "strikes it accuses Russia"),
    Mechanism("opp_return", "OPP", _P, "probability of returning when strikes are low", 1,
              (("OPP", "ENVOY", "036"),),
              "An absent opposition returns once strikes fall below its level"),
    Mechanism("opp_counterattack", "OPP", _P, "daily probability of retaking a locality", 2,
              (("OPP", "GOV", "190"), ("OPP", "GOV", "192")),
              "The opposition retakes recently lost localities and attacks during a ceasefire"),
    Mechanism("envoy_convene", "ENVOY", _P, "daily probability of a meeting with a party", 2,
              (("ENVOY", "GOV", "045"), ("ENVOY", "OPP", "045"), ("ENVOY", "GOV", "040"),
               ("ENVOY", "OPP", "040")),
              "The envoy opens the talks and meets the attending parties"),
    Mechanism("envoy_appeal", "ENVOY", _P, "daily probability of an appeal to the backers", 3,
              (("ENVOY", "RUS", "022"), ("ENVOY", "BACKER", "022"), ("ENVOY", "RUS", "020"),
               ("ENVOY", "BACKER", "020"), ("ENVOY", "GOV", "012"), ("ENVOY", "OPP", "012")),
              "When violence is high, a party is absent or a ceasefire has just collapsed, the "
              "envoy appeals to the parties' backers for help and warns in public"),
    Mechanism("envoy_pause", "ENVOY", _P, "daily probability of pausing the talks", 2,
              (("ENVOY", "GOV", "165"), ("ENVOY", "OPP", "165"), ("ENVOY", "RUS", "112")),
              "'I won't talk for the sake of talking': the envoy pauses the talks with a hazard "
              "rising with violence and a party's absence"),
    Mechanism("envoy_resume", "ENVOY", _P, "probability of resuming once the pause is over", 1,
              (("ENVOY", "GOV", "045"), ("ENVOY", "OPP", "045")),
              "After the pause the envoy resumes the talks if violence has fallen; a pause that "
              "lasts too long is a collapse"),
    Mechanism("talks_agreement", "WORLD", _P, "daily probability of a political agreement", 1,
              (("GOV", "OPP", "057"), ("OPP", "GOV", "057")),
              "A political agreement, possible only while both parties attend under a ceasefire"),
    Mechanism("us_criticism", "USA", _P, "daily probability of a call to halt", 2,
              (("USA", "RUS", "112"), ("USA", "RUS", "0256"), ("USA", "GOV", "0256")),
              "The US criticises Russian strikes and calls on the government and its supporters "
              "to halt the bombardment"),
    Mechanism("us_threat", "USA", _P, "daily probability of threatening to suspend", 1,
              (("USA", "RUS", "134"),),
              "After persistent violations of an agreed ceasefire the US threatens to suspend "
              "the channel"),
    Mechanism("us_suspend", "USA", _P, "daily probability of suspending the channel", 2,
              (("USA", "RUS", "164"), ("USA", "RUS", "160"), ("USA", "RUS", "041"),
               ("RUS", "USA", "041")),
              "After the threat and a delay for talks, the US suspends the channel if strikes "
              "go on"),
    Mechanism("backer_support", "BACKER", _P, "probability of answering an appeal with aid", 4,
              (("BACKER", "OPP", "072"),),
              "A backer answers its party's appeal with military aid"),
    Mechanism("ceasefire", "WORLD", _P, "daily probability of a ceasefire agreement", 2,
              (("USA", "RUS", "057"), ("RUS", "USA", "057"), ("GOV", "OPP", "0871"),
               ("OPP", "GOV", "0871"), ("USA", "RUS", "112"), ("RUS", "USA", "112")),
              "The backers agree a ceasefire; it comes into effect after a delay and collapses "
              "with a hazard rising with violations"),
    Mechanism("jic", "WORLD", _P, "probability that the JIC forms after the quiet days", 1,
              (("USA", "RUS", "062"), ("RUS", "USA", "062")),
              "After enough quiet days the Joint Implementation Center may come into force and "
              "cut strike rates"),
    Mechanism("civilian_harm", "WORLD", _R, "civilians killed per strike", 0, (),
              "Civilians killed: strikes on opposition-held localities times harm per strike, "
              "scaled by population (a measurement, not a behaviour)"),
)})  # fmt: skip


def check_forced_value(mechanism: str, value, where: str = "intervention") -> float:
    """Validate a forced value for a mechanism.

    Raises:
        ValueError: unknown mechanism, not a number, or out of range (names what is allowed).
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"{where}: unknown mechanism {mechanism!r}; allowed: {', '.join(MECHANISMS)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: value for {mechanism} must be a number, got {value!r}")
    quantity = MECHANISMS[mechanism].quantity
    if quantity is Quantity.PROBABILITY and not 0 <= value <= 1:
        raise ValueError(f"{where}: {mechanism} forces a probability; value must be in [0, 1], got {value}")
    if quantity is Quantity.RATE and not 0 <= value <= 1000:
        raise ValueError(f"{where}: {mechanism} forces a rate; value must be in [0, 1000], got {value}")
    return float(value)
