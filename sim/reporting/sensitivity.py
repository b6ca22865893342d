"""Which assumptions a counterfactual effect rests on: Sobol indices, the effect across the
parameter space, and scenario discovery (PRIM, CART, feature scores) on a sensitivity study.

    from sim.results.store import load_study
    from sim.reporting.sensitivity import analyse
    result = analyse(load_study("sens_geneva"), "talks_paused")
    result.indices            # S1 and ST with 95% bootstrap intervals (SALib)
    result.boxes["large"].limits  # where the effect is at least twice its median (EMA Workbench)

The effect at a point is the paired difference counterfactual minus baseline of the outcome,
averaged over the point's replicates (the same seeds at every point). A yes/no outcome gives a
change in probability; a day an event happened on, censored at the horizon when it did not, a
change in its restricted mean; a count or a measure, a change in its mean.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.model.outcomes import outcome_table
from sim.results.sensitivity_sample import factors, sample_problem
from sim.results.store import Study
from sim.scenarios import effect_outcomes

#: Bootstrap resamples of SALib's intervals, and their level.
RESAMPLES = 1000
# EMA Workbench warns at import that its ipyparallel evaluator is unavailable; this project
# runs its own models and uses only its analysis
warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
CONFIDENCE = 0.95
#: PRIM's least box mass (share of the points a box must hold), as in EMA Workbench's default.
PRIM_MASS_MIN = 0.05
#: A restriction whose quasi-p-value (PRIM's binomial test of it) is below this is marked supported.
PRIM_SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Box:
    """A PRIM box: the region of the parameter space where a condition on the effect holds.

    Attributes:
        condition: what the box looks for, in words.
        coverage: share of the points meeting the condition that the box holds.
        density: share of the box's points that meet the condition.
        mass: share of all points in the box.
        limits: per restricted parameter, its low and high in the box, the sampled range and
            the restriction's quasi-p-value.
        trajectory: the peeling trajectory (coverage, density, mass, restricted dimensions).
        base_rate: share of all points meeting the condition.
    """

    condition: str
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    base_rate: float


@dataclass(frozen=True)
class SensitivityResult:
    """A sensitivity analysis of one paired effect.

    Attributes:
        outcome: the outcome column.
        baseline: the episode.
        counterfactual: the counterfactual.
        effects: one row per point: its parameters and its effect.
        indices: per parameter S1, S1_low, S1_high, ST, ST_low, ST_high (95%), by ST.
        distribution: quantiles, mean and sd of the effect across the points.
        signs: share of the points where the effect is negative, zero, positive.
        boxes: PRIM's boxes by kind (`box_conditions`): 'large', the effect at least twice its
            median (its mean when the median is 0), 'small' (at most half of it), 'reversed';
            a kind that no point, or every point, meets has no box.
        cart: CART's boxes for the first of those kinds as a cross-check (coverage, density, mass
            per leaf).
        feature_scores: extra-trees feature scores of the effect.
    """

    outcome: str
    baseline: str
    counterfactual: str
    effects: pd.DataFrame
    indices: pd.DataFrame
    distribution: pd.Series
    signs: pd.Series
    boxes: dict[str, Box]
    cart: pd.DataFrame
    feature_scores: pd.Series


def sensitivity_spec(study: Study) -> dict:
    """The sample's description stored with a sensitivity study.

    Raises:
        UserError: the study is not a sensitivity study.
    """
    spec = study.manifest.get("sensitivity")
    if not spec:
        raise UserError(f"{study.path}: is not a sensitivity study (its manifest has no 'sensitivity'); "
                        "allowed: a study made by run.py sensitivity")
    return spec


def check_outcome(outcome: str) -> str:
    """The outcome's kind.

    Raises:
        UserError: naming --outcome and the outcomes allowed.
    """
    kinds = outcome_kinds()
    if outcome not in kinds:
        raise UserError(f"--outcome: {outcome!r} is not an outcome; allowed: {', '.join(kinds)}")
    return kinds[outcome]


def outcome_kinds() -> dict[str, str]:
    """Outcome name -> kind ('binary', 'time', 'count', 'continuous') of the outcomes an effect can be taken of."""
    table = outcome_table()
    return {name: table[name].kind for name in effect_outcomes()}


def point_effects(study: Study, outcome: str) -> pd.DataFrame:
    """One row per point of the sample: its varied parameters and the paired effect.

    Raises:
        UserError: an unknown outcome, or a study that is not a sensitivity study.
    """
    spec = sensitivity_spec(study)
    kind = check_outcome(outcome)
    # only the columns the effect needs, read from the parts: a large study's other ~190 stay on disk
    params = [f"param_{n}" for n in spec["names"]]
    day = outcome_table()[outcome].derived_from  # a yes/no the record keeps as the day it happened on
    runs = study.run_columns(["draw_id", "horizon_days", day or outcome, *params])
    values = runs[day].notna().astype(float) if day else runs[outcome].astype(float)
    if kind == "time":  # a day that never came is censored at the horizon: a restricted mean
        values = values.fillna(runs["horizon_days"].astype(float))
    wide = runs.assign(value=values.to_numpy()).pivot(index="replicate", columns="scenario", values="value")
    missing = [s for s in (spec["baseline"], spec["counterfactual"]) if s not in wide.columns]
    if missing:
        raise UserError(f"{study.path}: holds no runs of {', '.join(missing)}")
    difference = wide[spec["counterfactual"]] - wide[spec["baseline"]]
    base = runs.loc[runs["scenario"] == spec["baseline"]]
    point = base.set_index("replicate")["draw_id"]
    effect = difference.groupby(point.reindex(difference.index)).mean()
    params = base.groupby("draw_id")[params].first().rename(columns=lambda c: c.removeprefix("param_"))
    out = params.assign(effect=effect).sort_index()
    if len(out) != spec["points"] or out["effect"].isna().any():
        raise UserError(f"{study.path}: has {out['effect'].notna().sum()} of its {spec['points']} points; "
                        "run the same sensitivity command again to finish it")
    return out


def sobol_indices(spec: dict, effect: np.ndarray, seed: int = 1) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% bootstrap intervals (SALib), by ST: one row per
    parameter, or per group when the sample has groups (the group's name in `parameter`)."""
    from SALib.analyze import sobol

    problem = sample_problem(spec["names"], spec["bounds"], spec.get("groups"))
    if np.var(effect) == 0:
        raise UserError(f"the effect is the same at every point ({effect[0]:+g}): no variance to apportion; "
                        "allowed: another outcome, more replicates per point, or another space")
    found = sobol.analyze(problem, np.asarray(effect, dtype=float), calc_second_order=False, num_resamples=RESAMPLES,
                          conf_level=CONFIDENCE, seed=seed)  # fmt: skip
    table = pd.DataFrame({
        "parameter": factors(spec["names"], spec.get("groups")),
        "S1": found["S1"], "S1_low": found["S1"] - found["S1_conf"], "S1_high": found["S1"] + found["S1_conf"],
        "ST": found["ST"], "ST_low": found["ST"] - found["ST_conf"], "ST_high": found["ST"] + found["ST_conf"],
    })  # fmt: skip
    return table.sort_values("ST", ascending=False, ignore_index=True)


def distribution(effect: np.ndarray) -> pd.Series:
    """The effect across the space: mean, sd and quantiles."""
    q = np.quantile(effect, [0.05, 0.25, 0.5, 0.75, 0.95])
    return pd.Series({"mean": effect.mean(), "sd": effect.std(ddof=1), "q05": q[0], "q25": q[1], "median": q[2],
                      "q75": q[3], "q95": q[4], "points": len(effect)})  # fmt: skip


def sign_shares(effect: np.ndarray) -> pd.Series:
    """Share of the points where the effect is negative, zero and positive."""
    n = len(effect)
    return pd.Series({"negative": (effect < 0).sum() / n, "zero": (effect == 0).sum() / n,
                      "positive": (effect > 0).sum() / n})  # fmt: skip


def prim_box(x: pd.DataFrame, condition: np.ndarray, words: str) -> Box | None:
    """EMA Workbench's PRIM on a yes/no condition; the box of its peeling trajectory of largest
    weighted relative accuracy (`_chosen_box`) with each restriction's quasi-p-value, or None
    when no point or every point meets it."""
    from ema_workbench.analysis import prim

    condition = np.asarray(condition, dtype=bool)
    if not condition.any() or condition.all():
        return None
    found = prim.Prim(x, condition, mass_min=PRIM_MASS_MIN).find_box()
    trajectory = found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    choice = _chosen_box(trajectory, float(condition.mean()))
    found.select(choice)
    # each restriction with its quasi-p-value (PRIM's binomial test of it): in many dimensions
    # peeling also trims thin slivers off parameters that do not matter, and the value says which
    limits = found.inspect(choice, style="data")[0][1]
    qp = np.nanmin(np.column_stack([limits.xs("qp value", axis=1, level=1).to_numpy(dtype=float),
                                    np.ones(len(limits))]), axis=1)  # fmt: skip
    table = pd.DataFrame({"low": limits.xs("min", axis=1, level=1).iloc[:, 0],
                          "high": limits.xs("max", axis=1, level=1).iloc[:, 0]})  # fmt: skip
    table = table.assign(space_low=x[table.index].min(), space_high=x[table.index].max(), qp_value=qp)
    row = trajectory.iloc[choice]
    return Box(words, float(row["coverage"]), float(row["density"]), float(row["mass"]), table, trajectory,
               float(condition.mean()))  # fmt: skip


def _chosen_box(trajectory: pd.DataFrame, base_rate: float) -> int:
    """The box of the peeling trajectory of largest weighted relative accuracy, mass x (density -
    base rate): the subgroup-discovery trade-off of how much of the space a box holds against how
    much denser in the condition it is than the whole space (the first such box on a tie)."""
    quality = trajectory["mass"].to_numpy() * (trajectory["density"].to_numpy() - base_rate)
    return int(np.argmax(quality))


def cart_boxes(x: pd.DataFrame, condition: np.ndarray, seed: int = 1) -> pd.DataFrame:
    """EMA Workbench's CART on the same condition as PRIM: each leaf's coverage, density, mass.

    The tree is seeded: scikit-learn tries the features in a random order at each split, and
    EMA Workbench's `build_tree` leaves it to numpy's global state, so equally good splits
    (ties) went one way or the other from run to run."""
    from ema_workbench.analysis import cart
    from sklearn.tree import DecisionTreeClassifier

    condition = np.asarray(condition, dtype=bool)
    if not condition.any() or condition.all():
        return pd.DataFrame(columns=["coverage", "density", "mass", "res dim"])
    tree = cart.CART(x, condition, mass_min=PRIM_MASS_MIN)
    # `build_tree` with a seed (a binary condition: its classifier, on its prepared data)
    tree.clf = DecisionTreeClassifier(min_samples_leaf=int(tree.mass_min * tree.x.shape[0]), random_state=seed)
    tree.clf.fit(tree._x, tree.y)
    return pd.DataFrame(tree.stats).sort_values("density", ascending=False, ignore_index=True, kind="stable")


def feature_scores(x: pd.DataFrame, effect: np.ndarray, seed: int = 1) -> pd.Series:
    """Extra-trees feature scores of the effect (EMA Workbench), highest first: a quick screen."""
    from ema_workbench.analysis import feature_scoring

    scores = feature_scoring.get_ex_feature_scores(x, np.asarray(effect, dtype=float),
                                                   mode=feature_scoring.RuleInductionType.REGRESSION,
                                                   random_state=seed)[0]  # fmt: skip
    return scores.iloc[:, 0].sort_values(ascending=False).rename("score")


def box_conditions(effect: np.ndarray) -> dict[str, tuple[np.ndarray, str]]:
    """What the PRIM boxes look for, by kind, each as (yes/no per point, words): 'large', the
    effect at least twice its typical value; 'small', at most half of it in size (gone, or
    nearly); 'reversed', of the other sign. A kind no point can meet is still listed.

    The typical value is the median, or the mean where most of the space has no effect at all
    (a yes/no outcome the counterfactual rarely changes). When both are 0 there is no size or
    sign to measure against: the one box is where the effect is not zero.
    """
    y = np.asarray(effect, dtype=float)
    median = float(np.median(y))
    reference, word = (median, "median") if median != 0 else (float(np.mean(y)), "mean")
    if reference == 0:
        return {"large": (y != 0, "effect not zero (its median and mean are 0)")}
    return {
        "large": (y >= 2 * reference if reference > 0 else y <= 2 * reference,
                  f"effect at least twice its {word} ({2 * reference:+.3g})"),
        "small": (np.abs(y) <= abs(reference) / 2, f"effect at most half its {word} in size (|effect| <= "
                  f"{abs(reference) / 2:.3g})"),
        "reversed": (np.sign(y) == -np.sign(reference), f"effect reversed (sign opposite to the {word}'s, "
                     f"{reference:+.3g})"),
    }  # fmt: skip


def analyse(study: Study, outcome: str, seed: int = 1) -> SensitivityResult:
    """The whole analysis of one paired effect of a sensitivity study.

    Raises:
        UserError: an unknown outcome, an unfinished study, or an effect with no variance.
    """
    spec = sensitivity_spec(study)
    effects = point_effects(study, outcome)
    effect = effects["effect"].to_numpy()
    indices = sobol_indices(spec, effect, seed)
    # every point of the sample: each row, the mixed ones too, is uniform on the space, and
    # PRIM in ~60 dimensions needs all of them (on the base rows alone it peels to a few points)
    x, y = effects[list(spec["names"])].reset_index(drop=True), effect
    conditions = box_conditions(y)
    boxes = {kind: prim_box(x, *condition) for kind, condition in conditions.items()}
    # CART cross-checks the first box that PRIM could look for
    checked = next((conditions[kind][0] for kind, box in boxes.items() if box is not None), conditions["large"][0])
    return SensitivityResult(outcome, spec["baseline"], spec["counterfactual"], effects, indices, distribution(y),
                             sign_shares(y), {k: b for k, b in boxes.items() if b is not None}, cart_boxes(x, checked),
                             feature_scores(x, y, seed))  # fmt: skip


def screened_parameters(study: Study, outcome: str, top: int, seed: int = 1) -> tuple[list[str], dict]:
    """The `top` parameters of largest total index on a paired effect in a screening study (one
    with every parameter on its own), and how they were chosen (for the next study's manifest).

    Raises:
        UserError: `top` out of range, a study with groups, or the refusals of `point_effects`.
    """
    spec = sensitivity_spec(study)
    if spec.get("groups"):
        raise UserError(f"{study.path}: a study with grouped parameters cannot screen them; allowed: a study that "
                        "varies each parameter on its own")
    if not 1 <= top < len(spec["names"]):
        raise UserError(f"--screen: {top}; allowed: 1 to {len(spec['names']) - 1} (the screening study varies "
                        f"{len(spec['names'])} parameters)")
    indices = sobol_indices(spec, point_effects(study, outcome)["effect"].to_numpy(), seed)
    names = list(indices["parameter"].head(top))
    return names, {"study": study.path.name, "outcome": outcome, "top": top, "base_points": spec["base_points"],
                   "sample_sha256": spec["sample_sha256"], "parameters": names}  # fmt: skip
