"""The calibration reads its statistics straight from the kernel's arrays, and they equal those
of the Mesa model's runs.

Every simulation of the calibration is a run of the kernel (`targets.run_episode`), whose
statistics are read from its arrays (`targets.statistics_from_kernel`). Here the same parameter
sets (draws from the priors and rows of the shipped posterior) and seeds run as
`DiplomacyModel`s (`sim.experiments.runs.build_model`), whose milestones, civilian harm per day
and event log are read from the model's Python views (`world`, `event_log`) as the calibration
read them before (`_model_statistics`): every statistic, packed or flat, every candidate
measurement and the scheduled milestones are the same, number for number. (When the
calibration moved to the kernel, the same comparison against the former Python rules at
c8db9c3 found no difference over 350,150 values: 2,000 prior draws and every posterior row.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from calibration.inference.episode_model import flat_statistics, measurement_key, pack, simulate_statistics
from calibration.inference.information import CANDIDATE_MEASUREMENTS
from calibration.inference.prior import prior_draws
from calibration.seeds import run_seed
from calibration.targets import (
    EpisodeSpec,
    episode_specs,
    milestone_statistics,
    profile_statistics,
    run_harm,
    run_episode,
    run_milestones,
    scripted_milestones,
    simulated_ratio,
    statistics_from_kernel,
)
from sim.events import event_actor
from sim.experiments.runs import build_model
from sim.paths import DEFAULT_POSTERIOR
from sim.scenarios import EPISODES, load_scenario

#: Seeds of every draw's runs, besides its calibration seed (a 63-bit hash, `run_seed`).
SEEDS = (0, 7, 2024, 99991)


@pytest.fixture(scope="module")
def specs() -> dict[str, EpisodeSpec]:
    return episode_specs()


@pytest.fixture(scope="module")
def draws() -> list[tuple[str, dict[str, float]]]:
    """(label, parameters): prior draws and rows spread over the shipped posterior."""
    prior = prior_draws(10, np.random.default_rng(11))
    posterior = pd.read_csv(DEFAULT_POSTERIOR)
    names = [c for c in posterior.columns if c not in ("draw_id", "weight")]
    rows = [{k: float(posterior.iloc[i][k]) for k in names} for i in range(0, len(posterior), len(posterior) // 10)]
    return [(f"prior{i}", d) for i, d in enumerate(prior)] + [(f"posterior{i}", d) for i, d in enumerate(rows)]


def _model(episode: str, parameters: dict[str, float], seed: int):
    """The run as the calibration ran it before the kernel: a DiplomacyModel."""
    return build_model(load_scenario(episode), parameters=parameters, seed=seed, collect=False).run()


def _model_statistics(model, spec: EpisodeSpec) -> dict[str, float]:
    """The episode's statistics of a finished DiplomacyModel (the calibration's former reading:
    `world.milestones`, `world.harm`, `event_log`)."""
    w = model.world
    out = milestone_statistics(w.milestones, spec)
    if spec.ratio:
        effect = w.milestones.get("ceasefire_in_effect")
        out[spec.ratio_name()] = simulated_ratio(w.harm, effect[0] if effect else None, spec.ratio.during_days)
    records = [(day, event_actor(src), event_actor(tgt), code) for day, src, tgt, code, _m, _t in model.event_log]
    out.update(profile_statistics(records, spec))
    return out


def _same(left: dict, right: dict) -> bool:
    """Equal keys and values, NaN equal to NaN, arrays element by element (no tolerance)."""
    if list(left) != list(right):
        return False
    for key in left:
        a, b = np.asarray(left[key], dtype=float), np.asarray(right[key], dtype=float)
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            return False
    return True


def _seeds(parameters: dict[str, float]) -> tuple[int, ...]:
    return (*SEEDS, run_seed(20160203, parameters))


@pytest.mark.parametrize("episode", EPISODES)
def test_kernel_statistics_equal_the_models_draw_for_draw_and_seed_for_seed(episode, specs, draws):
    spec = specs[episode]
    ratios, censored, profiles = [], [], set()
    for label, parameters in draws:
        for seed in _seeds(parameters):
            run, model = run_episode(episode, parameters, seed), _model(episode, parameters, seed)
            where = f"{episode} {label} seed {seed}"
            # what the statistics read, then the statistics
            assert run_milestones(run) == model.world.milestones, where
            assert run_harm(run) == model.world.harm, where
            kernel, reference = statistics_from_kernel(run, spec), _model_statistics(model, spec)
            assert _same(kernel, reference), f"{where}: " + ", ".join(
                f"{k} {kernel.get(k)} != {reference.get(k)}" for k in reference
                if not _same({k: kernel.get(k, math.nan)}, {k: reference[k]}))
            record, kernel_record = model.outcomes(), run.outcomes()
            for m in CANDIDATE_MEASUREMENTS:
                assert float(kernel_record[m]) == float(record[m]), f"{where}: {m}"
            if spec.ratio:
                ratios.append(reference[spec.ratio_name()])
            censored += [reference[n] == spec.window_days for n in spec.timeline_names() if n != spec.ratio_name()]
            profiles.add(tuple(reference[n] for n in spec.profile_names()))
    # the comparison is not vacuous: milestones happen and do not, profiles differ, ratios are defined
    assert any(censored) and not all(censored)
    assert len(profiles) > 1
    if spec.ratio:
        assert any(not math.isnan(r) for r in ratios)


def test_the_packed_and_flat_statistics_of_both_episodes_are_the_models(specs, draws):
    both = tuple(specs.values())
    for _label, parameters in draws[::2]:
        seed = run_seed(20160203, parameters)
        reference: dict[str, float] = {}
        packed: dict = {}
        for spec in both:
            model = _model(spec.episode, parameters, seed)
            stats = _model_statistics(model, spec)
            reference.update(stats)
            packed.update(pack(stats, spec))
            record = model.outcomes()
            packed.update({measurement_key(spec.prefix, m): float(record[m]) for m in CANDIDATE_MEASUREMENTS})
        assert _same(flat_statistics(parameters, both, seed), reference)
        assert _same(simulate_statistics(parameters, both, seed, CANDIDATE_MEASUREMENTS), packed)


@pytest.mark.parametrize("episode", EPISODES)
def test_the_scheduled_milestones_are_the_models(episode):
    model = build_model(load_scenario(episode), seed=0).run()
    assert scripted_milestones(episode) == frozenset(model.world.scripted)
    assert scripted_milestones(episode)  # both episodes schedule some
