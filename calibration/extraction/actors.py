"""Actor recognition from the dictionary `dictionaries/actors.csv` (names, titles,
organisations, demonyms) and the alliance table `dictionaries/alliances.csv`.

A `Mention` is a span of a sentence naming one or more actors. Rules (GUIDELINES.md 'Actors'):

- the longest dictionary phrase wins ('UN Security Council' is OTHER, not the UN envoy);
- a demonym names an actor only with a head noun ('Russian warplanes', 'Syrian President',
  'Russian and Syrian warplanes' -> RUS and GOV); 'Syrian rebels' stays OPP;
- 'X-backed', 'X-based', 'X-led' do not name X as an actor;
- '@skip' phrases block a shorter match ('Syrian Observatory' is a monitor, not GOV);
- 'his/her/their government' is not the Syrian government;
- 'its allies/its supporters' after a named actor resolve through the alliance table;
- 'both sides', 'the warring parties' are GOV and OPP.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

PREPOSITIONS = frozenset(
    """by of on against with from to for in at into toward towards between about over
    among across than behind under including like despite via upon onto amid within
    around near beyond through during without""".split()
)
_DETERMINERS = frozenset(
    """the a an its his her their our both all other some two senior major main rival several
    many top""".split()
)
PRONOUNS = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I|[Ii]t|him|her|them|us)\b")
#: Definite titles that refer back to an actor named before ('the minister said'), resolved
#: like subject pronouns (coreference through the article's salient actors).
TITLE_ANAPHORS = re.compile(
    r"\b[Tt]he\s+(?:(?:foreign|defence|defense|prime)\s+minister|minister|secretary|spokes(?:man|woman|person)|"
    r"diplomat|ambassador|official|negotiator|commander|president)\b(?!\s+(?:of|for)\b)"
)
SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it"})


@dataclass
class Mention:
    """A span naming actors: `actors` is a list of (code, other_name) pairs."""

    start: int
    end: int
    text: str
    actors: list[tuple[str, str]]
    kind: str
    oblique: bool = False
    possessive: bool = False
    pronoun: bool = False
    ally: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [a for a, _ in self.actors]


@dataclass(frozen=True)
class Alliance:
    ally: tuple[str, str] | None
    adversary: tuple[str, str] | None


def _dict_text(name: str) -> str:
    return resources.files("calibration.extraction").joinpath(f"dictionaries/{name}").read_text("utf-8")


@cache
def alliances() -> dict[str, Alliance]:
    """actor code -> its ally and its default adversary (from alliances.csv)."""
    out = {}
    rows = csv.DictReader(ln for ln in _dict_text("alliances.csv").splitlines() if not ln.startswith("#"))
    for r in rows:
        ally = (r["ally"], r["ally_name"]) if r["ally"] else None
        adv = (r["adversary"], r["adversary_name"]) if r["adversary"] else None
        out[r["actor"]] = Alliance(ally, adv)
    return out


def _phrase_regex(phrase: str) -> str:
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    body = re.sub("['’]", "\x00", body).replace("\x00", "['’]")
    if phrase.islower():
        body = f"(?i:{body})"
    left = r"(?<![\w.\-])" if phrase[0].isalnum() else ""
    right = r"(?![\w\-])" if phrase[-1].isalnum() else r"(?![\w\-])"
    return left + body + right


@dataclass(frozen=True)
class ActorDictionary:
    """The compiled dictionary."""

    regex: re.Pattern
    demonym_regex: re.Pattern
    by_first_word: dict[str, tuple[str, ...]]  # lowercased first word -> phrases (longest first)
    entries: dict[str, tuple[str, str, str]]  # lowercased phrase -> (actor, kind, other_name)
    demonyms: dict[str, tuple[str, str]]


@cache
def actor_dictionary() -> ActorDictionary:
    rows = list(csv.DictReader(ln for ln in _dict_text("actors.csv").splitlines() if not ln.startswith("#")))
    entries, demonyms, heads = {}, {}, []
    for r in rows:
        pat, actor, kind, other = r["pattern"].strip(), r["actor"].strip(), r["kind"].strip(), r["other_name"].strip()
        if not pat:
            continue
        if kind == "head":
            heads.append(pat)
        elif kind == "demonym":
            demonyms[pat.lower()] = (actor, other)
        else:
            entries.setdefault(pat.lower(), (actor, kind, other))
            entries[pat] = (actor, kind, other)
    phrases = sorted({r["pattern"].strip() for r in rows if r["kind"] not in ("head", "demonym") and r["pattern"].strip()}, key=len, reverse=True)
    regex = re.compile("|".join(_phrase_regex(p) for p in phrases))
    by_first: dict[str, list[str]] = {}
    for p in phrases:
        by_first.setdefault(_first_word(p), []).append(p)
    dem = "|".join(sorted((re.escape(d.title()) for d in demonyms), key=len, reverse=True))
    head = "|".join(r"\s+".join(re.escape(w) for w in h.split()) for h in sorted(heads, key=len, reverse=True))
    demonym_regex = re.compile(
        rf"(?<![\w\-])(?P<dems>(?:{dem})(?:\s*(?:,|and|or)\s*(?:{dem}))*)\s+(?:(?:[a-z]+\s+)?)(?P<head>{head})(?![\w\-])"
    )
    return ActorDictionary(regex, demonym_regex, by_first, entries, demonyms)


_WORD = re.compile(r"[A-Za-z0-9'’]+")


def _first_word(phrase: str) -> str:
    m = _WORD.search(phrase)
    return m.group(0).lower().replace("’", "'") if m else phrase.lower()


@cache
def _phrases_regex(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(_phrase_regex(p) for p in sorted(phrases, key=len, reverse=True)))


def _candidate_regex(text: str, words: set[str]) -> re.Pattern | None:
    """The dictionary regex restricted to the phrases whose first word occurs in `text`
    (the full alternation of every phrase is slow to scan)."""
    d = actor_dictionary()
    cands = tuple(sorted({p for w in words for p in d.by_first_word.get(w, ())}))
    return _phrases_regex(cands) if cands else None


def _preceding_word(text: str, start: int) -> str:
    words = re.findall(r"[\w'’\-]+|[,;:()\"“”]", text[max(0, start - 80):start])
    for w in reversed(words):
        lw = w.lower()
        if lw in _DETERMINERS:
            continue
        return lw
    return ""


def find_mentions(text: str) -> list[Mention]:
    """Actor mentions of one sentence, in text order (pronouns included, unresolved)."""
    d = actor_dictionary()
    spans: list[Mention] = []
    words = {w.lower().replace("’", "'") for w in _WORD.findall(text)}
    has_demonym = not words.isdisjoint(d.demonyms)
    for m in d.demonym_regex.finditer(text) if has_demonym else ():
        dems = re.split(r"\s*(?:,|\band\b|\bor\b)\s*", m.group("dems"))
        actors = [d.demonyms[x.lower()] for x in dems if x.lower() in d.demonyms]
        spans.append(Mention(m.start(), m.end(), m.group(0), actors, "demonym"))
    regex = _candidate_regex(text, words)
    for m in (regex.finditer(text) if regex else ()):
        if any(m.start() < s.end and s.start < m.end() for s in spans):
            # a demonym phrase ('Russian Foreign Minister') covers it; a longer phrase wins
            over = [s for s in spans if m.start() < s.end and s.start < m.end()]
            if all((s.end - s.start) >= (m.end() - m.start()) for s in over):
                continue
            spans = [s for s in spans if s not in over]
        phrase = m.group(0)
        actor, kind, other = d.entries.get(phrase) or d.entries.get(" ".join(phrase.lower().split()), ("@skip", "skip", ""))
        spans.append(Mention(m.start(), m.end(), phrase, [(actor, other or (phrase if actor == "OTHER" else ""))], kind))
    spans.sort(key=lambda s: s.start)
    out: list[Mention] = []
    for s in spans:
        if s.actors[0][0] == "@skip":
            continue
        after = text[s.end:s.end + 2]
        if after.startswith("-") or (s.start > 0 and text[s.start - 1] == "-"):
            continue  # Russian-backed, U.S.-based
        before = _preceding_word(text, s.start)
        raw_before = text[: s.start].rstrip().split(" ")[-1].lower() if text[: s.start].strip() else ""
        if s.kind in ("org", "group") and raw_before in {"his", "her", "their", "my", "our"}:
            continue  # 'his government' is the speaker's own
        s.oblique = before in PREPOSITIONS
        s.possessive = bool(re.match(r"['’]s?\b", text[s.end:]))
        if s.actors[0][0] == "@ally":
            s.ally = True
        if s.actors[0][0] == "@parties":
            s.actors = [("GOV", ""), ("OPP", "")]
        out.append(s)
    # merge adjacent mentions of the same actor ('Syrian President' + 'Bashar al-Assad')
    merged: list[Mention] = []
    for s in out:
        if merged and text[merged[-1].end:s.start].strip() == "" and merged[-1].codes == s.codes and not merged[-1].ally:
            prev = merged[-1]
            prev.end, prev.text = s.end, text[prev.start:s.end]
            prev.possessive = s.possessive
            continue
        merged.append(s)
    # 'its ally Russia': the ally phrase is an apposition to the name that follows it
    cleaned = []
    for i, s in enumerate(merged):
        if s.ally and i + 1 < len(merged) and text[s.end:merged[i + 1].start].strip() == "":
            continue
        cleaned.append(s)
    for m in PRONOUNS.finditer(text):
        if any(s.start <= m.start() < s.end for s in cleaned):
            continue
        word = m.group(0)
        if word == "US":
            continue
        before = _preceding_word(text, m.start())
        cleaned.append(Mention(m.start(), m.end(), word, [], "pronoun", oblique=before in PREPOSITIONS, pronoun=True))
    for m in TITLE_ANAPHORS.finditer(text):
        if any(s.start < m.end() and m.start() < s.end for s in cleaned):
            continue  # part of a named actor ('the Russian foreign minister', 'the special envoy')
        before = _preceding_word(text, m.start())
        cleaned.append(Mention(m.start(), m.end(), m.group(0), [], "title_anaphor", oblique=before in PREPOSITIONS, pronoun=True))
    cleaned.sort(key=lambda s: s.start)
    # coordination after an oblique mention stays oblique ('on the government and Russia')
    for a, b in zip(cleaned, cleaned[1:]):
        if a.oblique and re.fullmatch(r"[\s,]*(?:and|or)?\s*(?:the\s+)?", text[a.end:b.start]):
            b.oblique = True
    return cleaned


def ally_of(code: str) -> tuple[str, str] | None:
    a = alliances().get(code)
    return a.ally if a else None


def adversary_of(code: str) -> tuple[str, str] | None:
    a = alliances().get(code)
    return a.adversary if a else None
