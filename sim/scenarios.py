"""Load and validate scenario files (the format is docs/scenarios.md).

`load_scenario` reads an episode, or a counterfactual merged with the chain of scenarios it
`extends`, checks every key and value, and returns the immutable `Scenario` of
`sim.scenario_types`. A mistake raises `UserError` with one line:

    <file>: <key path>: <what is wrong>; allowed: <what is allowed>

Every file a scenario names (its `terrain.file`, the scenario it `extends`) must lie inside
its folder once symlinks are resolved (an `extends` may also be found in the scenario folder
given to `load_scenario`), and a run's window must lie within the years MIN_YEAR..MAX_YEAR.

Key paths count the entries of an array of tables from 1, as a reader counts the blocks of a
file: `intervention[2].mechanism` is the `mechanism` of the second `[[intervention]]`.

Parsed files are cached per (path, modification time, size), so that a batch run that loads
a scenario once per task pays for the TOML parsing once per process.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.events import ACTOR_CODES
from sim.model.outcomes import outcome_table
from sim.model.parameters import check_parameter, parameter_table
from sim.model.rules import RULES, check_forced_value
from sim.paths import SCENARIO_DIR
from sim.scenario_types import (
    ACTOR_ROLES,
    CONTROL,
    EDGE_KINDS,
    INTERVENTION_KINDS,
    LOCALITY_KINDS,
    MAX_ENCLAVES,
    SCHEDULABLE_EVENTS,
    SYMMETRIC_EDGE_KINDS,
    CeasefireState,
    Edge,
    ExtraActor,
    InitialState,
    Intervention,
    Locality,
    Scenario,
    ScenarioInfo,
    ScheduledEvent,
    TalksState,
    Terrain,
)

#: The project's scenario folder.

#: The historical episodes, in the order the default job runs them.
EPISODES = ("geneva_2016_02", "ceasefire_2016_09")

KINDS = ("episode", "counterfactual")
#: The five simulated actors (the same as `sim.events.MODEL_ACTORS`, kept here so that loading
#: a scenario does not import pandas) and the catch-all code of the event table.
MIN_HORIZON, MAX_HORIZON = 1, 366
#: The years a run's window may span (start_date to its last day): far dates are typing errors,
#: and past year 9999 the calendar arithmetic overflows.
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_WEIGHT = 10.0
EDGE_STATES = ("open", "closed")
CHANNEL_STATES = ("open", "suspended")

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_ACTOR_CODE = re.compile(r"^[A-Z]{2,8}$")
_TOML_POS = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$")

_TOP_EPISODE = ("name", "kind", "description", "start_date", "horizon_days", "state", "terrain",
                "actor", "edge", "parameters", "schedule")
_TOP_COUNTERFACTUAL = ("name", "kind", "description", "extends", "start_date", "horizon_days",
                       "state", "terrain", "actor", "edge", "parameters", "schedule",
                       "intervention", "headline_outcome")
_REQUIRED_EPISODE = ("name", "kind", "description", "start_date", "horizon_days", "state",
                     "terrain")
_REQUIRED_COUNTERFACTUAL = ("name", "kind", "description", "extends")
_STATE_KEYS = ("talks", "ceasefire", "channel", "offensive", "opp_present")
_TERRAIN_KEYS = ("file", "offensive_axis", "control")
_ACTOR_KEYS = ("code", "label", "role")
_EDGE_KEYS = ("source", "target", "kind", "weight", "state")
_SCHEDULE_KEYS = ("event", "day", "date")
_RANGE_KEYS = ("from_day", "from_date", "to_day", "to_date")
_INTERVENTION_KEYS = {
    "force": ("kind", "mechanism", "value") + _RANGE_KEYS,
    "set": ("kind", "parameter", "value") + _RANGE_KEYS,
    "edge": ("kind", "source", "target", "edge_kind", "state") + _RANGE_KEYS,
    "schedule": ("kind", "event", "day", "date"),
}
_INTERVENTION_REQUIRED = {
    "force": ("mechanism", "value"),
    "set": ("parameter", "value"),
    "edge": ("source", "target", "edge_kind", "state"),
    "schedule": ("event",),
}
_TERRAIN_FILE_KEYS = ("name", "description", "crossing", "city", "locality", "road")
_TERRAIN_FILE_REQUIRED = ("name", "crossing", "city", "locality", "road")
_LOCALITY_KEYS = ("name", "label", "population", "control", "kind")
_ROAD_KEYS = ("between",)


# --------------------------------------------------------------------------- error helpers
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Where:
    """The file being checked: makes its one-line errors."""

    def __init__(self, path: Path):
        self.path = path

    def error(self, key: str | None, what: str, allowed: str | None = None) -> UserError:
        msg = f"{self.path}: {key}: {what}" if key else f"{self.path}: {what}"
        if allowed:
            msg += f"; allowed: {allowed}"
        return UserError(_one_line(msg))


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, dt.datetime):
        return f"a date-time ({value.isoformat()})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, dt.time):
        return f"a time ({value.isoformat()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _join(items) -> str:
    return ", ".join(str(i) for i in items)


def _key(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _check_keys(w: _Where, table: dict, allowed, prefix: str, required=()) -> None:
    for key in table:
        if key not in allowed:
            raise w.error(_key(prefix, key), "unknown key", _join(allowed))
    for key in required:
        if key not in table:
            raise w.error(_key(prefix, key), "missing required key", _join(allowed))


def _table(w: _Where, value, keypath: str) -> dict:
    if not isinstance(value, dict):
        raise w.error(keypath, f"must be a table [{keypath}], got {_describe(value)}",
                      f"a table [{keypath}]")
    return value


def _tables(w: _Where, value, keypath: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise w.error(keypath, f"must be an array of tables [[{keypath}]], got {_describe(value)}",
                      f"[[{keypath}]] blocks")
    return value


def _str(w: _Where, value, keypath: str, allowed: str = "a string") -> str:
    if not isinstance(value, str):
        raise w.error(keypath, f"must be a string, got {_describe(value)}", allowed)
    return value


def _line(w: _Where, value, keypath: str) -> str:
    text = _str(w, value, keypath, "one non-empty line of text")
    if not text.strip() or "\n" in text or "\r" in text:
        raise w.error(keypath, "must be one non-empty line", "one non-empty line of text")
    return text


def _enum(w: _Where, value, keypath: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise w.error(keypath, f"{_describe(value)} is not allowed", _join(allowed))
    return value


def _bool(w: _Where, value, keypath: str) -> bool:
    if not isinstance(value, bool):
        raise w.error(keypath, f"must be a boolean, got {_describe(value)}", "true, false")
    return value


def _int(w: _Where, value, keypath: str, low: int | None = None, high: int | None = None,
         allowed: str | None = None) -> int:
    if allowed is None:
        if low is not None and high is not None:
            allowed = f"an integer in {low}..{high}"
        elif low is not None:
            allowed = f"an integer >= {low}"
        else:
            allowed = "an integer"
    if isinstance(value, bool) or not isinstance(value, int):
        raise w.error(keypath, f"must be an integer, got {_describe(value)}", allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        raise w.error(keypath, f"{value} is out of range", allowed)
    return value


def _number(w: _Where, value, keypath: str, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise w.error(keypath, f"must be a number, got {_describe(value)}", allowed)
    return float(value)


_DATE_ALLOWED = "a TOML date such as 2016-01-29 (no quotes)"
_START_ALLOWED = f"a date in the years {MIN_YEAR}..{MAX_YEAR} whose window ends by {MAX_YEAR}-12-31"


def _date(w: _Where, value, keypath: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise w.error(keypath, f"must be a date without a time, got {_describe(value)}",
                      _DATE_ALLOWED)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise w.error(keypath, f"{value!r} is not a valid date", _DATE_ALLOWED) from None
        raise w.error(keypath, f"{value!r} is a string, not a date: write it without quotes",
                      _DATE_ALLOWED)
    raise w.error(keypath, f"must be a date, got {_describe(value)}", _DATE_ALLOWED)


def _ident(w: _Where, value, keypath: str) -> str:
    name = _str(w, value, keypath, "an identifier matching ^[a-z][a-z0-9_]*$")
    if not _IDENT.match(name):
        raise w.error(keypath, f"{name!r} is not an identifier",
                      "lower-case letters, digits and underscores, starting with a letter "
                      "(^[a-z][a-z0-9_]*$)")
    return name


def _is_file(path: Path) -> bool:
    """Whether `path` is a file; False for a name the file system refuses (too long, NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _inside(w: _Where, keypath: str, shown: str, target: Path, folders, allowed: str) -> Path:
    """`target` with its symlinks resolved, if it lies inside one of `folders`.

    A scenario names files of its own folder only: never ../../etc/passwd or /proc/self/environ,
    which would be opened and parsed, their content echoed in the error.
    """
    roots = [Path(f).resolve() for f in folders]
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        resolved = None
    if resolved is None or not any(resolved.is_relative_to(r) for r in roots):
        raise w.error(keypath, f"{shown!r} must be a file inside {' or '.join(map(str, roots))}",
                      allowed)
    return resolved


# --------------------------------------------------------------------------- reading files
_TEXT_CACHE: dict[Path, tuple[tuple[int, int], dict]] = {}
_FILE_CACHE: dict[Path, tuple[tuple[int, int], "_File"]] = {}
_TERRAIN_CACHE: dict[Path, tuple[tuple[int, int], Terrain]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _read_toml(path: Path) -> dict:
    """The parsed TOML document (cached per modification time and size)."""
    stamp = _stamp(path)
    if stamp is None or not path.is_file():
        raise UserError(f"{path}: file not found")
    hit = _TEXT_CACHE.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text (byte {err.start}); allowed: a UTF-8 TOML file") from None
    except OSError as err:
        raise UserError(_one_line(f"{path}: cannot read: {err.strerror or err}")) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:  # the parser recurses once per level of nested arrays/inline tables
        raise UserError(f"{path}: arrays or inline tables nested too deeply; allowed: "
                        "the few levels of docs/scenarios.md") from None
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        match = _TOML_POS.search(msg)
        where = match.group(1) if match else "somewhere"
        what = _TOML_POS.sub("", msg) if match else msg
        raise UserError(_one_line(f"{path}: {where}: malformed TOML: {what}")) from None
    _TEXT_CACHE[path] = (stamp, data)
    return data


@dataclass
class _Bound:
    """One end of a day range as written: (key path, 'day' or 'date', value)."""

    key: str
    value: int | dt.date


@dataclass
class _RawIntervention:
    key: str  # intervention[i]
    kind: str
    fields: dict[str, Any]
    start: _Bound | None = None
    end: _Bound | None = None


@dataclass
class _File:
    """One scenario file, checked on its own (before merging with what it extends)."""

    path: Path
    name: str
    kind: str
    description: str
    extends: str | None
    start_date: dt.date | None
    horizon_days: int | None
    state: dict[str, Any]
    terrain_file: Path | None
    terrain_file_text: str | None
    axis: tuple[str, ...] | None
    control: dict[str, str]
    actors: list[tuple[str, ExtraActor]]
    edges: list[tuple[str, Edge]]
    parameters: dict[str, float]
    schedule: list[tuple[str, _Bound, str]]
    interventions: list[_RawIntervention] = field(default_factory=list)
    headline_outcome: str | None = None


def _cached_parse(path: Path, cache: dict, parse):
    """Read a TOML file and parse it with `parse(where, data)`, cached per file stamp.

    A KeyError/TypeError/... from malformed content that slipped past the checks becomes a
    UserError naming the file: never a traceback for a user's mistake.
    """
    stamp = _stamp(path)
    hit = cache.get(path)
    if hit and stamp is not None and hit[0] == stamp:
        return hit[1]
    data = _read_toml(path)
    w = _Where(path)
    try:
        parsed = parse(w, data)
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:  # a gap in the checks
        raise w.error(None, f"malformed content ({type(err).__name__}: {err})",
                      "see docs/scenarios.md") from None
    if stamp is not None:
        cache[path] = (stamp, parsed)
    return parsed


def _check_file(path: Path) -> _File:
    """Read and check one scenario file (cached)."""
    return _cached_parse(path, _FILE_CACHE, _parse_file)


def _parse_file(w: _Where, data: dict) -> _File:
    path = w.path
    if "kind" not in data:
        raise w.error("kind", "missing required key", _join(KINDS))
    kind = _enum(w, data["kind"], "kind", KINDS)
    if kind == "episode":
        if "extends" in data:
            raise w.error("extends", "an episode extends nothing (a counterfactual does)",
                          _join(_TOP_EPISODE))
        if "intervention" in data:
            raise w.error("intervention", "an episode has no interventions (a counterfactual "
                          "does)", _join(_TOP_EPISODE))
        _check_keys(w, data, _TOP_EPISODE, "", _REQUIRED_EPISODE)
    else:
        if "extends" not in data:
            raise w.error("extends", "missing required key: a counterfactual names the "
                          "scenario it extends", "the name of a scenario in the same folder")
        _check_keys(w, data, _TOP_COUNTERFACTUAL, "", _REQUIRED_COUNTERFACTUAL)

    name = _str(w, data["name"], "name", f"{path.stem!r} (the file name without .toml)")
    if name != path.stem:
        raise w.error("name", f"{name!r} differs from the file name",
                      f"{path.stem!r} (the file name without .toml)")
    description = _line(w, data["description"], "description")

    extends = None
    if kind == "counterfactual":
        extends = _str(w, data["extends"], "extends", "the name of a scenario in the same folder")
        if not extends or "/" in extends or "\\" in extends or extends.endswith(".toml"):
            raise w.error("extends", f"{extends!r} is not a scenario name",
                          "the name of a scenario in the same folder (no path, no .toml)")

    start_date = _date(w, data["start_date"], "start_date") if "start_date" in data else None
    if start_date is not None and not MIN_YEAR <= start_date.year <= MAX_YEAR:
        raise w.error("start_date", f"{start_date} is out of range", _START_ALLOWED)
    horizon = None
    if "horizon_days" in data:
        horizon = _int(w, data["horizon_days"], "horizon_days", MIN_HORIZON, MAX_HORIZON)

    state: dict[str, Any] = {}
    if "state" in data:
        table = _table(w, data["state"], "state")
        _check_keys(w, table, _STATE_KEYS, "state", _STATE_KEYS if kind == "episode" else ())
        if "talks" in table:
            state["talks"] = TalksState(
                _enum(w, table["talks"], "state.talks", [s.value for s in TalksState]))
        if "ceasefire" in table:
            state["ceasefire"] = CeasefireState(
                _enum(w, table["ceasefire"], "state.ceasefire", [s.value for s in CeasefireState]))
        if "channel" in table:
            state["channel_open"] = _enum(w, table["channel"], "state.channel",
                                          CHANNEL_STATES) == "open"
        for key in ("offensive", "opp_present"):
            if key in table:
                state[key] = _bool(w, table[key], f"state.{key}")

    terrain_file = terrain_text = axis = None
    control: dict[str, str] = {}
    if "terrain" in data:
        table = _table(w, data["terrain"], "terrain")
        _check_keys(w, table, _TERRAIN_KEYS, "terrain", ("file",) if kind == "episode" else ())
        if "file" in table:
            allowed = _terrain_allowed(path.parent)
            terrain_text = _str(w, table["file"], "terrain.file", allowed)
            terrain_file = _inside(w, "terrain.file", terrain_text, path.parent / terrain_text,
                                   [path.parent], allowed)
        if "offensive_axis" in table:
            value = table["offensive_axis"]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise w.error("terrain.offensive_axis",
                              f"must be an array of locality names, got {_describe(value)}",
                              "an array of locality names")
            axis = tuple(value)
            for i, loc in enumerate(axis):
                if loc in axis[:i]:
                    raise w.error("terrain.offensive_axis", f"{loc!r} is listed twice",
                                  "each locality once")
        if "control" in table:
            ctl = _table(w, table["control"], "terrain.control")
            for loc, value in ctl.items():
                control[loc] = _enum(w, value, f"terrain.control.{loc}", CONTROL)

    actors = []
    for i, entry in enumerate(_tables(w, data.get("actor", []), "actor"), 1):
        key = f"actor[{i}]"
        _check_keys(w, entry, _ACTOR_KEYS, key, _ACTOR_KEYS)
        code = _str(w, entry["code"], f"{key}.code", "2-8 capital letters")
        if not _ACTOR_CODE.match(code):
            raise w.error(f"{key}.code", f"{code!r} is not 2-8 capital letters",
                          "2-8 capital letters (A-Z), e.g. TUR")
        if code in ACTOR_CODES:
            raise w.error(f"{key}.code", f"{code!r} is one of the built-in actors",
                          f"2-8 capital letters other than {_join(ACTOR_CODES)}")
        label = _line(w, entry["label"], f"{key}.label")
        role = _enum(w, entry["role"], f"{key}.role", ACTOR_ROLES)
        actors.append((key, ExtraActor(code, label, role)))

    edges = []
    for i, entry in enumerate(_tables(w, data.get("edge", []), "edge"), 1):
        key = f"edge[{i}]"
        _check_keys(w, entry, _EDGE_KEYS, key, ("source", "target", "kind", "weight"))
        source = _str(w, entry["source"], f"{key}.source", "an actor code")
        target = _str(w, entry["target"], f"{key}.target", "an actor code")
        ekind = _enum(w, entry["kind"], f"{key}.kind", EDGE_KINDS)
        weight = _number(w, entry["weight"], f"{key}.weight", f"a number > 0 and <= {MAX_WEIGHT:g}")
        if not 0 < weight <= MAX_WEIGHT:
            raise w.error(f"{key}.weight", f"{weight:g} is out of range",
                          f"a number > 0 and <= {MAX_WEIGHT:g}")
        is_open = _enum(w, entry.get("state", "open"), f"{key}.state", EDGE_STATES) == "open"
        edges.append((key, Edge(source, target, ekind, weight, is_open)))

    parameters = {}
    if "parameters" in data:
        for pname, value in _table(w, data["parameters"], "parameters").items():
            parameters[pname] = _parameter(w, pname, value, f"parameters.{pname}")

    schedule = []
    for i, entry in enumerate(_tables(w, data.get("schedule", []), "schedule"), 1):
        key = f"schedule[{i}]"
        _check_keys(w, entry, _SCHEDULE_KEYS, key, ("event",))
        event = _enum(w, entry["event"], f"{key}.event", SCHEDULABLE_EVENTS)
        bound = _day_or_date(w, entry, key, "day", "date", required=True)
        schedule.append((key, bound, event))

    interventions = []
    for i, entry in enumerate(_tables(w, data.get("intervention", []), "intervention"), 1):
        interventions.append(_parse_intervention(w, entry, f"intervention[{i}]"))

    headline = None
    if "headline_outcome" in data:  # the outcome whose paired change the counterfactual asks about
        headline = _enum(w, data["headline_outcome"], "headline_outcome", effect_outcomes())

    return _File(path, name, kind, description, extends, start_date, horizon, state,
                 terrain_file, terrain_text, axis, control, actors, edges, parameters, schedule,
                 interventions, headline)


def _parameter(w: _Where, name, value, keypath: str) -> float:
    table = parameter_table()
    if name not in table:
        raise w.error(keypath, f"unknown parameter {name!r}", _join(table))
    spec = table[name]
    allowed = f"a number in [{spec.low:g}, {spec.high:g}] ({spec.unit})"
    _number(w, value, keypath, allowed)
    try:
        return check_parameter(name, value, keypath)
    except ValueError as err:
        raise w.error(None, str(err), allowed) from None


def _day_or_date(w: _Where, entry: dict, prefix: str, day_key: str, date_key: str,
                 required: bool = False) -> _Bound | None:
    has_day, has_date = day_key in entry, date_key in entry
    if has_day and has_date:
        raise w.error(_key(prefix, date_key), f"give {day_key} or {date_key}, not both",
                      f"{day_key} (days since start_date) or {date_key} (a TOML date)")
    if has_day:
        keypath = _key(prefix, day_key)
        return _Bound(keypath, _int(w, entry[day_key], keypath, 0,
                                    allowed="an integer >= 0 (days since start_date)"))
    if has_date:
        keypath = _key(prefix, date_key)
        return _Bound(keypath, _date(w, entry[date_key], keypath))
    if required:
        raise w.error(_key(prefix, day_key), f"missing: give {day_key} or {date_key}",
                      f"{day_key} (days since start_date) or {date_key} (a TOML date)")
    return None


def _parse_intervention(w: _Where, entry: dict, key: str) -> _RawIntervention:
    if "kind" not in entry:
        raise w.error(f"{key}.kind", "missing required key", _join(INTERVENTION_KINDS))
    kind = _enum(w, entry["kind"], f"{key}.kind", INTERVENTION_KINDS)
    allowed = _INTERVENTION_KEYS[kind]
    for k in entry:
        if k not in allowed:
            raise w.error(f"{key}.{k}", f"unknown key for a {kind!r} intervention", _join(allowed))
    for k in _INTERVENTION_REQUIRED[kind]:
        if k not in entry:
            raise w.error(f"{key}.{k}", f"missing required key of a {kind!r} intervention",
                          _join(allowed))
    fields: dict[str, Any] = {}
    if kind == "force":
        mech = _enum(w, entry["mechanism"], f"{key}.mechanism", RULES)
        quantity = RULES[mech].quantity.value
        allowed_value = ("a probability in [0, 1]" if quantity == "probability"
                         else "a rate in [0, 1000]")
        _number(w, entry["value"], f"{key}.value", allowed_value)
        try:
            fields["value"] = check_forced_value(mech, entry["value"], f"{key}.value")
        except ValueError as err:
            raise w.error(None, str(err), allowed_value) from None
        fields["mechanism"] = mech
    elif kind == "set":
        pname = entry["parameter"]
        if not isinstance(pname, str) or pname not in parameter_table():
            raise w.error(f"{key}.parameter", f"{_describe(pname)} is not a parameter",
                          _join(parameter_table()))
        fields["parameter"] = pname
        fields["value"] = _parameter(w, pname, entry["value"], f"{key}.value")
    elif kind == "edge":
        fields["source"] = _str(w, entry["source"], f"{key}.source", "an actor code")
        fields["target"] = _str(w, entry["target"], f"{key}.target", "an actor code")
        fields["edge_kind"] = _enum(w, entry["edge_kind"], f"{key}.edge_kind", EDGE_KINDS)
        fields["open"] = _enum(w, entry["state"], f"{key}.state", EDGE_STATES) == "open"
    else:
        fields["event"] = _enum(w, entry["event"], f"{key}.event", SCHEDULABLE_EVENTS)
        start = _day_or_date(w, entry, key, "day", "date", required=True)
        return _RawIntervention(key, kind, fields, start, start)
    start = _day_or_date(w, entry, key, "from_day", "from_date")
    end = _day_or_date(w, entry, key, "to_day", "to_date")
    return _RawIntervention(key, kind, fields, start, end)


# --------------------------------------------------------------------------- terrain
def _load_terrain(path: Path) -> Terrain:
    """Read and check a terrain file (cached); its offensive axis is empty."""
    return _cached_parse(path, _TERRAIN_CACHE, _parse_terrain)


def _parse_terrain(w: _Where, data: dict) -> Terrain:
    _check_keys(w, data, _TERRAIN_FILE_KEYS, "", _TERRAIN_FILE_REQUIRED)
    name = _str(w, data["name"], "name", f"{w.path.stem!r} (the file name without .toml)")
    if name != w.path.stem:
        raise w.error("name", f"{name!r} differs from the file name",
                      f"{w.path.stem!r} (the file name without .toml)")
    if "description" in data:
        _line(w, data["description"], "description")
    localities: list[Locality] = []
    names: set[str] = set()
    for i, entry in enumerate(_tables(w, data["locality"], "locality"), 1):
        key = f"locality[{i}]"
        _check_keys(w, entry, _LOCALITY_KEYS, key, _LOCALITY_KEYS)
        lname = _ident(w, entry["name"], f"{key}.name")
        if lname in names:
            raise w.error(f"{key}.name", f"{lname!r} is defined twice", "unique locality names")
        names.add(lname)
        localities.append(Locality(
            name=lname,
            label=_line(w, entry["label"], f"{key}.label"),
            population=_int(w, entry["population"], f"{key}.population", 0),
            control=_enum(w, entry["control"], f"{key}.control", CONTROL),
            kind=_enum(w, entry["kind"], f"{key}.kind", LOCALITY_KINDS),
        ))
    if not localities:
        raise w.error("locality", "no [[locality]] given", "one or more [[locality]] blocks")
    enclaves = sum(1 for loc in localities if loc.kind == "enclave")
    if enclaves > MAX_ENCLAVES:
        raise w.error("locality", f"{enclaves} localities of kind 'enclave'",
                      f"at most {MAX_ENCLAVES} enclaves (a relief names them as one bit each)")
    known = _known(names)

    roads: list[tuple[str, str]] = []
    seen: set[frozenset] = set()
    for i, entry in enumerate(_tables(w, data["road"], "road"), 1):
        key = f"road[{i}]"
        _check_keys(w, entry, _ROAD_KEYS, key, _ROAD_KEYS)
        pair = entry["between"]
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(p, str) for p in pair)):
            raise w.error(f"{key}.between", f"must be two locality names, got {_describe(pair)}",
                          "[\"a\", \"b\"] with two known localities")
        for p in pair:
            if p not in names:
                raise w.error(f"{key}.between", f"unknown locality {p!r}", known)
        if pair[0] == pair[1]:
            raise w.error(f"{key}.between", f"a road from {pair[0]!r} to itself",
                          "two different localities")
        if frozenset(pair) in seen:
            raise w.error(f"{key}.between", f"road {pair[0]} - {pair[1]} is listed twice",
                          "each road once")
        seen.add(frozenset(pair))
        roads.append((pair[0], pair[1]))

    crossing = _str(w, data["crossing"], "crossing", known)
    if crossing not in names:
        raise w.error("crossing", f"unknown locality {crossing!r}", known)
    city = data["city"]
    if not isinstance(city, list) or not city or not all(isinstance(c, str) for c in city):
        raise w.error("city", f"must be a non-empty array of locality names, got {_describe(city)}",
                      known)
    for c in city:
        if c not in names:
            raise w.error("city", f"unknown locality {c!r}", known)
    return Terrain(name=name, localities=tuple(localities), roads=tuple(roads),
                   crossing=crossing, city=tuple(city))


def _terrain_allowed(folder: Path) -> str:
    """What terrain.file may name: the terrain files of the scenario's folder."""
    available = sorted(str(p.relative_to(folder)) for p in folder.glob("terrain/*.toml"))
    return (_join(available) or "a terrain file") + " (relative to the scenario's folder)"


def _known(names) -> str:
    return "localities of the terrain file: " + _join(sorted(names))


# --------------------------------------------------------------------------- resolving
def _resolve(name_or_path, scenario_dir: Path) -> Path:
    text = str(name_or_path)
    is_path = isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml")
    if is_path:
        path = Path(text).expanduser()
        if path.suffix != ".toml":
            raise UserError(f"{path}: not a scenario file; allowed: a .toml file or a scenario name")
        if not path.is_file():
            raise UserError(f"{path}: file not found; allowed: a scenario file or one of: "
                            f"{_join(_names(scenario_dir)) or '(none)'}")
        return path.resolve()
    path = scenario_dir / f"{text}.toml"
    if not path.is_file():
        raise UserError(f"{scenario_dir}: unknown scenario {text!r}; allowed: "
                        f"{_join(_names(scenario_dir)) or '(no scenarios in this folder)'}")
    return path.resolve()


def _names(folder: Path) -> list[str]:
    try:
        return sorted(p.stem for p in folder.glob("*.toml") if p.is_file())
    except OSError:
        return []


def _chain(leaf: Path, scenario_dir: Path) -> list[_File]:
    """The files from the root episode to `leaf`."""
    chain = [_check_file(leaf)]
    seen = [chain[0].name]
    while chain[-1].kind == "counterfactual":
        child = chain[-1]
        parent_name = child.extends
        if parent_name in seen:
            cycle = " -> ".join(seen[seen.index(parent_name):] + [parent_name])
            raise _Where(child.path).error("extends", f"extends cycle {cycle}",
                                           "a chain of counterfactuals ending at an episode")
        # its own folder, the scenario folder, then the shipped episodes (a user's folder of
        # counterfactuals extends them by name)
        folders = list(dict.fromkeys(f.resolve() for f in (child.path.parent, scenario_dir, SCENARIO_DIR)))
        found = next((c for c in (f / f"{parent_name}.toml" for f in folders) if _is_file(c)), None)
        w = _Where(child.path)
        if found is None:
            names = sorted({n for f in folders for n in _names(f)} - {child.name})
            raise w.error("extends", f"no scenario named {parent_name!r}",
                          _join(names) or "(no other scenario in the folder)")
        chain.append(_check_file(_inside(w, "extends", parent_name, found, folders,
                                         "the name of a scenario in the same folder or a shipped one")))
        seen.append(parent_name)
    chain.reverse()
    return chain


def _day(w: _Where, bound: _Bound, start: dt.date, horizon: int, horizon_note: str) -> int:
    day = bound.value if isinstance(bound.value, int) else (bound.value - start).days
    if not 0 <= day < horizon:
        shown = f"{day}" if isinstance(bound.value, int) else f"{bound.value} (day {day})"
        raise w.error(bound.key, f"{shown} is outside the run",
                      f"days 0..{horizon - 1}, dates {start}..{start + dt.timedelta(days=horizon - 1)}"
                      f" ({horizon_note})")
    return day


def _merge(chain: list[_File]) -> Scenario:
    root, leaf = chain[0], chain[-1]
    if root.kind != "episode":  # unreachable: the chain ends at a file without extends
        raise _Where(root.path).error("kind", "the chain does not end at an episode", "episode")
    start = root.start_date
    horizon, horizon_file = root.horizon_days, root.path
    state: dict[str, Any] = {}
    terrain_file, terrain_from, terrain_text = None, root.path, None
    axis, axis_from = (), root.path
    control: dict[str, tuple[str, Path]] = {}
    parameters: dict[str, float] = {}
    for f in chain:
        w = _Where(f.path)
        if f.kind == "counterfactual":
            if f.start_date is not None and f.start_date != start:
                raise w.error("start_date", "a counterfactual keeps its episode's start date",
                              f"{start} (from {root.path.name}) or leave start_date out")
        if f.horizon_days is not None:
            horizon, horizon_file = f.horizon_days, f.path
        state.update(f.state)
        if f.terrain_file is not None:
            terrain_file, terrain_from, terrain_text = f.terrain_file, f.path, f.terrain_file_text
        if f.axis is not None:
            axis, axis_from = f.axis, f.path
        for loc, value in f.control.items():
            control[loc] = (value, f.path)
        parameters.update(f.parameters)
    horizon_note = f"horizon_days = {horizon} in {horizon_file.name}"
    last = start + dt.timedelta(days=horizon - 1)
    if last.year > MAX_YEAR:
        raise _Where(root.path).error("start_date", f"the run's window {start}..{last} "
                                      f"({horizon_note}) ends after {MAX_YEAR}", _START_ALLOWED)

    # terrain
    if terrain_file is None or not _is_file(terrain_file):
        raise _Where(terrain_from).error(
            "terrain.file", f"terrain file {terrain_text!r} not found ({terrain_file})",
            _terrain_allowed(terrain_from.parent))
    base = _load_terrain(terrain_file)
    names = {loc.name for loc in base.localities}
    for loc, (value, origin) in control.items():
        if loc not in names:
            raise _Where(origin).error(f"terrain.control.{loc}", f"unknown locality {loc!r}",
                                       _known(names) + f" ({terrain_file.name})")
    for loc in axis:
        if loc not in names:
            raise _Where(axis_from).error("terrain.offensive_axis", f"unknown locality {loc!r}",
                                          _known(names) + f" ({terrain_file.name})")
    localities = tuple(
        replace(loc, control=control[loc.name][0]) if loc.name in control else loc
        for loc in base.localities
    )
    terrain = replace(base, localities=localities, offensive_axis=tuple(axis))

    # actors and edges
    actors: list[ExtraActor] = []
    for f in chain:
        for key, actor in f.actors:
            if any(a.code == actor.code for a in actors):
                raise _Where(f.path).error(f"{key}.code", f"actor {actor.code!r} is declared twice",
                                           "a code not declared before in this scenario chain")
            actors.append(actor)
    codes = ACTOR_CODES + tuple(a.code for a in actors)
    edges: list[Edge] = []
    index: set[tuple[str, str, str]] = set()
    for f in chain:
        w = _Where(f.path)
        for key, edge in f.edges:
            for role in ("source", "target"):
                code = getattr(edge, role)
                if code not in codes:
                    raise w.error(f"{key}.{role}", f"unknown actor {code!r}",
                                  _join(codes) + " (add others with [[actor]])")
            if edge.source == edge.target:
                raise w.error(f"{key}.target", f"an edge from {edge.source} to itself",
                              "an actor other than the source")
            pairs = [(edge.source, edge.target)]
            if edge.kind in SYMMETRIC_EDGE_KINDS:
                pairs.append((edge.target, edge.source))
            for s, t in pairs:
                if (s, t, edge.kind) in index:
                    raise w.error(key, f"duplicate edge {s} -> {t} ({edge.kind})"
                                  + (", symmetric kinds count both ways"
                                     if edge.kind in SYMMETRIC_EDGE_KINDS else ""),
                                  "each (source, target, kind) once")
                index.add((s, t, edge.kind))
                edges.append(Edge(s, t, edge.kind, edge.weight, edge.open))

    # schedule
    schedule: list[ScheduledEvent] = []
    for f in chain:
        w = _Where(f.path)
        for key, bound, event in f.schedule:
            schedule.append(ScheduledEvent(_day(w, bound, start, horizon, horizon_note), event))
    schedule.sort(key=lambda e: e.day)

    # interventions
    interventions: list[Intervention] = []
    for f in chain:
        w = _Where(f.path)
        for raw in f.interventions:
            from_day = _day(w, raw.start, start, horizon, horizon_note) if raw.start else 0
            to_day = _day(w, raw.end, start, horizon, horizon_note) if raw.end else None
            if to_day is not None and to_day < from_day:
                raise w.error(raw.end.key, f"day {to_day} precedes the first day {from_day}",
                              f"days {from_day}..{horizon - 1}")
            fields = dict(raw.fields)
            if raw.kind == "edge":
                for role in ("source", "target"):
                    if fields[role] not in codes:
                        raise w.error(f"{raw.key}.{role}", f"unknown actor {fields[role]!r}",
                                      _join(codes))
                if (fields["source"], fields["target"], fields["edge_kind"]) not in index:
                    existing = sorted(f"{s}->{t} {k}" for s, t, k in index)
                    raise w.error(raw.key, f"no edge {fields['source']} -> {fields['target']} "
                                  f"({fields['edge_kind']}) in the network", _join(existing))
            interventions.append(Intervention(kind=raw.kind, from_day=from_day, to_day=to_day,
                                              origin=str(f.path), **fields))

    files = tuple(f.path for f in chain) + (terrain_file,)
    return Scenario(
        name=leaf.name,
        kind=leaf.kind,
        description=leaf.description,
        episode=root.name,
        extends=leaf.extends,
        start_date=start,
        horizon_days=horizon,
        state=InitialState(**state),
        actors=tuple(actors),
        edges=tuple(edges),
        terrain=terrain,
        parameters=parameters,
        schedule=tuple(schedule),
        interventions=tuple(interventions),
        files=files,
        headline_outcome=next((f.headline_outcome for f in reversed(chain) if f.headline_outcome), None),
    )


# --------------------------------------------------------------------------- public API
def effect_outcomes() -> list[str]:
    """The outcomes a paired effect can be taken of (every outcome column but the horizon)."""
    return [name for name in outcome_table() if name != "horizon_days"]


def load_scenario(name_or_path: str | Path, scenario_dir: str | Path | None = None) -> Scenario:
    """Load and validate a scenario.

    Args:
        name_or_path: a scenario name (the file stem in `scenario_dir`) or a path to a .toml
            file. A counterfactual's `extends` is looked up next to its file, then in
            `scenario_dir`.
        scenario_dir: folder of scenario files (default: the project's scenarios/).

    Returns:
        The validated Scenario, merged with the chain it extends.

    Raises:
        UserError: one line naming the file, the key, what is wrong and what is allowed.
    """
    folder = Path(SCENARIO_DIR if scenario_dir is None else scenario_dir).expanduser()
    return _merge(_chain(_resolve(name_or_path, folder), folder))


def list_scenarios(scenario_dir: str | Path = SCENARIO_DIR) -> list[ScenarioInfo]:
    """Every scenario of the folder (not its terrain/ subfolder), episodes first, by name.

    Every file is loaded and validated: a broken file raises UserError naming it.
    """
    folder = Path(scenario_dir).expanduser()
    if not folder.is_dir():
        raise UserError(f"{folder}: scenario folder not found; allowed: a folder of .toml scenario files")
    infos = []
    for path in sorted(folder.glob("*.toml")):
        if not path.is_file():
            continue
        scenario = load_scenario(path, folder)
        infos.append(ScenarioInfo(scenario.name, scenario.kind, scenario.extends,
                                  scenario.description, path.resolve()))
    infos.sort(key=lambda i: (i.kind != "episode", i.name))
    return infos
