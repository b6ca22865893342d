"""Extractor scaling with one article's size: seconds and peak memory, each size in a fresh process.

An article is made of the corpus's own text repeated (each paragraph made unique, so the
duplicate check keeps it) up to the size; sizes above the limit (`MAX_ARTICLE_BYTES`) are
refused before they are read, and the benchmark times that refusal.

    python -m benchmarks.bench_article_size
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_extract import _sources

ROOT = Path(__file__).resolve().parents[1]
SIZES_MB = (0.5, 1, 2.5, 4.9, 10, 50)

_ONE = """
import json, sys, time
from calibration.extraction.extract import run_extract
from sim.errors import UserError
t0 = time.perf_counter()
try:
    run_extract(sys.argv[1], out=sys.argv[2])
    outcome = "extracted"
except UserError:
    outcome = "refused"
seconds = time.perf_counter() - t0
events = sum(1 for _ in open(sys.argv[2], encoding="utf-8")) - 1 if outcome == "extracted" else 0
# VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "seconds": seconds, "events": events, "peak_mb": peak_kb / 1024}))
"""


def _article(path: Path, size: int) -> None:
    """An article of about `size` bytes from the corpus's paragraphs."""
    paragraphs = [p for _, text, _ in _sources() for p in text.split("\n\n") if p.strip()]
    parts, total, i = [], 0, 0
    while total < size:
        paragraph = f"{paragraphs[i % len(paragraphs)].strip()} (paragraph {i})"
        parts.append(paragraph)
        total += len(paragraph.encode("utf-8")) + 2
        i += 1
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def bench_article_size(sizes_mb=SIZES_MB) -> list[dict]:
    """Rows: one article's size, the outcome, seconds, seconds per MB, events and peak memory."""
    rows = []
    for mb in sizes_mb:
        tmp = Path(tempfile.mkdtemp(prefix="parley-bench-size-"))
        try:
            arts = tmp / "articles"
            arts.mkdir()
            _article(arts / "big.txt", int(mb * 2**20))
            (arts / "manifest.csv").write_text("file,published\nbig.txt,2016-02-03\n", encoding="utf-8")
            done = subprocess.run([sys.executable, "-c", _ONE, str(arts), str(tmp / "events.csv")], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        rows.append({"article MB": mb, "outcome": result["outcome"], "seconds": round(result["seconds"], 2),
                     "s per MB": round(result["seconds"] / mb, 2) if result["outcome"] == "extracted" else "",
                     "events": result["events"], "peak MB": round(result["peak_mb"])})
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import print_table

    print_table("extraction: one article of growing size", bench_article_size())
