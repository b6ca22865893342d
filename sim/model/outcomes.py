"""The outcome record of a run: one flat row of named values.

Names are stable (later analyses and the results store read them). Times are days since the
episode's start date; an event that never happened has NaN as its day. Event counts are given
for every (source, target, CAMEO root) the model's rules can emit (`n_RUS_OPP_19`), and the mean
Goldstein score for every dyad (`goldstein_RUS_OPP`, NaN without events), so the columns of a
results table never vary between runs.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import cache

from sim.events import cameo
from sim.model.mechanisms import MECHANISMS
from sim.scenario_types import TalksState

NAN = math.nan

#: The outcome names, their types and what they mean (docs/model.md repeats this table).
OUTCOMES: dict[str, tuple[type, str]] = {
    "talks_opened": (bool, "the talks were in session at some point"),
    "talks_paused": (bool, "the envoy paused the talks"),
    "talks_pause_day": (float, "day of the first pause (NaN if never)"),
    "talks_resumed": (bool, "the talks resumed after a pause"),
    "talks_days_in_session": (int, "days the talks were in session"),
    "talks_collapsed": (bool, "the talks collapsed (a pause that outlasted the envoy's patience)"),
    "agreement": (bool, "a political agreement was reached"),
    "opp_ultimatum_day": (float, "day of the opposition's first ultimatum (NaN if never)"),
    "opp_walkout_day": (float, "day of the opposition's first walk-out (NaN if never)"),
    "ceasefire_agreed": (bool, "a ceasefire was agreed"),
    "ceasefire_agreed_day": (float, "day it was agreed (NaN if never)"),
    "ceasefire_in_effect_days": (int, "days a ceasefire was in effect"),
    "ceasefire_collapse_day": (float, "day the ceasefire collapsed (NaN if never)"),
    "jic_in_force": (bool, "the Joint Implementation Center came into force"),
    "us_threat_day": (float, "day the US threatened to suspend the channel (NaN if never)"),
    "channel_suspended": (bool, "the US-Russia channel was suspended"),
    "channel_suspend_day": (float, "day it was suspended (NaN if never)"),
    "rus_refusals": (int, "calls to halt strikes that Russia refused"),
    "rus_strikes_total": (int, "Russian strikes over the run"),
    "gov_strikes_total": (int, "government strikes over the run"),
    "localities_captured": (int, "localities the government holds at the end that it did not hold at the start"),
    "supply_route_cut": (bool, "the opposition's supply route is cut at the end"),
    "supply_cut_day": (float, "first day the route was cut (0 if cut at the start; NaN if never)"),
    "opp_territory_share": (float, "share of the theatre's localities the opposition holds at the end"),
    "civilian_harm": (float, "civilians killed by strikes (expected, from strikes and population)"),
    "horizon_days": (int, "days simulated"),
}
OUTCOME_DESCRIPTIONS: dict[str, str] = {name: text for name, (_, text) in OUTCOMES.items()}


def _day(value) -> float:
    return NAN if value is None else float(value)


@cache
def count_columns() -> tuple[tuple[str, str, str], ...]:
    """(source, target, root) of every count column, from the mechanisms' declared events."""
    keys = set()
    for mech in MECHANISMS.values():
        for src, tgt, code in mech.emits:
            for s in ("USA", "OTHER") if src == "BACKER" else (src,):
                for t in ("USA", "OTHER") if tgt == "BACKER" else (tgt,):
                    keys.add((s, t, cameo(code).root))
    return tuple(sorted(keys))


@cache
def dyads() -> tuple[tuple[str, str], ...]:
    """Every (source, target) the model can emit."""
    return tuple(sorted({(s, t) for s, t, _ in count_columns()}))


def outcome_columns() -> list[str]:
    """All outcome names, in record order."""
    return list(outcome_types())


@cache
def outcome_types() -> dict[str, type]:
    """Every outcome column and its type (bool, int or float), in record order."""
    types = {name: kind for name, (kind, _) in OUTCOMES.items()}
    types.update({f"n_{s}_{t}_{r}": int for s, t, r in count_columns()})
    types.update({f"goldstein_{s}_{t}": float for s, t in dyads()})
    return types


def outcome_record(model) -> dict:
    """The outcome record of a finished (or stopped) run.

    Args:
        model: a `DiplomacyModel` after `run()`.
    """
    w = model.world
    terrain = model.terrain
    initial_gov = {loc.name for loc in model.scenario_spec.terrain.localities if loc.control == "GOV"}
    record = {
        "talks_opened": w.talks_open_day is not None,
        "talks_paused": w.talks_pause_day is not None,
        "talks_pause_day": _day(w.talks_pause_day),
        "talks_resumed": w.talks_resumed,
        "talks_days_in_session": w.days_in_session,
        "talks_collapsed": w.talks is TalksState.COLLAPSED,
        "agreement": w.agreement_day is not None,
        "opp_ultimatum_day": _day(w.first_ultimatum_day),
        "opp_walkout_day": _day(w.first_walkout_day),
        "ceasefire_agreed": w.ceasefire_agreed_day is not None,
        "ceasefire_agreed_day": _day(w.ceasefire_agreed_day),
        "ceasefire_in_effect_days": w.ceasefire_effect_days,
        "ceasefire_collapse_day": _day(w.ceasefire_collapse_day),
        "jic_in_force": w.jic_day is not None,
        "us_threat_day": _day(w.us_threat_day),
        "channel_suspended": w.channel_suspend_day is not None,
        "channel_suspend_day": _day(w.channel_suspend_day),
        "rus_refusals": w.rus_refusals,
        "rus_strikes_total": sum(w.rus_strikes),
        "gov_strikes_total": sum(w.gov_strikes),
        "localities_captured": sum(
            1 for n, c in terrain.control.items() if c == "GOV" and n not in initial_gov
        ),
        "supply_route_cut": not w.supply_open,
        "supply_cut_day": _day(w.supply_cut_day),
        "opp_territory_share": terrain.opp_share(),
        "civilian_harm": w.civilian_harm,
        "horizon_days": model.horizon,
    }
    counts: Counter = Counter()
    goldstein_sum: dict[tuple[str, str], float] = defaultdict(float)
    goldstein_n: Counter = Counter()
    event_code = model.event_code
    looked_up: dict[tuple[str, str, str], tuple[tuple[str, str, str], tuple[str, str], float]] = {}
    for _, source, target, code, _, _ in model.event_log:
        key = looked_up.get((source, target, code))
        if key is None:  # a run repeats a few dozen (source, target, code) triples
            info = cameo(code)
            src, tgt = event_code(source), event_code(target)
            key = looked_up[(source, target, code)] = ((src, tgt, info.root), (src, tgt), info.goldstein)
        counts[key[0]] += 1
        goldstein_sum[key[1]] += key[2]
        goldstein_n[key[1]] += 1
    for key in count_columns():
        record["n_{}_{}_{}".format(*key)] = counts.get(key, 0)
    for key in dyads():
        n = goldstein_n.get(key, 0)
        record["goldstein_{}_{}".format(*key)] = goldstein_sum[key] / n if n else NAN
    return record
