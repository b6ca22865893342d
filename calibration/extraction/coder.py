"""Rule-based CAMEO coder: sentences -> (source, target, CAMEO code, date) events.

The rules are data: `dictionaries/verbs.tsv` (verb patterns -> codes, with how to find the
source and the target) and `dictionaries/appeal_codes.tsv`; actors come from
`calibration.extraction.actors`. This module holds only the general machinery, following
../shared/gold/GUIDELINES.md:

- **Source.** `subj`: the nearest actor before the trigger that is not the object of a
  preposition, with its coordinated actors ('Russian and Syrian warplanes', 'Syria and its ally
  Russia'); a pronoun subject ('it will not negotiate') is the sentence's named speaker or the
  actor of the previous sentences. `speaker`: who said it ('..., the State Department said',
  'said a senior Western diplomat', a quote continuing the previous speaker). `mod`: the actor
  naming a campaign noun ('Russian air strikes', 'government offensive', 'the assault by X').
- **Target.** `obj_near`: the actor just after the trigger; `cond`: the actor after
  'until/unless' (conditional refusals); `implicit_talks`: the envoy's acts about the talks
  address GOV and OPP, a party's remarks about the talks address the envoy; `halt`: the same for
  halting talks; `requester`: for refusals to de-escalate, whoever in the article asked the
  refuser to stop; `accuser`: for denials, who made the accusation; `adversary`: the side
  attacked by default (alliances.csv).
- **Modality.** Negated, hypothetical, future, scheduled or intended acts ('did not', 'would',
  'will', 'is expected to', 'plans to', 'close to', 'If ...') are not coded as having happened,
  unless the rule's pattern itself is the act (threats, refusals, 'will not negotiate unless').
- **Scope.** What follows an accusation ('accused X of bombing ...') is an allegation, what
  follows an appeal ('called on X to halt bombardment') is its content: neither is coded.
- **Duplicates.** One row per act and dyad per article, at its first sentence: a later mention
  of the same act (same dyad, code and rule family) without its own date is dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from calibration.extraction.actors import (
    SUBJECT_PRONOUNS,
    Mention,
    adversary_of,
    ally_of,
    find_mentions,
)
from calibration.extraction.dates import find_dates, resolve_event_date
from calibration.extraction.ingest import Article
from calibration.extraction.sentences import Sentence, article_sentences

#: Version of the coder's rules, recorded in every row's `coder` column.
CODER_VERSION = "1.0"

SPEECH = (
    r"(?:said|says|say|told|tells|added|adds|stated|states|announced|declared|stressed|insisted|"
    r"warned|acknowledged|quoted|explained|noted|wrote|tweeted|countered|argued|complained|"
    r"asserted|claimed|confirmed|reiterated|maintained|alleged|charged|commented|remarked|responded|"
    r"replied|retorted|emphasi[sz]ed|underlined|pointed out|admitted|conceded|cautioned|recalled|"
    r"reported|predicted|suggested|indicated)"
)
_SPEAKER_AFTER = re.compile(
    rf"^(?:['’]s?\s+[\w\s\-]{{0,30}}?)?"
    r"(?:\s+(?:commanders?|leaders?|officials?|spokes(?:man|woman|person)|sources?|fighters|chief|"
    r"delegates?|negotiators?|ministers?|diplomats?|representatives?)){0,2}"
    rf"(?:\s*\([^)]*\))?(?:\s*,[^,\"“”]{{0,90}},){{0,2}}\s*"
    rf"(?:(?:has|have|had|also|later|then|tentatively|since|on\s+\w+|late\s+\w+|earlier)\s+)*{SPEECH}\b"
)
_SPEAKER_BEFORE = re.compile(rf"(?:(?<!\band )(?<!\bto )\b(?-i:{SPEECH})|according to)\s+(?:the\s+|a\s+|an\s+)?(?:[\w\-]+\s+){{0,3}}$", re.I)
_CONNECTOR = re.compile(
    r"^[\s,]*(?:(?:and|or|as well as|&)\s+)?(?:the\s+|both\s+)?(?:(?:its|his|their)\s+(?:ally|allies|backer|partner)\s+)?$", re.I
)
_IRREALIS = re.compile(
    r"\b(?:not|n't|n’t|never|no longer|will|would|could|might|may|shall|should|if|unless|whether|"
    r"expected to|scheduled to|set to|due to|likely to|going to|plans? to|planned to|planning to|"
    r"intends? to|intended to|aims? to|aimed at|aiming to|seeks? to|seeking to|sought to|wants? to|"
    r"hopes? to|hoping to|trying to|tries to|close to|verge of|about to|ready to|prepared to|"
    r"threaten(?:s|ed)? to|refus(?:ed|es)? to|towards?|bid to|attempts? to|efforts? to|"
    r"in order to|would have|wo n't)\b(?:\s+[\w\-’']+){0,2}\s*$",
    re.I,
)
_SPEECH_VERB = re.compile(rf"\b(?:say|{SPEECH[3:-1]})\b")  # lowercase: 'States' is no verb
_MASK_END = re.compile(rf",\s+(?:which|as|while|but)\b|,?\s+and\s+(?:also\s+)?(?:say|{SPEECH[3:-1]})\b", re.I)
_CLAUSE_END = re.compile(r";|\s--\s|\bwhile\b|\bbut\b|\bwhereas\b")
_ACT_ADVERB_GAP = 6  # words allowed between a trigger and its object


@dataclass(frozen=True)
class Rule:
    rule_id: str
    family: str
    regex: re.Pattern
    code: str
    mediator_code: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    flags: frozenset[str]
    anchors: tuple[str, ...] | None = None  # literal prefixes one of which every match contains


def _literal_anchors(pattern: str) -> tuple[str, ...] | None:
    """Lowercase literal prefixes (>= 3 characters) of every alternative of a pattern, or None
    when some alternative has no such prefix. A sentence containing none of them cannot match,
    so the rule is skipped without running its regex (a large speed-up on long rule lists)."""
    from re import _constants as C
    from re import _parser as P

    def prefixes(items, prefix: str = "") -> list[str]:
        for i, (op, av) in enumerate(items):
            if op is C.LITERAL:
                prefix += chr(av).lower()
                continue
            if op in (C.AT, C.ASSERT, C.ASSERT_NOT) and not prefix:
                continue
            rest = list(items[i + 1:])
            if op is C.BRANCH:
                return [q for b in av[1] for q in prefixes(list(b) + rest, prefix)]
            if op is C.SUBPATTERN:
                return prefixes(list(av[-1]) + rest, prefix)
            return [prefix]
        return [prefix]

    def branches(seq):
        got = prefixes(list(seq))
        return got if got and all(len(q) >= 3 for q in got) else None

    try:
        got = branches(P.parse(pattern, re.I))
    except Exception:  # noqa: BLE001 - an unparsable pattern is reported by re.compile
        return None
    return tuple(sorted(set(got))) if got else None


def _dict_lines(name: str) -> list[str]:
    text = resources.files("calibration.extraction").joinpath(f"dictionaries/{name}").read_text("utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def rules() -> tuple[Rule, ...]:
    """The verb-pattern rules of dictionaries/verbs.tsv, in priority order."""
    out = []
    for r in csv.DictReader(_dict_lines("verbs.tsv"), delimiter="\t", quoting=csv.QUOTE_NONE):
        out.append(
            Rule(
                r["rule_id"],
                r["family"],
                re.compile(rf"(?:{r['pattern']})", re.I),
                r["code"],
                r["mediator_code"],
                tuple(r["source"].split("|")),
                tuple(r["target"].split("|")),
                frozenset(r["flags"].split()),
                _literal_anchors(rf"(?:{r['pattern']})"),
            )
        )
    return tuple(out)


_TOKEN = re.compile(r"[a-z0-9'’\-]{3,}")


@cache
def _anchor_index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Rule anchors by their first three characters (anchors begin words), the rules of each
    anchor, and the rules without anchors (always run)."""
    out: dict[str, set[str]] = {}
    by_anchor: dict[str, set[int]] = {}
    always = []
    for i, r in enumerate(rules()):
        if r.anchors is None:
            always.append(i)
        for a in r.anchors or ():
            key = a[:3] if _TOKEN.fullmatch(a[:3]) else ""  # "" = short first word: always checked
            out.setdefault(key, set()).add(a)
            by_anchor.setdefault(a, set()).add(i)
    return {k: tuple(v) for k, v in out.items()}, {k: tuple(v) for k, v in by_anchor.items()}, tuple(always)


@cache
def appeal_codes() -> tuple[tuple[str, re.Pattern], ...]:
    rows = csv.DictReader(_dict_lines("appeal_codes.tsv"), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple((r["code"], re.compile(r["pattern"], re.I)) for r in rows)


# ------------------------------------------------------------------------------ data classes

Actor = tuple[str, str, str]  # (code, other_name, text)


@dataclass
class Act:
    """A coded act before article-level resolution (requester, accuser) and deduplication."""

    sentence_no: int
    rule: Rule
    start: int
    trigger: str
    code: str
    sources: list[Actor]
    targets: list[Actor] | str  # or a deferred rule name: 'requester' | 'accuser'
    event_date: dt.date
    precision: str
    date_text: str
    has_own_date: bool
    order: int = 0
    habitual: bool = False


@dataclass
class _SentenceContext:
    text: str
    mentions: list[Mention]
    speaker: list[Actor] | None
    speaker_mentions: list[Mention]
    quote_continues: bool
    history: list[list[Actor]]
    masks: list[tuple[int, int]] = field(default_factory=list)


# ---------------------------------------------------------------------------------- helpers


def _subject_like(m: Mention) -> bool:
    """A subject pronoun ('he', 'they') or a definite title referring back ('the minister')."""
    return m.text.lower() in SUBJECT_PRONOUNS or m.kind == "title_anaphor"


def _actors_of(m: Mention) -> list[Actor]:
    return [(code, name, m.text) for code, name in m.actors if code and not code.startswith("@")]


def _chain(ctx: _SentenceContext, head: Mention, direction: int) -> list[Mention]:
    """A mention with the mentions coordinated with it ('X and Y', 'X, Y and its allies')."""
    ms = [m for m in ctx.mentions if not m.pronoun]
    if head not in ms:
        return [head]
    i = ms.index(head)
    out = [head]
    j = i
    while 0 <= j + direction < len(ms):
        nxt = ms[j + direction]
        a, b = (ms[j], nxt) if direction > 0 else (nxt, ms[j])
        if not _CONNECTOR.match(ctx.text[a.end:b.start]):
            break
        if direction < 0 and nxt.oblique and not head.oblique:
            break  # 'gains against rebels and its ally Russia said': rebels are not with Russia
        if direction > 0 and re.match(rf"^\s*(?:has\s+|have\s+)?{SPEECH}\b", ctx.text[nxt.end:]):
            break  # the next actor starts its own clause
        out.append(nxt)
        j += direction
    if direction < 0:
        out.reverse()
    return out


def _expand(ctx: _SentenceContext, chain: list[Mention]) -> list[Actor]:
    actors: list[Actor] = []
    for m in chain:
        if m.ally:
            if actors:
                ally = ally_of(actors[-1][0])
                if ally:
                    actors.append((ally[0], ally[1], m.text))
            continue
        actors.extend(_actors_of(m))
    seen, out = set(), []
    for a in actors:
        key = (a[0], a[1] if a[0] == "OTHER" else "")
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


@lru_cache(maxsize=64)
def _clause_marks(text: str) -> tuple[tuple[int, int], ...]:
    return tuple((m.start(), m.end()) for m in _CLAUSE_END.finditer(text))


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for s, e in _clause_marks(text):
        if e <= pos:
            start = e
        elif s >= pos:
            return start, s
    return start, len(text)


def _resolve_pronoun(ctx: _SentenceContext, m: Mention, exclude: set[str] | None = None) -> list[Actor]:
    if _subject_like(m):
        if ctx.speaker and ctx.speaker_mentions and not any(s.pronoun for s in ctx.speaker_mentions):
            return ctx.speaker
        for h in ctx.history:
            if not exclude or not {a[0] for a in h} & exclude:
                return h
        return []
    for h in ctx.history:  # him / her / them / us
        if not exclude or not {a[0] for a in h} & exclude:
            return h
    return []


def _in_mask(ctx: _SentenceContext, pos: int) -> bool:
    return any(s <= pos < e for s, e in ctx.masks)


# --------------------------------------------------------------------------- source resolvers


def _subject(ctx: _SentenceContext, start: int, exclude_speaker: bool = False) -> list[Actor]:
    if re.search(r"\band\s+(?:\w+ly\s+)?$", ctx.text[:start]):
        # coordinated verbs ('the army broke the siege and took control of ...') share the
        # subject of the clause
        c0 = _clause_bounds(ctx.text, start)[0]
        first = [m for m in ctx.mentions if c0 <= m.start and m.end <= start and not m.oblique and not m.pronoun and not m.ally]
        if first and not (exclude_speaker and first[0] in ctx.speaker_mentions):
            return _expand(ctx, _chain(ctx, first[0], 1))
    cands = [
        m for m in ctx.mentions
        if m.end <= start and not m.oblique and (m.pronoun is False or _subject_like(m))
        and not (exclude_speaker and m in ctx.speaker_mentions)
    ]
    if not cands:
        return []
    head = cands[-1]
    if head.pronoun:
        if exclude_speaker:
            return []
        return _resolve_pronoun(ctx, head)
    if head.ally and not _expand(ctx, _chain(ctx, head, -1)):
        return []
    return _expand(ctx, _chain(ctx, head, -1))


def _source(ctx: _SentenceContext, how: str, start: int, end: int) -> list[Actor]:
    if how == "subj":
        return _subject(ctx, start)
    if how == "speaker_subj":
        return _subject(ctx, start) or _speaker(ctx)
    if how == "speaker":
        return _speaker(ctx)
    if how == "mod":
        inside = [m for m in ctx.mentions if not m.pronoun and m.start <= start < m.end]
        if inside:
            return _expand(ctx, _chain(ctx, inside[0], -1))
        before = [m for m in ctx.mentions if not m.pronoun and m.end <= start]
        if before:
            m = before[-1]
            if re.search(r"\bjoin(?:ed|ing|s)?\b(?:\s+\S+){0,2}\s*$", ctx.text[: m.start], re.I):
                return _subject(ctx, m.start)  # 'Russia ... joining Assad's bombardment': Russia acts
            gap = ctx.text[m.end:start]
            if re.fullmatch(r"(?:['’]s?)?\s*(?:[\w\-]+\s+){0,2}", gap) and not re.search(
                rf"\b(?:by|of|on|against|and|to|in|the|a|an|that|this|these|those|{SPEECH[3:-1]})\b", gap, re.I
            ):
                return _expand(ctx, _chain(ctx, m, -1))
        by = re.match(r"^(?:\s+(?:on|against|in|of|north|south|east|west)\b)?(?:\s+[\w\-]+){0,3}?\s+by\s+", ctx.text[end:])
        if by:
            after = [m for m in ctx.mentions if not m.pronoun and m.start >= end + by.end() - 1]
            if after and after[0].start - (end + by.end()) <= 5:
                return _expand(ctx, _chain(ctx, after[0], 1))
        return []
    if how == "reporter":
        # 'S says X is targeting civilians': who said it (the sentence's speaker, else the
        # subject of the last speech verb before the trigger in its clause)
        if ctx.speaker:
            return ctx.speaker
        c0 = _clause_bounds(ctx.text, start)[0]
        verbs = list(_SPEECH_VERB.finditer(ctx.text, c0, start))
        if verbs:
            return _subject(ctx, verbs[-1].start())
        return []
    if how == "after_trigger":
        after = [m for m in ctx.mentions if not m.pronoun and m.start >= end and len(ctx.text[end:m.start].split()) <= 3]
        return _expand(ctx, _chain(ctx, after[0], 1)) if after else []
    if how == "subj_inside":
        inside = [m for m in ctx.mentions if not m.pronoun and start <= m.start < end]
        return _expand(ctx, _chain(ctx, inside[0], 1)) if inside else []
    raise ValueError(f"verbs.tsv: unknown source rule {how!r}")


def _speaker(ctx: _SentenceContext) -> list[Actor]:
    if ctx.speaker:
        return ctx.speaker
    if ctx.quote_continues and ctx.history:
        return ctx.history[0]
    return []


# --------------------------------------------------------------------------- target resolvers


def _first_after(ctx: _SentenceContext, pos: int, limit_words: int | None, stop: int | None = None) -> Mention | None:
    clause_end = _clause_bounds(ctx.text, pos)[1] if stop is None else stop
    for m in ctx.mentions:
        if m.start < pos or m.start >= clause_end:
            continue
        if m.pronoun and _subject_like(m):
            continue
        if limit_words is not None and len(ctx.text[pos:m.start].split()) > limit_words:
            return None
        if re.search(r"\b(?:until|unless)\b|\"|“|”", ctx.text[pos:m.start]):
            return None
        return m
    return None


def _attacked_sides(source_codes) -> list[tuple[str, str, str]]:
    """The adversary of each source (an attack without a named target), as target triples."""
    out = []
    for code in source_codes:
        adv = adversary_of(code)
        if adv:
            out.append((adv[0], adv[1], "(the side attacked)"))
    return out


def _target(ctx: _SentenceContext, how: str, start: int, end: int, sources: list[Actor]) -> list[Actor] | str:
    src_codes = {a[0] for a in sources}
    if how in ("requester", "accuser"):
        return how
    if how in ("obj_near", "obj"):
        m = _first_after(ctx, end, _ACT_ADVERB_GAP if how == "obj_near" else None)
        if m is None:
            return []
        if m.pronoun:
            return _resolve_pronoun(ctx, m, exclude=src_codes)
        return _expand(ctx, _chain(ctx, m, 1))
    if how == "obj_prep":
        m = _first_after(ctx, end, 5)
        if m is None or m.pronoun:
            return []
        gap = ctx.text[end:m.start]
        if not re.match(r"^\s+(?:on|against|targeting|at|in)\s+(?:the\s+)?(?:[\w\-]+\s+){0,3}$", gap) or re.search(r"\bby\b", gap):
            return []
        return _expand(ctx, _chain(ctx, m, 1))
    if how == "after_for":
        f = re.search(r"\bfor\b", ctx.text[end:])
        if not f:
            return []
        m = _first_after(ctx, end + f.end(), 3)
        return _expand(ctx, _chain(ctx, m, 1)) if m and not m.pronoun else []
    if how == "cond":
        c = re.search(r"\b(?:until|unless|without|if)\b", ctx.text[end:])
        if not c:
            return []
        pos = end + c.end()
        m = _first_after(ctx, pos, None)
        if m is None or m.pronoun:
            return []
        return _expand(ctx, _chain(ctx, m, 1))
    if how == "implicit_talks":
        if src_codes == {"ENVOY"}:
            return [("GOV", "", "(the parties to the talks)"), ("OPP", "", "(the parties to the talks)")]
        if src_codes and src_codes <= {"GOV", "OPP"}:
            return [("ENVOY", "", "(the mediator of the talks)")]
        return []
    if how == "halt":
        if src_codes == {"ENVOY"}:
            return [("GOV", "", "(the parties to the talks)"), ("OPP", "", "(the parties to the talks)")]
        got = _target(ctx, "obj_near", start, end, sources)
        if got:
            return got
        return [("ENVOY", "", "(the mediator of the talks)")] if src_codes and src_codes <= {"GOV", "OPP"} else []
    if how == "adversary":
        return _attacked_sides(src_codes)
    if how == "inner":
        inside = [m for m in ctx.mentions if not m.pronoun and start <= m.start < end and not set(m.codes) & src_codes]
        return _expand(ctx, [inside[0]]) if inside else []
    if how == "left_or_right":
        left = [m for m in ctx.mentions if not m.pronoun and m.end <= start and m not in ctx.speaker_mentions]
        if left:
            return _expand(ctx, _chain(ctx, left[-1], -1))
        m = _first_after(ctx, end, None)
        return _expand(ctx, _chain(ctx, m, 1)) if m and not m.pronoun else []
    if how == "left_subj":
        return _subject(ctx, start, exclude_speaker=True)
    if how == "pair_only":
        return "pair_only"
    raise ValueError(f"verbs.tsv: unknown target rule {how!r}")


# ------------------------------------------------------------------------------- sentence


def _find_speaker(
    text: str, mentions: list[Mention], history: list[list[Actor]], last_speaker: list[Actor] | None = None
) -> tuple[list[Actor] | None, list[Mention]]:
    for m in mentions:
        if m.oblique and not _SPEAKER_BEFORE.search(text[: m.start]):
            continue
        if _SPEAKER_AFTER.match(text[m.end:]) or _SPEAKER_BEFORE.search(text[: m.start]):
            if m.pronoun:
                if _subject_like(m) and history:
                    return history[0], [m]
                continue
            chain = _chain_simple(text, mentions, m)
            actors = []
            for c in chain:
                actors.extend(_actors_of(c))
            if actors:
                return actors, chain
    if last_speaker and re.search(r"[\"“”]", text) and re.search(
        rf"\b(?:statement|spokesman|spokeswoman|official|ministry|source)\s+(?:also\s+)?{SPEECH}\b", text
    ):
        return last_speaker, []  # '..., the statement added': the previous speaker goes on
    return None, []


def _chain_simple(text: str, mentions: list[Mention], head: Mention) -> list[Mention]:
    ms = [m for m in mentions if not m.pronoun]
    if head not in ms:
        return [head]
    i = ms.index(head)
    out = [head]
    while i > 0 and _CONNECTOR.match(text[ms[i - 1].end:ms[i].start]) and not ms[i - 1].oblique:
        out.insert(0, ms[i - 1])
        i -= 1
    return out


def _irrealis(text: str, start: int, end: int) -> bool:
    clause_start = _clause_bounds(text, start)[0]
    before = text[clause_start:start]
    if _IRREALIS.search(before):
        return True
    if start <= 2 and re.match(r"^\w+ing\b", text) and re.search(r"\b(?:would|could|will|might)\b", text[end:end + 40]):
        return True  # 'Recapturing Aleppo would be ...'
    return False


def _appeal_code(text: str, end: int) -> str:
    complement = text[end:]
    for code, pat in appeal_codes():
        if pat.search(complement):
            return code
    return "020"


_last_dates: list[list] = []  # the dates of the sentence coded last (reused for anaphora)
_HABITUAL = re.compile(r"\b(?:has|have)\s+(?:long\s+|repeatedly\s+|previously\s+|always\s+)?(?:said|insisted|argued|maintained|demanded)\b", re.I)
_SUBORDINATOR = re.compile(r"\b(?:since|after|before|when|while|as|until|because)\b", re.I)
_SPEECH_DATE = re.compile(rf"\b{SPEECH}\b(?:\s+[\w\-]+){{0,4}}\s*$", re.I)
_ANAPHOR = re.compile(r"\b(?:that|this|the same)\s+([a-z][\w\-]{3,})", re.I)


def _quote_parity(text: str, pos: int, open_at_start: bool) -> bool:
    n = sum(text[:pos].count(q) for q in "\"“”")
    return open_at_start ^ (n % 2 == 1)


def _usable_dates(text, dates, start, end, quote_open):
    """Date expressions that can date the act at [start, end): same clause and quote, no
    subordinate clause ('since ...', 'after ...') between them."""
    c0, c1 = _clause_bounds(text, start)
    side = _quote_parity(text, start, quote_open)
    out = []
    for d in dates:
        if d.start < c0 or d.start >= c1:
            continue
        if _quote_parity(text, d.start, quote_open) != side and not _SPEECH_DATE.search(text[: d.start]):
            continue  # a date outside the quote dates the quote only through its speech verb
        between = text[end:d.start] if d.start >= end else text[d.end:start]
        if _SUBORDINATOR.search(between):
            continue
        out.append(d)
    return out


def code_sentence(
    sent: Sentence,
    pub: dt.date,
    history: list[list[Actor]],
    prev_quote_open: bool,
    last_speaker: list[Actor] | None = None,
    prev: tuple[str, list] | None = None,
) -> tuple[list[Act], list[Actor] | None, list[Actor] | None]:
    """The acts of one sentence, the actor it makes salient and its speaker (if any)."""
    text = sent.text
    mentions = find_mentions(text)
    speaker, speaker_mentions = _find_speaker(text, mentions, history, last_speaker)
    quote_continues = prev_quote_open or (text[:1] in "\"“" and not speaker)
    ctx = _SentenceContext(text, mentions, speaker, speaker_mentions, quote_continues, history)

    # all rule matches, earlier rules winning overlapping spans
    taken: list[tuple[int, int, Rule, re.Match]] = []
    lowered = text.lower()
    index, by_anchor, always = _anchor_index()
    wanted = set(always)
    for w in {w[:3] for w in _TOKEN.findall(lowered)} | {""}:
        for a in index.get(w, ()):
            if a in lowered:
                wanted.update(by_anchor[a])
    all_rules = rules()
    for i in sorted(wanted):
        rule = all_rules[i]
        for m in rule.regex.finditer(text):
            s, e = m.start(), m.end()
            if e - s == 0:
                continue
            if "campaign" not in rule.flags and any(
                s < te and ts < e and "campaign" not in r.flags for ts, te, r, _ in taken
            ):
                continue
            if "campaign" in rule.flags and any(s < te and ts < e and r is rule for ts, te, r, _ in taken):
                continue
            taken.append((s, e, rule, m))
    taken.sort(key=lambda t: t[0])
    for s, e, rule, _ in taken:
        if "masks" in rule.flags:
            which = _MASK_END.search(text[e:])  # the content of the act ends at a new clause
            end_ = _clause_bounds(text, e)[1]
            ctx.masks.append((e, min(end_, e + which.start()) if which else end_))
        elif "masks_inner" in rule.flags:
            ctx.masks.append((s + 1, e))  # what the trigger span reports is not itself an act
        elif "masks_comma" in rule.flags:
            comma = text.find(",", e)
            ctx.masks.append((e, min(_clause_bounds(text, e)[1], comma if comma >= 0 else len(text))))

    dates = find_dates(text, pub)
    _last_dates[:] = [dates]
    acts: list[Act] = []
    for s, e, rule, m in taken:
        if _in_mask(ctx, s):
            continue
        if "modal_ok" not in rule.flags and _irrealis(text, s, e):
            continue
        sources: list[Actor] = []
        for how in rule.source:
            sources = _source(ctx, how, s, e)
            if sources:
                break
        if not sources:
            continue
        targets: list[Actor] | str = []
        for how in rule.target:
            targets = _target(ctx, how, s, e, sources)
            if targets:
                break
        if not targets:
            continue
        if isinstance(targets, list) and rule.family != "accuse":
            pass
        code = rule.code
        if code == "@appeal":
            code = _appeal_code(text, e)
        if rule.mediator_code and {a[0] for a in sources} == {"ENVOY"}:
            code = rule.mediator_code
        usable = _usable_dates(text, dates, s, e, prev_quote_open)
        if "intent" in rule.flags:
            usable = [d for d in usable if d.end <= s]
        date, prec, dtext = resolve_event_date(usable, s, pub)
        if not dtext and prev and not dates:
            # 'accused Russia of bombing that convoy' after 'the Sept. 19 airstrike on a convoy'
            for a in _ANAPHOR.finditer(text):
                noun = a.group(1).lower()
                pdates = [d for d in prev[1] if not d.blocked and d.date <= pub]
                if pdates and re.search(rf"\b{re.escape(noun)}\b", prev[0], re.I):
                    date, prec, dtext = pdates[0].date, "approx", f"{a.group(0)} ({pdates[0].text})"
                    break
        if "campaign" in rule.flags:
            prec = "approx"
        act = Act(sent.index, rule, s, m.group(0).strip(), code, sources, targets, date, prec, dtext, bool(dtext))
        act.habitual = bool(_HABITUAL.search(text[:s]))
        acts.append(act)

    # the actor this sentence makes salient: its speaker, else its first subject
    salient = speaker
    if not salient:
        subj = [m for m in mentions if not m.oblique and not m.pronoun and not m.ally]
        if subj:
            salient = _expand(ctx, _chain(ctx, subj[0], 1))
    return acts, salient, speaker


# -------------------------------------------------------------------------------- article


def _quote_open_after(text: str, was_open: bool) -> bool:
    n = text.count('"') + text.count("“") + text.count("”")
    return was_open ^ (n % 2 == 1)


def code_article(article: Article) -> list[dict]:
    """Event rows (dicts of the event schema, without the CAMEO-derived columns) of one article."""
    sentences = article_sentences(article)
    history: list[list[Actor]] = []
    quote_open = False
    last_speaker = None
    prev = None
    acts: list[Act] = []
    for sent in sentences:
        if sent.kind != "body":
            continue
        if sent.line_start:
            quote_open = False
        new, salient, speaker = code_sentence(sent, article.pub_date, history, quote_open, last_speaker, prev)
        acts.extend(new)
        prev = (sent.text, _last_dates[0] if _last_dates else [])
        if speaker:
            last_speaker = speaker
        quote_open = _quote_open_after(sent.text, quote_open)
        if salient:
            history.insert(0, salient)
            del history[6:]
    for i, a in enumerate(acts):
        a.order = i
    rows = _rows(article, acts)
    return dedup_within_article(rows)


def _resolve_deferred(act: Act, acts: list[Act], rows_so_far: list[dict]) -> list[Actor]:
    src = {a[0] for a in act.sources}
    if act.targets == "requester":
        appeals = [a for a in acts if a.code.startswith("02") and isinstance(a.targets, list) and {t[0] for t in a.targets} & src]
        before = [a for a in appeals if a.order < act.order]
        after = [a for a in appeals if a.order > act.order]
        pick = before[-1] if before else (after[0] if after else None)
        if pick:
            return [pick.sources[0]]
        return _attacked_sides(src)
    if act.targets == "accuser":
        accs = [a for a in acts if a.code.startswith("11") and a.order < act.order and isinstance(a.targets, list)]
        aimed = [a for a in accs if {t[0] for t in a.targets} & src]
        pick = (aimed or accs)[-1] if (aimed or accs) else None
        return [pick.sources[0]] if pick else []
    return []


def _rows(article: Article, acts: list[Act]) -> list[dict]:
    rows: list[dict] = []
    counter: dict[int, int] = {}
    for act in acts:
        targets = act.targets
        pairs: list[tuple[Actor, Actor]] = []
        if targets == "pair_only":
            srcs = act.sources
            pairs = [(a, b) for a in srcs for b in srcs if a != b]
        else:
            if isinstance(targets, str):
                targets = _resolve_deferred(act, acts, rows)
            for s in act.sources:
                for t in targets:
                    if s[0] == t[0] and (s[0] != "OTHER" or s[1] == t[1]):
                        continue  # acts within one actor are not coded
                    pairs.append((s, t))
                    if "pair" in act.rule.flags:
                        pairs.append((t, s))
        seen = set()
        for s, t in pairs:
            key = (s[0], s[1], t[0], t[1])
            if key in seen:
                continue
            seen.add(key)
            n = counter.get(act.sentence_no, 0)
            counter[act.sentence_no] = n + 1
            rows.append(
                dict(
                    event_id=f"{article.story_id}:{act.sentence_no}:{n}",
                    story_id=article.story_id,
                    sentence_no=act.sentence_no,
                    event_date=act.event_date.isoformat(),
                    pub_date=article.pub_date.isoformat(),
                    source=s[0],
                    target=t[0],
                    source_text=(s[1] or s[2]) if s[0] == "OTHER" else s[2],
                    target_text=(t[1] or t[2]) if t[0] == "OTHER" else t[2],
                    cameo_code=act.code,
                    trigger=act.trigger,
                    date_text=act.date_text,
                    date_precision=act.precision,
                    coder=f"{act.rule.rule_id}@{CODER_VERSION}",
                    _family=act.rule.family,
                    _own_date=act.has_own_date,
                    _habitual=act.habitual,
                )
            )
    return rows


def dedup_within_article(rows: list[dict]) -> list[dict]:
    """One row per act and dyad per article, at the first sentence reporting it.

    A later row with the same source, target, code and rule family is the same act reported
    again when it carries no date of its own, or when it is the same rule on the same date.
    """
    kept: list[dict] = []
    for r in rows:
        dup = False
        for k in kept:
            if (k["source"], k["target"], k["cameo_code"], k["_family"], k["source_text"] if k["source"] == "OTHER" else "", k["target_text"] if k["target"] == "OTHER" else "") != (
                r["source"], r["target"], r["cameo_code"], r["_family"], r["source_text"] if r["source"] == "OTHER" else "", r["target_text"] if r["target"] == "OTHER" else ""
            ):
                continue
            if k["_habitual"] != r["_habitual"]:
                continue  # a standing position ('has said') is not the dated act
            if not r["_own_date"] or r["event_date"] == k["event_date"]:
                dup = True
                break
        if not dup:
            kept.append(r)
    for r in kept:
        r.pop("_family", None)
        r.pop("_own_date", None)
        r.pop("_habitual", None)
    return kept
