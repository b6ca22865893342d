"""World state beside the agents, and the daily situation the agents observe.

The `World` holds what the agents share: the talks, the ceasefire, the offensive, the history of
strikes and violations, civilian harm. Each morning the day freezes a `Situation` from it (the
world as of yesterday, and what was addressed to each actor yesterday); every agent decides from
that same frozen situation, so no decision depends on the order in which agents are called.

A run keeps both in the compiled kernel's arrays (`sim.kernel`); these are their Python forms:
`DiplomacyModel.world` reads a run's `World` back after each step, and a hand-made `Situation`
(and `World`) lets one rule be called alone (`sim.kernel.bridge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from sim.scenario_types import CeasefireState, TalksState

if TYPE_CHECKING:
    from sim.model.networks import TerrainNetwork


@dataclass
class World:
    """Mutable state of a run (one per model).

    Attributes:
        talks: state of the talks.
        talks_open_day: day the talks were (last) opened, or None.
        talks_pause_day: day of the first pause, or None.
        resume_due: day the envoy plans to resume, or None.
        talks_resumed: whether the talks resumed after a pause.
        talks_collapse_day: day the talks collapsed, or None.
        agreement_day: day of a political agreement, or None.
        days_in_session: days the talks were in session.
        opp_present: whether the opposition attends.
        ultimatum_deadline: last day of a running opposition ultimatum, or None.
        first_ultimatum_day: day of the first ultimatum, or None.
        first_walkout_day: day of the first walk-out, or None.
        ceasefire: state of the ceasefire.
        ceasefire_agreed_day: day the backers agreed to seek one, or None.
        ceasefire_terms_day: day its terms were published, or None.
        ceasefire_effect_due: the start date its terms set, or None.
        ceasefire_accepted_by: the parties that accepted its terms.
        ceasefire_effect_day: day it came into effect, or None.
        ceasefire_collapse_day: day it collapsed, or None.
        ceasefire_effect_days: days it was in effect.
        quiet_streak: consecutive quiet days under the ceasefire.
        jic: whether the Joint Implementation Center is in force.
        jic_day: day it came into force, or None.
        task_force: whether the backers' ceasefire task force monitors the ceasefire.
        offensive: whether a government offensive is under way.
        offensive_start_day: day the (last) offensive started, or None.
        lost_on: locality -> day the opposition lost it (those the government holds, in the order lost).
        retaken_on: locality -> day the opposition last retook it.
        escalation_days: days of heavy strikes after a ceasefire the backers brokered
            collapsed (what the US counts before it threatens).
        us_threat_day: day of the US threat to suspend, or None.
        channel_suspend_day: day the channel was suspended, or None.
        rus_halt_until: last day of a Russian halt, or -1.
        rus_drawdown_day: day Russia drew down its forces, or None.
        support_until: last day of a backer's aid to the opposition, or -1.
        rus_strikes: Russian strikes per day (list by day).
        gov_strikes: government strikes per day.
        strikes: Russian and government strikes per day.
        violations: ceasefire violations per day (strikes and attacks while in effect).
        harm: civilians killed per day.
        attacks_on_gov: (day, weight) of every attack on the government's forces under a
            ceasefire (the opposition's violations, a strike by the opposition's backer).
        round_end_due: the day the current round of talks is planned to end, or None.
        round_scheduled_day: the day the envoy announced the talks resume, or None.
        strikes_by_locality: yesterday's strikes (Russian and government) per locality.
        pressure: (day, CAMEO code, weight of the edge it travelled) of every event that put
            pressure on Russia (Russia's rule weighs them, `sim.model.rules.russia`).
        last_envoy_ceasefire_call: last day the envoy urged a ceasefire, or None.
        pause_announced: the envoy paused the talks since the last resolution (the next
            morning's situation reports it).
        walkout_announced: the opposition walked out since the last resolution (likewise).
        civilian_harm: civilians killed so far.
        supply_open: whether the supply route is open.
        supply_cut_day: first day the route was found cut (0 if cut at the start), or None.
        rus_refusals: calls to halt Russia refused.
        milestones: milestone -> the days it happened, in order (`sim.model.milestones`).
        scripted: milestones a scheduled event made (not a rule's decision).
    """

    talks: TalksState = TalksState.NOT_STARTED
    talks_open_day: int | None = None
    talks_pause_day: int | None = None
    resume_due: int | None = None
    talks_resumed: bool = False
    talks_collapse_day: int | None = None
    agreement_day: int | None = None
    days_in_session: int = 0
    opp_present: bool = True
    ultimatum_deadline: int | None = None
    first_ultimatum_day: int | None = None
    first_walkout_day: int | None = None
    ceasefire: CeasefireState = CeasefireState.NONE
    ceasefire_agreed_day: int | None = None
    ceasefire_terms_day: int | None = None
    ceasefire_effect_due: int | None = None
    ceasefire_accepted_by: tuple[str, ...] = ()
    ceasefire_effect_day: int | None = None
    ceasefire_collapse_day: int | None = None
    ceasefire_effect_days: int = 0
    quiet_streak: int = 0
    jic: bool = False
    jic_day: int | None = None
    task_force: bool = False
    offensive: bool = False
    offensive_start_day: int | None = None
    lost_on: dict[str, int] = field(default_factory=dict)
    retaken_on: dict[str, int] = field(default_factory=dict)
    escalation_days: int = 0
    us_threat_day: int | None = None
    channel_suspend_day: int | None = None
    rus_halt_until: int = -1
    rus_drawdown_day: int | None = None
    support_until: int = -1
    rus_strikes: list[int] = field(default_factory=list)
    gov_strikes: list[int] = field(default_factory=list)
    strikes: list[int] = field(default_factory=list)
    violations: list[int] = field(default_factory=list)
    harm: list[float] = field(default_factory=list)
    attacks_on_gov: list[tuple[int, float]] = field(default_factory=list)
    round_end_due: int | None = None
    round_scheduled_day: int | None = None
    strikes_by_locality: dict[str, int] = field(default_factory=dict)
    pressure: list[tuple[int, str, float]] = field(default_factory=list)
    last_envoy_ceasefire_call: int | None = None
    pause_announced: bool = False
    walkout_announced: bool = False
    civilian_harm: float = 0.0
    supply_open: bool = True
    supply_cut_day: int | None = None
    rus_refusals: int = 0
    milestones: dict[str, list[int]] = field(default_factory=dict)
    scripted: set[str] = field(default_factory=set)

    @property
    def monitored(self) -> bool:
        """Whether a joint body (the JIC or the backers' task force) monitors the ceasefire."""
        return self.jic or self.task_force


class StrikeTargets:
    """Where strikes can fall, for one state of control: the opposition-held localities, which
    of them are on the frontline (a road to government land) or populated, and the


    The strike rules weigh the localities with their parameters (`sim.kernel.rules.strike_counts`).

    Args:
        terrain: the terrain network.

    Attributes:
        localities: (name, on the frontline, populated) of each opposition-held locality, in
            terrain order.
        axis_target: the first opposition-held locality of the offensive axis that borders
            government land, or None.
    """

    __slots__ = ("localities", "axis_target")

    def __init__(self, terrain: TerrainNetwork):
        control, population = terrain.control, terrain.population
        frontline = set(terrain.frontline("OPP", "GOV"))
        self.localities = tuple(
            (name, name in frontline, population[name] > 0) for name in terrain.names if control[name] == "OPP"
        )
        self.axis_target = terrain.next_axis_target()


class Situation(NamedTuple):
    """What every agent sees on the morning of `day` (the world as of yesterday).

    Immutable (a named tuple: built once a day, read a few dozen times, cheaper to build than
    a frozen dataclass). It holds everything a rule's decision reads, so a rule can be called
    alone on a situation made by hand.

    Attributes:
        day: today.
        talks: state of the talks.
        opp_present: whether the opposition attends.
        ultimatum_running: whether an opposition ultimatum is running.
        ultimatum_expired: whether it ran out (deadline passed).
        ceasefire: state of the ceasefire.
        jic: whether the Joint Implementation Center is in force.
        monitored: whether a joint body (the JIC or the backers' task force) monitors the
            ceasefire.
        ceasefire_accepted: whether both parties accepted the ceasefire's terms.
        quiet_streak: consecutive quiet days under the ceasefire.
        channel_open: whether the US-Russia channel is open.
        offensive: whether a government offensive is under way.
        strikes: strikes on the opposition (Russian and government) per day so far, day 0
            first.
        rus_strikes_yesterday: Russian strikes yesterday.
        lost_yesterday: localities the opposition lost yesterday.
        lost_held: (locality, day lost) of localities the opposition lost that the government
            still holds, by the day it lost them.
        us_threat_day: day of the US threat to suspend the channel, or None.
        escalation_days: days of heavy strikes since a brokered ceasefire collapsed.
        grievance: attacks on the government's forces over the last
            `ceasefire_violation_days` days, weighted (`World.attacks_on_gov`).
        pressure_received: (day, CAMEO code, edge weight) of the pressure that reached Russia.
        resume_due: day the envoy plans to resume, or None.
        talks_paused_yesterday: whether the talks were paused yesterday.
        opp_walked_out_yesterday: whether the opposition walked out yesterday.
        inbox: actor -> tuple of (source, CAMEO code) addressed to it yesterday.
        last_envoy_ceasefire_call: last day the envoy urged a ceasefire, or None.
        ceasefire_collapse_day: day the ceasefire collapsed, or None.
        rus_halt_until: last day of a Russian halt, or -1.
        rus_drawdown_day: day Russia drew down its forces, or None.
        support_until: last day of a backer's aid to the opposition, or -1.
        axis_target: the offensive's next target, or None.
        axis_target_retaken: the day the opposition last retook the axis target, or None.
        air_support: yesterday's strikes on the axis target and its neighbours.
        strike_targets: where strikes can fall (`StrikeTargets`).
        opp_backers: actors with an open `backs` edge to the opposition, in edge order.
        envoy_reach: backers the envoy's appeal reaches (envoy -mediates-> party <-backs-
            backer), sorted.
        backers: the run's backers (the US and added backers), sorted: a backer's position is
            its column of the backer-support draws.
        labels: locality -> readable name (the same for the whole run).
    """

    day: int
    talks: TalksState
    opp_present: bool
    ultimatum_running: bool
    ultimatum_expired: bool
    ceasefire: CeasefireState
    jic: bool
    monitored: bool
    ceasefire_accepted: bool
    quiet_streak: int
    channel_open: bool
    offensive: bool
    strikes: tuple[int, ...]
    rus_strikes_yesterday: int
    lost_yesterday: tuple[str, ...]
    lost_held: tuple[tuple[str, int], ...]
    us_threat_day: int | None
    escalation_days: int
    grievance: tuple[tuple[int, float], ...]
    pressure_received: tuple[tuple[int, str, float], ...]
    resume_due: int | None
    talks_paused_yesterday: bool
    opp_walked_out_yesterday: bool
    inbox: Mapping[str, tuple[tuple[str, str], ...]]
    last_envoy_ceasefire_call: int | None
    ceasefire_collapse_day: int | None
    rus_halt_until: int
    rus_drawn_down: bool
    round_end_due: int | None
    round_scheduled_day: int | None
    support_until: int
    axis_target: str | None
    axis_target_retaken: int | None
    air_support: int
    strike_targets: StrikeTargets
    opp_backers: tuple[str, ...]
    envoy_reach: tuple[str, ...]
    backers: tuple[str, ...]
    labels: Mapping[str, str]

    def received(self, actor: str, *codes: str) -> list[str]:
        """Sources of yesterday's events to `actor` with one of `codes`."""
        return [src for src, code in self.inbox.get(actor, ()) if code in codes]
