"""The committed sensitivity record in the report: for each counterfactual, the parameters of
largest total index on its headline effect.

    from sim.reporting.sensitivity_record import top_factors
    top_factors(["geneva_2016_02_no_strikes"])   # one row per counterfactual and rank

The record is `docs/sensitivity/<counterfactual>/<outcome>/` (written by `run.py sensitivity
--record`, all of it by `make sensitivity`): its indices.csv and record.json (the study, its
command, sample and model fingerprint). The report reads it rather than running it: a record
made with another model than today's is shown with that said, and the command that remakes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.atomic import atomic_path
from sim.paths import SENSITIVITY_RECORD, display_path
from sim.results.fingerprint import model_fingerprint
from sim.results.sensitivity_sample import grouped_factors
from sim.scenarios import load_scenario

#: Parameters shown per counterfactual.
TOP = 3
#: What remakes the whole record.
REMAKE = "make sensitivity"
#: Written by `run.py sensitivity --record` beside the tables: where the analysis came from.
RECORD_FILE = "record.json"
COLUMNS = ["counterfactual", "outcome", "rank", "factor", "grouped", "ST", "ST_low", "ST_high", "S1", "S1_low",
           "S1_high", "runs", "base_points", "space", "current_model", "command", "record"]  # fmt: skip


def record_folder(counterfactual: str, outcome: str, record_dir: str | Path = SENSITIVITY_RECORD) -> Path:
    """Where the record of one counterfactual's effect on one outcome is."""
    return Path(record_dir) / counterfactual / outcome


def top_factors(counterfactuals: Sequence[str], record_dir: str | Path = SENSITIVITY_RECORD, top: int = TOP,
                scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """The `top` factors by total index on each counterfactual's headline effect, from the record.

    A group of parameters (the ones a screen left out, varied together) is a factor like any
    other and is listed where its index ranks it (`grouped` True). Counterfactuals without a
    headline outcome or without a record are left out.
    """
    rows, current = [], model_fingerprint()
    for name in counterfactuals:
        scenario = load_scenario(name, scenario_dir)
        if scenario.kind == "counterfactual" and scenario.headline_outcome is not None:
            rows += _record_rows(record_folder(name, scenario.headline_outcome, record_dir), top, current)
    return pd.DataFrame(rows, columns=COLUMNS)


def record_index(record_dir: str | Path = SENSITIVITY_RECORD, top: int = TOP) -> pd.DataFrame:
    """The `top` factors of every analysis in the record (any counterfactual, any outcome)."""
    rows, current = [], model_fingerprint()
    for info in sorted(Path(record_dir).glob(f"*/*/{RECORD_FILE}")):
        rows += _record_rows(info.parent, top, current)
    return pd.DataFrame(rows, columns=COLUMNS)


def _record_rows(folder: Path, top: int, current: str) -> list[dict]:
    if not (folder / RECORD_FILE).is_file() or not (folder / "indices.csv").is_file():
        return []
    record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    spec = record["sensitivity"]
    grouped = grouped_factors(spec.get("groups"))
    indices = pd.read_csv(folder / "indices.csv").sort_values("ST", ascending=False).head(top)
    return [{"counterfactual": record["counterfactual"], "outcome": record["outcome"], "rank": rank,
             "factor": row.parameter, "grouped": row.parameter in grouped, "ST": row.ST, "ST_low": row.ST_low,
             "ST_high": row.ST_high, "S1": row.S1, "S1_low": row.S1_low, "S1_high": row.S1_high,
             "runs": record["runs"], "base_points": spec["base_points"], "space": spec["space"],
             "current_model": record.get("model_fingerprint") == current, "command": record["command"],
             "record": display_path(folder)} for rank, row in enumerate(indices.itertuples(), 1)]  # fmt: skip


def _factor_cells(rows: pd.DataFrame) -> list[str]:
    cells = [f"{'group: ' if r.grouped else ''}{r.factor} ST {r.ST:.2f} [{r.ST_low:.2f}, {r.ST_high:.2f}]"
             for r in rows.itertuples()]  # fmt: skip
    return cells + [""] * (TOP - len(cells))


def _sample_cell(rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    return (f"{first['runs']:,} runs, {first['base_points']} base points, {first['space']} space"
            + ("" if first["current_model"] else "; **made with another model than today's: remake it**"))


def write_record_index(record_dir: str | Path = SENSITIVITY_RECORD) -> Path:
    """Write `<record_dir>/README.md`: every analysis in the record, its top factors, the effect's
    spread and signs across the space, and the command that made it."""
    record_dir = Path(record_dir)
    table = record_index(record_dir)
    lines = [
        "# The sensitivity record",
        "",
        "Written by `run.py sensitivity --record` (all of it: `make sensitivity`); the report reads it. One folder "
        "per counterfactual and outcome: `summary.md`, the tables (`indices.csv`, `prim_boxes.csv`, ...), the "
        "figures, and `record.json` (the study, its command, its sample and the model's fingerprint). Total "
        "Sobol indices (ST) with SALib's 95% bootstrap intervals; the effect is counterfactual minus baseline, "
        "paired, at each point of the sample.",
        "",
        "| counterfactual | outcome | 1st | 2nd | 3rd | effect: mean [5%, 95% of the space] | sign (-/0/+) | sample |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, outcome), rows in table.groupby(["counterfactual", "outcome"], sort=False):
        folder = record_folder(name, outcome, record_dir)
        spread = pd.read_csv(folder / "distribution.csv").set_index("statistic")["value"]
        signs = pd.read_csv(folder / "signs.csv").set_index("sign")["share"]
        lines.append(f"| [`{name}`]({name}/{outcome}/summary.md) | {outcome} | " + " | ".join(_factor_cells(rows))
                     + f" | {spread['mean']:+.3g} [{spread['q05']:+.3g}, {spread['q95']:+.3g}] | "
                     f"{signs['negative']:.0%} / {signs['zero']:.0%} / {signs['positive']:.0%} | {_sample_cell(rows)} |")
    lines += ["", "Commands:", ""] + [f"- `{c}`" for c in dict.fromkeys(table["command"])] + [""]
    path = record_dir / "README.md"
    with atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(lines), encoding="utf-8")
    return path


def top_factors_lines(table: pd.DataFrame) -> list[str]:
    """The record's top factors as a Markdown section (empty when the record holds none of them)."""
    if table.empty:
        return []
    lines = [
        "### Which assumptions drive each effect (the sensitivity record)",
        "",
        f"The {TOP} factors of largest total Sobol index on each counterfactual's headline effect (its "
        "`headline_outcome`), with SALib's 95% bootstrap intervals: a Saltelli sample of the behaviour "
        "parameters, each point run as the pair, from the committed record (`docs/sensitivity/`). "
        f"`{REMAKE}` remakes it; each row's own command is in its `record.json`.",
        "",
        "| counterfactual | headline effect | 1st | 2nd | 3rd | sample |",
        "|---|---|---|---|---|---|",
    ]
    for (name, outcome), rows in table.groupby(["counterfactual", "outcome"], sort=False):
        lines.append(f"| `{name}` | {outcome} | " + " | ".join(_factor_cells(rows)) + f" | {_sample_cell(rows)} |")
    return [*lines, ""]
