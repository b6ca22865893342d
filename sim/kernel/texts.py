"""Event texts rebuilt from the kernel's codes: compiled code records a text id and one integer
argument per event (a locality, a number of days, a set of relieved enclaves, one bit per
enclave in terrain order, or the strike log row of a strike report); the text is written only
when a table or a reader asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sim.kernel.layout import TEXTS, text_id
from sim.model.rules.base import StrikeReport

_STRIKES = text_id("STRIKES")


def event_text(text: int, arg: int, names: Sequence[str], labels: Mapping[str, str],
               strike_counts: Sequence[int] | None = None, enclaves: Sequence[str] = ()):
    """The text of one event: a str, or for a strike report a `StrikeReport` (written when read).

    Args:
        text: the text id (`sim.kernel.layout.TEXTS`).
        arg: its argument.
        names: locality names in terrain order.
        labels: locality name -> readable name.
        strike_counts: for a strike report, the strikes per locality (terrain order).
        enclaves: the terrain's enclaves in terrain order (whose bits a relief sets).
    """
    if text == _STRIKES:
        counts = {names[i]: int(k) for i, k in enumerate(strike_counts) if k > 0}
        return StrikeReport(counts, labels)
    template = TEXTS[text]
    if "{label}" in template:
        return template.format(label=labels[names[arg]])
    if "{days}" in template:
        return template.format(days=arg)
    if "{names}" in template:
        relieved = [labels[name] for k, name in enumerate(enclaves) if arg >> k & 1]
        return template.format(names=" and ".join(sorted(relieved)))
    return template
