"""Ingest formats and every bad-input case of the extractor (calibration.extraction.ingest, run_extract)."""

from __future__ import annotations

import datetime as dt

import pytest

from calibration.extraction.extract import run_extract
from calibration.extraction.ingest import classify_line, html_lines, load_corpus
from sim.errors import UserError

BODY = "The army captured the town of Kafr Zita on Monday, a military source said.\n"


def _one(tmp_path, name, content, manifest=None, **kw):
    (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    if manifest:
        (tmp_path / "manifest.csv").write_text(manifest)
    return load_corpus(tmp_path, **kw)


def test_plain_text_with_manifest(tmp_path):
    c = _one(tmp_path, "a1.txt", BODY, manifest="file,published,outlet\na1.txt,2016-03-02,Wire\n")
    art = c.articles[0]
    assert art.story_id == "a1" and art.pub_date == dt.date(2016, 3, 2) and art.outlet == "Wire"
    assert [ln.text for ln in art.lines] == [BODY.strip()]


def test_date_line_prefix_is_removed(tmp_path):
    art = _one(tmp_path, "b.txt", " date 2016-10-04 BEIRUT -- " + BODY).articles[0]
    assert art.pub_date == dt.date(2016, 10, 4)
    assert art.lines[0].text.startswith("BEIRUT --")


def test_front_matter_html(tmp_path):
    doc = (
        "---\nID: 7\npost_title: >\n  A title\n  on two lines\npost_date: 2016-02-03 16:00:04\n"
        "tags:\n  - news\n---\n [ad_1]\n<div><p><span>CITY</span> First paragraph &amp; more.</p>"
        "<span id='x'/><p>Second <b>bold</b> paragraph.</p>\n<p><a href='u'>Only a link</a></p></div>"
        "\n<br>[ad_2]\n<br><a href=\"http://x\">Source </a>"
    )
    art = _one(tmp_path, "c.html", doc).articles[0]
    assert art.pub_date == dt.date(2016, 2, 3)
    assert [ln.text for ln in art.lines] == ["CITY First paragraph & more.", "Second bold paragraph."]


def test_html_without_paragraphs_keeps_text_lines():
    assert html_lines("<div>One line</div><div><a href='x'>link</a></div><div>Two</div>") == ["One line", "Two"]


def test_captions_and_boilerplate(tmp_path):
    text = (
        "Ban Ki-moon\nBan Ki-moon Reuters\n" + BODY
        + "A man walks past rubble in Homs, May 3, 2016.REUTERS/Omar Sanadiki |\n"
        + "Join our official WhatsApp group\n"
    )
    art = _one(tmp_path, "d.txt", text, default_date="2016-05-04").articles[0]
    assert [ln.kind for ln in art.lines] == ["caption", "caption", "body", "caption"]
    assert classify_line("Follow us on Twitter") == "boilerplate"


def test_manifest_date_wins_over_file_date(tmp_path):
    c = _one(tmp_path, "e.txt", "date 2016-01-01 " + BODY, manifest="file,published\ne.txt,2016-01-05\n")
    assert c.articles[0].pub_date == dt.date(2016, 1, 5)


# ---------------------------------------------------------------------------- bad input


def test_no_date_is_an_error_naming_the_file(tmp_path):
    with pytest.raises(UserError, match=r"nodate\.txt: no publication date"):
        _one(tmp_path, "nodate.txt", BODY)


def test_no_date_accepted_with_default_date(tmp_path):
    assert _one(tmp_path, "nodate.txt", BODY, default_date="2016-02-03").articles[0].pub_date == dt.date(2016, 2, 3)


def test_bad_default_date(tmp_path):
    with pytest.raises(UserError, match="not a date"):
        _one(tmp_path, "x.txt", BODY, default_date="03/02/2016")


def test_binary_empty_and_bad_encoding_are_warnings(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 talks".encode("latin-1"))
    c = _one(tmp_path, "good.txt", BODY, default_date="2016-02-03")
    assert [a.story_id for a in c.articles] == ["good"]
    text = "\n".join(c.warnings)
    assert "bin.txt: skipped, is a binary file" in text
    assert "empty.txt: skipped, is empty" in text
    assert "latin.txt: skipped, is not UTF-8" in text
    assert all("\n" not in w for w in c.warnings)


def test_duplicate_files_warn_and_keep_the_first(tmp_path):
    (tmp_path / "a.txt").write_text(BODY)
    c = _one(tmp_path, "b.txt", BODY, default_date="2016-02-03")
    assert [a.story_id for a in c.articles] == ["a"]
    assert any("b.txt: skipped, same text as a.txt" in w for w in c.warnings)


def test_manifest_naming_a_missing_file(tmp_path):
    with pytest.raises(UserError, match=r"manifest\.csv: names file 'gone\.txt'"):
        _one(tmp_path, "a.txt", BODY, manifest="file,published\na.txt,2016-01-01\ngone.txt,2016-01-01\n")


def test_manifest_without_columns_or_with_bad_date(tmp_path):
    with pytest.raises(UserError, match="lacks the column 'published'"):
        _one(tmp_path, "a.txt", BODY, manifest="file,date\na.txt,2016-01-01\n")
    with pytest.raises(UserError, match=r"a\.txt\) published"):
        _one(tmp_path, "a.txt", BODY, manifest="file,published\na.txt,01/02/2016\n")


def test_malformed_front_matter(tmp_path):
    with pytest.raises(UserError, match=r"fm\.html: malformed front matter: no closing"):
        _one(tmp_path, "fm.html", "---\npost_date: 2016-01-01\n<p>text</p>")
    with pytest.raises(UserError, match=r"fm2\.html: malformed front matter, line 3"):
        (tmp_path / "fm.html").unlink()
        _one(tmp_path, "fm2.html", "---\npost_date: 2016-01-01\nthis is not yaml\n---\n<p>text</p>")


def test_missing_folder_and_empty_folder(tmp_path):
    with pytest.raises(UserError, match="articles folder not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(UserError, match="no readable article"):
        load_corpus(tmp_path)


def test_failed_run_writes_nothing(tmp_path):
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "a.txt").write_text(BODY)
    (arts / "b.txt").write_text("Another story without a date.\n")
    out = tmp_path / "events.csv"
    out.write_text("previous\n")
    with pytest.raises(UserError):
        run_extract(arts, manifest=None, out=out, default_date=None)
    assert out.read_text() == "previous\n"
    assert not (tmp_path / "events_dedup.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_prints_one_line_error(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "a.txt").write_text(BODY)
    proc = subprocess.run(
        [sys.executable, str(root / "run.py"), "extract", "--articles", str(tmp_path), "--out", str(tmp_path / "o.csv")],
        capture_output=True, text=True, cwd=root,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "a.txt: no publication date" in proc.stderr
    assert "Traceback" not in proc.stderr
