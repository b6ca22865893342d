"""Out-of-sample forecasts: a calibration that saw the record up to a cut-off day, or one episode
only, scored on what it did not see.

A calibration on the record up to day T compares every target over the window [0, T): a
milestone after T is, to it, 'not by T' (censored at T), the violence ratio is unseen unless
the ceasefire's first days fell before T, and the event profile counts [0, T) only
(`cutoff_specs`). It then simulates the whole window, and the milestones whose observed day is
T or later (or that never came) are scored (`unseen_targets`): the forecast a modeller would
have made on day T. Leave one episode out is the same with the other episode as the unseen
part.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from calibration.checks import censoring_days, draw_posterior, draw_prior, predictive
from calibration.inference.sampler import SeededMapSampler
from calibration.inference.screening import screen_parameters
from calibration.inference.smc import AbcResult, run_abc
from calibration.targets import EpisodeSpec, is_ratio
from calibration.validation.scores import forecast_scores, skill


@dataclass(frozen=True)
class Budget:
    """A validation calibration's budget.

    Attributes:
        screen_draws: prior predictive runs of the screening (the summaries' pilot).
        population: ABC-SMC particles per generation.
        generations: the most generations.
        draws: predictive draws scored.
    """

    screen_draws: int
    population: int
    generations: int
    draws: int


def cutoff_specs(specs: Mapping[str, EpisodeSpec], observed: Mapping[str, float], day: int) -> dict[str, EpisodeSpec]:
    """The specs of a calibration that saw the record up to `day`: every window [0, day); the
    violence ratio only where the ceasefire's measured first days ended before it."""
    out = {}
    for name, spec in specs.items():
        ratio = spec.ratio
        if ratio is not None:
            start = observed.get(f"{spec.prefix}_ceasefire_in_effect", math.nan)
            if math.isnan(start) or start + ratio.during_days > day:
                ratio = None
        out[name] = replace(spec, window_days=min(int(day), spec.window_days), ratio=ratio)
    return out


def unseen_targets(spec: EpisodeSpec, observed: Mapping[str, float], day: int) -> list[str]:
    """The episode's timeline targets a calibration up to `day` did not see: a milestone on day
    `day` or later or never (censored), the violence ratio when its days end after `day`."""
    names = []
    for name in spec.timeline_names():
        value = observed.get(name, math.nan)
        if math.isnan(value):
            continue
        if is_ratio(name):
            start = observed.get(f"{spec.prefix}_ceasefire_in_effect", math.nan)
            if math.isnan(start) or start + spec.ratio.during_days > day:
                names.append(name)
        elif value >= day:
            names.append(name)
    return names


def calibrate(specs: Sequence[EpisodeSpec], observed: Mapping[str, float], budget: Budget, seed: int,
              sampler: SeededMapSampler, db_path: str, threshold: float, max_inferred: int) -> AbcResult:
    """The calibration's pipeline at a budget: the screening (and its pilot) then ABC-SMC on the
    projected summaries, on the targets of `specs` (`calibration.calibrate.run_calibration`'s)."""
    screen, pilot = screen_parameters(specs, dict(observed), budget.screen_draws, seed, sampler, threshold, max_inferred)
    inferred = list(screen.loc[screen["inferred"], "parameter"])
    return run_abc(specs, dict(observed), budget.population, budget.generations, seed, sampler, db_path,
                   inferred=inferred, pilot=pilot)


def predictive_runs(posterior: pd.DataFrame | None, specs: Sequence[EpisodeSpec], draws: int, seed: int,
                    sampler: SeededMapSampler) -> pd.DataFrame:
    """`draws` runs of `specs` (whole windows) from a posterior sample, or the prior (None)."""
    sample = draw_prior(draws, seed) if posterior is None else draw_posterior(posterior, draws, seed)
    return predictive(sample, specs, seed + 1, sampler)


def score(runs: pd.DataFrame, specs: Sequence[EpisodeSpec], observed: Mapping[str, float], names: Sequence[str],
          forecast: str, seed: int) -> pd.DataFrame:
    """`forecast_scores` of `names` with a `forecast` column naming who made it."""
    table = forecast_scores(runs, observed, names, censoring_days(specs), np.random.default_rng(seed))
    table.insert(0, "forecast", forecast)
    return table


def skill_table(scores: pd.DataFrame, model: str, references: Sequence[str]) -> pd.DataFrame:
    """Per target and overall (the sum of CRPS over the targets): the model's CRPS, each
    reference's, and the skill 1 - CRPS_model / CRPS_reference."""
    wide = scores.pivot_table(index="statistic", columns="forecast", values="crps", aggfunc="first")
    wide = wide[[model, *references]]
    rows = [{"statistic": s, **{f"crps_{f}": wide.loc[s, f] for f in wide.columns}} for s in wide.index]
    rows.append({"statistic": "overall (sum)", **{f"crps_{f}": float(wide[f].sum()) for f in wide.columns}})
    out = pd.DataFrame(rows)
    for ref in references:
        out[f"skill_vs_{ref}"] = [skill(m, r) for m, r in zip(out[f"crps_{model}"], out[f"crps_{ref}"])]
    return out

