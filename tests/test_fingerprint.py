"""Same seed, same numbers: the model's records against a fingerprint taken before a change.

`tests/data/model_fingerprint.json` holds, per shipped scenario, a SHA-256 over 12 seeds of the
outcome record, every event (day, source, target, code, rule, text) and every daily state row;
odd seeds run on a draw of the committed posterior, even seeds on the default parameters. It
was taken at the commit it names. A change that is meant to leave every run as it was (a move,
a refactor, a speed-up) must leave it unchanged; a change to the model's behaviour updates it
in the same commit, with the reason in the message.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from sim.model.model import DiplomacyModel
from sim.paths import DEFAULT_POSTERIOR
from sim.scenarios import list_scenarios, load_scenario

FINGERPRINT = Path(__file__).parent / "data" / "model_fingerprint.json"


def _canon(value) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if hasattr(value, "item"):
        return _canon(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def scenario_fingerprint(name: str, seeds: int) -> str:
    """The SHA-256 of a scenario's records over `seeds` seeds (see the module docstring)."""
    posterior = pd.read_csv(DEFAULT_POSTERIOR)
    columns = [c for c in posterior.columns if c not in ("draw_id", "weight")]
    scenario = load_scenario(name)
    digest = hashlib.sha256()
    for seed in range(seeds):
        row = posterior.iloc[seed * 7 % len(posterior)]
        params = {c: float(row[c]) for c in columns} if seed % 2 else {}
        model = DiplomacyModel(scenario=scenario, parameters=params, record_daily=True, rng=seed)
        model.run()
        record = {key: _canon(value) for key, value in model.outcomes().items()}
        digest.update(json.dumps(record, sort_keys=True).encode())
        for day, source, target, code, rule, text in model.event_log:
            digest.update(f"{day!r}|{source}|{target}|{code}|{rule}|{text}".encode())
        for state in model.daily:
            digest.update("|".join(_canon(v) for v in state).encode())
    return digest.hexdigest()


EXPECTED = json.loads(FINGERPRINT.read_text(encoding="utf-8"))


def test_fingerprint_covers_every_shipped_scenario():
    assert sorted(EXPECTED["scenarios"]) == sorted(info.name for info in list_scenarios())


@pytest.mark.parametrize("name", sorted(EXPECTED["scenarios"]))
def test_records_match_the_fingerprint(name):
    assert scenario_fingerprint(name, EXPECTED["seeds"]) == EXPECTED["scenarios"][name], (
        f"{name}: outcomes, events or daily states differ from the fingerprint taken at "
        f"{EXPECTED['taken_at_commit']}"
    )
