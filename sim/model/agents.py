"""The agents: the UN envoy, the government, the opposition, Russia, the US, and added backers.

Every agent sits on a node of the actor network. Each day it reads the frozen `Situation`
(the world as of yesterday) and returns `Action`s; the model resolves all actions together.
Each behaviour is a method named after its mechanism (see `sim.model.mechanisms.MECHANISMS` and the
parameter table `sim/data/parameters.csv`); docs/model.md gives each rule with its evidence.

A rule draws only from its own uniforms for the day (`self.draws(mechanism)`), so its
randomness does not depend on any other rule. When a scenario forces a mechanism, the forced
value replaces the rule's rate or probability for that day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mesa.discrete_space import FixedAgent

from sim.model.randomness import poisson_quantile, systematic_allocation
from sim.scenario_types import CeasefireState, TalksState
from sim.model.world import Situation

if TYPE_CHECKING:
    from sim.model.model import DiplomacyModel


@dataclass(frozen=True)
class Action:
    """What a rule decided: the events it emits and the effect on the world.

    Attributes:
        mechanism: the rule that decided it.
        events: (source, target, CAMEO code, text) tuples to emit (text: str, or an object
            whose str() is the text).
        effect: name of the world effect (None for talk only), e.g. 'walkout'.
        payload: data of the effect.
    """

    mechanism: str
    events: tuple[tuple[str, str, str, str], ...] = ()
    effect: str | None = None
    payload: Any = None


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


class DiplomacyAgent(FixedAgent):
    """Base of the five actors: reads parameters, forced values and its rules' uniforms.

    Args:
        model: the model.
        code: actor code (ENVOY, GOV, OPP, RUS, USA, or an added actor's code).
        cell: its node of the actor network.

    Attributes:
        code: actor code.
        rules: names of the mechanisms the agent runs each day, in order.
    """

    rules: tuple[str, ...] = ()

    def __init__(self, model: DiplomacyModel, code: str, cell):
        super().__init__(model)
        self.code = code
        self.cell = cell
        self._rule_methods = tuple(getattr(self, rule) for rule in self.rules)

    def p(self, name: str) -> float:
        """Today's value of a parameter (after any `set` intervention)."""
        return self.model.params_today[name]

    def draws(self, mechanism: str) -> list[float]:
        """Today's uniforms of a mechanism."""
        return self.model.uniforms.on(mechanism, self.model.day)

    def forced(self, mechanism: str) -> float | None:
        """Today's forced value of a mechanism, or None."""
        return self.model.forced_today.get(mechanism)

    def decide(self, s: Situation) -> list[Action]:
        """All actions of the agent today."""
        actions: list[Action] = []
        for rule in self._rule_methods:
            actions.extend(rule(s))
        return actions

    def strike_counts(self, mechanism: str, rate: float, s: Situation) -> dict[str, int]:
        """The day's strikes: a Poisson total at the first uniform, spread over localities by
        their weights (frontline first, the offensive's target most) with the second."""
        cumulative = self.model.strike_cumulative
        if rate <= 0 or not cumulative:
            return {}
        u = self.draws(mechanism)
        return systematic_allocation(poisson_quantile(u[0], rate), cumulative, u[1])

    def strike_events(self, counts: dict[str, int]) -> tuple:
        """One event for the day's strikes; its text names the most struck localities."""
        if not counts:
            return ()
        return ((self.code, "OPP", "195", StrikeReport(counts, self.model.terrain.labels)),)


class StrikeReport:
    """The text of a day's strike event, written only when someone reads it.

    Args:
        counts: locality -> strikes.
        labels: locality -> readable name.
    """

    __slots__ = ("counts", "labels")

    def __init__(self, counts: dict[str, int], labels: dict[str, str]):
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


class Russia(DiplomacyAgent):
    """Russia: air strikes backing the government, refusals of calls to halt, rhetoric."""

    rules = ("rus_strikes", "rus_halt_response", "rus_rhetoric")

    def rus_strikes(self, s: Situation) -> list[Action]:
        """Strikes at a rate that rises during an offensive and falls under a ceasefire/halt."""
        rate = self.forced("rus_strikes")
        if rate is None:
            rate = self.p("rus_offensive_strike_rate") if s.offensive else self.p("rus_strike_rate")
            if s.ceasefire is CeasefireState.IN_EFFECT:
                rate *= 1.0 - self.p("rus_ceasefire_compliance")
            if s.jic:
                rate *= self.p("jic_strike_factor")
            if s.day <= self.model.world.rus_halt_until:
                rate *= 1.0 - self.p("rus_halt_reduction")
        counts = self.strike_counts("rus_strikes", rate, s)
        return [Action("rus_strikes", self.strike_events(counts), "strikes", ("RUS", counts))]

    def rus_halt_response(self, s: Situation) -> list[Action]:
        """Refuse (or, rarely, heed) yesterday's calls to halt; pressure lowers the odds."""
        requesters = sorted(set(s.received("RUS", "0256", "020", "022")) & {"ENVOY", "USA"})
        if not requesters:
            return []
        p_refuse = self.forced("rus_halt_response")
        if p_refuse is None:
            p_refuse = sigmoid(
                logit(self.p("rus_refuse_prob"))
                - self.p("rus_pressure_sensitivity") * s.pressure_on_rus
            )
        if self.draws("rus_halt_response")[0] < p_refuse:
            events = tuple(("RUS", r, "1246", "refuses to halt air strikes") for r in requesters)
            return [Action("rus_halt_response", events, "rus_refuse", len(requesters))]
        events = tuple(("RUS", r, "087", "agrees to scale back air strikes") for r in requesters)
        return [Action("rus_halt_response", events, "rus_halt")]

    def rus_rhetoric(self, s: Situation) -> list[Action]:
        """Answer US accusations; regret and blame when the channel is suspended."""
        p = self.forced("rus_rhetoric")
        p = self.p("rus_counter_accuse_prob") if p is None else p
        u = self.draws("rus_rhetoric")
        events = []
        if s.received("RUS", "164") and u[0] < p:
            events += [("RUS", "USA", "110", "regrets the US move"), ("RUS", "USA", "112", "blames Washington")]
        elif s.received("RUS", "112") and "USA" in s.received("RUS", "112") and u[0] < p:
            if u[1] < 0.5:
                events.append(("RUS", "USA", "112", "accuses Washington of shielding militants"))
            else:
                events.append(("RUS", "USA", "016", "denies the accusation"))
        return [Action("rus_rhetoric", tuple(events))] if events else []


class Government(DiplomacyAgent):
    """The Syrian government: the offensive, its own bombardment, its stance on the talks."""

    rules = ("gov_offensive", "gov_bombardment", "gov_talks_stance")

    def gov_offensive(self, s: Situation) -> list[Action]:
        """Advance along the axis; capture hazard rises with yesterday's air support."""
        u = self.draws("gov_offensive")
        if not s.offensive:
            # After a ceasefire collapses the government may launch an offensive.
            if (
                s.ceasefire is CeasefireState.COLLAPSED
                and self.model.axis_target is not None
                and u[1] < self.p("gov_offensive_launch_prob")
            ):
                return [Action("gov_offensive", (), "offensive_start")]
            return []
        target = self.model.axis_target
        if target is None:
            return []
        labels = self.model.terrain.labels
        events = [("GOV", "OPP", "190", f"offensive towards {labels[target]}")]
        h = self.forced("gov_offensive")
        if h is None:
            air = self.model.air_support(target)
            rate = self.p("gov_capture_base") + self.p("gov_air_support_gain") * air / 100.0
            if s.day <= self.model.world.support_until:
                rate *= 1.0 - self.p("backer_support_effect")
            h = hazard(rate)
        if u[0] < h:
            events.append(("GOV", "OPP", "192", f"captures {labels[target]}"))
            return [Action("gov_offensive", tuple(events), "capture", target)]
        return [Action("gov_offensive", tuple(events))]

    def gov_bombardment(self, s: Situation) -> list[Action]:
        """Government air and artillery strikes on opposition-held localities."""
        rate = self.forced("gov_bombardment")
        if rate is None:
            rate = self.p("gov_strike_rate")
            if s.ceasefire is CeasefireState.IN_EFFECT:
                rate *= 1.0 - self.p("gov_ceasefire_compliance")
            if s.jic:
                rate *= self.p("jic_strike_factor")
        counts = self.strike_counts("gov_bombardment", rate, s)
        return [Action("gov_bombardment", self.strike_events(counts), "strikes", ("GOV", counts))]

    def gov_talks_stance(self, s: Situation) -> list[Action]:
        """Blame the opposition for walk-outs and pauses; deny accusations."""
        p = self.forced("gov_talks_stance")
        p = self.p("gov_blame_prob") if p is None else p
        u = self.draws("gov_talks_stance")
        events = []
        if (s.opp_walked_out_yesterday or s.talks_paused_yesterday) and u[0] < p:
            events.append(("GOV", "OPP", "112", "blames the opposition's preconditions"))
        accusers = sorted(set(s.received("GOV", "112")) & {"USA", "OPP"})
        if accusers and u[1] < self.p("gov_deny_prob"):
            events += [("GOV", a, "016", "rejects accusations of killing civilians") for a in accusers]
        return [Action("gov_talks_stance", tuple(events))] if events else []


class Opposition(DiplomacyAgent):
    """The opposition: attendance, ultimatum, walk-out, demands, appeals, counter-attacks."""

    rules = (
        "opp_ultimatum",
        "opp_walkout",
        "opp_demands",
        "opp_appeal",
        "opp_return",
        "opp_counterattack",
    )

    def _attending(self, s: Situation) -> bool:
        return s.talks is TalksState.IN_SESSION and s.opp_present

    def _pressure_logit(self, base: str, gain: str, s: Situation) -> float:
        return (
            self.p(base)
            + self.p(gain) * s.strikes_3d / 100.0
            + self.p("opp_precondition_weight") * self.p("opp_preconditions")
        )

    def opp_ultimatum(self, s: Situation) -> list[Action]:
        """'Bring down the negotiations within three days unless the offensive ended'."""
        if not self._attending(s) or s.ultimatum_running:
            return []
        p = self.forced("opp_ultimatum")
        if p is None:
            p = sigmoid(self._pressure_logit("opp_threat_base", "opp_threat_strike_gain", s))
        if self.draws("opp_ultimatum")[0] < p:
            days = int(round(self.p("opp_ultimatum_days")))
            text = f"threatens to bring down the talks within {days} days unless the offensive ends"
            return [Action("opp_ultimatum", (("OPP", "GOV", "139", text),), "ultimatum", days)]
        return []

    def opp_walkout(self, s: Situation) -> list[Action]:
        """Walk out when an ultimatum runs out unmet, or at a hazard rising with strikes."""
        if not self._attending(s):
            return []
        p = self.forced("opp_walkout")
        if p is None:
            unmet = s.offensive or s.strikes_3d > self.p("opp_return_strike_level")
            if s.ultimatum_expired and unmet:
                p = 1.0
            else:
                p = sigmoid(self._pressure_logit("opp_walkout_base", "opp_walkout_strike_gain", s))
        if self.draws("opp_walkout")[0] < p:
            return [Action("opp_walkout", (("OPP", "ENVOY", "164", "walks out of the talks"),), "walkout")]
        return []

    def opp_demands(self, s: Situation) -> list[Action]:
        """Refuse to negotiate unless the bombardment stops (while the preconditions hold)."""
        if s.talks is not TalksState.IN_SESSION or self.p("opp_preconditions") < 0.5:
            return []
        p = self.forced("opp_demands")
        p = self.p("opp_demand_prob") if p is None else p
        if self.draws("opp_demands")[0] < p:
            text = "will not negotiate unless the bombardment stops and sieges are lifted"
            return [Action("opp_demands", (("OPP", "GOV", "125", text),))]
        return []

    def opp_appeal(self, s: Situation) -> list[Action]:
        """Appeal to its backers for weapons after a loss; accuse Russia under strikes."""
        u = self.draws("opp_appeal")
        events = []
        p = self.forced("opp_appeal")
        p = self.p("opp_appeal_prob") if p is None else p
        if s.lost_yesterday and u[0] < p:
            for backer, _ in self.model.actor_network.backers_of("OPP"):
                events.append(("OPP", backer, "0232", "appeals to its backers for weapons"))
        if u[1] < hazard(self.p("opp_accuse_rate") * s.rus_strikes_yesterday / 100.0):
            events.append(("OPP", "RUS", "112", "accuses Russia of bombing civilians"))
        return [Action("opp_appeal", tuple(events))] if events else []

    def opp_return(self, s: Situation) -> list[Action]:
        """Return to the talks once strikes fall below its level ('a change on the ground')."""
        if s.opp_present or s.talks not in (TalksState.IN_SESSION, TalksState.PAUSED):
            return []
        if s.strikes_3d >= self.p("opp_return_strike_level"):
            return []
        p = self.forced("opp_return")
        if self.draws("opp_return")[0] < (1.0 if p is None else p):
            return [Action("opp_return", (("OPP", "ENVOY", "036", "agrees to return to the talks"),), "return")]
        return []

    def opp_counterattack(self, s: Situation) -> list[Action]:
        """Retake a recently lost locality; attacks during a ceasefire are violations."""
        u = self.draws("opp_counterattack")
        actions = []
        p = self.forced("opp_counterattack")
        p = self.p("opp_counter_prob") if p is None else p
        if s.retakeable and u[0] < p:
            target = s.retakeable[-1]
            label = self.model.terrain.labels[target]
            events = (("OPP", "GOV", "190", f"counter-attacks at {label}"), ("OPP", "GOV", "192", f"retakes {label}"))
            actions.append(Action("opp_counterattack", events, "recapture", target))
        if s.ceasefire is CeasefireState.IN_EFFECT and u[1] < self.p("opp_violation_prob"):
            events = (("OPP", "GOV", "190", "attacks government positions during the ceasefire"),)
            actions.append(Action("opp_counterattack", events, "violation", 1))
        return actions


class Envoy(DiplomacyAgent):
    """The UN envoy: convening, appeals to the backers, pausing and resuming the talks."""

    rules = ("envoy_convene", "envoy_appeal", "envoy_pause", "envoy_resume")

    def _violence_high(self, s: Situation) -> bool:
        return s.strikes_3d > self.p("envoy_violence_level")

    def envoy_convene(self, s: Situation) -> list[Action]:
        """Meet each attending party while the talks are in session."""
        if s.talks is not TalksState.IN_SESSION:
            return []
        p = self.forced("envoy_convene")
        p = self.p("envoy_meeting_prob") if p is None else p
        u = self.draws("envoy_convene")
        events = []
        if u[0] < p:
            events.append(("ENVOY", "GOV", "040", "meets the government delegation"))
        if s.opp_present and u[1] < p:
            events.append(("ENVOY", "OPP", "040", "meets the opposition delegation"))
        return [Action("envoy_convene", tuple(events))] if events else []

    def envoy_appeal(self, s: Situation) -> list[Action]:
        """Appeal to the parties' backers when violence is high, a party is absent or a
        ceasefire has just collapsed."""
        if s.talks in (TalksState.COLLAPSED, TalksState.AGREEMENT):
            return []
        absent = s.talks is TalksState.IN_SESSION and not s.opp_present
        if not (self._violence_high(s) or absent or s.ceasefire_collapsed_recently):
            return []
        u = self.draws("envoy_appeal")
        p = self.forced("envoy_appeal")
        p = self.p("envoy_appeal_prob") if p is None else p
        actions = []
        if u[0] < p:
            reach = self.model.actor_network.backers_reached_by_mediator("ENVOY")
            events = []
            for backer in sorted(reach):
                events.append(("ENVOY", backer, "022", "asks the backers for immediate help"))
                if s.ceasefire is not CeasefireState.IN_EFFECT:
                    events.append(("ENVOY", backer, "020", "urges a ceasefire"))
            actions.append(Action("envoy_appeal", tuple(events)))
        if s.talks is TalksState.IN_SESSION and u[1] < self.p("envoy_warning_prob"):
            text = "warns that the talks may fail"
            events = (("ENVOY", "GOV", "012", text), ("ENVOY", "OPP", "012", text))
            actions.append(Action("envoy_appeal", events))
        return actions

    def envoy_pause(self, s: Situation) -> list[Action]:
        """'I won't talk for the sake of talking': pause at a hazard rising with violence."""
        if s.talks is not TalksState.IN_SESSION:
            return []
        p = self.forced("envoy_pause")
        if p is None:
            absent = (not s.opp_present) or s.ultimatum_running
            p = sigmoid(
                self.p("envoy_pause_base")
                + self.p("envoy_pause_violence_gain") * s.strikes_3d / 100.0
                + self.p("envoy_pause_absence_gain") * absent
            )
        u = self.draws("envoy_pause")
        if u[0] >= p:
            return []
        days = int(round(self.p("envoy_pause_days")))
        text = f"pauses the talks for {days} days"
        events = [("ENVOY", "GOV", "165", text), ("ENVOY", "OPP", "165", text)]
        if s.rus_strikes_yesterday > 0 and u[1] < self.p("envoy_blame_prob"):
            events.append(("ENVOY", "RUS", "112", "blames the Russian escalation"))
        return [Action("envoy_pause", tuple(events), "pause", days)]

    def envoy_resume(self, s: Situation) -> list[Action]:
        """Resume after the pause if violence fell (or a ceasefire holds)."""
        if s.talks is not TalksState.PAUSED or s.resume_due is None or s.day < s.resume_due:
            return []
        calm = s.strikes_3d < self.p("envoy_resume_level") or s.ceasefire is CeasefireState.IN_EFFECT
        if calm:
            p = self.forced("envoy_resume")
            if self.draws("envoy_resume")[0] < (1.0 if p is None else p):
                text = "resumes the talks"
                return [Action("envoy_resume", (("ENVOY", "GOV", "045", text), ("ENVOY", "OPP", "045", text)), "resume")]
        if s.day >= s.resume_due + self.p("talks_collapse_days"):
            return [Action("envoy_resume", (), "talks_collapse")]
        return []


class UnitedStates(DiplomacyAgent):
    """The US: criticism, calls to halt, the threat to suspend and the suspension of the channel."""

    rules = ("us_criticism", "us_threat", "us_suspend", "backer_support")

    def us_criticism(self, s: Situation) -> list[Action]:
        """Criticise Russian strikes; call on the government and its supporters to halt."""
        u = self.draws("us_criticism")
        events = []
        if u[0] < hazard(self.p("us_criticism_rate") * s.rus_strikes_yesterday / 100.0):
            events.append(("USA", "RUS", "112", "says Russian strikes hit civilians and Assad's foes"))
        p = self.forced("us_criticism")
        if p is None:
            p = self.p("us_call_halt_prob") * min(1.0, s.strikes_3d / 100.0)
        calls = ()
        if u[1] < p:
            text = "calls on the government and its supporters to halt the bombardment"
            calls = (("USA", "GOV", "0256", text), ("USA", "RUS", "0256", text))
        if not events and not calls:
            return []
        return [Action("us_criticism", tuple(events) + calls)]

    def us_threat(self, s: Situation) -> list[Action]:
        """Threaten to suspend the channel after persistent violations of an agreed ceasefire."""
        if s.us_threatened or not s.channel_open:
            return []
        if s.violation_days < self.p("us_threat_after_days"):
            return []
        p = self.forced("us_threat")
        p = self.p("us_threat_prob") if p is None else p
        if self.draws("us_threat")[0] < p:
            return [Action("us_threat", (("USA", "RUS", "134", "threatens to suspend talks with Russia"),), "us_threat")]
        return []

    def us_suspend(self, s: Situation) -> list[Action]:
        """After the threat and a delay for talks, suspend the channel if strikes go on."""
        if not s.us_threatened or not s.channel_open:
            return []
        u = self.draws("us_suspend")
        actions = []
        if u[1] < self.p("us_phone_prob"):
            text = "Kerry and Lavrov talk by telephone"
            actions.append(Action("us_suspend", (("USA", "RUS", "041", text), ("RUS", "USA", "041", text))))
        due = s.us_threat_day is not None and s.day - s.us_threat_day >= self.p("us_suspend_delay")
        p = self.forced("us_suspend")
        if p is None:
            p = self.p("us_suspend_prob") if due and s.rus_strikes_yesterday > 0 else 0.0
        if u[0] < p:
            events = (
                ("USA", "RUS", "164", "suspends bilateral talks with Russia"),
                ("USA", "RUS", "160", "shelves joint military plans with Russia"),
            )
            actions.append(Action("us_suspend", events, "channel_suspend"))
        return actions

    def backer_support(self, s: Situation) -> list[Action]:
        """Answer the opposition's appeal for weapons with military aid."""
        return backer_support(self, s)


class Backer(DiplomacyAgent):
    """An actor a scenario adds as a backer of a party (e.g. Turkey); OTHER in the events."""

    rules = ("backer_support",)

    def backer_support(self, s: Situation) -> list[Action]:
        """Answer the opposition's appeal for weapons with military aid."""
        return backer_support(self, s)


def backer_support(agent: DiplomacyAgent, s: Situation) -> list[Action]:
    """The backer-support rule shared by the US and added backers.

    Each backer uses its own uniform column (by its position among the backers), so that adding
    a backer does not change the US's draws.
    """
    if "OPP" not in s.received(agent.code, "0232"):
        return []
    p = agent.forced("backer_support")
    p = agent.p("backer_support_prob") if p is None else p
    u = agent.draws("backer_support")
    column = agent.model.backer_column(agent.code) % len(u)
    if u[column] < p:
        return [Action("backer_support", ((agent.code, "OPP", "072", "sends weapons to the rebels"),), "support")]
    return []
