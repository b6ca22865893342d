"""Sentence splitting as the gold annotation does it (../shared/gold/GUIDELINES.md).

Each visible line is split at '.', '!' or '?' (optionally followed by closing quotes or
brackets) when whitespace and a capital letter (optionally after an opening quote or bracket)
follow. No split after abbreviations such as 'U.S.', 'U.N.', 'Feb.', 'Sept.', titles ('Gen.',
'Dr.') or initials ('Michael R. Gordon'). Headlines, subheads and caption lines are sentences
of their own; numbering is 0-based over the article's visible lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from calibration.extraction.ingest import Article

#: Words ending in '.' after which a sentence never ends (lowercased, without the dot).
ABBREVIATIONS = frozenset(
    """u.s u.n u.k e.u u.a.e u.s.-led jan feb mar apr jun jul aug sep sept oct nov dec
    mr mrs ms dr prof gen lt col maj capt sgt cmdr adm gov sen rep rev st mt ft no nos vs etc
    inc corp co ltd jr sr approx dept est fig""".split()
)

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9])")
_QUOTE_CHARS = "\"'“”‘’"


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: 0-based index, text and the kind of its line."""

    index: int
    text: str
    kind: str = "body"  # body | caption
    line_no: int = 0
    line_start: bool = True


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at position `dot` ends an abbreviation or an initial."""
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“‘":
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():  # an initial: 'R.'
        return True
    # dotted acronyms of single letters: 'U.S', 'a.m', 'D.C'
    return bool(re.fullmatch(r"([a-z]\.)+[a-z]", word))


def split_line(line: str) -> list[str]:
    """Split one line into sentences."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(line):
        if line[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(line, m.start()):
            continue
        if line[m.start()] == "." and _is_abbreviation(line, m.start()) and not re.match(r"\.[\"'”’)\]]", line[m.start():m.end()]):
            continue
        piece = line[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    rest = line[start:].strip()
    if rest:
        out.append(rest)
    return out


def article_sentences(article: Article) -> list[Sentence]:
    """Every sentence of an article, numbered as the gold `sentence_index`."""
    out: list[Sentence] = []
    for line_no, line in enumerate(article.lines):
        for k, text in enumerate(split_line(line.text)):
            out.append(Sentence(len(out), text, line.kind, line_no, k == 0))
    return out
