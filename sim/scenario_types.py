"""The validated, immutable form of a scenario (what `sim.scenarios.load_scenario` returns).

The file format is documented in docs/scenarios.md. Everything here has been checked: actor
codes, mechanisms, parameters, localities, day ranges.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class TalksState(str, Enum):
    """State of the UN-mediated talks."""

    NOT_STARTED = "not_started"
    IN_SESSION = "in_session"
    PAUSED = "paused"
    COLLAPSED = "collapsed"
    AGREEMENT = "agreement"


class CeasefireState(str, Enum):
    """State of the ceasefire between the parties, brokered by the backers."""

    NONE = "none"
    AGREED = "agreed"  # the backers agreed to seek one; its terms are being negotiated
    TERMS = "terms"  # its terms and start date are published; the parties accept them
    IN_EFFECT = "in_effect"
    COLLAPSED = "collapsed"


#: Edge kinds of the actor network; channel and fights are symmetric.
EDGE_KINDS = ("backs", "mediates", "channel", "fights")
SYMMETRIC_EDGE_KINDS = ("channel", "fights")
CONTROL = ("GOV", "OPP", "OTHER")
LOCALITY_KINDS = ("town", "city", "crossing", "enclave", "camp", "junction")
#: Enclaves a terrain may have: an event relieving sieges names them as one bit each of an int64
#: (`sim.kernel.texts.event_text`).
MAX_ENCLAVES = 62
INTERVENTION_KINDS = ("force", "set", "edge", "schedule")
SCHEDULABLE_EVENTS = (
    "talks_open",
    "talks_pause",
    "talks_resume",
    "ceasefire_agreed",
    "ceasefire_terms",
    "ceasefire_in_effect",
    "ceasefire_collapse",
    "channel_suspend",
    "channel_restore",
    "offensive_start",
    "offensive_stop",
    "jic_in_force",
    "coalition_strike",
)
ACTOR_ROLES = ("backer",)


@dataclass(frozen=True)
class InitialState:
    """The world on day 0.

    Attributes:
        talks: state of the talks.
        ceasefire: state of the ceasefire.
        channel_open: whether the US-Russia channel is open.
        offensive: whether a government offensive is under way.
        opp_present: whether the opposition attends when the talks are in session.
    """

    talks: TalksState = TalksState.NOT_STARTED
    ceasefire: CeasefireState = CeasefireState.NONE
    channel_open: bool = True
    offensive: bool = False
    opp_present: bool = True


@dataclass(frozen=True)
class ExtraActor:
    """An actor beyond the five (e.g. a second backer of the opposition).

    Attributes:
        code: 2-8 capital letters (appears as OTHER with this code as its text in events).
        label: readable name.
        role: 'backer'.
    """

    code: str
    label: str
    role: str


@dataclass(frozen=True)
class Edge:
    """A typed, weighted edge of the actor network (symmetric kinds are stored both ways).

    Attributes:
        source: actor code.
        target: actor code.
        kind: backs | mediates | channel | fights.
        weight: how strongly pressure and appeals travel along it (0 < weight <= 10).
        open: whether it carries anything on day 0.
    """

    source: str
    target: str
    kind: str
    weight: float = 1.0
    open: bool = True


@dataclass(frozen=True)
class Locality:
    """A node of the terrain network.

    Attributes:
        name: identifier.
        label: readable name.
        population: people living there.
        control: GOV | OPP | OTHER on day 0 (after the episode's overrides).
        kind: town | city | crossing | enclave | camp | junction.
    """

    name: str
    label: str
    population: int
    control: str
    kind: str


@dataclass(frozen=True)
class Terrain:
    """The terrain network of an episode.

    Attributes:
        name: terrain name.
        localities: nodes, in file order (their order fixes the random streams of strikes).
        roads: undirected edges as pairs of locality names.
        crossing: locality where the opposition's supply route starts.
        city: localities the route must reach (any one).
        offensive_axis: localities a government offensive takes, in order.
    """

    name: str
    localities: tuple[Locality, ...]
    roads: tuple[tuple[str, str], ...]
    crossing: str
    city: tuple[str, ...]
    offensive_axis: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduledEvent:
    """An event that happens on a given day.

    Attributes:
        day: days since the start date.
        event: one of SCHEDULABLE_EVENTS.
    """

    day: int
    event: str


@dataclass(frozen=True)
class Intervention:
    """A counterfactual change over a day range (inclusive).

    Attributes:
        kind: force | set | edge | schedule.
        from_day: first day it applies.
        to_day: last day it applies (None: to the end of the run).
        mechanism: (force) the mechanism forced.
        parameter: (set) the parameter set.
        value: (force, set) the forced rate/probability or the parameter value.
        source: (edge) actor code.
        target: (edge) actor code.
        edge_kind: (edge) kind of the edge.
        open: (edge) True opens, False closes.
        event: (schedule) the event, on `from_day`.
        origin: the file that declared it.
    """

    kind: str
    from_day: int = 0
    to_day: int | None = None
    mechanism: str | None = None
    parameter: str | None = None
    value: float | None = None
    source: str | None = None
    target: str | None = None
    edge_kind: str | None = None
    open: bool | None = None
    event: str | None = None
    origin: str = ""

    def active(self, day: int) -> bool:
        """Whether the intervention applies on `day`."""
        return self.from_day <= day and (self.to_day is None or day <= self.to_day)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: an episode, or a counterfactual merged with what it extends.

    Attributes:
        name: scenario name (the file stem).
        kind: 'episode' or 'counterfactual'.
        description: one line.
        episode: name of the episode at the root of the `extends` chain (itself for an episode).
        extends: name of the scenario it extends (None for an episode).
        start_date: date of day 0.
        horizon_days: number of days simulated.
        state: the world on day 0.
        actors: actors beyond the five.
        edges: the actor network.
        terrain: the terrain network.
        parameters: parameter overrides (validated against sim/model/parameters.csv).
        schedule: scheduled events, sorted by day.
        interventions: counterfactual interventions, in file order along the chain.
        files: the files read, root episode first (their hashes go in result manifests).
        headline_outcome: the outcome whose paired change a counterfactual asks about (its
            headline effect; None when its file names none).
    """

    name: str
    kind: str
    description: str
    episode: str
    extends: str | None
    start_date: dt.date
    horizon_days: int
    state: InitialState
    actors: tuple[ExtraActor, ...]
    edges: tuple[Edge, ...]
    terrain: Terrain
    parameters: dict[str, float] = field(default_factory=dict)
    schedule: tuple[ScheduledEvent, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    files: tuple[Path, ...] = ()
    headline_outcome: str | None = None

    def date_of(self, day: int) -> dt.date:
        """Calendar date of a day of the run."""
        return self.start_date + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        """Day of the run of a calendar date."""
        return (date - self.start_date).days


@dataclass(frozen=True)
class ScenarioInfo:
    """One line of `run.py scenarios`.

    Attributes:
        name: scenario name.
        kind: episode | counterfactual.
        extends: what it extends (None for an episode).
        description: one line.
        path: the file.
    """

    name: str
    kind: str
    extends: str | None
    description: str
    path: Path
