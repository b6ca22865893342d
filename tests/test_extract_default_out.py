"""Called from code without `out`, the extractor writes under results/, never the committed
calibration input."""

from __future__ import annotations

import pytest

from calibration.extraction import extract
from sim.paths import EXTRACTED_EVENTS, SHARED_DIR

ARTICLES = SHARED_DIR / "articles"


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="the source articles are not beside the project")
def test_run_extract_without_out_leaves_the_committed_table_alone(tmp_path, monkeypatch):
    before = EXTRACTED_EVENTS.read_bytes()
    monkeypatch.setattr(extract, "EXTRACT_DIR", tmp_path / "extract")
    extract.run_extract(ARTICLES)
    assert (tmp_path / "extract" / EXTRACTED_EVENTS.name).exists()
    assert EXTRACTED_EVENTS.read_bytes() == before
