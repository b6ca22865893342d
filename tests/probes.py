"""Bad-input probes of the command line: 70 user mistakes (and a few valid inputs) run as a user
would run them, each `run.py ...` in a subprocess of its own temporary folder.

    .venv/bin/python -m tests.probes              # all probes, 2 workers, a markdown table
    .venv/bin/python -m tests.probes --only study --keep

The promise checked (README, run.py): a user's mistake (a bad scenario file, an unreadable
article, a wrong flag, a bad manifest or posterior, a bad path) gets ONE line on stderr naming
the file, the key and what is allowed, exit code 2, and nothing is written half-way; a system
fault (disk full) is one line and exit code 1; valid input behaves correctly.

Each probe is classified:

- clean: the expected exit code (2 for a mistake, or the probe's own), stderr is one non-blank
  line without a traceback, and that line names what the probe says it must name;
- traceback: 'Traceback' on stderr;
- accepted: exit 0 for a bad input, or no answer within the probe's timeout;
- half-written: a refused command changed the probe's folder (a new study folder, report
  folder, output file, temporary file, a changed or removed file);
- lost: a finished study's runs table lost or changed rows;
- other: not clean for another reason (another exit code, several lines, the line does not
  name what it must, or a valid input that misbehaved).

The real repository's results/ and calibration/data/ are never written: every probe runs with
its working directory in a temporary folder, with --results/--out/--dir pointed into it, and
the probes that would write the project's own folders (a bad posterior, extract's default
--out) run a copy of the code (run.py, sim/, calibration/, scenarios/) in their folder.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RUN_PY = PROJECT / "run.py"
SCENARIOS = PROJECT / "scenarios"
SHARED = PROJECT.parent / "shared"
ARTICLES = SHARED / "articles"
CALIBRATION_DATA = PROJECT / "calibration" / "data"

#: The finished study most study probes start from (copied per probe).
STUDY = "S"
STUDY_SCENARIOS = "geneva_2016_02,geneva_2016_02_no_strikes"
STUDY_REPLICATES = 4
#: The batch command of that study (a rerun of it resumes).
STUDY_BATCH = ["batch", "--study", STUDY, "--scenarios", STUDY_SCENARIOS, "--replicates",
               str(STUDY_REPLICATES), "--seed", "1", "--events", "--results", "{R}", "--quiet"]
REPORT = ["report", "--study", STUDY, "--results", "{R}"]
SIMULATE = ["simulate", "--scenario", "geneva_2016_02", "--seed", "1"]
#: A small new study (refused probes of flags).
NEW_BATCH = ["batch", "--study", "new", "--scenarios", "geneva_2016_02", "--replicates", "2",
             "--seed", "1", "--results", "{R}", "--quiet"]
#: A batch of the copy of the code with a posterior of the probe's own.
POSTERIOR_BATCH = ["batch", "--study", "P", "--scenarios", "geneva_2016_02", "--replicates", "2",
                   "--seed", "1", "--posterior", "--results", "{R}", "--quiet"]
EXTRACT = ["extract", "--articles", "{arts}", "--out", "{t}/out/events.csv"]

DEFAULT_TIMEOUT = 120.0
QUICK_TIMEOUT = 30.0  # what must be refused at once (a huge --replicates, a 50 MB article)
#: A probe's process using more memory than this is stopped (a huge --replicates must not
#: take the machine down while it is being refused).
MAX_RSS_BYTES = 6 * 2**30

OUTCOMES = ("clean", "traceback", "accepted", "half-written", "lost", "other")
CATEGORIES = ("study", "scenario", "flags", "posterior", "articles", "other")

#: Run in the probe's process instead of run.py directly: makes writes of matching files fail
#: with ENOSPC (a full disk), then runs run.py as its own command line would.
ENOSPC_WRAPPER = r"""
import builtins, errno, io, os, runpy, sys
under = os.path.realpath(os.environ["PROBE_ENOSPC_UNDER"])
match = os.environ.get("PROBE_ENOSPC_MATCH", "")
skip = int(os.environ.get("PROBE_ENOSPC_SKIP", "0"))
seen = [0]
real_open = io.open
def full_disk_open(file, mode="r", *args, **kwargs):
    if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
        path = os.path.realpath(os.fsdecode(file))
        if path.startswith(under + os.sep) and match in os.path.basename(path):
            seen[0] += 1
            if seen[0] > skip:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    return real_open(file, mode, *args, **kwargs)
builtins.open = io.open = full_disk_open
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
runpy.run_path(script, run_name="__main__")
"""


# ------------------------------------------------------------------------------- data types
@dataclasses.dataclass
class Ran:
    """What a probe's command did."""

    command: str
    returncode: int | None  # None: no answer within the timeout
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    names: tuple = ()  # more that the line must name (known only once run, e.g. a pid)
    issues: list = dataclasses.field(default_factory=list)  # (outcome, message)


@dataclasses.dataclass(frozen=True)
class Probe:
    """One input and what the promise requires of the command's answer.

    Attributes:
        name: 'category.what'.
        args: run.py's arguments; '{t}' (the probe's folder), '{R}' (its results folder) and
            the setup's own placeholders are filled in.
        setup: prepares the probe's folder; returns more placeholders.
        exit: the exit code required.
        names: what stderr's line must contain; a tuple inside is 'any of these'.
        forbid: what it must not contain (the content of a file it should not have read).
        valid: a valid input: exit 0 and `check` decide.
        stderr_lines: the number of non-blank stderr lines required (None: any; refusals: 1).
        stdout_names: what stdout must contain (valid probes).
        check: more checks after the run: (folder, context, ran) -> [(outcome, message)].
        snapshot: a refusal must leave the probe's folder unchanged.
        study: the probe's finished study (relative to its folder): no row may be lost.
        mini: run the copy of the code in the probe's folder (writes stay in the copy).
        enospc: (folder, file-name part, writes let through): writes fail with ENOSPC.
        runner: runs the probe itself instead of one command.
        not_applicable: why the probe cannot run here (None: it can).
        timeout: seconds before the command counts as never answering.
    """

    name: str
    args: tuple = ()
    setup: Callable | None = None
    exit: int = 2
    names: tuple = ()
    forbid: tuple = ()
    valid: bool = False
    stderr_lines: int | None = 1
    stdout_names: tuple = ()
    check: Callable | None = None
    snapshot: bool = True
    study: str | None = None
    mini: bool = False
    enospc: tuple | None = None
    runner: Callable | None = None
    not_applicable: Callable | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def category(self) -> str:
        return self.name.split(".", 1)[0]


@dataclasses.dataclass
class ProbeResult:
    """A probe's outcome (one of OUTCOMES, or 'n/a'), with what was seen."""

    name: str
    category: str
    valid: bool
    outcome: str
    command: str
    returncode: int | None
    stderr: str
    stdout: str
    issues: list[str]
    seconds: float

    @property
    def clean(self) -> bool:
        return self.outcome in ("clean", "n/a")

    def stderr_tail(self, n: int = 3) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()][-n:]

    def describe(self) -> str:
        """A few lines: name, outcome, command, exit code, issues and stderr's last lines."""
        code = "timeout" if self.returncode is None else self.returncode
        lines = [f"{self.name} [{self.outcome}] exit {code} ({self.seconds:.1f} s)",
                 f"  command: {self.command}"]
        lines += [f"  - {issue}" for issue in self.issues]
        lines += [f"  stderr: {line[:400]}" for line in self.stderr_tail()]
        return "\n".join(lines)


# ---------------------------------------------------------------------------- file helpers
def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root` (not __pycache__): relative path -> sha256 or 'dir'."""
    found = {}
    if not root.exists():
        return found
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        here = Path(folder)
        for d in dirs:
            if not (here / d).is_symlink():
                found[str((here / d).relative_to(root))] = "dir"
        for f in files:
            path = here / f
            try:
                found[str(path.relative_to(root))] = "link" if path.is_symlink() else _sha(path)
            except OSError:
                found[str(path.relative_to(root))] = "unreadable"
    return found


def snapshot_changes(before: dict, after: dict) -> list[str]:
    new = sorted(set(after) - set(before))
    gone = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    out = [f"new {p}" for p in new] + [f"removed {p}" for p in gone] + [f"changed {p}" for p in changed]
    return out


def _read_parts(folder: Path) -> dict[str, object]:
    """The readable Parquet parts of a folder, by file name (unreadable ones left out)."""
    import pyarrow.parquet as pq

    parts = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.parquet")):
            try:
                parts[path.name] = pq.read_table(path).to_pandas()
            except Exception:  # noqa: BLE001 - a damaged part is simply not readable
                continue
    return parts


def _frame(parts: dict):
    import pandas as pd

    if not parts:
        return None
    frame = pd.concat(list(parts.values()), ignore_index=True)
    keys = [c for c in ("scenario", "replicate", "day") if c in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _same_table(study: Path, table: str, reference: dict) -> str | None:
    """None when the study's table equals the reference study's, else what differs."""
    mine, ref = _frame(_read_parts(study / table)), _frame(reference[table])
    if mine is None:
        return f"{table}: no readable part"
    if len(mine) != len(ref):
        return f"{table}: {len(mine)} rows, the original study has {len(ref)}"
    if list(mine.columns) != list(ref.columns) or not mine.equals(ref):
        return f"{table}: the rows differ from the original study's"
    return None


def _lost_rows(study: Path, intact: dict, reference: dict) -> list[str]:
    """The parts whose rows were intact before the probe and are not all there after it."""
    if not intact:
        return []
    after = _read_parts(study / "runs")
    frame = _frame(after)
    lost = []
    for name in intact:
        path = study / "runs" / name
        if path.is_file() and _sha(path) == reference["sha"][name]:
            continue
        rows = reference["runs"][name]
        if frame is None:
            lost.append(f"runs/{name}: its {len(rows)} rows are gone (no readable runs part)")
            continue
        keys = rows[["scenario", "replicate"]]
        found = frame.merge(keys, on=["scenario", "replicate"], how="inner")
        found = found.sort_values(["scenario", "replicate"]).reset_index(drop=True)
        expected = rows.sort_values(["scenario", "replicate"]).reset_index(drop=True)
        if len(found) < len(expected):
            lost.append(f"runs/{name}: {len(expected) - len(found)} of {len(expected)} rows lost")
        elif not found[list(expected.columns)].equals(expected):
            lost.append(f"runs/{name}: its rows changed")
    return lost


def _intact_parts(study: Path, reference: dict) -> dict[str, str]:
    """The runs parts of the study byte-identical to the original's (their rows are sound)."""
    intact = {}
    for name, sha in reference["sha"].items():
        path = study / "runs" / name
        if path.is_file() and _sha(path) == sha:
            intact[name] = sha
    return intact


# ------------------------------------------------------------------------------ running
def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(MPLBACKEND="Agg", PYTHONUNBUFFERED="1", TQDM_DISABLE="1")
    env.update(extra or {})
    return env


def run_command(cmd: list[str], cwd: Path, timeout: float, env: dict | None = None) -> Ran:
    """Run a command in its own process group; stop it (the group) after `timeout` s."""
    started = time.monotonic()
    out_file = tempfile.TemporaryFile()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_file, stderr=err_file, stdin=subprocess.DEVNULL,
                            env=env or _env(), process_group=0)
    timed_out, note = False, None
    while True:
        try:
            proc.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() - started > timeout:
                timed_out, note = True, f"no answer within {timeout:g} s (stopped)"
            elif _rss(proc.pid) > MAX_RSS_BYTES:
                timed_out, note = True, f"used more than {MAX_RSS_BYTES >> 30} GB of memory (stopped)"
            if timed_out:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
                break
    out_file.seek(0)
    err_file.seek(0)
    ran = Ran(
        command=shlex.join(cmd),
        returncode=None if timed_out else proc.returncode,
        stdout=out_file.read().decode("utf-8", "replace"),
        stderr=err_file.read().decode("utf-8", "replace"),
        seconds=time.monotonic() - started,
        timed_out=timed_out,
    )
    out_file.close()
    err_file.close()
    if note:
        ran.issues.append(("accepted", note))
    return ran


def _fill(args, ctx: dict) -> list[str]:
    return [str(a).format(**ctx) for a in args]


def _run_py(probe: Probe, ctx: dict) -> Path:
    return ctx["mini_root"] / "run.py" if probe.mini else RUN_PY


def _shown(cmd: list[str], probe: Probe, ctx: dict) -> str:
    """The command as a user would type it (run.py ..., the folder shortened to $T)."""
    t = str(ctx["t"])
    start = cmd.index(str(_run_py(probe, ctx)))
    shown = ["run.py", *cmd[start + 1:]]
    text = shlex.join(shown).replace(t, "$T")
    if probe.mini:
        text = "(copy of the code) " + text
    if probe.enospc:
        text = f"(writes of *{probe.enospc[1]}* under $T/{probe.enospc[0]} fail: disk full) " + text
    return text


def _default_runner(probe: Probe, t: Path, ctx: dict) -> Ran:
    args = _fill(probe.args, ctx)
    script = _run_py(probe, ctx)
    env = None
    if probe.enospc:
        under, match, skip = probe.enospc
        cmd = [sys.executable, "-c", ENOSPC_WRAPPER, str(script), *args]
        env = _env({"PROBE_ENOSPC_UNDER": str(t / under), "PROBE_ENOSPC_MATCH": match,
                    "PROBE_ENOSPC_SKIP": str(skip)})
    else:
        cmd = [sys.executable, str(script), *args]
    ran = run_command(cmd, t, probe.timeout, env)
    ran.command = _shown(cmd, probe, ctx)
    return ran


def _contains(text: str, need) -> bool:
    if isinstance(need, tuple):
        return any(n in text for n in need)
    return need in text


def _need(need) -> str:
    return " or ".join(repr(n) for n in need) if isinstance(need, tuple) else repr(need)


def run_probe(probe: Probe, base: Path, shared: dict, keep: bool = False) -> ProbeResult:
    """Set up the probe's folder, run it, classify what happened, clean up."""
    if probe.not_applicable is not None:
        reason = probe.not_applicable()
        if reason:
            return ProbeResult(probe.name, probe.category, probe.valid, "n/a", "", None, "", "",
                               [f"not applicable: {reason}"], 0.0)
    t = base / "probes" / probe.name
    t.mkdir(parents=True)
    ctx = {"t": t, "R": t / "R", **shared}
    try:
        if probe.mini:
            shutil.copytree(shared["mini_template"], t / "mini", symlinks=True)
        ctx["mini_root"] = t / "mini" / "main"
        ctx["mini"] = ctx["mini_root"]
        if probe.setup is not None:
            ctx.update(probe.setup(t, ctx) or {})
        before = snapshot(t) if probe.snapshot else None
        study = t / probe.study if probe.study else None
        intact = _intact_parts(study, shared["reference"]) if study else {}
        runner = probe.runner or _default_runner
        ran = runner(probe, t, ctx)
        issues: list[tuple[str, str]] = list(ran.issues)
        err_lines = [line for line in ran.stderr.splitlines() if line.strip()]
        if "Traceback" in ran.stderr:
            issues.append(("traceback", "a traceback on stderr"))
        expected = 0 if probe.valid else probe.exit
        if not ran.timed_out:
            if ran.returncode != expected:
                kind = "accepted" if ran.returncode == 0 and not probe.valid else "other"
                issues.append((kind, f"exit {ran.returncode}, expected {expected}"))
            if probe.stderr_lines is not None and len(err_lines) != probe.stderr_lines:
                issues.append(("other", f"{len(err_lines)} non-blank stderr lines, expected {probe.stderr_lines}"))
            line = err_lines[-1] if err_lines else ""
            text = ran.stderr if probe.valid else line
            for need in (*probe.names, *ran.names):
                if not _contains(text, need):
                    issues.append(("other", f"stderr does not name {_need(need)}"))
            for bad in probe.forbid:
                if bad in ran.stderr:
                    issues.append(("other", f"stderr shows {bad!r} (a file's content that was not to be read)"))
            for need in probe.stdout_names:
                if not _contains(ran.stdout, need):
                    issues.append(("other", f"stdout does not name {_need(need)}"))
        refused = not probe.valid and ran.returncode not in (0, None)
        if before is not None and refused:
            changes = snapshot_changes(before, snapshot(t))
            if changes:
                more = f" and {len(changes) - 4} more" if len(changes) > 4 else ""
                issues.append(("half-written", "the refused command changed its folder: "
                               + "; ".join(changes[:4]) + more))
        if study is not None:
            issues += [("lost", message) for message in _lost_rows(study, intact, shared["reference"])]
        if probe.check is not None and not ran.timed_out:
            issues += probe.check(t, ctx, ran)
    except Exception as err:  # noqa: BLE001 - a broken probe is reported, not raised
        import traceback

        return ProbeResult(probe.name, probe.category, probe.valid, "other", " ".join(map(str, probe.args)),
                           None, traceback.format_exc(), "", [f"the probe itself failed: {err!r}"], 0.0)
    finally:
        if not keep:
            for folder, dirs, _files in os.walk(t):  # a probe may leave a read-only folder
                for d in dirs:
                    try:
                        os.chmod(Path(folder) / d, 0o755)
                    except OSError:
                        pass
            shutil.rmtree(t, ignore_errors=True)
    kinds = {kind for kind, _ in issues}
    outcome = next((k for k in ("lost", "half-written", "traceback", "accepted", "other") if k in kinds), "clean")
    return ProbeResult(probe.name, probe.category, probe.valid, outcome, ran.command, ran.returncode,
                       ran.stderr, ran.stdout, [f"{kind}: {message}" for kind, message in issues], ran.seconds)


# ------------------------------------------------------------------------- shared fixtures
def _prepare(base: Path) -> dict:
    """The finished reference study, read back, and a copy of the code for the probes that
    would otherwise write the project's own folders."""
    ref_results = base / "ref" / "R"
    ran = run_command([sys.executable, str(RUN_PY), *_fill(STUDY_BATCH, {"R": ref_results})], base,
                      DEFAULT_TIMEOUT)
    if ran.returncode != 0:
        raise RuntimeError(f"the reference study could not be made (exit {ran.returncode}):\n{ran.stderr[-2000:]}")
    study = ref_results / STUDY
    reference = {
        "runs": _read_parts(study / "runs"),
        "events": _read_parts(study / "events"),
        "sha": {p.name: _sha(p) for p in sorted((study / "runs").glob("*.parquet"))},
    }
    if len(reference["runs"]) < 2 or not reference["events"]:
        raise RuntimeError(f"the reference study {study} has no runs or events parts")
    mini = base / "mini_template"
    main = mini / "main"
    main.mkdir(parents=True)
    shutil.copy2(RUN_PY, main / "run.py")
    ignore = shutil.ignore_patterns(".*.tmp")
    for folder in ("sim", "calibration", "scenarios"):
        shutil.copytree(PROJECT / folder, main / folder, ignore=ignore)
    (mini / "shared").symlink_to(SHARED)  # the evidence beside the checkout, as ../shared
    return {"ref": study, "reference": reference, "mini_template": mini}


# ---------------------------------------------------------------------------- setups: study
def _copy_study(t: Path, ctx: dict) -> Path:
    dst = t / "R" / STUDY
    shutil.copytree(ctx["ref"], dst)
    return dst


def study_setup(mutate: Callable[[Path], None] | None = None):
    def setup(t: Path, ctx: dict):
        study = _copy_study(t, ctx)
        if mutate is not None:
            mutate(study)
    return setup


def _part(study: Path, table: str) -> Path:
    return sorted((study / table).glob("*.parquet"))[0]


def truncate(table: str):
    def mutate(study: Path):
        path = _part(study, table)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return mutate


def flip_byte(table: str):
    def mutate(study: Path):
        path = _part(study, table)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    return mutate


def delete_part(table: str):
    return lambda study: _part(study, table).unlink()


def edit_json(file: str, edit: Callable[[dict], None]):
    def mutate(study: Path):
        path = study / file
        record = json.loads(path.read_text())
        edit(record)
        path.write_text(json.dumps(record, indent=2) + "\n")
    return mutate


def write_file(file: str, text: str):
    return lambda study: (study / file).write_text(text)


def _set_seed(manifest: dict) -> None:
    manifest["design"]["seed"] = 2


def _set_index_replicates(index: dict) -> None:
    index["identity"]["design"]["replicates"] = 8


def _stale_lock(study: Path) -> None:
    (study / ".lock").write_text(json.dumps({"pid": 2**22 + 12345, "host": "gone-host", "since": "2016-02-03T00:00:00+00:00"}))


def batch_args(**change) -> tuple:
    """STUDY_BATCH with flags changed ('--seed': '2'), or dropped (value None)."""
    args = list(STUDY_BATCH)
    for flag, value in change.items():
        flag = "--" + flag.replace("_", "-")
        i = args.index(flag)
        if value is None:
            del args[i: i + (1 if flag in ("--events", "--quiet") else 2)]
        else:
            args[i + 1] = value
    return tuple(args)


def same_as_original(*tables: str, gone: tuple = ()):
    """A check: the study's tables equal the original study's; `gone` files must not remain."""
    def check(t: Path, ctx: dict, ran: Ran) -> list:
        study = t / "R" / STUDY
        issues = []
        for table in tables:
            problem = _same_table(study, table, ctx["reference"])
            if problem:
                issues.append(("lost", problem))
        for name in gone:
            if (study / name).exists():
                issues.append(("other", f"{name} is still there after the run"))
        if not (study / "parts.json").is_file():
            issues.append(("other", "parts.json was not written"))
        return issues
    return check


def _lock_runner(probe: Probe, t: Path, ctx: dict) -> Ran:
    """Two batches on one new study: the second is started once the first holds the lock."""
    results = t / "R"
    n = 3000  # long runs with events: several seconds on the compiled engine, so the second meets the first
    cmd = [sys.executable, str(RUN_PY), "batch", "--study", "L", "--scenarios", "geneva_2016_02",
           "--replicates", str(n), "--days", "365", "--events", "--seed", "1", "--results", str(results), "--quiet"]
    first = subprocess.Popen(cmd, cwd=t, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_env(), process_group=0, stdin=subprocess.DEVNULL)
    lock = results / "L" / ".lock"
    deadline = time.monotonic() + 90
    held = False
    while time.monotonic() < deadline and first.poll() is None:
        try:
            held = '"pid"' in lock.read_text()
        except OSError:
            held = False
        if held:
            break
        time.sleep(0.05)
    second = run_command(cmd, t, probe.timeout)
    second.command = _shown(cmd, probe, ctx) + "   (while the same command runs)"
    try:
        out, err = first.communicate(timeout=DEFAULT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(first.pid, signal.SIGKILL)
        out, err = first.communicate()
    second.names = (f"pid {first.pid}",)
    if not held:
        second.issues.append(("other", "inconclusive: the first batch ended before its lock was seen"))
    if first.returncode != 0:
        tail = " | ".join([line for line in err.splitlines() if line.strip()][-2:])
        second.issues.append(("lost", f"the first batch exited {first.returncode}: {tail}"))
    frame = _frame(_read_parts(results / "L" / "runs"))
    if frame is None or len(frame) != n or sorted(frame["replicate"]) != list(range(n)):
        rows = 0 if frame is None else len(frame)
        second.issues.append(("lost", f"the first batch's study holds {rows} runs, expected replicates 0..{n - 1}"))
    elif frame["error"].fillna("").astype(str).str.len().gt(0).any():
        second.issues.append(("lost", "the first batch's study holds failed runs"))
    return second


def _disk_full_batch_check(t: Path, ctx: dict, ran: Ran) -> list:
    """After a disk-full stop: no temporary file left, every indexed part whole; the same
    command then resumes to the original study."""
    study = t / "R" / STUDY
    issues = []
    leftovers = [str(p.relative_to(t)) for p in t.rglob("*.tmp")]
    if leftovers:
        issues.append(("half-written", f"temporary files left: {', '.join(leftovers[:3])}"))
    try:
        index = json.loads((study / "parts.json").read_text())
        for entry in index["parts"].values():
            path = study / entry["table"] / f"{entry['key']}.parquet"
            if not path.is_file() or _sha(path) != entry["sha256"]:
                issues.append(("half-written", f"indexed part {entry['table']}/{entry['key']} is not whole"))
        kept = sum(1 for e in index["parts"].values() if e["table"] == "runs")
        if kept == 0:
            issues.append(("lost", "the task finished before the disk filled was not kept"))
    except (OSError, ValueError, KeyError, TypeError) as err:
        issues.append(("half-written", f"parts.json unreadable after the stop: {err}"))
    rerun = run_command([sys.executable, str(RUN_PY), *_fill(STUDY_BATCH, ctx)], t, DEFAULT_TIMEOUT)
    if rerun.returncode != 0:
        tail = " | ".join(rerun.stderr.strip().splitlines()[-2:])
        issues.append(("lost", f"the same command, disk free again, exits {rerun.returncode}: {tail}"))
    else:
        problem = _same_table(study, "runs", ctx["reference"])
        if problem:
            issues.append(("lost", f"resumed after the disk-full stop: {problem}"))
    return issues


# ------------------------------------------------------------------------- setups: scenario
def _episode_text() -> str:
    return (SCENARIOS / "geneva_2016_02.toml").read_text().replace('name = "geneva_2016_02"', 'name = "bad"')


def scenario_setup(make: Callable[[str], str | bytes], extra: Callable[[Path, Path], None] | None = None):
    """A copy of scenarios/ in {scen} with bad.toml = make(the Geneva episode, renamed)."""
    def setup(t: Path, ctx: dict):
        scen = t / "work" / "scen"
        shutil.copytree(SCENARIOS, scen)
        content = make(_episode_text())
        path = scen / "bad.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        if extra is not None:
            extra(t, scen)
        return {"scen": scen}
    return setup


def _replace(old: str, new: str) -> Callable[[str], str]:
    def make(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)
    return make


def _outside_terrain(t: Path, scen: Path) -> None:
    outside = t / "outside"
    outside.mkdir()
    shutil.copy2(SCENARIOS / "terrain" / "aleppo.toml", outside / "x.toml")


def _terrain_symlink(t: Path, scen: Path) -> None:
    (scen / "terrain" / "evil.toml").symlink_to("/etc/passwd")


BAD_SIMULATE = ("simulate", "--scenario", "bad", "--seed", "1", "--dir", "{scen}")


# ------------------------------------------------------------------------ setups: posterior
def posterior_setup(edit: Callable[[list[str], list[list[str]]], str | bytes]):
    """The copy of the code with calibration/data/posterior.csv = edit(header, rows)."""
    def setup(t: Path, ctx: dict):
        path = ctx["mini_root"] / "calibration" / "data" / "posterior.csv"
        rows = list(csv.reader(io.StringIO(path.read_text())))
        content = edit(rows[0], [r for r in rows[1:] if r])
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return setup


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _drop_column(name: str):
    def edit(header, rows):
        i = header.index(name)
        return _csv(header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    return edit


def _set_cells(name: str, value: str, which: Callable[[int], bool] = lambda r: True):
    def edit(header, rows):
        i = header.index(name)
        for r, row in enumerate(rows):
            if which(r):
                row[i] = value
        return _csv(header, rows)
    return edit


# ------------------------------------------------------------------------- setups: articles
def articles_setup(edit: Callable[[Path], None] | None = None, out_folder: bool = False):
    """A copy of ../shared/articles in {arts}, changed by edit(folder)."""
    def setup(t: Path, ctx: dict):
        arts = t / "arts"
        shutil.copytree(ARTICLES, arts)
        if edit is not None:
            edit(arts)
        if out_folder:
            (t / "out").mkdir()
        return {"arts": arts}
    return setup


def _manifest_published(value: str):
    def edit(arts: Path):
        path = arts / "manifest.csv"
        rows = list(csv.reader(io.StringIO(path.read_text())))
        rows[1][1] = value
        path.write_text(_csv(rows[0], rows[1:]))
    return edit


def _manifest_add(name: str, published: str = "2016-02-03"):
    def edit(arts: Path):
        with open(arts / "manifest.csv", "a", encoding="utf-8") as handle:
            handle.write(f"{name},{published},probe,en,added by a probe\n")
    return edit


def _only_article(name: str, data: bytes):
    """A folder holding one article (and its manifest row)."""
    def edit(arts: Path):
        for path in arts.iterdir():
            path.unlink()
        (arts / name).write_bytes(data)
        (arts / "manifest.csv").write_text(f"file,published,outlet,language,notes\n{name},2016-02-03,probe,en,\n")
    return edit


def _huge_article(arts: Path) -> None:
    line = ("The envoy said the talks in Geneva would resume after a pause of some weeks, "
            "while the government offensive north of Aleppo went on.\n").encode()
    with open(arts / "huge.txt", "wb") as handle:
        block = line * (2**20 // len(line) + 1)
        for _ in range(50):
            handle.write(block)
    _manifest_add("huge.txt")(arts)


_BINARY = bytes(range(256)) * 64
_LATIN1 = ("Caf\xe9 talks in Gen\xe8ve: the envoy de Mistura said on Wednesday the talks would pause "
           "until 25 February.\n").encode("latin-1")


def _latin1_beside(arts: Path) -> None:
    (arts / "latin.txt").write_bytes(_LATIN1)
    _manifest_add("latin.txt")(arts)


def _empty_folder(t: Path, ctx: dict):
    (t / "arts").mkdir()
    return {"arts": t / "arts"}


def _committed_unchanged(t: Path, ctx: dict, ran: Ran) -> list:
    """The copy's committed calibration input is as before; the default --out was written."""
    data = ctx["mini_root"] / "calibration" / "data"
    issues = []
    for path in sorted(CALIBRATION_DATA.glob("*")):
        if path.is_file() and (data / path.name).is_file() and _sha(data / path.name) != ctx["committed"][path.name]:
            issues.append(("half-written", f"calibration/data/{path.name} was rewritten"))
    if not (ctx["mini_root"] / "results" / "extract" / "events.csv").is_file():
        issues.append(("other", "results/extract/events.csv (the default --out) was not written"))
    return issues


def _record_committed(t: Path, ctx: dict):
    data = ctx["mini_root"] / "calibration" / "data"
    return {"committed": {p.name: _sha(p) for p in data.iterdir() if p.is_file()}}


def _combine(*setups):
    def setup(t: Path, ctx: dict):
        found = {}
        for s in setups:
            found.update(s(t, {**ctx, **found}) or {})
        return found
    return setup


def _out_written(t: Path, ctx: dict, ran: Ran) -> list:
    return [] if (t / "out" / "events.csv").is_file() else [("other", "--out events.csv was not written")]


# ---------------------------------------------------------------------------- other setups
def _file_at(name: str, text: str = "not a folder\n"):
    def setup(t: Path, ctx: dict):
        path = t / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return setup


def _folder(name: str):
    def setup(t: Path, ctx: dict):
        (t / name).mkdir(parents=True)
    return setup


def _read_only_results(t: Path, ctx: dict):
    (t / "ro").mkdir()
    os.chmod(t / "ro", 0o555)


def _root() -> str | None:
    return "running as root: chmod 555 does not stop root's writes" if os.geteuid() == 0 else None


def _not_a_study(t: Path, ctx: dict):
    (t / "notastudy").mkdir()
    (t / "notastudy" / "notes.txt").write_text("some notes, not a study\n")


# ------------------------------------------------------------------------------- the probes
def _probes() -> list[Probe]:
    S = "R/" + STUDY
    damaged_rerun = dict(valid=True, study=S, snapshot=False)
    probes = [
        # ------------------------------------------------------------ study folder damage (16)
        Probe("study.manifest_deleted_rerun_seed2", batch_args(seed="2"),
              study_setup(lambda s: (s / "manifest.json").unlink()), names=("manifest.json",), study=S),
        Probe("study.manifest_seed_edited_rerun_old_seed", STUDY_BATCH,
              study_setup(edit_json("manifest.json", _set_seed)), names=("manifest.json", "design.seed"), study=S),
        Probe("study.manifest_empty_object_report", REPORT, study_setup(write_file("manifest.json", "{}\n")),
              names=("manifest.json",), study=S),
        Probe("study.manifest_empty_object_rerun", STUDY_BATCH, study_setup(write_file("manifest.json", "{}\n")),
              names=("manifest.json",), study=S),
        Probe("study.manifest_not_json_report", REPORT,
              study_setup(write_file("manifest.json", '{"study": "S", "design": {\n')),
              names=("manifest.json",), study=S),
        Probe("study.manifest_not_json_rerun", STUDY_BATCH,
              study_setup(write_file("manifest.json", "this is not JSON\n")), names=("manifest.json",), study=S),
        Probe("study.events_part_truncated_report", REPORT, study_setup(truncate("events")),
              names=("events/",), study=S),
        Probe("study.runs_part_truncated_report_out", (*REPORT, "--out", "{t}/rep"), study_setup(truncate("runs")),
              names=("runs/",), study=S),
        Probe("study.runs_part_byte_flipped_report", REPORT, study_setup(flip_byte("runs")),
              names=("runs/",), study=S),
        Probe("study.runs_part_deleted_report", REPORT, study_setup(delete_part("runs")),
              names=("runs/",), study=S),
        Probe("study.parts_json_edited_rerun", STUDY_BATCH,
              study_setup(edit_json("parts.json", _set_index_replicates)), names=("parts.json",), study=S),
        Probe("study.parts_json_not_json_report", REPORT, study_setup(write_file("parts.json", "not JSON\n")),
              names=("parts.json",), study=S),
        Probe("study.fewer_replicates_on_existing_study", batch_args(replicates="2"), study_setup(),
              names=("replicates",), study=S),  # more replicates grow the study (valid); fewer would drop runs
        Probe("study.events_flag_dropped_on_existing_study", batch_args(events=None), study_setup(),
              names=("events",), study=S),
        Probe("study.two_batches_at_once", runner=_lock_runner, snapshot=False, timeout=DEFAULT_TIMEOUT),
        Probe("study.study_path_is_a_file", STUDY_BATCH, _file_at("R/" + STUDY),
              names=(("--study", f"R/{STUDY}"),)),
        # valid: damage a rerun repairs, a stale lock
        Probe("study.valid_events_part_truncated_rerun", STUDY_BATCH, study_setup(truncate("events")),
              names=("events/",), check=same_as_original("runs", "events"), **damaged_rerun),
        Probe("study.valid_runs_part_truncated_rerun", STUDY_BATCH, study_setup(truncate("runs")),
              names=("runs/",), check=same_as_original("runs", "events"), **damaged_rerun),
        Probe("study.valid_runs_part_byte_flipped_rerun", STUDY_BATCH, study_setup(flip_byte("runs")),
              names=("runs/",), check=same_as_original("runs"), **damaged_rerun),
        Probe("study.valid_parts_json_deleted_rerun", STUDY_BATCH,
              study_setup(lambda s: (s / "parts.json").unlink()), stderr_lines=None,
              check=same_as_original("runs", "events"), **damaged_rerun),
        Probe("study.valid_stale_lock_rerun", STUDY_BATCH, study_setup(_stale_lock), stderr_lines=None,
              check=same_as_original("runs", gone=(".lock",)), **damaged_rerun),
        # ---------------------------------------------------------------- scenario files (14)
        Probe("scenario.not_toml", BAD_SIMULATE, scenario_setup(lambda s: "name = \n[[[ this is not TOML\n"),
              names=("bad.toml",)),
        Probe("scenario.unknown_key", BAD_SIMULATE,
              scenario_setup(_replace("horizon_days = 60\n", 'horizon_days = 60\ncolour = "red"\n')),
              names=("bad.toml", "colour")),
        Probe("scenario.wrong_type", BAD_SIMULATE,
              scenario_setup(_replace("horizon_days = 60", 'horizon_days = "sixty"')),
              names=("bad.toml", "horizon_days")),
        Probe("scenario.start_date_9999", BAD_SIMULATE,
              scenario_setup(_replace("start_date = 2016-01-25", "start_date = 9999-12-01")),
              names=("bad.toml", "start_date")),
        Probe("scenario.nested_array_5000_levels", BAD_SIMULATE,
              scenario_setup(lambda s: "deep = " + "[" * 5000 + "]" * 5000 + "\n" + s),
              names=("bad.toml",)),
        Probe("scenario.terrain_file_outside_folder", BAD_SIMULATE,
              scenario_setup(_replace('file = "terrain/aleppo.toml"', 'file = "../../outside/x.toml"'),
                             _outside_terrain),
              names=("bad.toml", "terrain.file")),
        Probe("scenario.terrain_file_etc_passwd", BAD_SIMULATE,
              scenario_setup(_replace('file = "terrain/aleppo.toml"', 'file = "/etc/passwd"')),
              names=("bad.toml", "terrain.file"), forbid=("root:",)),
        Probe("scenario.terrain_file_proc_environ", BAD_SIMULATE,
              scenario_setup(_replace('file = "terrain/aleppo.toml"', 'file = "/proc/self/environ"')),
              names=("bad.toml", "terrain.file"), forbid=("PATH=", "HOME=")),
        Probe("scenario.negative_days", BAD_SIMULATE,
              scenario_setup(_replace("horizon_days = 60", "horizon_days = -5")),
              names=("bad.toml", "horizon_days")),
        Probe("scenario.missing_required_key", BAD_SIMULATE,
              scenario_setup(_replace("start_date = 2016-01-25\n", "")),
              names=("bad.toml", "start_date")),
        Probe("scenario.unknown_scenario_name", ("simulate", "--scenario", "no_such_scenario", "--seed", "1"),
              names=("no_such_scenario",)),
        Probe("scenario.listed_twice", ("batch", "--study", "twice", "--scenarios", "geneva_2016_02,geneva_2016_02",
                                        "--replicates", "2", "--seed", "1", "--results", "{R}", "--quiet"),
              names=("--scenarios", "geneva_2016_02")),
        Probe("scenario.bad_file_in_batch_makes_no_study", ("batch", "--study", "new", "--scenarios",
                                                            "geneva_2016_02,bad", "--replicates", "2", "--seed",
                                                            "1", "--dir", "{scen}", "--results", "{R}", "--quiet"),
              scenario_setup(_replace('talks = "not_started"', 'talks = "maybe"')),
              names=("bad.toml", "state.talks")),
        Probe("scenario.not_utf8", BAD_SIMULATE,
              scenario_setup(lambda s: s.replace("Geneva talks open", "Gen\udce8ve talks open")
                             .encode("utf-8", "surrogateescape")),
              names=("bad.toml",)),
        # ------------------------------------------------------------------------ flags (18)
        Probe("flags.simulate_seed_negative", ("simulate", "--scenario", "geneva_2016_02", "--seed", "-1"),
              names=("--seed",)),
        Probe("flags.results_is_a_file", (*NEW_BATCH[:-3], "--results", "{t}/file.txt", "--quiet"),
              _file_at("file.txt"), names=("--results",)),
        Probe("flags.results_read_only_folder", (*NEW_BATCH[:-3], "--results", "{t}/ro", "--quiet"),
              _read_only_results, names=("--results",), not_applicable=_root),
        Probe("flags.study_300_characters", ("batch", "--study", "s" * 300, *NEW_BATCH[3:]), names=("--study",)),
        Probe("flags.study_with_space", ("batch", "--study", "my study", *NEW_BATCH[3:]), names=("--study",)),
        Probe("flags.study_with_slash", ("batch", "--study", "a/b", *NEW_BATCH[3:]), names=("--study",)),
        Probe("flags.study_dotdot", ("batch", "--study", "..", *NEW_BATCH[3:]), names=("--study",)),
        Probe("flags.events_out_is_a_folder", (*SIMULATE, "--events-out", "{t}/outdir"), _folder("outdir"),
              names=("--events-out",)),
        Probe("flags.replicate_abbreviation", ("batch", "--study", "new", "--scenarios", "geneva_2016_02",
                                               "--replicate", "3", "--seed", "1", "--results", "{R}", "--quiet"),
              names=("--replicate",)),
        Probe("flags.replicates_zero", batch_args(replicates="0"), names=("--replicates",)),
        Probe("flags.replicates_negative", batch_args(replicates="-5"), names=("--replicates",)),
        Probe("flags.replicates_not_a_number", batch_args(replicates="abc"), names=("--replicates",)),
        Probe("flags.replicates_10_to_the_12", batch_args(replicates="1000000000000"),
              names=("--replicates", "--max-runs"), timeout=QUICK_TIMEOUT),
        Probe("flags.workers_zero", (*NEW_BATCH, "--workers", "0"), names=("--workers",)),
        Probe("flags.unknown_subcommand", ("frobnicate", "--study", "x"), names=("frobnicate",)),
        Probe("flags.unknown_flag", (*SIMULATE, "--colour", "red"), names=("--colour",)),
        Probe("flags.simulate_days_zero", (*SIMULATE, "--days", "0"), names=("--days",)),
        Probe("flags.batch_days_negative", (*NEW_BATCH, "--days", "-3"), names=("--days",)),
        # ------------------------------------------------------------------- posteriors (7)
        Probe("posterior.empty_file", POSTERIOR_BATCH, posterior_setup(lambda h, r: ""),
              names=("posterior.csv",), mini=True),
        Probe("posterior.header_only", POSTERIOR_BATCH, posterior_setup(lambda h, r: _csv(h, [])),
              names=("posterior.csv",), mini=True),
        Probe("posterior.calibrated_column_removed", POSTERIOR_BATCH, posterior_setup(_drop_column("rus_strike_rate")),
              names=("posterior.csv", "rus_strike_rate"), mini=True),
        Probe("posterior.nan_column", POSTERIOR_BATCH, posterior_setup(_set_cells("rus_refuse_prob", "nan")),
              names=("posterior.csv", "rus_refuse_prob"), mini=True),
        Probe("posterior.text_in_a_cell", POSTERIOR_BATCH,
              posterior_setup(_set_cells("gov_strike_rate", "lots", lambda r: r == 1)),
              names=("posterior.csv", "gov_strike_rate", "line 3"), mini=True),
        Probe("posterior.weight_negative", POSTERIOR_BATCH,
              posterior_setup(_set_cells("weight", "-0.5", lambda r: r == 0)),
              names=("posterior.csv", "weight"), mini=True),
        Probe("posterior.weights_all_zero", POSTERIOR_BATCH, posterior_setup(_set_cells("weight", "0")),
              names=("posterior.csv", "weight"), mini=True),
        # --------------------------------------------------------------------- articles (10)
        Probe("articles.manifest_time_25_99", EXTRACT, articles_setup(_manifest_published("2016-02-03T25:99")),
              names=("manifest.csv", "2016-02-03T25:99")),
        Probe("articles.manifest_year_1016", EXTRACT, articles_setup(_manifest_published("1016-02-03")),
              names=("manifest.csv", "1016")),
        Probe("articles.article_of_50_mb", EXTRACT, articles_setup(_huge_article), names=("huge.txt",),
              timeout=QUICK_TIMEOUT),
        Probe("articles.binary_article", EXTRACT, articles_setup(_only_article("blob.txt", _BINARY)),
              names=("blob.txt",)),
        Probe("articles.not_utf8_article", EXTRACT, articles_setup(_only_article("latin.txt", _LATIN1)),
              names=("latin.txt",)),
        Probe("articles.manifest_names_a_missing_article", EXTRACT, articles_setup(_manifest_add("ghost.txt")),
              names=("manifest.csv", "ghost.txt")),
        Probe("articles.no_manifest", EXTRACT, articles_setup(lambda a: (a / "manifest.csv").unlink()),
              names=("date", tuple(p.name for p in sorted(ARTICLES.glob("*.txt"))))),
        Probe("articles.empty_folder", EXTRACT, _empty_folder, names=("arts",)),
        Probe("articles.out_is_the_committed_input", ("extract", "--articles", "{arts}", "--out",
                                                      "{mini}/calibration/data/events.csv"),
              articles_setup(), names=("--replace-committed",), mini=True),
        Probe("articles.disk_full_while_writing", EXTRACT, articles_setup(out_folder=True), exit=1,
              names=(("disk", "space"),), enospc=("out", "events", 0)),
        # valid
        Probe("articles.valid_default_out_keeps_committed_input", ("extract", "--articles", "{arts}"),
              _combine(articles_setup(), _record_committed), valid=True, stderr_lines=None, mini=True,
              check=_committed_unchanged, snapshot=False),
        Probe("articles.valid_not_utf8_article_beside_good_ones", EXTRACT, articles_setup(_latin1_beside),
              valid=True, stderr_lines=None, stdout_names=(("latin.txt",),), check=_out_written, snapshot=False),
        # ------------------------------------------------------------------------ other (5)
        Probe("other.report_on_a_folder_that_is_not_a_study", ("report", "--study", "{t}/notastudy"),
              _not_a_study, names=("notastudy",)),
        Probe("other.report_on_an_unknown_study", ("report", "--study", "no_such_study", "--results", "{R}"),
              _folder("R"), names=("no_such_study",)),
        Probe("other.record_unknown_episode", ("record", "--episode", "no_such_episode"),
              names=("no_such_episode",)),
        Probe("other.batch_disk_full_then_resume", STUDY_BATCH, exit=1, names=(("disk", "space"),),
              enospc=("R", ".parquet.", 2), snapshot=False, check=_disk_full_batch_check),
        Probe("other.simulate_disk_full", (*SIMULATE, "--events-out", "{t}/out/ev.csv"), _folder("out"),
              exit=1, names=(("disk", "space"),), enospc=("out", "ev.csv", 0)),
    ]
    return probes


PROBES = _probes()


# ------------------------------------------------------------------------------- the runner
def _cost(probe: Probe) -> int:
    """A rough rank of a probe's duration (several commands, a batch, a simulation)."""
    if probe.runner is not None or probe.check is _disk_full_batch_check:
        return 3
    return 2 if probe.valid or (probe.args and probe.args[0] == "batch") else 1


def run_probes(workers: int = 2, only: str | None = None, keep: bool = False) -> list[ProbeResult]:
    """Run every probe (or those whose name contains `only`) on `workers` threads, each probe
    a subprocess in a temporary folder; returns the results in the probes' order."""
    probes = [p for p in PROBES if only is None or only in p.name]
    base = Path(tempfile.mkdtemp(prefix="parley-probes-"))
    try:
        shared = _prepare(base)
        # the long probes first, so that none is left running alone at the end
        order = sorted(range(len(probes)), key=lambda i: -_cost(probes[i]))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {i: pool.submit(run_probe, probes[i], base, shared, keep) for i in order}
            return [futures[i].result() for i in range(len(probes))]
    finally:
        if keep:
            print(f"probe folders kept in {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def summary_table(results: list[ProbeResult]) -> str:
    """The markdown table: per category and in total, how the probes came out."""
    header = ("| category | tried | clean one-line exit 2 | tracebacks | accepted | half-written | lost | other |"
              " n/a |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for category in (*CATEGORIES, None):
        mine = [r for r in results if category is None or r.category == category]
        if not mine:
            continue
        tried = [r for r in mine if r.outcome != "n/a"]
        counts = [sum(r.outcome == o for r in tried) for o in OUTCOMES]
        bad = sum(not r.valid for r in mine)
        label = f"**total** ({bad} bad + {len(mine) - bad} valid)" if category is None else \
            f"{category} ({bad} bad + {len(mine) - bad} valid)"
        rows.append(f"| {label} | {len(tried)} | " + " | ".join(map(str, counts))
                    + f" | {sum(r.outcome == 'n/a' for r in mine)} |")
    return header + "\n" + "\n".join(rows)


def format_failures(results: list[ProbeResult]) -> str:
    """Every probe that is not clean: name, command, exit code, issues, stderr's last lines."""
    return "\n\n".join(r.describe() for r in results if not r.clean)


def report(results: list[ProbeResult]) -> str:
    lines = [summary_table(results), "",
             "clean: the expected exit code (2 for a mistake; 1 for a full disk; 0 for a valid input), one "
             "stderr line naming what it must. other: another exit code, several lines, a line that does not "
             "name the flag/file/key, or a valid input that misbehaved.", ""]
    failures = [r for r in results if not r.clean]
    lines.append(f"## Not clean ({len(failures)})" if failures else "All probes are clean.")
    for r in failures:
        lines += ["", "```", r.describe(), "```"]
    na = [r for r in results if r.outcome == "n/a"]
    if na:
        lines += ["", "## Not applicable"] + [f"- {r.name}: {'; '.join(r.issues)}" for r in na]
    return "\n".join(lines)


def _guard() -> dict[str, str]:
    """The committed calibration data's hashes (the probes must never change them)."""
    return {p.name: _sha(p) for p in sorted(CALIBRATION_DATA.iterdir()) if p.is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.probes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="run only the probes whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the probes' folders")
    parser.add_argument("--show", action="store_true", help="also list every probe with its last stderr line")
    args = parser.parse_args(argv)
    started = time.monotonic()
    guard = _guard()
    results = run_probes(workers=args.workers, only=args.only, keep=args.keep)
    print(report(results))
    if args.show:
        print("\n## Every probe\n")
        for r in results:
            last = (r.stderr_tail(1) or [""])[0][:300]
            print(f"- {r.name} [{r.outcome}] exit {r.returncode} ({r.seconds:.1f} s): {last}")
    changed = [name for name, sha in _guard().items() if guard.get(name) != sha]
    if changed:
        print(f"\nWARNING: calibration/data changed during the run: {', '.join(changed)} "
              "(by a probe, or by someone else working in the checkout)")
    print(f"\n{len(results)} probes in {time.monotonic() - started:.0f} s with {args.workers} workers")
    return 0 if all(r.clean for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
