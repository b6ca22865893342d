"""The parameter table: complete, consistent, and every quoted evidence is in its article sentence."""

from __future__ import annotations

import re

import pytest

from sim.model.parameters import (
    BASES,
    check_parameter,
    default_parameters,
    parameter_table,
    resolve_parameters,
)
from sim.model.rules import RULES
from sim.paths import SHARED_DIR

SHARED = SHARED_DIR
ARTICLES = SHARED / "articles"
CITATION = re.compile(r'(\d{3}) s(\d+) "([^"]+)"')
#: A chronology citation: its file (an episode), the row's date and a phrase of its description.
CHRONOLOGY_CITATION = re.compile(r'chronology (\w+) (\d{4}-\d{2}-\d{2}) "([^"]+)"')


def test_every_parameter_is_complete():
    table = parameter_table()
    assert len(table) > 40
    for spec in table.values():
        assert spec.rule in RULES, spec.name
        assert spec.low <= spec.default <= spec.high, spec.name
        assert spec.basis in BASES, spec.name
        assert spec.evidence and spec.description and spec.unit, spec.name
        if spec.basis == "evidence":
            assert CITATION.search(spec.evidence) or CHRONOLOGY_CITATION.search(spec.evidence), (
                f"{spec.name}: basis 'evidence' needs a quoted sentence of an article or of the chronology")
        if spec.basis == "structural":
            assert not spec.calibrated, f"{spec.name}: structural numbers are not calibrated"


def test_every_rule_has_parameters_and_reads_only_known_ones():
    table = parameter_table()
    assert set(RULES) <= {spec.rule for spec in table.values()}
    for rule in RULES.values():
        assert rule.reads and len(set(rule.reads)) == len(rule.reads), rule.name
        assert set(rule.reads) <= set(table), (rule.name, set(rule.reads) - set(table))
    read = {name for rule in RULES.values() for name in rule.reads}
    assert read == set(table), f"parameters no rule reads: {set(table) - read}"


def test_calibrated_parameters_are_those_calibration_always_estimated():
    """The list and order calibration estimates (the committed posterior's columns) did not
    change with the new bases and the structural parameters."""
    import pandas as pd

    from sim.paths import DEFAULT_POSTERIOR

    calibrated = [name for name, spec in parameter_table().items() if spec.calibrated]
    columns = [c for c in pd.read_csv(DEFAULT_POSTERIOR, nrows=1).columns if c not in ("draw_id", "weight")]
    assert calibrated == columns
    assert "opp_preconditions" not in calibrated and "ceasefire_delay_days" not in calibrated


def test_checks_name_what_is_wrong():
    with pytest.raises(ValueError, match="unknown parameter 'rus_strike_rat'; allowed: rus_strike_rate"):
        check_parameter("rus_strike_rat", 1.0)
    with pytest.raises(ValueError, match=r"outside its allowed range \[5, 80\]"):
        check_parameter("rus_strike_rate", 500)
    with pytest.raises(ValueError, match="must be a number"):
        check_parameter("rus_strike_rate", "fast")
    assert resolve_parameters({"rus_strike_rate": 10})["rus_strike_rate"] == 10.0
    assert default_parameters()["envoy_pause_days"] == 22  # 3 Feb -> 25 Feb (000 s19)


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="the source articles are not beside the project")
def test_quoted_evidence_is_in_the_cited_sentence():
    from calibration.extraction.ingest import load_corpus
    from calibration.extraction.sentences import article_sentences

    corpus = load_corpus(ARTICLES)
    sentences = {
        article.story_id[:3]: [" ".join(s.text.split()) for s in article_sentences(article)]
        for article in corpus.articles
    }
    checked = 0
    for spec in parameter_table().values():
        for article, index, quote in CITATION.findall(spec.evidence):
            text = sentences[article][int(index)]
            assert " ".join(quote.split()) in text, f"{spec.name}: {article} s{index} does not say {quote!r}: {text!r}"
            checked += 1
    assert checked > 50


@pytest.mark.skipif(not (SHARED / "chronology").is_dir(), reason="the chronology is not beside the project")
def test_quoted_chronology_is_in_the_cited_row():
    import pandas as pd

    checked = 0
    for spec in parameter_table().values():
        for episode, date, quote in CHRONOLOGY_CITATION.findall(spec.evidence):
            rows = pd.read_csv(SHARED / "chronology" / f"{episode}.csv", dtype=str)
            texts = [" ".join(t.split()) for t in rows.loc[rows["event_date"] == date, "description"]]
            assert texts, f"{spec.name}: the chronology {episode} has no row on {date}"
            assert any(" ".join(quote.split()) in t for t in texts), f"{spec.name}: {episode} {date} does not say {quote!r}"
            checked += 1
    assert checked >= 20


def test_model_doc_tables_are_current():
    from sim.reporting.model_docs import MODEL_DOC, render_doc

    text = MODEL_DOC.read_text(encoding="utf-8")
    assert render_doc(text) == text, "run `python -m sim.reporting.model_docs` to update docs/model.md"
