"""Hand-built situations for testing one rule alone (no episode, no model).

A rule's decision reads only its `Situation` (and, for the evening rules of the world, the
`World`), its parameters and its uniforms, so a test builds those three by hand, calls the
decision through its declaration in `sim.model.rules.RULES`, and looks at the actions. This
module gives sensible defaults for all of them and a few measuring helpers:

- `situation(**changes)`: day 10, talks in session, both parties present, no ceasefire, the
  channel open, no offensive, no strikes, an empty inbox, on a small terrain (`TERRAIN`);
- `world(**changes)`: a `World` matching the default situation;
- `params(**changes)`: the default parameters with changes;
- `decide(name, s, ...)`: one rule's decision with exactly `draws_per_day` uniforms;
- `threshold(fires)`: the uniform below which a decision fires (its probability);
- `EffectModel(w)`: the least of a model an action's effect needs (the world, the day, the
  day's tallies and parameters), to apply one effect alone and see what it recorded.

Attributes:
    TERRAIN: a five-locality terrain: the government's `west`; the opposition's `front` (on
        the frontline, populated, the offensive's next target), `bare` (frontline, no people),
        `rear` (populated, behind the frontline) and `empty` (behind, no people); Kurdish-held
        `kurd` (OTHER).
    HIGH: a uniform at which no probability below 1 fires.
    LOW: a uniform at which every probability above 0 fires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sim.model.networks import TerrainNetwork
from sim.model.parameters import default_parameters
from sim.kernel.bridge import apply_alone, decide_alone
from sim.model.rules import RULES, Action
from sim.model.rules.world_rules import EVENING
from sim.model.world import Situation, StrikeTargets, World
from sim.scenario_types import CeasefireState, Locality, TalksState, Terrain

HIGH = 0.999999
LOW = 0.0

TERRAIN = Terrain(
    name="test",
    localities=(
        Locality("west", "West City", 1_000_000, "GOV", "city"),
        Locality("front", "Front Town", 100_000, "OPP", "town"),
        Locality("bare", "Bare Hill", 0, "OPP", "junction"),
        Locality("rear", "Rear Town", 50_000, "OPP", "town"),
        Locality("empty", "Empty Crossing", 0, "OPP", "crossing"),
        Locality("kurd", "Kurdish Town", 10_000, "OTHER", "town"),
    ),
    roads=(("west", "front"), ("west", "bare"), ("front", "rear"), ("rear", "empty"), ("west", "kurd")),
    crossing="empty",
    city=("rear",),
    offensive_axis=("front", "rear"),
)
#: Localities where strikes may fall (opposition-held, frontline or populated).
STRIKABLE = frozenset({"front", "bare", "rear"})


def terrain() -> TerrainNetwork:
    """A fresh terrain network of `TERRAIN`."""
    return TerrainNetwork(TERRAIN)


_TERRAIN = terrain()
_TARGETS = StrikeTargets(_TERRAIN)

_DEFAULTS: dict[str, Any] = dict(
    day=10,
    talks=TalksState.IN_SESSION,
    opp_present=True,
    ultimatum_running=False,
    ultimatum_expired=False,
    ceasefire=CeasefireState.NONE,
    jic=False,
    monitored=False,
    ceasefire_accepted=False,
    quiet_streak=0,
    channel_open=True,
    offensive=False,
    strikes=(0,) * 10,
    rus_strikes_yesterday=0,
    lost_yesterday=(),
    lost_held=(),
    us_threat_day=None,
    escalation_days=0,
    grievance=(),
    pressure_received=(),
    resume_due=None,
    talks_paused_yesterday=False,
    opp_walked_out_yesterday=False,
    inbox={},
    last_envoy_ceasefire_call=None,
    ceasefire_collapse_day=None,
    rus_halt_until=-1,
    rus_drawn_down=False,
    round_end_due=None,
    round_scheduled_day=None,
    support_until=-1,
    axis_target=_TARGETS.axis_target,
    axis_target_retaken=None,
    air_support=0,
    strike_targets=_TARGETS,
    opp_backers=("USA",),
    envoy_reach=("RUS", "USA"),
    backers=("USA",),
    labels=dict(_TERRAIN.labels),
)


def situation(**changes: Any) -> Situation:
    """The default situation (see the module docstring) with `changes`.

    Args:
        **changes: Situation fields to set, plus `strike_level=x` as a shortcut for ten days
            of x strikes (so that the mean S over any window is x).
    """
    level = changes.pop("strike_level", None)
    if level is not None:
        changes.setdefault("strikes", (level,) * 10)
    unknown = set(changes) - set(Situation._fields)
    assert not unknown, f"not Situation fields: {unknown}"
    return Situation(**{**_DEFAULTS, **changes})


def inbox(**addressed: Iterable[tuple[str, str]]) -> dict[str, tuple[tuple[str, str], ...]]:
    """actor -> (source, CAMEO code) events addressed to it yesterday."""
    return {actor: tuple(events) for actor, events in addressed.items()}


def world(**changes: Any) -> World:
    """A `World` in the default situation's state (talks in session, both present, no ceasefire,
    ten days without strikes or violations), with `changes`."""
    base: dict[str, Any] = dict(
        talks=TalksState.IN_SESSION,
        talks_open_day=0,
        rus_strikes=[0] * 11,
        gov_strikes=[0] * 11,
        strikes=[0] * 11,
        violations=[0] * 11,
    )
    return World(**{**base, **changes})


def params(**changes: float) -> dict[str, float]:
    """The default parameters with `changes` (every name must exist)."""
    p = default_parameters()
    unknown = set(changes) - set(p)
    assert not unknown, f"not parameters: {unknown}"
    p.update(changes)
    return p


def uniforms(name: str, u: Sequence[float] = ()) -> list[float]:
    """Exactly `draws_per_day` uniforms for rule `name`: `u`, padded with `HIGH`."""
    k = RULES[name].draws_per_day
    assert len(u) <= k, f"{name} draws {k} uniforms a day, got {len(u)}"
    return [*u, *[HIGH] * (k - len(u))]


def decide(name: str, s: Situation, p: dict[str, float] | None = None, u: Sequence[float] = (),
           forced: float | None = None, w: World | None = None, backer: str | None = None) -> list[Action]:
    """Call rule `name`'s declared decision alone.

    Args:
        name: the rule.
        s: the situation.
        p: the parameters (defaults if None).
        u: its first uniforms (the rest `HIGH`).
        forced: the forced value or None.
        w: the world, for the evening rules (a default `world()` if None).
        backer: the deciding backer, for the backers' rule (the US if None).
    """
    rule = RULES[name]
    p = params() if p is None else p
    draws = uniforms(name, u)
    if name in EVENING:
        return decide_alone(name, s, p, draws, forced, world() if w is None else w)
    if rule.actor == "BACKER":
        return decide_alone(name, s, p, draws, forced, backer="USA" if backer is None else backer)
    return decide_alone(name, s, p, draws, forced)


def threshold(fires: Callable[[float], bool], iterations: int = 48) -> float:
    """The uniform t in [0, 1] with fires(u) for u < t and not for u >= t (bisection).

    For a rule that fires when `u < probability`, t is that probability (to about 1e-14).
    Asserts that `fires` is monotone at the ends (fires at 0 unless t == 0, never at 1).
    """
    assert not fires(1.0), "fires at u = 1: not a probability threshold"
    if not fires(0.0):
        return 0.0
    low, high = 0.0, 1.0
    for _ in range(iterations):
        middle = (low + high) / 2
        if fires(middle):
            low = middle
        else:
            high = middle
    return high


def effects(actions: Iterable[Action]) -> list[str | None]:
    """The effects of the actions, in order."""
    return [action.effect for action in actions]


def codes(actions: Iterable[Action]) -> list[tuple[str, str, str]]:
    """(source, target, CAMEO code) of every event of the actions, in order."""
    return [(src, tgt, code) for action in actions for src, tgt, code, _ in action.events]


def fires_with(name: str, s: Situation, index: int = 0, effect: str | None = None, *, p=None, u=(),
               forced=None, w=None, backer=None, code: str | None = None) -> Callable[[float], bool]:
    """A predicate u -> whether rule `name` fires with uniform `index` at u (the others as in
    `u`, padded with HIGH): any action, or one with `effect`, or an event with CAMEO `code`."""

    def fires(x: float) -> bool:
        draws = uniforms(name, u)
        draws[index] = x
        actions = decide(name, s, p, draws, forced, w, backer)
        if code is not None:
            return any(c == code for _, _, c in codes(actions))
        if effect is not None:
            return effect in effects(actions)
        return bool(actions)

    return fires


class EffectModel:
    """The least of a `DiplomacyModel` an effect reads and writes, to apply effects alone.

    Args:
        w: the world (a default `world()` if None).
        day: today.
        p: today's parameters (defaults if None).

    Attributes:
        events: (rule, source, target, CAMEO code) of every event recorded, in order.
        today: the day's tallies (strikes by actor, violations, by locality), as the model
            keeps them.
    """

    def __init__(self, w: World | None = None, day: int = 10, p: dict[str, float] | None = None):
        self.world = world() if w is None else w
        self.day = day
        self.params_today = params() if p is None else p
        self.forced_today: dict[str, float] = {}
        self.today: dict[str, Any] = {"RUS": 0, "GOV": 0, "violations": 0, "by_locality": {}}
        self.events: list[tuple[str, str, str, str]] = []

    def apply(self, action: Action) -> None:
        """Apply the action's effect (talk only: record its events)."""
        if action.effect is None:
            self.record(action)
        else:
            apply_alone(self, action)

    def record(self, action: Action) -> None:
        self.emit(action.rule, action.events)

    def emit(self, rule: str, events) -> None:
        self.events += [(rule, src, tgt, code) for src, tgt, code, _ in events]

    def milestone(self, name: str) -> None:
        self.world.milestones.setdefault(name, []).append(self.day)
