"""Read a folder of news articles into clean text lines with a publication date.

Formats understood (detected from the content, not the file name):

- plain text, one paragraph per line;
- plain text whose first line starts with ``date YYYY-MM-DD`` (the prefix is removed, the rest
  of the line is body text);
- YAML front matter (``---`` ... ``---``) followed by an HTML body: the text of the ``<p>``
  paragraphs is kept, markup, ``[ad_N]`` markers and link-only lines are dropped;
- an HTML file without front matter (same HTML rules).

Publication dates come from a manifest CSV (columns ``file,published,...``), or from the file
itself (front-matter ``post_date``/``date``, or the ``date`` line), or from ``default_date``.

Lines are classified: ``body`` (article text), ``caption`` (photo captions and credits: they
keep their place in the sentence numbering, as the gold annotation counts them, but no event is
coded from them) and boilerplate (site furniture such as 'Join our official WhatsApp group',
removed). The patterns of captions and boilerplate are data: ``dictionaries/boilerplate.csv``.

Bad input is a `UserError` (one line naming the file) when the corpus cannot be read as the
user meant it (a manifest naming a missing file, a file with no date, a date or time that is
not valid or a year outside MIN_YEAR..MAX_YEAR, malformed front matter, a file larger than
MAX_ARTICLE_BYTES), and a warning when the rest of the corpus can still be processed (a binary, empty or
non-UTF-8 file, a duplicate file), in which case the file is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from sim.errors import UserError

#: File names that are never articles.
SKIP_NAMES = {"manifest.csv", "readme.md", "readme.txt", "license", ".ds_store"}
#: Extensions read as articles; anything else in the folder is skipped with a warning.
ARTICLE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".md", ".markdown", ""}
#: The largest article file read: a news article is tens of kilobytes, and a file of hundreds
#: of megabytes would keep the extractor busy for minutes before anything is reported.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
#: Plausible publication years: a date outside them is a typing error (1016 for 2016).
MIN_YEAR, MAX_YEAR = 1990, 2100

_DATE_LINE = re.compile(r"^\s*date\s+(\S+)\s*")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_AD_MARKER = re.compile(r"\[ad_\d+\]")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Line:
    """One line (paragraph) of an article's visible text."""

    text: str
    kind: str = "body"  # body | caption


@dataclass
class Article:
    """One article: its id (file stem), publication date and visible lines."""

    story_id: str
    path: Path
    pub_date: dt.date
    lines: list[Line]
    fmt: str = "text"  # text | dateline | frontmatter-html | html
    outlet: str = ""


@dataclass
class Corpus:
    """The articles read from a folder, and the warnings about skipped files."""

    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------- patterns


@cache
def _line_patterns() -> dict[str, list[re.Pattern]]:
    """Caption and boilerplate patterns from dictionaries/boilerplate.csv (kind, regex, note)."""
    text = resources.files("calibration.extraction").joinpath("dictionaries/boilerplate.csv").read_text("utf-8")
    out: dict[str, list[re.Pattern]] = {"caption": [], "boilerplate": []}
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        out[row["kind"]].append(re.compile(row["pattern"]))
    return out


def classify_line(text: str, next_text: str | None = None) -> str:
    """'boilerplate', 'caption' or 'body' for one visible line.

    A short line that is only a name (a few capitalised words, no sentence punctuation) and is
    repeated at the start of the next line is the label of a photo: a caption.
    """
    pats = _line_patterns()
    if any(p.search(text) for p in pats["boilerplate"]):
        return "boilerplate"
    if any(p.search(text) for p in pats["caption"]):
        return "caption"
    words = text.split()
    if (
        next_text is not None
        and 0 < len(words) <= 5
        and all(w[:1].isupper() or w in {"de", "al", "van", "von", "bin"} for w in words)
        and not re.search(r"[.!?]$", text)
        and next_text.startswith(text)
    ):
        return "caption"
    return "body"


# ---------------------------------------------------------------------------------- HTML body


class _ParagraphText(HTMLParser):
    """Collect the text of <p> elements (or of the whole document if it has none)."""

    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}
    DROP = {"script", "style", "noscript", "figcaption", "figure"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.loose: list[str] = []
        self._buf: list[str] | None = None
        self._loose_buf: list[str] = []
        self._link_depth = 0
        self._drop_depth = 0
        self._only_link = True

    def handle_starttag(self, tag, attrs):
        if tag in self.DROP:
            self._drop_depth += 1
        elif tag == "p":
            self._buf = []
            self._only_link = True
        elif tag == "a":
            self._link_depth += 1
        if tag in self.BLOCKS and tag != "p":
            self._flush_loose()

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._flush_loose()

    def handle_endtag(self, tag):
        if tag in self.DROP:
            self._drop_depth = max(0, self._drop_depth - 1)
        elif tag == "p" and self._buf is not None:
            text = " ".join("".join(self._buf).split())
            if text and not self._only_link:
                self.paragraphs.append(text)
            self._buf = None
        elif tag == "a":
            self._link_depth = max(0, self._link_depth - 1)
        if tag in self.BLOCKS and tag != "p":
            self._flush_loose()

    def handle_data(self, data):
        if self._drop_depth:
            return
        if self._buf is not None:
            self._buf.append(data)
            if data.strip() and not self._link_depth:
                self._only_link = False
        else:
            self._loose_buf.append(data if not self._link_depth else f"\x00{data}")

    def _flush_loose(self):
        if self._loose_buf:
            parts = self._loose_buf
            text = " ".join("".join(p.lstrip("\x00") for p in parts).split())
            link_only = all(p.startswith("\x00") or not p.strip() for p in parts)
            if text and not link_only:
                self.loose.append(text)
            self._loose_buf = []

    def close(self):
        super().close()
        self._flush_loose()


def html_lines(body: str) -> list[str]:
    """Visible paragraph texts of an HTML body: markup, ad markers and link-only lines dropped."""
    parser = _ParagraphText()
    parser.feed(_AD_MARKER.sub(" ", body))
    parser.close()
    lines = parser.paragraphs if parser.paragraphs else parser.loose
    return [ln for ln in (" ".join(_AD_MARKER.sub(" ", t).split()) for t in lines) if ln]


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(p|div|span|br|a|html|body)\b[^>]*>", text, re.I))


# ------------------------------------------------------------------------------ front matter


def parse_front_matter(block: str, path: Path) -> dict[str, str]:
    """Top-level scalar keys of a YAML front-matter block (enough for dates and titles).

    Only the subset of YAML that blog exports use is read: ``key: value``, folded scalars
    (``key: >`` with indented lines) and lists (``- item``). Anything else is malformed.
    """
    out: dict[str, str] = {}
    key = None
    for n, raw in enumerate(block.splitlines(), start=2):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0] in " \t" or raw.startswith("- "):
            if key is None:
                raise UserError(f"{path}: malformed front matter, line {n}: indented text before any key")
            if raw.strip().startswith("- ") or raw.strip() in {">", "|"}:
                continue
            out[key] = (out[key] + " " + raw.strip()).strip()
            continue
        m = re.match(r"^([A-Za-z_][\w\-]*)\s*:(?:\s+(.*))?$", raw)
        if not m:
            raise UserError(f"{path}: malformed front matter, line {n}: expected 'key: value', got {raw.strip()[:40]!r}")
        key = m.group(1)
        value = (m.group(2) or "").strip()
        out[key] = "" if value in {">", "|", ">-", "|-"} else value.strip("\"'")
    return out


def _date_value(value: str, path: Path, key: str) -> dt.date:
    """The date of `value` (YYYY-MM-DD, optionally followed by a valid ISO time), in a plausible year."""
    text = value.strip().strip("\"'")
    m = _ISO.match(text)
    try:
        if not m:
            raise ValueError
        date = dt.date.fromisoformat(m.group(0))
        if text[m.end():]:  # what follows the date must be a time, and a valid one (not T25:99)
            dt.datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"{path}: {key} {value!r} is not a date YYYY-MM-DD; allowed: a date, "
                        "optionally with a time such as 2016-02-03T16:00:04") from None
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise UserError(f"{path}: {key} {value!r}: the year {date.year} is implausible; allowed: "
                        f"a date in the years {MIN_YEAR}..{MAX_YEAR}")
    return date


# ------------------------------------------------------------------------------------ reading


def split_document(text: str, path: Path) -> tuple[list[str], dt.date | None, str]:
    """Visible lines, the date found in the file (or None) and the format name."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    file_date = None
    fmt = "text"
    if text.lstrip(" \t").startswith("---") and text.lstrip(" \t").split("\n", 1)[0].strip() == "---":
        rest = text.lstrip(" \t").split("\n", 1)[1] if "\n" in text else ""
        m = re.search(r"^---\s*$", rest, re.M)
        if not m:
            raise UserError(f"{path}: malformed front matter: no closing '---' line")
        meta = parse_front_matter(rest[: m.start()], path)
        for key in ("post_date", "date", "published", "pub_date"):
            if meta.get(key):
                file_date = _date_value(meta[key], path, f"front matter {key}")
                break
        text = rest[m.end():]
        fmt = "frontmatter"
    else:
        m = _DATE_LINE.match(text)
        if m:
            file_date = _date_value(m.group(1), path, "'date' line")
            text = text[m.end():]
            fmt = "dateline"
    if looks_like_html(text):
        lines = html_lines(text)
        fmt = f"{fmt}-html" if fmt != "text" else "html"
    else:
        lines = [" ".join(_AD_MARKER.sub(" ", ln).split()) for ln in text.split("\n")]
        lines = [ln for ln in lines if ln]
    return lines, file_date, fmt


def check_size(path: Path) -> None:
    """Refuse an article file larger than MAX_ARTICLE_BYTES, before reading it.

    Raises:
        UserError: naming the file, its size and the limit.
    """
    try:
        size = path.stat().st_size
    except OSError:  # read_text reports a file it cannot read
        return
    if size > MAX_ARTICLE_BYTES:
        raise UserError(f"{path}: {size} bytes, larger than the limit of {MAX_ARTICLE_BYTES} bytes "
                        f"({MAX_ARTICLE_BYTES / 2**20:g} MB) for an article; allowed: one article per file")


def read_text(path: Path) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason the file cannot be read as UTF-8 text)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        return None, f"cannot be read ({err.strerror or err})"
    if not data.strip():
        return None, "is empty"
    if b"\x00" in data[:4096]:
        return None, "is a binary file, not text"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return None, f"is not UTF-8 text (undecodable byte at offset {err.start}); convert it to UTF-8"


def read_csv_text(path: Path, what: str) -> str:
    """The text of a UTF-8 CSV file (a BOM is dropped).

    Raises:
        UserError: unreadable or not UTF-8, naming the file and `what` it is.
    """
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise UserError(f"{path}: {what} cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: {what} is not UTF-8 text") from None


def read_manifest(path: Path) -> dict[str, dict]:
    """file name -> manifest row (with 'published' parsed to a date)."""
    raw = read_csv_text(path, "manifest")
    reader = csv.DictReader(raw.splitlines())
    cols = [c.strip() for c in (reader.fieldnames or [])]
    for need in ("file", "published"):
        if need not in cols:
            raise UserError(f"{path}: manifest lacks the column '{need}'; columns needed: file, published (then any others)")
    out: dict[str, dict] = {}
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        name = row["file"]
        if not name:
            raise UserError(f"{path}: line {n}: empty 'file'")
        if name in out:
            raise UserError(f"{path}: line {n}: file {name!r} is listed twice")
        row["published_date"] = _date_value(row["published"], path, f"line {n} ({name}) published") if row["published"] else None
        out[name] = row
    return out


def load_corpus(folder, manifest=None, default_date=None) -> Corpus:
    """Read every article of a folder.

    Args:
        folder: the folder of articles.
        manifest: CSV with columns file, published[, outlet, ...]; default ``folder/manifest.csv``
            if it exists. Files of the folder not in the manifest need a date in the file (or
            ``default_date``).
        default_date: ISO date used for files whose date is nowhere else.

    Raises:
        UserError: the folder is missing, the manifest is bad or names a missing file, a file
            has no publication date, front matter is malformed, or no readable article is left.
    """
    root = Path(folder)
    if not root.is_dir():
        raise UserError(f"{root}: articles folder not found (give --articles DIR)")
    default = _date_value(default_date, Path("--date"), "value") if default_date else None
    man_path = Path(manifest) if manifest else (root / "manifest.csv")
    if manifest and not man_path.is_file():
        raise UserError(f"{man_path}: manifest file not found")
    rows = read_manifest(man_path) if man_path.is_file() else {}
    for name in rows:
        if not (root / name).is_file():
            raise UserError(f"{man_path}: names file {name!r}, which is not in {root}")

    corpus = Corpus()
    seen: dict[str, str] = {}
    paths = sorted(p for p in root.iterdir() if not p.name.startswith(".") and p.name.lower() not in SKIP_NAMES)
    if man_path.is_file():
        paths = [p for p in paths if p.resolve() != man_path.resolve()]
    for path in paths:
        if path.is_dir():
            continue
        if path.suffix.lower() not in ARTICLE_SUFFIXES and path.name not in rows:
            corpus.warnings.append(f"{path}: skipped, not an article file (extension {path.suffix!r})")
            continue
        check_size(path)
        text, problem = read_text(path)
        if text is None:
            corpus.warnings.append(f"{path}: skipped, {problem}")
            continue
        digest = hashlib.sha1(" ".join(text.split()).encode()).hexdigest()
        if digest in seen:
            corpus.warnings.append(f"{path}: skipped, same text as {seen[digest]}")
            continue
        seen[digest] = path.name
        raw_lines, file_date, fmt = split_document(text, path)
        row = rows.get(path.name)
        pub = (row or {}).get("published_date") or file_date or default
        if pub is None:
            raise UserError(
                f"{path}: no publication date (not in a manifest, no front-matter post_date, "
                "no 'date YYYY-MM-DD' first line); add it to the manifest or give --date"
            )
        lines = []
        for i, ln in enumerate(raw_lines):
            kind = classify_line(ln, raw_lines[i + 1] if i + 1 < len(raw_lines) else None)
            if kind != "boilerplate":
                lines.append(Line(ln, kind))
        if not any(ln.kind == "body" for ln in lines):
            corpus.warnings.append(f"{path}: skipped, no article text after removing markup and boilerplate")
            continue
        corpus.articles.append(
            Article(path.stem, path, pub, lines, fmt, outlet=(row or {}).get("outlet", ""))
        )
    stems = [a.story_id for a in corpus.articles]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise UserError(f"{root}: several files share the story id (file stem) {dupes[0]!r}; rename one")
    if not corpus.articles:
        detail = f" ({'; '.join(corpus.warnings[:3])})" if corpus.warnings else ""
        raise UserError(f"{root}: no readable article in the folder{detail}")
    return corpus
