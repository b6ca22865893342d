"""Priors: uniform on each calibrated parameter's documented range, on the parameter's own scale.

The calibrated parameters are those marked `calibrated` in `sim/model/parameters.csv`
(`ParameterSpec.calibrated`); policy levers, the deal's terms and structural numbers stay at
their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyabc

from calibration.seeds import Stream, stream
from sim.model.parameters import ParameterSpec, parameter_table


def calibrated_parameters() -> list[ParameterSpec]:
    """The parameters calibration estimates, in table order."""
    return [spec for spec in parameter_table().values() if spec.calibrated]


def make_prior(specs: Sequence[ParameterSpec] | None = None) -> pyabc.Distribution:
    """Independent uniform priors on [low, high] of each calibrated parameter, on the
    parameter's own scale (the ABC proposes, stores and weights the values the model reads).

    Earlier versions ran the ABC on the logit scale z = logit((x - low)/(high - low)) with a
    standard logistic prior on z (the same prior for x): with ~45 inferred parameters a Gaussian
    kernel in the box of uniform priors almost never proposed a point inside it. The logistic
    density falls off as exp(-|z|), and a Gaussian kernel as wide as the population pushed
    particles into the tails of z (|z| up to 10; the unweighted sample piled up near the edges
    of the ranges), where the prior is tiny: importance weights varied as exp(-sum |z_i|) and
    the effective sample size collapsed (4.5 of 300 in the published run of commit 31a69a8;
    11.6, 2.9, 3.0 of 150 in generations 1-3 of a smaller run). `ReflectedNormalTransition`
    stays inside the ranges by construction, so the logit scale is no longer needed.
    """
    specs = calibrated_parameters() if specs is None else specs
    return pyabc.Distribution(**{s.name: pyabc.RV("uniform", s.low, s.high - s.low) for s in specs})


def prior_draws(n: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """n parameter sets of every calibrated parameter from the uniform priors."""
    specs = calibrated_parameters()
    return [{s.name: float(rng.uniform(s.low, s.high)) for s in specs} for _ in range(n)]


def marginal_draw(names: Sequence[str], seed: int) -> dict[str, float]:
    """Values of `names` drawn from their uniform priors, seeded by a run's seed (the
    parameters the SMC does not move, drawn afresh for each simulation)."""
    rng = stream(seed, Stream.MARGINAL_DRAWS)
    table = parameter_table()
    return {n: float(table[n].low + (table[n].high - table[n].low) * rng.random()) for n in names}
