"""run_extract end to end: the dev-gold score, sentence indices against the gold split,
the committed table, corrections and cross-article episodes."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from calibration.extraction.extract import dedup_path, run_extract
from calibration.extraction.ingest import load_corpus
from calibration.extraction.sentences import article_sentences
from sim.errors import UserError
from sim.events import EVENT_COLUMNS, read_events
from sim.paths import PROJECT_ROOT, SHARED_DIR

ROOT = PROJECT_ROOT
SHARED = SHARED_DIR
ARTICLES = SHARED / "articles"
GOLD = SHARED / "gold" / "dev"
needs_corpus = pytest.mark.skipif(not (ARTICLES.is_dir() and GOLD.is_dir()), reason="../shared/articles not present")


@needs_corpus
def test_dev_gold_score(tmp_path):
    out = tmp_path / "events.csv"
    run_extract(ARTICLES, out=out)
    scores = {}
    for flag in ([], ["--all-actors"]):
        proc = subprocess.run(
            [sys.executable, str(SHARED / "tools" / "score_events.py"), "--gold", str(GOLD / "events_gold.csv"), "--pred", str(out), *flag],
            capture_output=True, text=True, check=True,
        )
        scores[bool(flag)] = float(proc.stdout.strip().splitlines()[-1].split()[-1])
    assert scores[False] >= 0.80, scores
    assert scores[True] >= 0.70, scores


@needs_corpus
def test_sentence_indices_match_the_gold_split():
    gold: dict[str, list[str]] = {}
    with open(GOLD / "sentences.tsv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            gold.setdefault(r["article"], []).append(r["text"])
    corpus = load_corpus(ARTICLES)
    checked = 0
    for art in corpus.articles:
        key = art.story_id.split("_")[0]
        if key in gold:
            assert [s.text for s in article_sentences(art)] == gold[key], key
            checked += 1
    assert checked == len(gold)


@needs_corpus
def test_committed_table_is_current():
    committed = read_events(ROOT / "calibration" / "data" / "events.csv")
    assert list(committed.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)
    assert committed["cameo_code"].str.len().min() >= 3  # leading zeros kept
    assert set(committed["source"]) | set(committed["target"]) <= {"ENVOY", "GOV", "OPP", "RUS", "USA", "OTHER"}
    assert committed["coder"].str.contains("@").all()


def test_committed_table_reads_without_the_articles():
    frame = read_events(ROOT / "calibration" / "data" / "events.csv")
    assert len(frame) > 0 and "episode_key" in frame.columns


def _corpus(tmp_path) -> Path:
    d = tmp_path / "arts"
    d.mkdir()
    (d / "one.txt").write_text(
        "Washington suspended talks with Moscow on Monday.\nThe army captured the town of Kafr Zita on Monday.\n"
    )
    (d / "two.txt").write_text("The United States suspended its talks with Russia on Monday, officials said.\n")
    (d / "manifest.csv").write_text("file,published\none.txt,2016-10-04\ntwo.txt,2016-10-05\n")
    return d


def test_cross_article_episode_keeps_provenance(tmp_path):
    out = tmp_path / "ev.csv"
    text = run_extract(_corpus(tmp_path), out=out)
    assert "USA->RUS" in text and "distinct acts" in text
    ev = read_events(out)
    susp = ev[(ev["source"] == "USA") & (ev["cameo_code"] == "164")]
    assert len(susp) == 2 and susp["episode_key"].nunique() == 1
    dd = read_events(dedup_path(out))
    row = dd[(dd["source"] == "USA") & (dd["cameo_code"] == "164")].iloc[0]
    assert row["n_reports"] == "2" or int(row["n_reports"]) == 2
    assert "one:0:" in row["provenance"] and "two:0:" in row["provenance"]


def test_corrections_add_and_drop(tmp_path):
    arts = _corpus(tmp_path)
    corr = tmp_path / "corr.csv"
    corr.write_text(
        "action,story_id,sentence_no,source,target,cameo_code,event_date,reason\n"
        "drop,one,1,GOV,OPP,192,,town was retaken the same day\n"
        "add,two,0,RUS,USA,110,2016-10-03,Moscow regretted the move (reviewer)\n"
    )
    out = tmp_path / "ev.csv"
    text = run_extract(arts, out=out, corrections=corr)
    ev = read_events(out)
    assert not ((ev["story_id"] == "one") & (ev["cameo_code"] == "192")).any()
    added = ev[ev["coder"].str.startswith("correction:")]
    assert list(added["cameo_code"]) == ["110"] and added.iloc[0]["pub_date"] == "2016-10-05"
    assert "dropped 1 row" in text and "added RUS->USA 110" in text


@pytest.mark.parametrize(
    "body, message",
    [
        ("drop,one,7,GOV,OPP,192,,typo\n", "drop matches no extracted row"),
        ("drop,one,1,GOV,OPP,192,,\n", "needs a reason"),
        ("keep,one,1,GOV,OPP,192,,x\n", "action 'keep' is not allowed"),
        ("add,one,1,GOV,XXX,192,2016-10-03,x\n", "target 'XXX' is not an actor code"),
        ("add,one,1,GOV,OPP,999,2016-10-03,x\n", "'999' is not a CAMEO code"),
        ("add,one,1,GOV,OPP,192,2016-10-03,x\n", "duplicates an extracted row"),
    ],
)
def test_bad_corrections_name_the_line(tmp_path, body, message):
    corr = tmp_path / "corr.csv"
    corr.write_text("action,story_id,sentence_no,source,target,cameo_code,event_date,reason\n" + body)
    out = tmp_path / "ev.csv"
    with pytest.raises(UserError, match=message) as err:
        run_extract(_corpus(tmp_path), out=out, corrections=corr)
    assert "corr.csv: line 2" in str(err.value) or "corr.csv" in str(err.value)
    assert not out.exists()
