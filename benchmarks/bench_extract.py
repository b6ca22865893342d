"""Extractor throughput: articles per second on one core.

The corpus (../shared/articles, or a built-in sample when it is absent) is replicated to about
1,000 articles in a temporary folder (each copy made unique, so the duplicate check keeps it),
then `run_extract` runs over it in this process (one core) and the wall time is measured.

    python -m benchmarks.bench_extract
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_ARTICLES = ROOT / ".." / "shared" / "articles"
TARGET = 1000

_SAMPLE = (
    "The UN envoy suspended the peace talks on Wednesday after Russian air strikes hit rebel towns.\n"
    "Secretary of State John Kerry called on Russia to stop bombing civilian areas.\n"
    "Russia refused to halt its air strikes, Foreign Minister Sergei Lavrov said on Tuesday.\n"
    'The opposition said it "will not negotiate unless the government lifts the sieges".\n'
)


def _sources() -> list[tuple[str, str, str]]:
    """(file name, text, publication date) of the corpus to replicate."""
    import csv

    if (SHARED_ARTICLES / "manifest.csv").is_file():
        rows = csv.DictReader((SHARED_ARTICLES / "manifest.csv").read_text(encoding="utf-8").splitlines())
        return [(r["file"], (SHARED_ARTICLES / r["file"]).read_text(encoding="utf-8"), r["published"]) for r in rows]
    return [("sample.txt", _SAMPLE, "2016-02-03")]


def bench_extract(target: int = TARGET) -> list[dict]:
    """Rows (name, value, unit): articles/s of `run_extract` over ~`target` articles."""
    from calibration.extraction.extract import run_extract

    sources = _sources()
    tmp = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    try:
        arts = tmp / "articles"
        arts.mkdir()
        manifest = ["file,published"]
        n = 0
        while n < target:
            for name, text, pub in sources:
                stem, suffix = name.rsplit(".", 1) if "." in name else (name, "txt")
                fname = f"{n:05d}_{stem}.{suffix}"
                # a unique trailing line (a site footer) keeps copies distinct for the duplicate check
                (arts / fname).write_text(text + f"\n\nCopyright copy {n}\n", encoding="utf-8")
                manifest.append(f"{fname},{pub}")
                n += 1
        (arts / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
        run_extract(arts, out=tmp / "warm.csv")  # warm caches (dictionaries, regexes) on a first pass
        t0 = time.perf_counter()
        run_extract(arts, out=tmp / "events.csv")
        secs = time.perf_counter() - t0
        events = sum(1 for _ in open(tmp / "events.csv", encoding="utf-8")) - 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [
        {"name": "extract: articles per second (one core)", "value": round(n / secs, 1), "unit": "articles/s"},
        {"name": "extract: corpus size", "value": n, "unit": "articles"},
        {"name": "extract: events per second", "value": round(events / secs, 1), "unit": "events/s"},
    ]


if __name__ == "__main__":
    for row in bench_extract():
        print(f"{row['name']:45} {row['value']:>10} {row['unit']}")
