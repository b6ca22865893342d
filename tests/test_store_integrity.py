"""A study folder checks itself: parts against the part index, the manifest against its identity,
one writer at a time; a broken folder is refused in one line or its damaged tasks run again."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import UserError
import sim.experiments.batch as batch
from sim.experiments.batch import run_study
from sim.paths import PROJECT_ROOT
from sim.results.provenance import record_provenance
from sim.results.store import INDEX_FILE, LOCK_FILE, StudyStore, load_study

#: A small study: 2 scenarios x 6 replicates in tasks of 3, 10 days, with events and daily states.
DESIGN = {"scenarios": ["geneva_2016_02", "geneva_2016_02_no_strikes"], "replicates": 6, "seed": 1,
          "parameters": "defaults", "task_size": 3, "days": 10, "events": True, "daily": True, "progress": False}
KEY = "geneva_2016_02-0000003-0000005"


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The study run once, uninterrupted: each test damages a copy of it."""
    return run_study("S", results_dir=tmp_path_factory.mktemp("original"), **DESIGN)


@pytest.fixture
def study(original, tmp_path) -> Path:
    """A copy of the original study's folder (tmp_path/S)."""
    return Path(shutil.copytree(original.path, tmp_path / "S"))


def rerun(folder: Path, **changes):
    return run_study("S", results_dir=folder.parent, **{**DESIGN, **changes})


def edit_json(path: Path, edit) -> None:
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))


def refused_then_recomputed(study: Path, table: str, capsys, damaged: str = "damaged part"):
    """The loader refuses the study naming the damaged part; a rerun recomputes it, saying so.

    Returns:
        The rerun's study.
    """
    with pytest.raises(UserError, match=f"{damaged} \\({table}/{KEY}\\)"):
        load_study(study)
    again = rerun(study)
    assert f"({table}/{KEY}) will be recomputed" in capsys.readouterr().err
    return again


def assert_same_study(study, original) -> None:
    pd.testing.assert_frame_equal(study.runs, original.runs)
    pd.testing.assert_frame_equal(study.events(), original.events())
    pd.testing.assert_frame_equal(study.daily(), original.daily())


def test_the_part_index_records_every_part(original):
    index = json.loads((original.path / INDEX_FILE).read_text())
    assert len(index["parts"]) == 3 * 4  # runs, events, daily of 4 tasks
    entry = index["parts"][f"runs/{KEY}"]
    assert entry["table"] == "runs" and entry["key"] == KEY and entry["rows"] == 3
    assert entry["bytes"] == (original.path / "runs" / f"{KEY}.parquet").stat().st_size
    assert index["identity"] == original.manifest["identity"]
    assert index["identity_sha256"] == original.manifest["identity_sha256"]
    assert not (original.path / LOCK_FILE).exists()  # released


# --------------------------------------------------------------------------- 1: parts, no manifest
def test_parts_without_a_manifest_are_not_adopted(study):
    (study / "manifest.json").unlink()
    with pytest.raises(UserError, match=r"S: holds 12 stored parts but no manifest.json; restore the manifest, "
                                        r"or delete the folder"):
        rerun(study, seed=2)
    assert not (study / "manifest.json").exists()


# --------------------------------------------------------------------------- 2: an edited manifest
def test_an_edited_design_is_refused_and_the_manifest_left_alone(study):
    edit_json(study / "manifest.json", lambda m: m["design"].update(seed=5))
    before = (study / "manifest.json").read_bytes()
    with pytest.raises(UserError, match=r"manifest.json: design.seed differs from the study's identity "
                                        r"\(identity.design.seed\): the manifest was edited"):
        rerun(study)
    assert (study / "manifest.json").read_bytes() == before  # no 'resumed' entry
    with pytest.raises(UserError, match="design.seed differs"):
        load_study(study)


def test_an_edited_identity_is_refused_naming_the_key(study):
    def reseed(manifest):
        manifest["design"]["seed"] = manifest["identity"]["design"]["seed"] = 2

    edit_json(study / "manifest.json", reseed)
    with pytest.raises(UserError, match=r"identity.design.seed differs from the part index's \(parts.json\)"):
        rerun(study, seed=2)
    (study / INDEX_FILE).unlink()  # without the index, the identity's own sha256 finds it
    with pytest.raises(UserError, match="its identity does not match its identity_sha256"):
        rerun(study, seed=2)


def test_a_consistent_edit_of_an_old_manifest_is_caught_by_the_stored_seeds(study, original, capsys):
    """A study written before the part index and the identity's sha256, edited to seed 2 in
    both places: the stored runs carry seed 1's seeds, so every task runs again."""
    (study / INDEX_FILE).unlink()

    plan = batch.plan_study("S", **{**{k: v for k, v in DESIGN.items() if k != "progress"}, "seed": 2})
    reseeded = batch._identity(plan, record_provenance()["sha256"])

    def reseed(manifest):
        manifest["design"]["seed"] = manifest["identity"]["design"]["seed"] = 2
        manifest["identity"]["tasks_sha256"] = reseeded["tasks_sha256"]
        del manifest["identity_sha256"]

    edit_json(study / "manifest.json", reseed)
    again = rerun(study, seed=2)
    assert "4 damaged parts (runs/" in capsys.readouterr().err
    assert again.manifest["last_session"]["runs"] == 12
    fresh = run_study("fresh", results_dir=study.parent, **{**DESIGN, "seed": 2})
    pd.testing.assert_frame_equal(again.runs, fresh.runs)


# --------------------------------------------------------------------------- 3, 4: damaged parts
@pytest.mark.parametrize("table", ["events", "runs", "daily"])
def test_a_truncated_part_is_refused_by_the_loader_and_recomputed_by_a_rerun(study, original, table, capsys):
    part = study / table / f"{KEY}.parquet"
    part.write_bytes(part.read_bytes()[:200])
    manifest_before = (study / "manifest.json").read_bytes()
    with pytest.raises(UserError, match=rf"S: 1 damaged part \({table}/{KEY}\); run the same batch command again"):
        load_study(study)
    assert (study / "manifest.json").read_bytes() == manifest_before
    again = rerun(study)
    err = capsys.readouterr().err
    assert f"S: 1 damaged part ({table}/{KEY}) will be recomputed" in err
    assert len(err.strip().splitlines()) == 1
    assert again.manifest["last_session"]["runs"] == 3
    assert_same_study(load_study(study), original)


def test_a_changed_byte_is_found_by_the_sha256(study, original, capsys):
    part = study / "runs" / f"{KEY}.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes
    part.write_bytes(bytes(data))
    refused_then_recomputed(study, "runs", capsys)
    assert_same_study(load_study(study), original)


def test_a_missing_indexed_part_is_recomputed(study, original, capsys):
    (study / "daily" / f"{KEY}.parquet").unlink()
    assert refused_then_recomputed(study, "daily", capsys).manifest["last_session"]["runs"] == 3
    assert_same_study(load_study(study), original)


def test_report_refuses_a_damaged_study_before_writing_anything(study, tmp_path):
    part = study / "events" / f"{KEY}.parquet"
    part.write_bytes(part.read_bytes()[:100])
    out = tmp_path / "report"
    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "report", "--study", str(study),
                           "--out", str(out)], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
                          check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {study}: 1 damaged part (events/{KEY}); run the same batch command again to recompute it"]
    assert not out.exists() or not any(out.iterdir())


# --------------------------------------------------------------------------- studies before the index
def test_a_study_without_a_part_index_loads_and_gets_one_on_a_rerun(study, original, capsys):
    (study / INDEX_FILE).unlink()
    assert_same_study(load_study(study), original)
    again = rerun(study)
    assert again.manifest["last_session"]["runs"] == 0  # every part read whole and checked
    assert capsys.readouterr().err == ""
    assert json.loads((study / INDEX_FILE).read_text()) == json.loads((original.path / INDEX_FILE).read_text())
    assert_same_study(again, original)


def test_a_truncated_part_of_a_study_without_a_part_index(study, original, capsys):
    (study / INDEX_FILE).unlink()
    part = study / "runs" / f"{KEY}.parquet"
    part.write_bytes(part.read_bytes()[:300])
    assert refused_then_recomputed(study, "runs", capsys, "1 damaged part").manifest["last_session"]["runs"] == 3
    assert_same_study(load_study(study), original)


def test_a_part_written_but_not_yet_indexed_is_checked_and_kept(study, original):
    """A batch killed between a task's parts and their index entries: the parts are whole."""
    edit_json(study / INDEX_FILE, lambda index: [index["parts"].pop(f"{t}/{KEY}") for t in ("runs", "events", "daily")])
    assert len(load_study(study).runs) == 9  # the loaders read the indexed parts only
    assert rerun(study).manifest["last_session"]["runs"] == 0
    assert_same_study(load_study(study), original)


# --------------------------------------------------------------------------- 14: a manifest without keys
@pytest.mark.parametrize("drop, missing", [(None, "study"), ("design", "design"), ("identity", "identity")])
def test_a_manifest_without_a_required_key_is_one_line(study, drop, missing):
    manifest = study / "manifest.json"
    if drop is None:
        manifest.write_text("{}")
    else:
        edit_json(manifest, lambda m: m.pop(drop))
    with pytest.raises(UserError, match=rf"S/manifest.json: no '{missing}' key"):
        load_study(study)
    with pytest.raises(UserError, match=rf"S/manifest.json: no '{missing}' key"):
        rerun(study)


# --------------------------------------------------------------------------- 5: one writer at a time
HOLD_LOCK = """
import sys, time
from sim.results.store import StudyStore
with StudyStore(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_writer_is_refused_naming_the_holder_and_a_dead_holders_lock_is_taken_over(study, original):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(study)], cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = (study / "manifest.json").read_bytes()
        with pytest.raises(UserError, match=rf"S: another batch is writing this study \(pid {holder.pid} on "
                                            rf"{socket.gethostname()}, since "):
            rerun(study)
        assert (study / "manifest.json").read_bytes() == before
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # dies holding it: the lock file stays behind
        holder.wait()
    assert json.loads((study / LOCK_FILE).read_text())["pid"] == holder.pid
    assert rerun(study).manifest["last_session"]["runs"] == 0
    assert not (study / LOCK_FILE).exists()


def test_a_writer_can_wait_for_the_lock(study):
    store = StudyStore(study)
    held = threading.Event()

    def hold():
        with store.lock():
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(30)
    with pytest.raises(UserError, match="another batch is writing this study"):
        rerun(study)
    assert rerun(study, wait=30).manifest["last_session"]["resumed"]
    thread.join()


# --------------------------------------------------------------------------- whole commands at once
#: A study that takes a few seconds on the compiled engine (long horizons, events kept), so that
#: a second command can find the first one writing it.
BIG = ["--scenarios", "geneva_2016_02,geneva_2016_02_no_strikes,geneva_2016_02_us_pressure",
       "--replicates", "600", "--days", "365", "--events", "--seed", "5", "--defaults", "--quiet"]

FILL_DISK = """
import errno, os, sys
from pathlib import Path
import run

limit, real, written = int(sys.argv[1]), Path.write_bytes, []

def write_bytes(self, data):  # the disk fills while the limit-th part is being written
    if self.suffix == ".tmp" and self.parent.name == "runs":
        written.append(self)
        if len(written) > limit:
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
    return real(self, data)

Path.write_bytes = write_bytes
sys.exit(run.main(sys.argv[2:]))
"""


def batch_command(results: Path, *extra: str) -> list[str]:
    return [sys.executable, str(PROJECT_ROOT / "run.py"), "batch", "--study", "B", *BIG, "--results", str(results),
            *extra]


def uninterrupted(tmp_path: Path) -> pd.DataFrame:
    names = BIG[1].split(",")
    return run_study("fresh", names, replicates=600, seed=5, parameters="defaults", results_dir=tmp_path,
                     days=365, progress=False).runs


def test_a_disk_that_fills_mid_study_stops_in_one_line_and_the_rerun_completes(tmp_path):
    """ENOSPC while a part is half-written: exit 1, one line; the parts that finished are intact
    (the study loads), no temporary file is left, and the rerun gives the uninterrupted table."""
    argv = batch_command(tmp_path)[2:]
    full = subprocess.run([sys.executable, "-c", FILL_DISK, "7", *argv], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=600)
    lines = full.stderr.strip().splitlines()
    assert full.returncode == 1 and len(lines) == 1 and "stopped: the disk is full" in lines[0], full.stderr
    assert not list((tmp_path / "B").rglob("*.tmp"))
    stored = load_study(tmp_path / "B")  # checks every indexed part
    assert len(stored.runs) == 7 * stored.manifest["design"]["task_size"]
    resumed = subprocess.run(batch_command(tmp_path), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(load_study(tmp_path / "B").runs, uninterrupted(tmp_path))


def test_two_batch_commands_on_one_study(tmp_path):
    """While one batch writes a study, a second is refused in one line naming the first (exit 2)
    and changes nothing; a third with --wait waits for it and then finds the study complete."""
    first = subprocess.Popen(batch_command(tmp_path), cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    runs = tmp_path / "B" / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and not (len(list(runs.glob("*.parquet"))) >= 2 and first.poll() is None):
        time.sleep(0.05)
    second = subprocess.run(batch_command(tmp_path), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    waiting = subprocess.Popen(batch_command(tmp_path, "--wait", "600"), cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert first.wait(600) == 0, first.stderr.read()
    assert waiting.wait(600) == 0, waiting.stderr.read()
    lines = second.stderr.strip().splitlines()
    assert second.returncode == 2 and len(lines) == 1, second.stderr
    assert f"another batch is writing this study (pid {first.pid} on {socket.gethostname()}" in lines[0]
    study = load_study(tmp_path / "B")
    assert study.manifest["last_session"]["runs"] == 0  # the waiting batch found every task done
    pd.testing.assert_frame_equal(study.runs, uninterrupted(tmp_path))
    assert not (tmp_path / "B" / LOCK_FILE).exists()


# --------------------------------------------------------------------------- fuzz
FUZZ_SEED = 20161003
FUZZ_CASES = 240
TINY = {"scenarios": ["geneva_2016_02"], "replicates": 4, "seed": 3, "parameters": "defaults", "task_size": 2,
        "days": 5, "events": True, "progress": False, "command": "run.py batch --study T"}
JSON_VALUES = [None, "", "x", -1, 0, 1.5, 10**30, True, [], {}, [1, "a"], {"a": 1}, "9" * 400, "../../etc/passwd"]


def _nodes(value, path=()):
    """Every (path, container) in a JSON tree."""
    if isinstance(value, dict | list):
        yield path, value
        for key, child in (value.items() if isinstance(value, dict) else enumerate(value)):
            yield from _nodes(child, (*path, key))


def _mutate_json(text: str, rng: random.Random) -> str:
    record = json.loads(text)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 5:  # broken text: truncated, or junk in it
            cut = int(rng.random() * len(text))  # the same draws whatever the text's length
            return text[:cut] if rng.random() < 0.5 else text[:cut] + rng.choice(["{", "]", '"', ",", "\x00"]) + text[cut:]
        if not isinstance(record, dict) or not record:
            return json.dumps(rng.choice(JSON_VALUES))
        _, node = rng.choice([n for n in _nodes(record) if n[1]])
        key = rng.choice(list(node) if isinstance(node, dict) else range(len(node)))
        if op == 0:
            del node[key]
        elif op in (1, 2):
            node[key] = rng.choice(JSON_VALUES)
        elif op == 3 and isinstance(node, dict):
            node[f"{key}_renamed"] = node.pop(key)
        else:
            record = rng.choice(JSON_VALUES) if rng.random() < 0.1 else record
    return json.dumps(record)


def test_fuzz_manifests_and_part_indexes(tmp_path):
    """Malformed manifests and part indexes: loading and rerunning either work on the true study
    (its runs and design unchanged) or stop with one line naming the folder, writing nothing."""
    original = run_study("T", results_dir=tmp_path / "original", **TINY)
    rng = random.Random(FUZZ_SEED)
    outcomes: dict[str, int] = {}
    bad = []
    for case in range(FUZZ_CASES):
        folder = Path(shutil.copytree(original.path, tmp_path / f"c{case}" / "T"))
        target = folder / ("manifest.json" if rng.random() < 0.7 else INDEX_FILE)
        target.write_text(_mutate_json(target.read_text(), rng))
        for action in ("load", "rerun"):
            snapshot = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
            try:
                study = load_study(folder) if action == "load" else run_study("T", results_dir=folder.parent, **TINY)
                assert study.manifest["design"] == original.manifest["design"]
                if action == "load" and not study.complete:  # an index entry removed: that task is unfinished
                    assert len(study.runs) < len(original.runs)
                    pd.testing.assert_frame_equal(study.runs, original.runs.merge(study.runs[["replicate"]]))
                    outcome = "unfinished"
                else:
                    pd.testing.assert_frame_equal(study.runs, original.runs)
                    outcome = "accepted"
            except UserError as err:
                outcome = "refused"
                if "\n" in str(err) or not str(err).startswith(str(folder)):
                    bad.append((case, action, str(err)[:300]))
                if {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} != snapshot:
                    bad.append((case, action, "files changed by a refused command"))
            except Exception as err:  # noqa: BLE001 - the point: nothing else may escape
                outcome = type(err).__name__
                bad.append((case, action, f"{type(err).__name__}: {str(err)[:300]}"))
            outcomes[f"{action} {outcome}"] = outcomes.get(f"{action} {outcome}", 0) + 1
        shutil.rmtree(folder.parent)
    print(f"\nmanifest and part-index fuzz: {FUZZ_CASES} cases: {outcomes}")
    assert not bad, sorted({f'{action}: {message[:150]}' for _, action, message in bad})
    assert outcomes.get("load refused") and outcomes.get("rerun accepted")  # the fuzz reaches both
