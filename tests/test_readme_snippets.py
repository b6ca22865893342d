"""The README's notebook section runs as written: each Python block pasted into a script run
from another folder (studies go to a temporary results folder through PARLEY_RESULTS)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from sim.paths import PROJECT_ROOT

SECTION = "## In a notebook"


def snippets() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_section_has_the_snippets():
    blocks = snippets()
    assert len(blocks) >= 3 and any("mesa.batch_run" in b for b in blocks)
    assert all("describe()" not in b for b in blocks)  # a summary that drops the censored runs


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(snippets())))
def test_a_snippet_runs_as_a_script_from_another_folder(number, tmp_path):
    script = tmp_path / "snippet.py"
    script.write_text(snippets()[number], encoding="utf-8")
    env = {**os.environ, "PARLEY_RESULTS": str(tmp_path / "results"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def test_an_unguarded_script_with_workers_is_refused_before_anything_is_written(tmp_path):
    script = tmp_path / "plain.py"
    script.write_text('import sim\nsim.run_study("plain", ["geneva_2016_02"], replicates=4, seed=1, workers=2, '
                      'progress=False)\n', encoding="utf-8")
    env = {**os.environ, "PARLEY_RESULTS": str(tmp_path / "results")}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert 'put the study under `if __name__ == "__main__":`' in done.stderr
    assert "a worker process died" not in done.stderr
    assert not (tmp_path / "results").exists()


def test_load_study_finds_a_study_from_any_folder(tmp_path, monkeypatch):
    import sim.results.store as store
    from sim.experiments.batch import run_study

    project = tmp_path / "project"
    made = run_study("x", ["geneva_2016_02"], replicates=2, seed=1, results_dir=project / "results", progress=False,
                     parameters="posterior")
    assert not os.path.isabs(made.manifest["posterior"])  # the project can move
    monkeypatch.setattr(store, "PROJECT_ROOT", project)
    monkeypatch.chdir(tmp_path)  # neither the project nor its results folder
    for given in ("x", "results/x", str(project / "results" / "x")):
        assert len(store.load_study(given, results_dir=project / "results").runs) == 2
    with pytest.raises(store.UserError, match="no study here .*looked in"):
        store.load_study("nope", results_dir=project / "results")
