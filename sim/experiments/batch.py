"""Run a study: local processes by default, a Dask cluster when given, the same code path.

    from sim.experiments.batch import run_study
    study = run_study("demo", ["geneva_2016_02", "geneva_2016_02_no_strikes"], replicates=200, seed=1)
    study.runs.groupby("scenario")["talks_paused"].mean()

Tasks (blocks of replicates of one scenario) go to the executor; the calling process writes each
task's parts as soon as it finishes, so a crash or Ctrl-C loses only the tasks in flight.
Running the same call again resumes: finished tasks are skipped once their parts check out (the
store's part index), damaged ones are run again. One batch at a time writes a study (its lock).
Results do not depend on the executor or the number of workers (seeds come from the design, not
from the schedule).
"""

from __future__ import annotations

import hashlib
import json
import shlex
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from sim.errors import UserError
from sim.experiments.design import (
    MAX_RUNS,
    StudyDesign,
    StudyPlan,
    check_size,
    check_study_name,
    default_task_size,
    make_tasks,
)
from sim.experiments.executors import WorkerLost, check_can_start, completed, connect, describe
from sim.experiments.posterior import load_posterior
from sim.experiments.tasks import run_task
from sim.kernel.batch import warm_up
from sim.paths import DEFAULT_POSTERIOR, RESULTS_DIR, display_path
from sim.progress import progress_bar
from sim.results.fingerprint import model_fingerprint
from sim.results.provenance import (
    code_version,
    file_sha256,
    machine,
    now,
    package_versions,
    record_provenance,
)
from sim.results.store import Study, StudyStore, load_study, parts_phrase
from sim.scenarios import load_scenario


class StudyInterrupted(RuntimeError):
    """The study stopped before its end (a worker died); what finished is stored."""


def plan_study(
    name: str,
    scenarios: Iterable[str],
    replicates: int,
    seed: int,
    parameters: str = "auto",
    events: bool = False,
    daily: bool = False,
    days: int | None = None,
    task_size: int | None = None,
    scenario_dir: str | Path | None = None,
    posterior_path: str | Path = DEFAULT_POSTERIOR,
    max_runs: int = MAX_RUNS,
) -> StudyPlan:
    """Validate a study's arguments, load its scenarios and posterior, and make its tasks.

    Args:
        name: study name (folder under the results directory).
        scenarios: scenario names or paths.
        replicates: replicates per scenario (>= 1).
        seed: study seed (>= 0).
        parameters: 'posterior', 'defaults', or 'auto' (the posterior when its file exists).
        events: store simulated events.
        daily: store daily trajectories.
        days: horizon override.
        task_size: replicates per task (default: from the number of replicates).
        scenario_dir: folder of scenario files.
        posterior_path: posterior sample to draw from.
        max_runs: the largest study allowed (replicates x scenarios).

    Raises:
        UserError: a bad argument, scenario or posterior (one line).
    """
    names = list(scenarios)
    if not names:
        raise UserError("--scenarios: give at least one scenario name (see `run.py scenarios`)")
    if len(set(names)) != len(names):
        raise UserError(f"--scenarios: a scenario is listed twice: {','.join(names)}")
    check_study_name(name)
    if replicates < 1:
        raise UserError(f"--replicates: must be at least 1, got {replicates}")
    check_size(replicates, len(names), max_runs)
    if seed < 0:
        raise UserError(f"--seed: must be a non-negative integer, got {seed}")
    if parameters not in ("auto", "posterior", "defaults"):
        raise UserError(f"parameters: {parameters!r}; allowed: auto, posterior, defaults")
    if parameters == "auto":
        parameters = "posterior" if Path(posterior_path).is_file() else "defaults"
    posterior = load_posterior(posterior_path) if parameters == "posterior" else None
    loaded = {}
    for scenario in names:
        spec = load_scenario(scenario, scenario_dir)
        loaded[spec.name] = spec
    design = StudyDesign(
        name=name,
        scenarios=tuple(loaded),
        replicates=replicates,
        seed=seed,
        parameters=parameters,
        events=events,
        daily=daily,
        days=days,
        task_size=task_size or default_task_size(replicates),
    )
    return StudyPlan(design, loaded, posterior, make_tasks(design, loaded, posterior))


def _identity(plan: StudyPlan, record_sha256: str | None) -> dict:
    """What the study is, computed: equal identities may share a folder (a rerun resumes).

    The design, the seeds and draws it gives each task, the scenario files', posterior's and
    observed record's hashes, and the model's fingerprint (the code version that shapes runs:
    a change elsewhere, in docs or reports, leaves a stored study valid).
    """
    hashes = {}
    for spec in plan.scenarios.values():
        for path in spec.files:
            hashes[Path(path).name] = file_sha256(path)
    tasks = [[t.key, list(t.replicates), list(t.seeds), list(t.draw_ids)] for t in plan.tasks]
    return {
        "design": plan.design.as_dict(),
        "tasks_sha256": hashlib.sha256(json.dumps(tasks).encode()).hexdigest(),
        "scenario_files": dict(sorted(hashes.items())),
        "posterior_sha256": plan.posterior.sha256 if plan.posterior else None,
        "observed_record_sha256": record_sha256,
        "model_fingerprint": model_fingerprint(),
        **plan.extra,
    }


def _stored_task_size(store: StudyStore) -> int | None:
    """The task size of the study stored in the folder (None: no study, or none recorded)."""
    try:
        size = ((store.read_manifest() or {}).get("design") or {}).get("task_size")
    except (UserError, AttributeError):
        return None  # a broken manifest is refused, naming it, when the study is opened
    return size if isinstance(size, int) and not isinstance(size, bool) and size >= 1 else None


def run_study(
    name: str,
    scenarios: Iterable[str],
    replicates: int,
    seed: int,
    parameters: str = "auto",
    workers: int = 1,
    client=None,
    scheduler: str | None = None,
    events: bool = False,
    daily: bool = False,
    days: int | None = None,
    task_size: int | None = None,
    results_dir: str | Path = RESULTS_DIR,
    scenario_dir: str | Path | None = None,
    posterior_path: str | Path = DEFAULT_POSTERIOR,
    progress: bool = True,
    command: str | None = None,
    wait: float = 0.0,
    max_runs: int = MAX_RUNS,
) -> Study:
    """Run (or resume) a study and return it loaded from disk.

    Args:
        name: study name; results go to results_dir/name.
        scenarios: scenario names (or paths).
        replicates: replicates per scenario.
        seed: study seed; replicate r gets the same seed and posterior draw in every scenario.
        parameters: 'posterior', 'defaults', or 'auto' (posterior if calibration/data/posterior.csv exists).
        workers: local worker processes (1 runs in this process).
        client: a dask.distributed Client (overrides workers).
        scheduler: a Dask scheduler address to connect to (instead of `client`).
        events: store the simulated events.
        daily: store the daily trajectories.
        days: horizon override.
        task_size: replicates per task.
        results_dir: parent folder of studies.
        scenario_dir: folder of scenario files.
        posterior_path: posterior sample.
        progress: show a progress bar (runs done, rate, time left) on stderr.
        command: the command line to record (default: this process's argv).
        wait: seconds to wait for another batch writing the same study to end (0: refuse at once).
        max_runs: the largest study allowed (replicates x scenarios); raise it for a bigger one.

    Returns:
        The Study (its `.runs` DataFrame, `.events()`, `.daily()`, `.manifest`).

    Raises:
        UserError: bad arguments; the folder holds a study of another design, parts without a
            manifest or an edited manifest; another batch is writing the study.
    """
    if workers < 1:
        raise UserError(f"--workers: must be at least 1, got {workers}")
    store = open_store(results_dir, name)
    if task_size is None:  # a stored study keeps its task size: grown to more replicates, its parts stay whole
        task_size = _stored_task_size(store)
    plan = plan_study(name, scenarios, replicates, seed, parameters, events, daily, days, task_size,
                      scenario_dir, posterior_path, max_runs)
    return run_plan(plan, store, workers=workers, client=client, scheduler=scheduler, progress=progress,
                    command=command, wait=wait)


def open_store(results_dir: str | Path, name: str) -> StudyStore:
    """The store of study `name` under `results_dir`.

    Raises:
        UserError: that path is a file, not a study folder.
    """
    store = StudyStore(Path(results_dir) / name)
    if store.root.exists() and not store.root.is_dir():
        raise UserError(f"{store.root}: is a file, not a study folder; use another --study name or --results folder")
    return store


def run_plan(plan: StudyPlan, store: StudyStore, workers: int = 1, client=None, scheduler: str | None = None,
             progress: bool = True, command: str | None = None, wait: float = 0.0) -> Study:
    """Run (or resume) a planned study into its store and return it loaded from disk.

    `run_study` plans a study of scenarios x replicates; other designs (a sensitivity study's
    parameter sample) make their own plan and run it here, with the same store, lock, resume,
    executors and manifest.

    Args:
        plan: the design, its loaded scenarios, posterior and tasks (`plan.extra` joins the
            identity and the manifest).
        store: the study's folder.
        workers: local worker processes (1 runs in this process).
        client: a dask.distributed Client (overrides workers).
        scheduler: a Dask scheduler address to connect to (instead of `client`).
        progress: show a progress bar on stderr.
        command: the command line to record (default: this process's argv).
        wait: seconds to wait for another batch writing the same study to end.
    """
    if scheduler is not None and client is None:
        client = connect(scheduler)
    check_can_start(workers, client)
    executor_name = describe(workers, client)
    record = record_provenance()  # hashed once: the manifest records it and the identity holds its sha256
    manifest = {
        "study": plan.design.name,
        "created": now(),
        "command": command or shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "code_version": code_version(),
        "packages": package_versions(),
        "machine": machine(),
        "design": plan.design.as_dict(),
        "posterior": display_path(plan.posterior.path) if plan.posterior else None,  # movable with the project
        "observed_record": record,
        "n_tasks": len(plan.tasks),
        "n_runs": plan.design.n_runs,
        **plan.extra,
        "status": "running",
    }
    with store.lock(wait):  # one writer per study: a second would delete the first's temporary files
        opened = store.open(_identity(plan, record["sha256"]), manifest, plan.tasks)
        if opened.damaged:
            print(f"{store.root}: {parts_phrase(opened.damaged, 'damaged')} will be recomputed", file=sys.stderr)
        if opened.grown_from:
            print(f"{store.root}: grown from {opened.grown_from} to {plan.design.replicates} replicates; the stored runs are kept",
                  file=sys.stderr)
        todo = [t for t in plan.tasks if t.key not in opened.done]
        runs_done = plan.design.n_runs - sum(len(t.replicates) for t in todo)
        bar = progress_bar(plan.design.n_runs, progress, initial=runs_done, unit="run",
                           desc=f"{plan.design.name} ({executor_name})", smoothing=0.1)
        started = time.perf_counter()
        failed = 0
        stored = runs_done
        if todo and (workers > 1 or client is not None):
            warm_up(todo[0].scenario)  # compiled once here; the workers load it from the cache
        try:
            for result in completed(run_task, todo, workers, client):
                store.write_task(result.key, {"events": result.events, "daily": result.daily, "runs": result.runs})
                failed += result.failed
                stored += result.n_runs
                bar.update(result.n_runs)
        except WorkerLost as err:
            raise StudyInterrupted(
                f"{store.root}: {err}; {stored} of {plan.design.n_runs} runs are stored; "
                "run the same command again to resume"
            ) from None
        finally:
            bar.close()
        elapsed = time.perf_counter() - started
        final = store.read_manifest()
        final.update(status="complete", completed=now(), last_session={
            "executor": executor_name, "runs": sum(len(t.replicates) for t in todo),
            "seconds": round(elapsed, 3), "failed": failed, "resumed": opened.resumed,
        })  # fmt: skip
        store.write_manifest(final)
    return load_study(store.root)
