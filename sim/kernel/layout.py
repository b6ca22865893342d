"""The kernel's names for things: integer ids of actors, rules, effects, CAMEO codes, texts and
milestones, and the slots of the state arrays.

Compiled code cannot hold strings or dicts, so every name the rules use becomes a small
integer here, read by numba as a compile-time constant (the namedtuples below are globals of
the compiled modules). The ids come from the rule declarations (`sim.model.rules`) and the
parameter table, so there is one list of each; the disk cache of compiled code is keyed on
this file and the parameter table (`sim.kernel`).

A day of the state that has not happened (None in the Python world) is `NONE` (-1): every day
of a run is >= 0.
"""

from __future__ import annotations

import keyword
from collections import namedtuple

from sim.model.parameters import parameter_table
from sim.model.rules import EFFECT_RANK, RULES
from sim.scenario_types import CeasefireState, TalksState

NONE = -1


def _ids(typename: str, names) -> tuple:
    """A namedtuple of `names` -> 0, 1, ... (field names are the names; a Python keyword gets
    a trailing underscore: `X.return_`)."""
    fields = [f"{name}_" if keyword.iskeyword(name) else name for name in names]
    return namedtuple(typename, fields)(*range(len(fields)))


# ---------------------------------------------------------------- parameters, rules, effects
#: Parameter -> its column in a parameter vector (the parameter table's order).
PARAMETER_NAMES: tuple[str, ...] = tuple(parameter_table())
P = _ids("ParameterIndex", PARAMETER_NAMES)

#: Rule -> id (the rule table's order, `sim.model.rules.RULES`).
RULE_NAMES: tuple[str, ...] = tuple(RULES)
R = _ids("RuleIndex", RULE_NAMES)
#: Uniforms each rule draws per day, by rule id.
DRAWS_PER_DAY: tuple[int, ...] = tuple(RULES[name].draws_per_day for name in RULE_NAMES)
#: A rule's place when the day's actions are ordered: the actions sort by (effect rank, rule
#: name, actor code), as the Python model sorts them.
RULE_SORT_RANK: tuple[int, ...] = tuple(sorted(RULE_NAMES).index(name) for name in RULE_NAMES)

#: Effect -> id; 0 is "talk only" (no effect on the world).
EFFECT_NAMES: tuple[str, ...] = ("talk",) + tuple(name for name in EFFECT_RANK if name is not None)
X = _ids("EffectIndex", EFFECT_NAMES)
#: Each effect's rank in the day's order of application, by effect id.
EFFECT_SORT_RANK: tuple[int, ...] = (0,) + tuple(EFFECT_RANK[name] for name in EFFECT_NAMES[1:])

# ---------------------------------------------------------------- actors, codes, states
#: The five actors' ids; a scenario's added backers follow (5, 6, ...).
BASE_ACTORS: tuple[str, ...] = ("ENVOY", "GOV", "OPP", "RUS", "USA")
A = _ids("ActorIndex", BASE_ACTORS)

#: Every CAMEO code a rule emits -> id.
CODES: tuple[str, ...] = tuple(sorted({code for rule in RULES.values() for _, _, code in rule.emits}))
C = namedtuple("CodeIndex", [f"c{code}" for code in CODES])(*range(len(CODES)))

TALKS_STATES: tuple[TalksState, ...] = tuple(TalksState)
T = _ids("TalksIndex", [state.name for state in TALKS_STATES])
CEASEFIRE_STATES: tuple[CeasefireState, ...] = tuple(CeasefireState)
CF = _ids("CeasefireIndex", [state.name for state in CEASEFIRE_STATES])

#: Edge kinds of the actor network.
EDGE_KINDS: tuple[str, ...] = ("backs", "mediates", "channel", "fights")
EK = _ids("EdgeKindIndex", EDGE_KINDS)

#: Control of a locality.
CONTROLS: tuple[str, ...] = ("GOV", "OPP", "OTHER")

#: The milestones the rules and scripts record (the chronology's names).
MILESTONES: tuple[str, ...] = (
    "capture", "supply_route_cut", "offensive_start", "strikes_escalate", "rus_refuses_halt", "rus_halt",
    "rus_halt_ends", "rus_drawdown", "opp_absent", "opp_attends", "talks_open", "talks_pause", "round_ends",
    "talks_scheduled", "talks_resume", "talks_collapse", "us_threat", "channel_suspend", "ceasefire_agreed",
    "ceasefire_terms", "ceasefire_accepted", "ceasefire_in_effect", "ceasefire_collapse",
)  # fmt: skip
M = _ids("MilestoneIndex", MILESTONES)

#: Scheduled events (a scenario's schedule and `schedule` interventions) -> id.
SCRIPT_NAMES: tuple[str, ...] = (
    "offensive_start", "offensive_stop", "talks_open", "talks_pause", "talks_resume", "channel_suspend",
    "channel_restore", "ceasefire_agreed", "ceasefire_terms", "ceasefire_in_effect", "ceasefire_collapse",
    "jic_in_force", "coalition_strike",
)  # fmt: skip
SC = _ids("ScriptIndex", SCRIPT_NAMES)

# ---------------------------------------------------------------- event texts
#: The text of every event a rule emits, by id; `{label}` is a locality's name, `{days}` a
#: number of days, `{names}` the relieved enclaves; "STRIKES" is the day's strike report.
TEXTS: tuple[str, ...] = (
    "STRIKES",
    "refuses to halt air strikes", "agrees to scale back air strikes", "regrets the US move", "blames Washington",
    "accuses Washington of shielding militants", "denies the accusation", "withdraws the main part of its forces",
    "offensive towards {label}", "captures {label}", "blames the opposition's preconditions",
    "rejects accusations of killing civilians", "declares the ceasefire over", "breaks the siege of {names}",
    "cuts the opposition's supply route",
    "threatens to bring down the talks within {days} days unless the offensive ends", "walks out of the talks",
    "will not negotiate unless the bombardment stops and sieges are lifted", "appeals to its backers for weapons",
    "accuses Russia of bombing civilians", "agrees to return to the talks", "counter-attacks at {label}",
    "retakes {label}", "attacks government positions during the ceasefire",
    "formally opens the talks", "meets the government delegation", "meets the opposition delegation",
    "asks the backers for immediate help", "urges a ceasefire", "warns that the talks may fail",
    "pauses the talks for {days} days", "pauses the talks", "blames the Russian escalation",
    "closes the round of talks", "resumes the talks", "announces the talks resume in {days} days",
    "says Russian strikes hit civilians and Assad's foes",
    "calls on the government and its supporters to halt the bombardment", "threatens to suspend talks with Russia",
    "suspends bilateral talks with Russia", "shelves joint military plans with Russia",
    "Kerry and Lavrov talk by telephone", "sends weapons to the rebels",
    "agree to seek a ceasefire", "publish the ceasefire's terms: in effect in {days} days",
    "accepts the ceasefire's terms", "ceasefire comes into effect", "blame each other for the ceasefire's collapse",
    "Joint Implementation Center comes into force", "a coalition air strike hits government forces",
    "reach a political agreement",
)  # fmt: skip
TX = _ids("TextIndex", [f"t{i}" for i in range(len(TEXTS))])
_TEXT_ID = {text: i for i, text in enumerate(TEXTS)}


def text_id(text: str) -> int:
    """The id of one of `TEXTS` (for the rules' modules: `text_id("walks out of the talks")`)."""
    return _TEXT_ID[text]


# ---------------------------------------------------------------- state slots
#: Integer state of a run (`World` in the Python model), one slot each; days are NONE until
#: they happen. The last slots are the run's bookkeeping (counts of the logs, the day's tallies).
S = _ids("StateIndex", (
    "day", "talks", "talks_open_day", "talks_pause_day", "resume_due", "talks_resumed", "talks_collapse_day",
    "agreement_day", "days_in_session", "opp_present", "ultimatum_deadline", "first_ultimatum_day",
    "first_walkout_day", "ceasefire", "ceasefire_agreed_day", "ceasefire_terms_day", "ceasefire_effect_due",
    "accepted_gov", "accepted_opp", "accepted_count", "ceasefire_effect_day", "ceasefire_collapse_day",
    "ceasefire_effect_days", "quiet_streak", "jic", "jic_day", "task_force", "offensive", "offensive_start_day",
    "escalation_days", "us_threat_day", "channel_suspend_day", "rus_halt_until", "rus_drawdown_day",
    "support_until", "round_end_due", "round_scheduled_day", "last_envoy_ceasefire_call", "pause_announced",
    "walkout_announced", "supply_open", "supply_cut_day", "rus_refusals",
    "n_events", "n_inbox", "n_seen", "n_pressure", "n_grievance", "n_milestones", "lost_sequence",
    "today_rus", "today_gov", "today_violations", "scripting", "n_actions", "n_day_events", "n_restores",
    # the morning's situation, which the evening rules read after the day's effects
    "seen_channel_open", "seen_last_envoy_call", "axis_target", "air_support", "n_opp_backers", "n_envoy_reach",
))  # fmt: skip
#: Float state: civilians killed so far; the morning's mean strikes (S of the rules).
SF = _ids("FloatStateIndex", ("civilian_harm", "seen_strikes_mean"))

#: Per-locality state rows: control, the day the opposition lost it (NONE: not lost), the
#: order in which it was lost (the order the world's `lost_on` lists them in), the day it last retook it,
#: yesterday's and today's strikes on it, and where strikes may fall this morning
#: (`STRIKE_CLASSES`).
L = _ids("LocalityStateIndex", ("control", "lost_day", "lost_order", "retaken_day", "struck_yesterday",
                                "struck_today", "strike_class"))
#: A locality as a strike target: not the opposition's; on the frontline; behind it and
#: populated; behind it and empty (`sim.model.world.StrikeTargets`).
STRIKE_CLASSES = _ids("StrikeClass", ("none", "frontline", "rear", "empty"))
#: Daily history rows (one column per day).
H = _ids("HistoryIndex", ("rus_strikes", "gov_strikes", "strikes", "violations"))
#: Columns of the event log: day, source, target, code, rule, text, argument of the text.
EV = _ids("EventColumn", ("day", "source", "target", "code", "rule", "text", "arg"))
#: Columns of the day's actions.
AC = _ids("ActionColumn", ("key", "rule", "actor", "effect", "payload", "first_event", "end_event"))

#: Scratch rows of a run's state (st[19] ints, st[18] floats, each as wide as the widest of
#: localities, actors and a day's actions): what the compiled rules would otherwise allocate per
#: call. One row per use, so that no two uses that can nest share one.
K = _ids("ScratchInt", ("strike_chosen", "strike_allocated", "requesters", "reach_reached", "emit_reached",
                        "besieged_before", "besieged_after", "frontline", "action_order", "search_seen",
                        "search_queue", "search_goal"))
KF = _ids("ScratchFloat", ("strike_weights", "strike_cumulative", "reach_weights", "emit_weights"))
