"""Tables of docs/model.md generated from the rule and parameter tables (one source of truth).

`python -m sim.reporting.model_docs` rewrites the generated sections of docs/model.md; a test fails when
the document and the tables disagree.
"""

from __future__ import annotations

import sys

from sim.model.mechanisms import MECHANISMS
from sim.model.outcomes import OUTCOME_DESCRIPTIONS
from sim.model.parameters import parameter_table
from sim.paths import MODEL_DOC

SECTIONS = ("rules", "parameters", "outcomes")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_rules() -> str:
    """Rule -> actor -> what forcing sets -> events emitted -> parameters."""
    params = parameter_table()
    lines = [
        "| rule | actor | what it does | forcing sets | emits (source>target code) | parameters |",
        "|---|---|---|---|---|---|",
    ]
    for m in MECHANISMS.values():
        emits = ", ".join(f"{s}>{t} {c}" for s, t, c in m.emits) or "-"
        names = ", ".join(f"`{p.name}`" for p in params.values() if p.mechanism == m.name) or "-"
        lines.append(
            f"| `{m.name}` | {m.actor} | {_cell(m.summary)} | {m.quantity.value}: {m.forced_meaning} "
            f"| {emits} | {names} |"
        )
    return "\n".join(lines)


def render_parameters() -> str:
    """Parameter -> rule -> default -> prior -> basis -> evidence."""
    lines = [
        "| parameter | rule | default | prior (uniform) | unit | basis | evidence (article sNN \"quote\") | meaning |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in parameter_table().values():
        lines.append(
            f"| `{p.name}` | `{p.mechanism}` | {p.default:g} | [{p.low:g}, {p.high:g}] | {_cell(p.unit)} "
            f"| {p.basis} | {_cell(p.evidence)} | {_cell(p.description)} |"
        )
    return "\n".join(lines)


def render_outcomes() -> str:
    """Outcome name -> meaning."""
    lines = ["| outcome | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {_cell(v)} |" for k, v in OUTCOME_DESCRIPTIONS.items()]
    lines.append(
        "| `n_SRC_TGT_RR` | events from SRC to TGT with CAMEO root RR (every dyad and root a rule can emit) |"
    )
    lines.append("| `goldstein_SRC_TGT` | mean Goldstein score of the dyad's events (NaN without events) |")
    return "\n".join(lines)


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
