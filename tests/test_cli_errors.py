"""A user's mistake or a failing file system gets one line and the right exit code; files are
readable by colleagues; workers do not outlive their parent; a cluster without workers stops."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import run
from sim.atomic import atomic_path
from sim.experiments import executors
from sim.paths import PROJECT_ROOT


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def exit_code(argv) -> int:
    try:
        return run.main(argv)
    except SystemExit as stop:  # argparse's errors
        return stop.code


BATCH = ["batch", "--scenarios", "geneva_2016_02", "--seed", "1", "--replicates", "2", "--quiet"]


@pytest.mark.parametrize("argv, expected", [
    (["batch", "--study", "x", "--scenarios", "geneva_2016_02", "--replicate", "3", "--seed", "1"],
     "required: --replicates"),  # an abbreviation is not taken for --replicates
    (["simulate", "--scenario", "geneva_2016_02", "--seed", "-1"], "--seed: must be non-negative"),
    (["simulate", "--scenario", "geneva_2016_02", "--seed", "1", "--day", "5"], "unrecognized arguments: --day"),
    (BATCH + ["--study", "my study"], "--study: 'my study' is not a study name; allowed: 1 to 100 letters"),
    (BATCH + ["--study", "a" * 300], "(300 characters)' is not a study name"),
    (BATCH + ["--study", ".."], "--study: '..' is not a study name"),
    (BATCH + ["--study", "a" * 96, "--with-prior"], "(102 characters)' is not a study name"),  # its companion's
    (BATCH + ["--study", "s", "--replicates", "1000000000000"],
     "--replicates: 1,000,000,000,000 replicates x 1 scenario = 1,000,000,000,000 runs, above the limit of "
     "1,000,000; pass --max-runs N"),
    (BATCH + ["--study", "s", "--replicates", "11", "--max-runs", "10"], "above the limit of 10"),
    (BATCH + ["--study", "s", "--wait", "-1"], "--wait: must be a non-negative number of seconds"),
    (["default", "--replicates", "100000000"], "runs, above the limit of 1,000,000; pass --max-runs N"),
])  # fmt: skip
def test_wrong_flags_get_one_line_and_exit_2(argv, expected, capsys, tmp_path):
    if argv[0] in ("batch", "default"):  # nothing may be written for a refused study
        argv = [*argv, "--results", str(tmp_path / "results")]
    assert exit_code(argv) == 2
    assert expected in one_line(capsys)
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


def test_results_pointing_at_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("not a folder")
    argv = ["batch", "--study", "x", "--scenarios", "geneva_2016_02", "--replicates", "1", "--seed", "1",
            "--results", str(target)]
    assert exit_code(argv) == 2
    assert "is a file, not a folder" in one_line(capsys)


def test_results_in_a_folder_the_user_cannot_write_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run.os, "access", lambda path, mode: False)  # the suite may run as root
    argv = ["default", "--results", str(tmp_path), "--quiet"]
    assert exit_code(argv) == 2
    assert "not writable" in one_line(capsys)


def test_events_out_at_a_folder_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    ran = []
    monkeypatch.setattr("sim.experiments.runs.simulate", lambda *a, **k: ran.append(1))
    assert exit_code(["simulate", "--scenario", "geneva_2016_02", "--seed", "1", "--events-out", str(tmp_path)]) == 2
    assert "is a folder" in one_line(capsys) and not ran


@pytest.mark.parametrize("code, exit_status, words", [
    (errno.ENOSPC, 1, "the disk is full"),       # a system fault
    (errno.EROFS, 2, "cannot use"),              # the user's own folder
    (errno.EACCES, 2, "cannot use"),
])  # fmt: skip
def test_file_system_errors_are_one_line(code, exit_status, words, capsys, monkeypatch):
    def fail(args):
        raise OSError(code, os.strerror(code), "results/s/runs/part.parquet")

    monkeypatch.setattr(run, "_cmd_scenarios", fail)
    assert run.main(["scenarios"]) == exit_status
    line = one_line(capsys)
    assert words in line and "results/s/runs/part.parquet" in line


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "a.csv") as tmp:
            tmp.write_text("x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o666 & ~old


def test_local_workers_end_when_their_parent_is_killed(tmp_path):
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(PROJECT_ROOT)!r})
        from sim.experiments.executors import local_pool
        if __name__ == "__main__":
            pool = local_pool(2)
            pids = {{pool.submit(os.getpid).result() for _ in range(8)}}
            print(" ".join(map(str, pids)), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)   # no clean-up runs
    """)
    path = tmp_path / "parent.py"
    path.write_text(script)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    pids = [int(p) for p in proc.stdout.split()]
    assert pids

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        status = open(f"/proc/{pid}/stat").read().split()[2] if os.path.exists(f"/proc/{pid}/stat") else "X"
        return status not in ("Z", "X")  # a zombie has exited

    deadline = time.monotonic() + 10 * executors.PARENT_CHECK_SECONDS + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in pids)


def _slow(x):
    time.sleep(0.1)
    return x


def test_a_dask_cluster_without_workers_stops_with_a_clear_error(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setattr(executors, "DASK_NO_WORKER_TIMEOUT", 2.0)
    monkeypatch.setattr(executors, "DASK_POLL_SECONDS", 0.5)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        client.retire_workers(list(client.scheduler_info()["workers"]))
        started = time.monotonic()
        with pytest.raises(executors.WorkerLost, match="no live worker for 2 s"):
            list(executors.completed(_slow, list(range(4)), client=client))
        assert time.monotonic() - started < 30
