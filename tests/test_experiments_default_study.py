"""The default study of `make run`: resumed when complete, replaced when stale, never someone else's folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import sim.experiments.batch as batch
import sim.experiments.default_study as default_study
import sim.results.fingerprint as fingerprint
from sim.errors import UserError
from sim.paths import PROJECT_ROOT, SCENARIO_DIR


@pytest.fixture
def fast_default(monkeypatch):
    """The default study on two scenarios."""
    monkeypatch.setattr(default_study, "default_scenarios", lambda: ["geneva_2016_02", "geneva_2016_02_no_strikes"])

    def call(results, replicates=3, seed=1):
        return default_study.run_default_study(replicates=replicates, seed=seed, workers=1, results_dir=results,
                                               progress=False, log=lambda *a: None)

    return call


def test_default_study_resumes_when_complete(fast_default, tmp_path):
    study = fast_default(tmp_path)
    assert len(study.runs) == 6
    again = fast_default(tmp_path)
    assert again.manifest["last_session"]["runs"] == 0  # nothing re-run
    assert again.manifest["resumed"]


def test_default_study_is_rerun_when_the_design_or_the_model_changed(fast_default, tmp_path, monkeypatch):
    fast_default(tmp_path)
    reseeded = fast_default(tmp_path, seed=2)  # another design: replaced, not an error
    assert len(reseeded.runs) == 6 and "resumed" not in reseeded.manifest
    bigger = fast_default(tmp_path, seed=2, replicates=4)  # more replicates: grown, not replaced
    assert bigger.manifest["resumed"][-1]["grown_from_replicates"] == 3 and len(bigger.runs) == 8
    monkeypatch.setattr(batch, "model_fingerprint", lambda: "another model")
    redone = fast_default(tmp_path, replicates=4)
    assert redone.manifest["last_session"]["runs"] == 8
    assert redone.manifest["identity"]["model_fingerprint"] == "another model"


def test_default_never_deletes_a_folder_it_did_not_make(fast_default, tmp_path):
    batch.run_study("someone_else", ["geneva_2016_02"], replicates=2, seed=1, results_dir=tmp_path, progress=False)
    folder = tmp_path / "default"
    (tmp_path / "someone_else").rename(folder)
    with pytest.raises(UserError, match="not a 'default' study"):
        fast_default(tmp_path)
    assert (folder / "manifest.json").is_file()
    (folder / "manifest.json").write_text(json.dumps({"study": "someone_else"}))  # nor a broken one
    with pytest.raises(UserError, match="no 'design' key"):
        fast_default(tmp_path)
    assert (folder / "manifest.json").is_file() and list((folder / "runs").glob("*.parquet"))


def test_default_scenarios_cover_both_episodes_and_all_counterfactuals():
    names = default_study.default_scenarios()
    assert names[0] == "geneva_2016_02"
    assert names.index("ceasefire_2016_09") > max(i for i, n in enumerate(names) if n.startswith("geneva"))
    shipped = subprocess.run(["git", "ls-files", "scenarios/*.toml"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    assert sorted(names) == sorted(Path(f).stem for f in shipped if Path(f).parent.name == "scenarios")  # all, no other


def test_a_scenario_of_ones_own_does_not_join_the_default_study(tmp_path):
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIO_DIR, folder)
    (folder / "mine.toml").write_text('name = "mine"\nkind = "counterfactual"\nextends = "geneva_2016_02"\n'
                                      'description = "mine"\n')
    assert "mine" not in default_study.default_scenarios(folder)
    assert default_study.default_scenarios(folder) == default_study.default_scenarios()


def test_model_files_are_the_model_package_and_what_it_imports():
    files = {p.relative_to(PROJECT_ROOT).as_posix() for p in fingerprint.model_files()}
    model = {p.relative_to(PROJECT_ROOT).as_posix() for p in (PROJECT_ROOT / "sim" / "model").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert model <= files
    assert {"sim/events.py", "sim/data/cameo_codes.tsv", "sim/scenario_types.py"} <= files
    # what reads or shows results is not the model: a change there leaves the stored study valid
    assert not any(f.startswith(("sim/experiments/", "sim/results/", "sim/reporting/")) for f in files)
    assert "sim/__init__.py" not in files and "run.py" not in files


def test_model_fingerprint_follows_the_bytes_and_the_paths(monkeypatch, tmp_path):
    before = fingerprint.model_fingerprint()
    assert before == fingerprint.model_fingerprint()
    files = fingerprint.model_files()
    copies = []
    for path in files:  # the same bytes under other names: another fingerprint
        copy = tmp_path / path.relative_to(PROJECT_ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(fingerprint, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(fingerprint, "model_files", lambda: copies)
    assert fingerprint.model_fingerprint() == before
    copies[-1].write_bytes(copies[-1].read_bytes() + b"\n")
    assert fingerprint.model_fingerprint() != before
