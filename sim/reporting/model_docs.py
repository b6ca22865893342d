"""Tables of docs/model.md generated from the rule and parameter tables (one source of truth).

`python -m sim.reporting.model_docs` rewrites the generated sections of docs/model.md; a test fails when
the document and the tables disagree.
"""

from __future__ import annotations

import sys

import pandas as pd

from sim.model.outcomes import OUTCOME_DESCRIPTIONS
from sim.model.parameters import parameter_table
from sim.model.rules import RULES as MECHANISMS
from sim.paths import MODEL_DOC
from sim.reporting.tables import markdown_table

SECTIONS = ("rules", "parameters", "outcomes")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A generated table: cells already text (one line each), written by the one table writer."""
    frame = pd.DataFrame([[str(c).replace("\n", " ") for c in row] for row in rows], columns=headers)
    return markdown_table(frame)


def render_rules() -> str:
    """Rule -> actor -> what forcing sets -> events emitted -> parameters it reads."""
    rows = []
    for m in MECHANISMS.values():
        emits = ", ".join(f"{s}>{t} {c}" for s, t, c in m.emits) or "-"
        names = ", ".join(f"`{name}`" for name in m.reads) or "-"
        rows.append([f"`{m.name}`", m.actor, m.summary, f"{m.quantity.value}: {m.forced_meaning}", emits, names])
    headers = ["rule", "actor", "what it does", "forcing sets", "emits (source>target code)", "parameters"]
    return _table(headers, rows)


def render_parameters() -> str:
    """Parameter -> rule -> default -> prior -> basis -> evidence."""
    rows = [
        [f"`{p.name}`", f"`{p.rule}`", f"{p.default:g}", f"[{p.low:g}, {p.high:g}]", p.unit, p.basis,
         p.evidence, p.description]
        for p in parameter_table().values()
    ]  # fmt: skip
    headers = ["parameter", "rule", "default", "prior (uniform)", "unit", "basis",
               'evidence (article sNN "quote")', "meaning"]  # fmt: skip
    return _table(headers, rows)


def render_outcomes() -> str:
    """Outcome name -> meaning."""
    rows = [[f"`{k}`", v] for k, v in OUTCOME_DESCRIPTIONS.items()]
    rows.append(["`n_SRC_TGT_RR`", "events from SRC to TGT with CAMEO root RR (every dyad and root a rule can emit)"])
    rows.append(["`goldstein_SRC_TGT`", "mean Goldstein score of the dyad's events (NaN without events)"])
    return _table(["outcome", "meaning"], rows)


RENDERERS = {"rules": render_rules, "parameters": render_parameters, "outcomes": render_outcomes}


def render_doc(text: str) -> str:
    """The document with every generated section replaced by the current table."""
    for name in SECTIONS:
        start, end = f"<!-- begin generated: {name} -->", f"<!-- end generated: {name} -->"
        head, found, rest = text.partition(start)
        if not found:
            raise ValueError(f"{MODEL_DOC}: missing marker {start!r}")
        _, found, tail = rest.partition(end)
        if not found:
            raise ValueError(f"{MODEL_DOC}: missing marker {end!r}")
        text = f"{head}{start}\n{RENDERERS[name]()}\n{end}{tail}"
    return text


def main() -> int:
    """Rewrite the generated sections of docs/model.md."""
    MODEL_DOC.write_text(render_doc(MODEL_DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {MODEL_DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
