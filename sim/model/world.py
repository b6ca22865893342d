"""World state beside the agents, and the daily situation the agents observe.

The `World` holds what the agents share: the talks, the ceasefire, the offensive, the history of
strikes and violations, civilian harm. Each morning the model freezes a `Situation` from it (the
world as of yesterday, and what was addressed to each actor yesterday); every agent decides from
that same frozen situation, so no decision depends on the order in which agents are called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sim.scenario_types import CeasefireState, TalksState

#: CAMEO codes that count as a call on Russia to halt or help, and their pressure weight.
#: A threat to suspend the channel weighs more than a call; a public accusation less.
PRESSURE_WEIGHTS = {"0256": 1.0, "020": 0.5, "022": 1.0, "134": 2.0, "112": 0.25}
#: How many days pressure received stays in Russia's memory.
PRESSURE_MEMORY_DAYS = 7
#: Days of a backer's military aid.
SUPPORT_DAYS = 7
#: Days during which the opposition may retake a locality it lost.
COUNTERATTACK_WINDOW_DAYS = 7


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
        ceasefire_agreed_day: day agreed, or None.
        ceasefire_effect_due: day it comes into effect, or None.
        ceasefire_effect_day: day it came into effect, or None.
        ceasefire_collapse_day: day it collapsed, or None.
        ceasefire_effect_days: days it was in effect.
        quiet_streak: consecutive quiet days under the ceasefire.
        jic: whether the Joint Implementation Center is in force.
        jic_day: day it came into force, or None.
        offensive: whether a government offensive is under way.
        offensive_start_day: day the (last) offensive started, or None.
        captures: localities captured by the government, in order.
        lost_on: locality -> day the opposition lost it.
        violation_days: days with violations since a ceasefire was agreed (what the US counts).
        us_threat_day: day of the US threat to suspend, or None.
        channel_suspend_day: day the channel was suspended, or None.
        rus_halt_until: last day of a Russian halt, or -1.
        support_until: last day of a backer's aid to the opposition, or -1.
        rus_strikes: Russian strikes per day (list by day).
        gov_strikes: government strikes per day.
        violations: ceasefire violations per day (strikes and attacks while in effect).
        strikes_by_locality: yesterday's strikes (Russian and government) per locality.
        pressure: (day, weight) of pressure that reached Russia.
        civilian_harm: civilians killed so far.
        supply_open: whether the supply route is open.
        supply_cut_day: first day the route was found cut (0 if cut at the start), or None.
        rus_refusals: calls to halt Russia refused.
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
    ceasefire_effect_due: int | None = None
    ceasefire_effect_day: int | None = None
    ceasefire_collapse_day: int | None = None
    ceasefire_effect_days: int = 0
    quiet_streak: int = 0
    jic: bool = False
    jic_day: int | None = None
    offensive: bool = False
    offensive_start_day: int | None = None
    captures: list[str] = field(default_factory=list)
    lost_on: dict[str, int] = field(default_factory=dict)
    violation_days: int = 0
    us_threat_day: int | None = None
    channel_suspend_day: int | None = None
    rus_halt_until: int = -1
    support_until: int = -1
    rus_strikes: list[int] = field(default_factory=list)
    gov_strikes: list[int] = field(default_factory=list)
    violations: list[int] = field(default_factory=list)
    strikes_by_locality: dict[str, int] = field(default_factory=dict)
    pressure: list[tuple[int, float]] = field(default_factory=list)
    civilian_harm: float = 0.0
    supply_open: bool = True
    supply_cut_day: int | None = None
    rus_refusals: int = 0

    def strikes_mean(self, days: int = 3) -> float:
        """Mean strikes a day (Russian and government) over the last `days` days."""
        if not self.rus_strikes:
            return 0.0
        window = slice(-days, None)
        total = sum(self.rus_strikes[window]) + sum(self.gov_strikes[window])
        return total / min(days, len(self.rus_strikes))

    def recent_violations(self, days: int = 3) -> int:
        """Violations over the last `days` days."""
        return sum(self.violations[-days:])


class Situation(NamedTuple):
    """What every agent sees on the morning of `day` (the world as of yesterday).

    Immutable (a named tuple: built once a day, read a few dozen times, cheaper to build than
    a frozen dataclass).

    Attributes:
        day: today.
        talks: state of the talks.
        opp_present: whether the opposition attends.
        ultimatum_running: whether an opposition ultimatum is running.
        ultimatum_expired: whether it ran out (deadline passed).
        ceasefire: state of the ceasefire.
        jic: whether the Joint Implementation Center is in force.
        channel_open: whether the US-Russia channel is open.
        offensive: whether a government offensive is under way.
        strikes_3d: mean strikes a day on the opposition over the last 3 days.
        rus_strikes_yesterday: Russian strikes yesterday.
        violations_yesterday: ceasefire violations yesterday.
        lost_yesterday: localities the opposition lost yesterday.
        retakeable: localities lost within the counter-attack window, still government-held.
        us_threatened: whether the US has threatened to suspend the channel.
        us_threat_day: day of that threat, or None.
        violation_days: days with violations since a ceasefire was agreed.
        pressure_on_rus: pressure that reached Russia over the memory window.
        resume_due: day the envoy plans to resume, or None.
        talks_paused_yesterday: whether the talks were paused yesterday.
        opp_walked_out_yesterday: whether the opposition walked out yesterday.
        inbox: actor -> tuple of (source, CAMEO code) addressed to it yesterday.
        envoy_called_ceasefire: whether the envoy called for a ceasefire in the last 7 days.
        ceasefire_collapsed_recently: whether a ceasefire collapsed in the last 7 days.
    """

    day: int
    talks: TalksState
    opp_present: bool
    ultimatum_running: bool
    ultimatum_expired: bool
    ceasefire: CeasefireState
    jic: bool
    channel_open: bool
    offensive: bool
    strikes_3d: float
    rus_strikes_yesterday: int
    violations_yesterday: int
    lost_yesterday: tuple[str, ...]
    retakeable: tuple[str, ...]
    us_threatened: bool
    us_threat_day: int | None
    violation_days: int
    pressure_on_rus: float
    resume_due: int | None
    talks_paused_yesterday: bool
    opp_walked_out_yesterday: bool
    inbox: dict[str, tuple[tuple[str, str], ...]]
    envoy_called_ceasefire: bool
    ceasefire_collapsed_recently: bool = False

    def received(self, actor: str, *codes: str) -> list[str]:
        """Sources of yesterday's events to `actor` with one of `codes`."""
        return [src for src, code in self.inbox.get(actor, ()) if code in codes]
