#!/usr/bin/env python3
"""parley's command line: a thin shell over functions a notebook can call.

    python run.py scenarios
    python run.py simulate --scenario geneva_2016_02 --seed 1
    python run.py extract --articles ../shared/articles   # -> results/extract/ (--replace-committed: calibration/data/)
    python run.py record --episode geneva_2016_02         # the observed record of an episode
    python run.py calibrate --quick    # ABC-SMC of the behaviour parameters (default: ~10 min)
    python run.py validate --quick     # out-of-sample scores and SBC (default: ~41 min)
    python run.py report --study demo   # tables and figures of a study
    python run.py default          # what `make run` runs: the default study and its report

A user's mistake (bad file, key, value or flag) prints one line and exits with code 2.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import inspect
import json
import os
import shlex
import sys
from pathlib import Path

from sim.errors import UserError
from sim.paths import display_path


class _Parser(argparse.ArgumentParser):
    """argparse that reports a wrong flag in one line with exit code 2, and takes flags only by
    their full names (an abbreviation such as --replicate for --replicates is an error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):  # noqa: D102 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _ApiDefault:
    """A flag's default, read from the API: the CLI keeps no defaults of its own.

    A left-out flag is not passed on (the API's default applies); `--help` shows the value,
    importing its module only then, so a light command does not import the batch machinery.

    Args:
        target: 'module:name', a function (with `parameter`) or a module constant.
        parameter: the function's parameter whose default this is.
    """

    def __init__(self, target: str, parameter: str | None = None):
        self.target = target
        self.parameter = parameter

    @property
    def value(self):
        """The parameter's default in the function's signature (or the constant)."""
        module, name = self.target.split(":")
        found = getattr(importlib.import_module(module), name)
        return found if self.parameter is None else inspect.signature(found).parameters[self.parameter].default

    def __str__(self) -> str:  # what --help shows as %(default)s
        value = self.value
        if isinstance(value, Path):  # a folder with a trailing '/'
            return display_path(value) + ("" if value.suffix else "/")
        return str(value)


class _BudgetHelp(str):
    """A budget flag's help with its defaults read from the calibration (full and quick)."""

    def __new__(cls, what: str, key: str):
        self = super().__new__(cls, what)
        self.what, self.key = what, key
        return self

    def __mod__(self, values) -> str:  # argparse expands help with `help % params`
        from calibration.calibrate import DEFAULT_BUDGET, QUICK_BUDGET

        return f"{self.what} (default {DEFAULT_BUDGET[self.key]}; quick {QUICK_BUDGET[self.key]})"


def _value(flag):
    """A flag's value, or the API's default when it was left out."""
    return flag.value if isinstance(flag, _ApiDefault) else flag


def _given(args, *names: str) -> dict:
    """The flags among `names` the user set (left-out flags leave the API's defaults in force)."""
    return {n: getattr(args, n) for n in names if not isinstance(getattr(args, n), _ApiDefault)}


def _int_from(low: int, high: int):
    """An argparse type: an integer from `low` to `high`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse


#: A horizon in days.
_days = _int_from(1, 366)


def _positive(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    """A number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a non-negative number of seconds, got {text}")
    return value


def _non_negative(text: str) -> int:
    """An integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be non-negative, got {value}")
    return value


def _can_write_in(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _writable_folder(text: str) -> Path:
    """A folder to write into: absent (it is made), or an existing folder this user can write."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    if path.is_dir() and not _can_write_in(path):
        raise argparse.ArgumentTypeError(f"{text} is not writable by this user")
    return path


def _cutoffs(text: str) -> tuple[int, ...]:
    """Cut-off days: comma-separated integers inside the episodes' 60-day window (1 to 59)."""
    days = []
    for part in text.split(","):
        try:
            day = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid day {part!r}: give comma-separated days from 1 to 59") from None
        if not 1 <= day <= 59:
            raise argparse.ArgumentTypeError(f"day {day} is outside the window: give days from 1 to 59")
        days.append(day)
    return tuple(days)


def _cmd_validate(args) -> None:
    from calibration.validation.validate import overall_skill, run_validation

    result = run_validation(
        cutoffs=args.cutoffs, quick=args.quick, sbc_replications=args.sbc,
        command="python run.py " + shlex.join(args.argv),  # recorded in the report
        **_given(args, "seed", "out_dir", "workers"),
    )
    for day, skills in overall_skill(result).items():
        print(f"forecast past day {day}: CRPS skill {skills['prior']:+.2f} vs the prior, "
              f"{skills['other episode']:+.2f} vs the other episode's calibration")
    moved = result.sbc[result.sbc["inferred_share"] > 0]
    print(f"SBC: {len(moved)} parameters moved; expected coverage {moved['coverage50'].mean():.2f} at 50%, "
          f"{moved['coverage90'].mean():.2f} at 90%; overconfident: {int((moved['verdict'] == 'overconfident').sum())}")
    print(f"runtime {sum(result.timings.values()):.0f} s")


def _cmd_scenarios(args) -> None:
    from sim.scenarios import list_scenarios

    for info in list_scenarios(**_given(args, "scenario_dir")):
        print(f"{info.name:45} {info.kind:15} {info.description}")


def _cmd_simulate(args) -> None:
    from sim.experiments.runs import simulate
    from sim.reporting.timeline import format_timeline

    if args.events_out:  # checked before the run, so a wrong path costs nothing
        out = Path(args.events_out)
        if out.is_dir():
            raise UserError(f"--events-out: {args.events_out} is a folder; give a file name such as events.csv")
        if not out.parent.is_dir() or not _can_write_in(out.parent):
            raise UserError(f"--events-out: the folder {display_path(out.parent)} does not exist or is not writable")
    result = simulate(args.scenario, seed=args.seed, days=args.days, **_given(args, "scenario_dir"))
    if args.events_out:
        from sim.events import write_events

        write_events(result.events, args.events_out)
    if args.json:
        print(json.dumps(result.outcomes_json(), indent=2))
        return
    print(format_timeline(result))


def _extract_out(args) -> Path:
    """Where extract writes: --out (a file, or a folder for events.csv), results/extract/ by
    default; the committed calibration input only with --replace-committed."""
    from calibration.extraction.extract import dedup_path
    from sim.paths import EXTRACT_DIR, EXTRACTED_EVENTS, OBSERVED_EVENTS

    if args.replace_committed:
        return EXTRACTED_EVENTS
    out = Path(args.out) if not isinstance(args.out, _ApiDefault) else args.out.value
    if out.is_dir() or not out.suffix:
        out = out / EXTRACTED_EVENTS.name
    committed = {EXTRACTED_EVENTS.resolve(), OBSERVED_EVENTS.resolve()}
    if {out.resolve(), dedup_path(out).resolve()} & committed:
        raise UserError(f"--out: {display_path(out)} would replace the committed calibration input "
                        f"({display_path(EXTRACTED_EVENTS)}, {display_path(OBSERVED_EVENTS)}); "
                        f"pass --replace-committed instead, or write elsewhere (default {display_path(EXTRACT_DIR)}/)")
    return out


def _cmd_extract(args) -> None:
    from calibration.extraction.extract import run_extract

    print(
        run_extract(
            args.articles,
            manifest=args.manifest,
            out=_extract_out(args),
            corrections=args.corrections,
            default_date=args.date,
        )
    )


def _cmd_record(args) -> None:
    from calibration.record import compose_record, format_episode, format_summary

    record = compose_record(**_given(args, "sources_file"))
    if args.episode:
        print(format_episode(record, args.episode, **_given(args, "scenario_dir")))
    else:
        print(format_summary(record))


def _cmd_calibrate(args) -> None:
    from calibration.calibrate import run_calibration

    print(
        run_calibration(
            population=args.population,
            generations=args.generations,
            quick=args.quick,
            publish=False if args.no_publish else None,
            command="python run.py " + shlex.join(args.argv),  # recorded in the report
            **_given(args, "seed", "out_dir", "workers"),
        )
    )


def _cmd_batch(args) -> None:
    from sim.experiments.batch import run_study
    from sim.experiments.design import check_study_name
    from sim.results.companion import companion_name
    from sim.reporting.summary import format_summary

    parameters = "posterior" if args.posterior else "defaults" if args.defaults else "auto"
    if args.with_prior and args.defaults:
        raise UserError("--with-prior compares posterior draws with the priors; --defaults runs no draws "
                        "(use --posterior, or leave both out)")
    if args.with_prior:  # its companion's name must be a study name too
        check_study_name(companion_name(args.study))
    study = run_study(
        args.study,
        [s.strip() for s in args.scenarios.split(",") if s.strip()],
        replicates=args.replicates,
        seed=args.seed,
        parameters=parameters,
        scheduler=args.scheduler,
        events=args.events,
        daily=args.daily,
        days=args.days,
        progress=not args.quiet,
        **_given(args, "workers", "results_dir", "scenario_dir", "max_runs", "wait"),
    )
    print(format_summary(study))
    if args.with_prior:
        from sim.experiments.prior_predictive import run_prior_companion

        prior = run_prior_companion(study, scheduler=args.scheduler, progress=not args.quiet,
                                    **_given(args, "workers", "scenario_dir"))
        print(f"under the priors alone: {prior.path} (`run.py report` shows the effects side by side)")


def _cmd_sensitivity(args) -> None:
    from sim.experiments.sensitivity import run_sensitivity
    from sim.reporting.sensitivity import check_outcome, screened_parameters
    from sim.reporting.sensitivity_report import record_sensitivity, write_sensitivity
    from sim.scenarios import load_scenario

    pair = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if len(pair) != 2:
        raise UserError(f"--scenarios: {args.scenarios!r}; allowed: BASE,CF (an episode and one of its counterfactuals)")
    if args.outcome is None:
        headline = load_scenario(pair[1], _given(args, "scenario_dir").get("scenario_dir")).headline_outcome
        if headline is None:
            raise UserError(f"--outcome: missing, and scenario {pair[1]} names no headline_outcome; allowed: an "
                            "outcome name (see sim/model/outcomes.csv)")
        args.outcome = headline
    outcomes = [o.strip() for o in args.outcome.split(",") if o.strip()]
    for outcome in outcomes or [args.outcome]:
        check_outcome(outcome)  # before any run
    parameters = [n.strip() for n in args.parameters.split(",")] if args.parameters else None
    if args.screen is not None and parameters is not None:
        raise UserError("--screen: chooses the parameters itself; allowed: --screen K or --parameters A,B,..., not both")
    name = args.study or f"sensitivity_{pair[1]}"
    common = dict(space="posterior" if args.posterior else "prior", scheduler=args.scheduler, days=args.days,
                  progress=not args.quiet,
                  **_given(args, "replicates", "seed", "workers", "results_dir", "scenario_dir", "max_runs", "wait"))
    screened_by = None
    if args.screen is not None:  # every parameter on its own at a few points, then the top K at many
        screen = run_sensitivity(f"{name}_screen", pair[0], pair[1], n=args.screen_n, **common)
        parameters, screened_by = screened_parameters(screen, outcomes[0], args.screen)
        print(f"screened by {outcomes[0]} in {screen.path}: {', '.join(parameters)}", file=sys.stderr)
    study = run_sensitivity(name, pair[0], pair[1], parameters=parameters, others=args.others or screened_by is not None,
                            screened_by=screened_by, **_given(args, "n"), **common)  # fmt: skip
    for outcome in outcomes:
        written = record_sensitivity(study, outcome) if args.record else write_sensitivity(study, outcome)
        top = written.result.indices.head(3)
        print(f"{outcome}: top by total index "
              + "; ".join(f"{r.parameter} ST {r.ST:.2f} [{r.ST_low:.2f}, {r.ST_high:.2f}]" for r in top.itertuples())
              + f" -> {written.summary}")


def _cmd_default(args) -> None:
    import time

    from sim.experiments.default_study import run_default_prior, run_default_study
    from sim.reporting.report import format_headline, write_report

    started = time.perf_counter()
    study = run_default_study(progress=not args.quiet,
                              **_given(args, "replicates", "seed", "workers", "results_dir", "max_runs"))
    prior = None
    if study.manifest["design"]["parameters"] == "posterior":  # the effects beside the priors' (same design)
        prior = run_default_prior(study, progress=not args.quiet, **_given(args, "workers"))
    report = write_report(study, prior=prior)
    design = study.manifest["design"]
    print(f"study {design['name']}: {len(design['scenarios'])} scenarios x {design['replicates']} replicates, "
          f"parameters: {design['parameters']}, {len(study.runs)} runs in {study.path}"
          + (f"; under the priors alone: {prior.path}" if prior is not None else ""))
    print()
    print(format_headline(report))
    print()
    print(f"report: {report.summary} ({len(report.figures)} figures)  [{time.perf_counter() - started:.0f} s]")


def _cmd_report(args) -> None:
    from sim.reporting.report import write_report
    from sim.results.store import load_study

    report = write_report(load_study(args.study, **_given(args, "results_dir")), out=args.out)
    print(f"report: {report.summary} ({len(report.figures)} figures, {len(report.tables)} tables)")


def _cmd_app(args) -> int:
    from sim.viz import serve

    return serve(**_given(args, "host", "port"), open_browser=args.open)


def _cmd_headline(args) -> None:
    from sim.experiments.prior_predictive import run_posterior_and_prior
    from sim.reporting import headline

    replicates = _value(args.replicates)
    seed = _value(args.seed)
    runs = run_posterior_and_prior("headline", [headline.BASELINE, headline.COUNTERFACTUAL], replicates, seed,
                                   **_given(args, "workers"))
    print(headline.headline_markdown(runs))
    if (replicates, seed) == (headline.PUBLISHED_REPLICATES, headline.PUBLISHED_SEED):  # the published design
        headline.update_readme(runs, f".venv/bin/python run.py headline --replicates {replicates} --seed {seed}")
        print(f"README: headline section rewritten ({display_path(headline.README)})")


def _design_flags(p: argparse.ArgumentParser, replicates: _ApiDefault, seed: _ApiDefault,
                  workers: _ApiDefault) -> None:
    """--replicates, --seed and --workers with the API's defaults."""
    p.add_argument("--replicates", type=_positive, default=replicates, help="replicates per scenario (default %(default)s)")
    p.add_argument("--seed", type=_non_negative, default=seed, help="study seed (default %(default)s)")
    p.add_argument("--workers", type=_positive, default=workers, help="local worker processes (default %(default)s)")


def _study_flags(p: argparse.ArgumentParser, target: str, scenario_dir: dict, size: str) -> None:
    """The flags every study command shares: where it runs, its horizon, size limit, lock wait,
    results folder, scenario folder and progress bar (defaults: `target`'s)."""
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, default=_ApiDefault(target, "workers"),
                       help="local worker processes (default %(default)s)")
    where.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--days", type=_days, default=None, help="horizon override, 1-366")
    p.add_argument("--max-runs", type=_positive, default=_ApiDefault(target, "max_runs"),
                   help=f"the largest study allowed, {size} (default %(default)s)")
    p.add_argument("--wait", type=_seconds, default=_ApiDefault(target, "wait"),
                   help="seconds to wait for another batch writing the same study (default %(default)s: refuse)")
    p.add_argument("--results", dest="results_dir", metavar="RESULTS", type=_writable_folder,
                   default=_ApiDefault(target, "results_dir"), help="results folder (default %(default)s)")
    p.add_argument("--dir", **scenario_dir)
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (defaults: the API's, shown by --help)."""
    parser = _Parser(prog="run.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scenario_dir = dict(dest="scenario_dir", metavar="DIR", default=_ApiDefault("sim.paths:SCENARIO_DIR"),
                        help="scenario folder (default: %(default)s)")  # fmt: skip

    p = sub.add_parser("scenarios", help="list the scenarios with one-line descriptions")
    p.add_argument("--dir", **scenario_dir)
    p.set_defaults(func=_cmd_scenarios)

    p = sub.add_parser("simulate", help="run one episode and print its timeline and outcomes")
    p.add_argument("--scenario", required=True, help="scenario name (see `run.py scenarios`)")
    p.add_argument("--seed", type=_non_negative, required=True, help="random seed of the run (a non-negative integer)")
    p.add_argument("--days", type=_days, default=None, help="horizon in days, 1-366 (default: the scenario's)")
    p.add_argument("--events-out", metavar="FILE.csv", help="write the simulated events (event schema)")
    p.add_argument("--json", action="store_true", help="print the outcome record as JSON only")
    p.add_argument("--dir", **scenario_dir)
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("extract", help="extract a CAMEO event table from a folder of articles")
    p.add_argument("--articles", required=True, help="folder of articles (.txt, .html, front matter)")
    p.add_argument("--manifest", help="CSV with file,published,... (default: DIR/manifest.csv if present)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", default=_ApiDefault("sim.paths:EXTRACT_DIR"),
                       help="event table to write, FILE.csv or a folder for events.csv and events_dedup.csv "
                       "(default: %(default)s)")
    where.add_argument("--replace-committed", action="store_true",
                       help="replace the committed calibration input, calibration/data/events.csv and "
                       "events_dedup.csv (never done without this flag)")
    p.add_argument("--corrections", help="CSV of reviewed rows to add or drop, with a reason")
    p.add_argument("--date", help="publication date YYYY-MM-DD for files that carry none")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "record", help="the calibration's observed record: an episode's timeline, or a summary",
        description="Compose the observed record from the sources declared in calibration/data/sources.toml "
        "(the extracted article events, the hand-coded chronology, any file a researcher adds), merging "
        "the same act reported by several sources. With --episode, print the episode's timeline with "
        "each event's source and provenance; without, the rows per source, duplicates merged and the hash.",
    )
    p.add_argument("--episode", help="scenario whose window to show (e.g. geneva_2016_02)")
    p.add_argument("--sources", dest="sources_file", metavar="FILE.toml", default=_ApiDefault("sim.paths:RECORD_SOURCES"),
                   help="the declared sources (default: %(default)s)")
    p.add_argument("--dir", **scenario_dir)
    p.set_defaults(func=_cmd_record)

    calibrate = "calibration.calibrate:run_calibration"
    p = sub.add_parser(
        "calibrate", help="ABC-SMC of the behaviour parameters on both episodes, with its checks",
        description="Calibrate the behaviour parameters from calibration/data/events_dedup.csv (ABC-SMC, "
        "both episodes, one shared parameter set), then the posterior predictive, cross-episode and "
        "identifiability checks. A default run publishes calibration/data/posterior.csv and "
        "posterior_report.md; --quick (about a minute, for tests) never does.",
    )
    p.add_argument("--population", type=_positive, default=None, help=_BudgetHelp("ABC-SMC population", "population"))
    p.add_argument("--generations", type=_positive, default=None, help=_BudgetHelp("maximum generations", "generations"))
    p.add_argument("--quick", action="store_true", help="a tiny budget: a smoke run, never published")
    p.add_argument("--workers", type=_positive, default=_ApiDefault(calibrate, "workers"),
                   help="worker processes (default %(default)s; same result for any)")
    p.add_argument("--seed", type=_non_negative, default=_ApiDefault(calibrate, "seed"),
                   help="base seed (default %(default)s)")
    p.add_argument("--out", dest="out_dir", metavar="OUT", default=_ApiDefault(calibrate, "out_dir"),
                   help="output folder (default %(default)s)")
    p.add_argument("--no-publish", action="store_true", help="do not copy the posterior and report to calibration/data/")
    p.set_defaults(func=_cmd_calibrate)

    validate = "calibration.validation.validate:run_validation"
    p = sub.add_parser(
        "validate", help="out-of-sample scores and calibration checks (docs/validation/report.md)",
        description="Forecasts past cut-off days scored against the record (CRPS, Brier, coverage, PIT; skill "
        "against the prior and against the other episode's calibration), leave one episode out, "
        "simulation-based calibration of the calibration procedure, identifiability. The default takes about "
        "41 minutes on 2 cores; --quick (under 2 minutes, for tests) writes to results/validation-quick/.",
    )
    p.add_argument("--quick", action="store_true", help="a tiny budget: a smoke run, never the published report")
    p.add_argument("--cutoffs", type=_cutoffs, default=None, help="cut-off days, comma-separated (default 20,40)")
    p.add_argument("--sbc", type=_positive, default=None, help="SBC replications (default 40; quick 2)")
    p.add_argument("--workers", type=_positive, default=_ApiDefault(validate, "workers"),
                   help="worker processes (default %(default)s; same result for any)")
    p.add_argument("--seed", type=_non_negative, default=_ApiDefault(validate, "seed"),
                   help="base seed (default %(default)s)")
    p.add_argument("--out", dest="out_dir", metavar="OUT", default=None,
                   help="output folder (default docs/validation/, the published report; quick: results/validation-quick/)")
    p.set_defaults(func=_cmd_validate)

    batch = "sim.experiments.batch:run_study"
    p = sub.add_parser(
        "batch", help="run scenarios x replicates (x posterior draws) into results/<study>/",
        description="Run a study; rerunning the same command resumes an interrupted one.",
    )
    p.add_argument("--study", required=True, help="study name: results go to results/<study>/")
    p.add_argument("--scenarios", required=True, help="comma-separated scenario names")
    p.add_argument("--replicates", type=_positive, required=True, help="replicates per scenario")
    p.add_argument("--seed", type=_non_negative, required=True, help="study seed")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--posterior", action="store_true", help="one posterior draw per replicate")
    which.add_argument("--defaults", action="store_true", help="default parameters (no posterior)")
    p.add_argument("--events", action="store_true", help="also store the simulated events")
    p.add_argument("--daily", action="store_true", help="also store daily state trajectories")
    p.add_argument("--with-prior", action="store_true",
                   help="also run the design under the priors alone (<study>_prior), so the report shows each "
                   "effect under the posterior beside the priors'")
    _study_flags(p, batch, scenario_dir, "replicates x scenarios")
    p.set_defaults(func=_cmd_batch)

    sensitivity = "sim.experiments.sensitivity:run_sensitivity"
    p = sub.add_parser(
        "sensitivity", help="which parameters drive a paired effect: Sobol indices, PRIM boxes, feature scores",
        description="Run (or resume) a Sobol/Saltelli sample of the behaviour parameters, each point as the "
        "baseline and its counterfactual paired, then write results/<study>/sensitivity/<outcome>/ "
        "(indices.csv, prim_boxes.csv, figures, summary.md). The number of runs is printed before it starts.",
    )
    p.add_argument("--scenarios", required=True, metavar="BASE,CF", help="an episode and one of its counterfactuals")
    p.add_argument("--outcome", default=None,
                   help="outcome(s) whose paired effect is analysed, comma-separated (default: the counterfactual's "
                   "headline_outcome)")
    p.add_argument("--study", default=None, help="study name (default: sensitivity_<CF>)")
    p.add_argument("--n", type=_positive, default=_ApiDefault(sensitivity, "n"),
                   help="Saltelli base points, a power of 2 (default %(default)s); runs: n x (parameters + 2) x 2 x replicates")
    p.add_argument("--replicates", type=_positive, default=_ApiDefault(sensitivity, "replicates"),
                   help="replicates per point (default %(default)s)")
    p.add_argument("--seed", type=_non_negative, default=_ApiDefault(sensitivity, "seed"),
                   help="study seed (default %(default)s)")
    p.add_argument("--posterior", action="store_true",
                   help="sample the posterior's support (default: the priors' ranges)")
    p.add_argument("--parameters", default=None, metavar="A,B,...",
                   help="parameters to vary (default: every calibrated one neither scenario fixes)")
    p.add_argument("--others", action="store_true",
                   help="with --parameters: vary every other calibrated parameter too, as one group with one pair of "
                   "indices (nothing is held fixed)")
    p.add_argument("--screen", type=_positive, default=None, metavar="K",
                   help="first a screening study (<study>_screen, every parameter on its own at --screen-n base "
                   "points), then this one on its K parameters of largest total index and the rest as one group")
    p.add_argument("--screen-n", type=_positive, default=64, metavar="N",
                   help="base points of the screening study, a power of 2 (default %(default)s)")
    p.add_argument("--record", action="store_true",
                   help="write the analysis to docs/sensitivity/<CF>/<outcome>/ (the committed record the report "
                   "reads) instead of results/<study>/sensitivity/")
    _study_flags(p, sensitivity, scenario_dir, "points x 2 x replicates")
    p.set_defaults(func=_cmd_sensitivity)

    p = sub.add_parser(
        "report", help="write results/<study>/report/: summary.md, tables (CSV) and figures (PNG)",
    )
    p.add_argument("--study", required=True, help="study name under --results, or a study folder")
    p.add_argument("--results", dest="results_dir", metavar="RESULTS", default=_ApiDefault("sim.results.store:load_study", "results_dir"),
                   help="results folder (default %(default)s)")
    p.add_argument("--out", default=None, help="report folder (default: <study>/report)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "headline", help="the headline counterfactual (Geneva, no Russian strikes): posterior vs prior paired differences",
        description="Run the baseline and the halt to Russian strikes under the posterior (results/headline/) "
        "and under the priors alone (results/headline_prior/) and print the paired differences side by side "
        "with how much the calibration changed each. With the default replicates and seed (the published "
        "design) it also rewrites the README's headline section.",
    )
    _design_flags(p, _ApiDefault("sim.reporting.headline:PUBLISHED_REPLICATES"),
                  _ApiDefault("sim.reporting.headline:PUBLISHED_SEED"),
                  _ApiDefault("sim.experiments.prior_predictive:run_posterior_and_prior", "workers"))
    p.set_defaults(func=_cmd_headline)

    p = sub.add_parser(
        "app", help="the interactive page of one run (network, map, event feed, daily plots)",
        description="Serve app.py (Mesa SolaraViz, offline) and block until Ctrl-C. Pick a scenario, "
        "a seed and the posterior draw or the defaults, then step or play day by day. The same as "
        "`solara run app.py`. Needs the viz extra, which `make env` installs.",
    )
    p.add_argument("--host", default=_ApiDefault("sim.viz:serve", "host"),
                   help="address to listen on (default %(default)s: this machine only)")
    p.add_argument("--port", type=_int_from(1, 65535), default=_ApiDefault("sim.viz:serve", "port"),
                   help="port to listen on (default %(default)s)")
    p.add_argument("--open", action="store_true", help="open the page in a browser tab")
    p.set_defaults(func=_cmd_app)

    default = "sim.experiments.default_study:run_default_study"
    p = sub.add_parser(
        "default", help="the main job (`make run`): the default study and its report",
        description="Run (or resume, or skip when complete) the default study - every episode with all "
        "its counterfactuals, posterior draws when calibration/data/posterior.csv exists - and write "
        "its report to results/default/report/.",
    )
    _design_flags(p, _ApiDefault(default, "replicates"), _ApiDefault(default, "seed"),
                  _ApiDefault(default, "workers"))
    p.add_argument("--max-runs", type=_positive, default=_ApiDefault(default, "max_runs"),
                   help="the largest study allowed, replicates x scenarios (default %(default)s)")
    p.add_argument("--results", dest="results_dir", metavar="RESULTS", type=_writable_folder,
                   default=_ApiDefault(default, "results_dir"),
                   help="results folder (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_default)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        code = args.func(args)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        from sim.experiments.batch import StudyInterrupted

        if not isinstance(err, StudyInterrupted):
            raise
        print(f"stopped: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        return 0
    except OSError as err:  # the file system refused: one line, never a traceback
        where = f" {err.filename}" if err.filename else ""
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            print(f"stopped: the disk is full (writing{where}); what finished is kept and nothing is half-written: "
                  "free space and run the same command again", file=sys.stderr)
            return 1
        if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EISDIR,
                         errno.EEXIST):
            print(f"error: cannot use{where}: {err.strerror}", file=sys.stderr)  # the user's path
            return 2
        print(f"stopped: {err.strerror or err}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: finished parts are kept; run the same command again to resume", file=sys.stderr)
        return 130
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
