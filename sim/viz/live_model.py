"""The model the page steps: one `DiplomacyModel` built from the page's controls.

Mesa's SolaraViz rebuilds the model on Reset as `type(model)(**controls)`, so the controls must
be keyword arguments of one constructor: a scenario name (not a loaded `Scenario`), the seed as
the text the seed box holds, the parameter set, the posterior draw and the day to run to.
`LiveModel` takes exactly those and resolves them into what `DiplomacyModel` needs.

    model = LiveModel("ceasefire_2016_09", seed=3, parameter_set="defaults", start_day=10)
    model.step()   # one more day, as the page's Step button does
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

from sim.errors import UserError
from sim.experiments.posterior import Posterior, load_posterior
from sim.model.model import DiplomacyModel
from sim.paths import DEFAULT_POSTERIOR, SCENARIO_DIR
from sim.scenarios import EPISODES, list_scenarios, load_scenario

#: The parameter sets the page offers: one posterior draw, or the table's defaults.
POSTERIOR_DRAW = "posterior draw"
DEFAULTS = "defaults"
#: The scenario the page opens on (the first historical episode).
DEFAULT_SCENARIO = EPISODES[0]
DEFAULT_SEED = 1
#: Numbers the models this process builds (Python may give a new model a dropped one's id()).
_BUILT = itertools.count(1)


@cache
def scenario_names(scenario_dir: Path = SCENARIO_DIR) -> tuple[str, ...]:
    """The shipped scenarios, episodes first (the order of `run.py scenarios`)."""
    return tuple(info.name for info in list_scenarios(scenario_dir))


def posterior_or_none(path: Path = DEFAULT_POSTERIOR) -> Posterior | None:
    """The published posterior, or None when the calibration has not written one."""
    if not path.is_file():
        return None
    return _posterior(path, path.stat().st_mtime_ns)


@cache
def _posterior(path: Path, mtime_ns: int) -> Posterior:
    # keyed on the modification time: a recalibration while the page runs is read anew
    return load_posterior(path)


def parameter_sets() -> tuple[str, ...]:
    """The parameter sets a run can use here (no posterior file: the defaults only)."""
    return (POSTERIOR_DRAW, DEFAULTS) if posterior_or_none() is not None else (DEFAULTS,)


def parse_seed(seed: int | str) -> int:
    """The seed from the page's text box (it hands over text) or from code (an int).

    Raises:
        UserError: not a whole number >= 0.
    """
    text = str(seed).strip()
    if not text.isdigit():
        raise UserError(f"seed: {text!r} is not a seed; allowed: a whole number >= 0")
    return int(text)


def resolve_parameters(parameter_set: str, draw: int) -> tuple[dict[str, float] | None, str]:
    """The base parameters of a run and how the page names them.

    Args:
        parameter_set: POSTERIOR_DRAW or DEFAULTS.
        draw: position of the draw in the posterior file (row N after the header, from 0).

    Returns:
        (parameters or None for the defaults, label such as 'posterior draw 12').

    Raises:
        UserError: an unknown set, no posterior file, or a draw outside the file.
    """
    if parameter_set == DEFAULTS:
        return None, DEFAULTS
    if parameter_set != POSTERIOR_DRAW:
        raise UserError(f"parameters: {parameter_set!r}; allowed: {POSTERIOR_DRAW!r} or {DEFAULTS!r}")
    posterior = posterior_or_none()
    if posterior is None:
        raise UserError(f"parameters: no posterior at {DEFAULT_POSTERIOR}; choose {DEFAULTS!r}")
    n = len(posterior.draw_ids)
    if not 0 <= int(draw) < n:
        raise UserError(f"posterior draw: {draw}; allowed: 0..{n - 1}")
    index = int(draw)
    label = f"{POSTERIOR_DRAW} {index}"
    if int(posterior.draw_ids[index]) != index:  # the file's own id, when it is not the row number
        label += f" (draw_id {int(posterior.draw_ids[index])})"
    return posterior.draw(index), label


class LiveModel(DiplomacyModel):
    """A `DiplomacyModel` made from the page's controls, advanced to `start_day`.

    Args:
        scenario_name: a shipped scenario (`run.py scenarios`).
        seed: the run's seed (the seed box's text, or an int).
        parameter_set: POSTERIOR_DRAW or DEFAULTS.
        draw: the posterior draw's position in calibration/data/posterior.csv (with
            POSTERIOR_DRAW).
        start_day: days to simulate before the page shows the run (0: the start date), cut at
            the horizon.

    Attributes:
        scenario_name: the scenario's name.
        build_number: this model's number among those the process built (the page keys its
            cached figures on it).
        parameter_label: the parameters, as the page names them ('posterior draw 12', 'defaults').

    Raises:
        UserError: a bad seed, parameter set or draw, or an unknown scenario.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: int | str = DEFAULT_SEED,
        parameter_set: str = POSTERIOR_DRAW,
        draw: int = 0,
        start_day: int = 0,
    ):
        if parameter_set == POSTERIOR_DRAW and posterior_or_none() is None:
            parameter_set = DEFAULTS  # a checkout without a calibration still shows a run
        parameters, self.parameter_label = resolve_parameters(parameter_set, draw)
        # record_daily: the daily plots read the model's own trajectory when no live
        # DataCollector gives one row per day
        super().__init__(load_scenario(scenario_name), parameters=parameters, record_daily=True,
                         rng=parse_seed(seed))
        self.scenario_name = scenario_name
        self.build_number = next(_BUILT)
        for _ in range(max(0, min(int(start_day), self.horizon))):
            self.step()
