"""Event date resolution: when did the act happen (not when was it published)?

Date expressions found in a sentence:

- weekdays: 'on Wednesday', 'late on Tuesday', 'Tuesday afternoon' -> the most recent such day
  on or before the publication date (the reporting week, as the gold annotation resolves them);
- month and day: 'Feb. 25', 'Sept. 9', 'September 29', '29 September', with or without a year;
  without one, the year that puts the date nearest the publication date;
- relative: 'yesterday', 'today', 'N days ago', 'last week', 'a week earlier/after', 'last night',
  'overnight', 'last month' / 'N months ago' (the 15th, 'approx'); 'next Monday' is a future day;
- month only: 'in July 2016' -> the 15th, precision 'approx'.

Expressions after 'until', 'by', 'before', 'ahead of', 'since' do not date an act (a deadline or
the start of a period). A past act is never dated after its publication; when no usable
expression is found the act gets the publication date with precision 'approx'.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_PATTERNS = [
    ("weekday", re.compile(r"\b(?:(?:late|early)\s+)?(?:on\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s)?(?:\s+(?:morning|afternoon|evening|night))?\b")),
    ("mdy", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")),
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b")),
    ("month", re.compile(rf"\b(?i:in|during|early|late|mid-?)\s+({_MONTH})(?:\s+(\d{{4}}))?\b")),
    ("relday", re.compile(r"\b(yesterday|today|tonight|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+days?\s+(?:ago|earlier))\b", re.I)),
    ("relweek", re.compile(r"\b(last week|(?:less than |more than )?(?:a|one|two|three)\s+weeks?\s+(?:ago|earlier|before|after))\b", re.I)),
    ("relnight", re.compile(r"\b(last night|overnight)\b", re.I)),
    ("relmonth", re.compile(r"\b(last month|(?:a|one|two|three)\s+months?\s+ago)\b", re.I)),
]
_NEXT = re.compile(r"\b(?:next|coming|following)\s+$", re.I)
_BLOCKING = re.compile(r"\b(?:until|till|by|before|ahead of|since|through|from|deadline of)\s+(?:the\s+)?(?:end\s+of\s+)?(?:late\s+|early\s+)?(?:on\s+)?$", re.I)


@dataclass(frozen=True)
class DateExpr:
    """A date expression in a sentence, resolved."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: str  # day | approx
    blocked: bool  # a deadline or a period start, not the date of an act


def _nearest_year(month: int, day: int, pub: dt.date) -> dt.date | None:
    best = None
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((d - pub).days) < abs((best - pub).days):
            best = d
    return best


def weekday_date(name: str, pub: dt.date) -> dt.date:
    """The most recent `name` day on or before `pub` (the reporting week)."""
    back = (pub.weekday() - WEEKDAYS.index(name.lower())) % 7
    return pub - dt.timedelta(days=back)


def find_dates(text: str, pub: dt.date) -> list[DateExpr]:
    """Every resolvable date expression of a sentence, in text order."""
    out: list[DateExpr] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            d, prec = None, "day"
            try:
                if kind == "weekday":
                    d = weekday_date(m.group(1), pub)
                    if _NEXT.search(text[: m.start()]):  # 'next Monday': a scheduled day
                        d = d + dt.timedelta(days=7)
                elif kind in ("mdy", "dmy"):
                    mon, day = (m.group(1), m.group(2)) if kind == "mdy" else (m.group(2), m.group(1))
                    mo = MONTHS[mon.lower().rstrip(".")]
                    d = dt.date(int(m.group(3)), mo, int(day)) if m.group(3) else _nearest_year(mo, int(day), pub)
                elif kind == "month":
                    mo = MONTHS[m.group(1).lower()]
                    year = int(m.group(2)) if m.group(2) else (pub.year if mo <= pub.month else pub.year - 1)
                    d, prec = dt.date(year, mo, 15), "approx"
                elif kind == "relday":
                    w = m.group(1).lower()
                    if w in ("today", "tonight"):
                        d = pub
                    elif w == "yesterday":
                        d = pub - dt.timedelta(days=1)
                    else:
                        n = w.split()[0]
                        d = pub - dt.timedelta(days=int(n) if n.isdigit() else _NUMBERS[n])
                elif kind == "relnight":
                    w = m.group(1).lower()
                    d, prec = (pub - dt.timedelta(days=1), "day") if w == "last night" else (pub, "approx")
                elif kind == "relmonth":
                    w = m.group(1).lower()
                    n = 1 if w == "last month" else _NUMBERS.get(w.split()[0], 1)
                    y, mo = divmod(pub.year * 12 + pub.month - 1 - n, 12)
                    d, prec = dt.date(y, mo + 1, 15), "approx"
                else:
                    w = m.group(1).lower()
                    n = 1
                    for word, val in _NUMBERS.items():
                        if re.search(rf"\b{word}\s+weeks?", w):
                            n = val
                    d, prec = pub - dt.timedelta(days=7 * n), "approx"
            except (ValueError, KeyError):
                d = None
            if d is None:
                continue
            blocked = bool(_BLOCKING.search(text[: m.start()]))
            out.append(DateExpr(m.start(), m.end(), m.group(0), d, prec, blocked))
            taken.append((m.start(), m.end()))
    return sorted(out, key=lambda e: e.start)


def resolve_event_date(
    exprs: list[DateExpr], trigger_start: int, pub: dt.date, *, allow_future: bool = False
) -> tuple[dt.date, str, str]:
    """(event_date, precision, date_text) for an act whose trigger starts at `trigger_start`.

    The usable expression nearest the trigger wins; an act that happened is never dated after
    its publication (a future date belongs to a scheduled event, not to this act).
    """
    best = None
    for e in exprs:
        if e.blocked or (e.date > pub and not allow_future):
            continue
        dist = e.start - trigger_start if e.start >= trigger_start else trigger_start - e.end
        if best is None or dist < best[0]:
            best = (dist, e)
    if best is None:
        return pub, "approx", ""
    e = best[1]
    return e.date, e.precision, e.text
