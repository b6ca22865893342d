"""The observed record (calibration/record.py): sources, cross-source duplicates, the hash,
ICEWS-style files, one-line errors; `run.py record`; `run.py extract` leaves the committed
calibration input alone unless told."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import run as cli
import sim.paths
from calibration.record import (
    APPROX_TOLERANCE,
    DAY_TOLERANCE,
    RECORD_COLUMNS,
    compose_record,
    episode_events,
    read_measurements,
    record_hash,
)
from sim.errors import UserError
from sim.events import EVENT_COLUMNS, event_row, events_frame, write_events
from sim.paths import EXTRACTED_EVENTS, OBSERVED_EVENTS, PROJECT_ROOT, SHARED_DIR

CHRONOLOGY = SHARED_DIR / "chronology"
CHRONOLOGY_HEADER = ["event_date", "date_precision", "source", "target", "other_name", "cameo_code", "milestone",
                     "action", "description", "sources"]  # fmt: skip


def _data_rows(path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


@pytest.fixture(scope="module")
def record():
    return compose_record()


def _write_chronology(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CHRONOLOGY_HEADER)
        for r in rows:
            writer.writerow([r.get(c, "") for c in CHRONOLOGY_HEADER])
    return path


def _write_article_events(path, rows):
    """An event table in the schema (the extractor's layout without its extra columns)."""
    frame = events_frame([event_row(**{"story_id": "999_test", "coder": "test@1", **r}) for r in rows])
    write_events(frame, path)
    return path


def _sources(tmp_path, *entries, measurements=True):
    text = ""
    if measurements:
        text += f'[measurements]\npath = "{(CHRONOLOGY / "measurements.csv").as_posix()}"\n\n'
    text += "\n".join(entries)
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _entry(name, fmt, path, extra=""):
    return f'[[source]]\nname = "{name}"\nformat = "{fmt}"\npath = "{path}"\n{extra}\n'


# ---------------------------------------------------------------- the shipped record


def test_rows_per_source_and_merge_count(record):
    chronology = _data_rows(CHRONOLOGY / "geneva_2016_02.csv") + _data_rows(CHRONOLOGY / "ceasefire_2016_09.csv")
    assert record.rows_per_source == {"chronology": chronology, "articles": _data_rows(OBSERVED_EVENTS)}
    assert len(record.events) == chronology + _data_rows(OBSERVED_EVENTS) - record.merged
    assert record.merged > 0
    assert list(record.events.columns) == list(EVENT_COLUMNS) + list(RECORD_COLUMNS)
    assert list(record.events["event_date"]) == sorted(record.events["event_date"])
    assert set(record.events["date_precision"]) <= {"day", "approx"}
    assert len(record.sha256) == 64 and record.sha256 == compose_record().sha256  # same files, same hash


def test_the_talks_pause_reported_by_articles_and_chronology_is_one_event(record):
    ev = record.events
    pause = ev[(ev["cameo_code"] == "165") & (ev["source"] == "ENVOY") & (ev["target"] == "GOV")
               & (ev["event_date"] == "2016-02-03")]  # fmt: skip
    assert len(pause) == 1
    row = pause.iloc[0]
    assert row["record_source"] == "chronology+articles"
    assert row["milestone"] == "talks_pause" and row["date_precision"] == "day"
    assert "chronology: geneva_2016_02.csv line 9 (" in row["provenance"]  # its line in the file
    assert "articles: 000_8409ae2a58630124 s0" in row["provenance"]
    assert row["provenance"].index("chronology:") < row["provenance"].index("articles:")
    # the chronology's two directions stay two events (one source is never merged with itself)
    both = ev[(ev["milestone"] == "talks_pause") & (ev["event_date"] == "2016-02-03")]
    assert sorted(both["target"]) == ["GOV", "OPP"]


def test_the_chronology_names_other_actors_where_the_schema_does(record):
    ev = record.events
    issg = ev[(ev["source"] == "OTHER") & (ev["milestone"] == "ceasefire_agreed")]
    assert set(issg["source_text"]) == {"ISSG"} and set(issg["target"]) == {"GOV", "OPP"}
    convoy = ev[(ev["source"] == "OTHER") & (ev["target"] == "OTHER") & (ev["event_date"] == "2016-09-19")]
    assert list(convoy["source_text"]) == ["unattributed attacker"]
    assert list(convoy["target_text"]) == ["UN/SARC convoy"]
    veto = ev[(ev["source"] == "RUS") & (ev["cameo_code"] == "120")]
    assert list(veto["target_text"]) == ["UNSC"]


def test_an_episode_window_comes_from_its_scenario(record):
    feb = episode_events(record, "geneva_2016_02")
    assert feb["event_date"].min() >= "2016-01-25" and feb["event_date"].max() <= "2016-03-24"
    assert "2015-09-30" not in set(feb["event_date"])  # an article's background event, outside the window
    assert (feb["milestone"] == "talks_open").sum() == 2


def test_measurements_read_as_they_are_with_dates(tmp_path):
    frame = read_measurements()
    raw = pd.read_csv(CHRONOLOGY / "measurements.csv")
    assert list(frame.columns) == list(raw.columns) and len(frame) == len(raw)
    assert pd.api.types.is_datetime64_any_dtype(frame["from_date"])
    assert (frame["to_date"] >= frame["from_date"]).all()
    bad = tmp_path / "m.csv"
    bad.write_text("episode,from_date,to_date,value\ngeneva_2016_02,2016-02-30,2016-03-01,1\n", encoding="utf-8")
    src = tmp_path / "s.toml"
    src.write_text(f'[measurements]\npath = "{bad.as_posix()}"\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"m\.csv: from_date: bad date"):
        read_measurements(src)


# ---------------------------------------------------------------- merging rules


def test_dates_merge_within_their_tolerance_and_not_beyond(tmp_path):
    assert (DAY_TOLERANCE, APPROX_TOLERANCE) == (1, 7)
    chron = _write_chronology(tmp_path / "chron.csv", [
        {"event_date": "2016-02-10", "date_precision": "day", "source": "GOV", "target": "OPP", "cameo_code": "190",
         "milestone": "offensive_start", "sources": "s1"},
        {"event_date": "2016-02-10", "date_precision": "day", "source": "RUS", "target": "OPP", "cameo_code": "195",
         "sources": "s2"},
        {"event_date": "2016-02-10", "date_precision": "day", "source": "USA", "target": "RUS", "cameo_code": "112",
         "sources": "s3"},
        {"event_date": "2016-02-10", "date_precision": "day", "source": "RUS", "target": "USA", "cameo_code": "112",
         "sources": "s4"},
        {"event_date": "2016-02-10", "date_precision": "approx", "source": "OPP", "target": "GOV", "cameo_code": "190",
         "sources": "s5"},
    ])  # fmt: skip
    arts = _write_article_events(tmp_path / "arts.csv", [
        # approx, 7 days after: merged; the record keeps the precise date
        dict(event_id="a1", sentence_no=1, event_date="2016-02-17", source="GOV", target="OPP", cameo_code="190",
             date_precision="approx"),
        # approx, 8 days after: not merged
        dict(event_id="a2", sentence_no=2, event_date="2016-02-18", source="RUS", target="OPP", cameo_code="195",
             date_precision="approx"),
        # precise, one day after: merged; the earliest precise date stays
        dict(event_id="a3", sentence_no=3, event_date="2016-02-11", source="USA", target="RUS", cameo_code="112",
             date_precision="day"),
        # precise, two days after: not merged
        dict(event_id="a4", sentence_no=4, event_date="2016-02-12", source="RUS", target="USA", cameo_code="112",
             date_precision="day"),
        # the chronology's date is approximate, the article's precise, 5 days before: merged, the precise date kept
        dict(event_id="a5", sentence_no=5, event_date="2016-02-05", source="OPP", target="GOV", cameo_code="190",
             date_precision="day"),
        # same dyad and date, another act: not merged
        dict(event_id="a6", sentence_no=6, event_date="2016-02-10", source="GOV", target="OPP", cameo_code="195",
             date_precision="day"),
    ])  # fmt: skip
    sources = _sources(tmp_path, _entry("chronology", "chronology", chron.as_posix()),
                       _entry("articles", "events", arts.as_posix()))
    rec = compose_record(sources)
    assert rec.rows_per_source == {"chronology": 5, "articles": 6} and rec.merged == 3
    ev = rec.events.set_index("event_id")
    merged = ev[ev["record_source"] == "chronology+articles"]
    assert sorted(merged.index) == ["chron:2", "chron:4", "chron:6"]
    assert ev.loc["chron:2", "event_date"] == "2016-02-10" and ev.loc["chron:2", "milestone"] == "offensive_start"
    assert ev.loc["chron:2", "provenance"] == "chronology: chron.csv line 2 (s1); articles: 999_test s1"
    assert ev.loc["chron:4", "event_date"] == "2016-02-10" and ev.loc["chron:4", "date_precision"] == "day"
    assert (ev.loc["chron:6", "event_date"], ev.loc["chron:6", "date_precision"]) == ("2016-02-05", "day")
    assert {"a2", "a4", "a6"} <= set(ev.index)


def test_an_event_takes_one_row_of_each_source_closest_first(tmp_path):
    chron = _write_chronology(tmp_path / "chron.csv", [
        {"event_date": "2016-09-28", "date_precision": "day", "source": "USA", "target": "RUS", "cameo_code": "134",
         "milestone": "us_threat", "sources": "x"},
        {"event_date": "2016-09-29", "date_precision": "day", "source": "USA", "target": "RUS", "cameo_code": "134",
         "sources": "y"},
    ])  # fmt: skip
    arts = _write_article_events(tmp_path / "arts.csv", [
        dict(event_id="a1", sentence_no=0, event_date="2016-09-29", source="USA", target="RUS", cameo_code="134",
             date_precision="approx"),
    ])  # fmt: skip
    rec = compose_record(_sources(tmp_path, _entry("chronology", "chronology", chron.as_posix()),
                                  _entry("articles", "events", arts.as_posix())))
    assert len(rec.events) == 2 and rec.merged == 1
    ev = rec.events.set_index("event_id")
    assert ev.loc["chron:3", "record_source"] == "chronology+articles"  # the 29th: closest
    assert ev.loc["chron:2", "record_source"] == "chronology"


# ---------------------------------------------------------------- the hash


def test_the_hash_changes_when_a_source_or_the_measurements_change(tmp_path):
    for name in ("geneva_2016_02.csv", "ceasefire_2016_09.csv", "measurements.csv"):
        shutil.copy(CHRONOLOGY / name, tmp_path / name)
    shutil.copy(OBSERVED_EVENTS, tmp_path / "events_dedup.csv")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[measurements]\npath = "measurements.csv"\n\n'
        '[[source]]\nname = "chronology"\nformat = "chronology"\npaths = ["geneva_2016_02.csv", "ceasefire_2016_09.csv"]\n\n'
        '[[source]]\nname = "articles"\nformat = "events"\npath = "events_dedup.csv"\n', encoding="utf-8")
    base, base_table = record_hash(sources), compose_record(sources).sha256
    assert base_table == compose_record().sha256  # the same files elsewhere: the same table

    text = (tmp_path / "ceasefire_2016_09.csv").read_bytes()  # bytes: its line ends kept
    (tmp_path / "ceasefire_2016_09.csv").write_bytes(text.replace(b"Kerry-Lavrov deal", b"Kerry-Lavrov accord"))
    assert record_hash(sources) != base and compose_record(sources).sha256 == base_table  # a description only
    changed_source = record_hash(sources)
    (tmp_path / "ceasefire_2016_09.csv").write_bytes(text.replace(b"2016-10-18,day", b"2016-10-19,day"))
    assert compose_record(sources).sha256 != base_table

    (tmp_path / "ceasefire_2016_09.csv").write_bytes(text)
    assert record_hash(sources) == base
    with open(tmp_path / "measurements.csv", "a", encoding="utf-8") as handle:
        handle.write("ceasefire_2016_09,2016-10-01,2016-10-02,deaths_aleppo,1,people,test,test\n")
    assert record_hash(sources) not in (base, changed_source)


def test_every_study_manifest_records_the_hash(tmp_path):
    from sim.experiments.batch import run_study

    study = run_study("rec", ["geneva_2016_02"], replicates=1, seed=1, parameters="defaults",
                      results_dir=tmp_path, progress=False, days=3)
    assert study.manifest["observed_record"] == {"sha256": record_hash(), "sources": "calibration/data/sources.toml"}


# ---------------------------------------------------------------- ICEWS-style files


ICEWS_HEADER = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
                "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
                "Sentence Number", "Publisher"]  # fmt: skip


def _icews(tmp_path, rows, unmapped=None):
    path = tmp_path / "icews.tab"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(ICEWS_HEADER)
        writer.writerows(rows)
    extra = ('delimiter = "\\t"\n' + (f'unmapped = "{unmapped}"\n' if unmapped else "")
             + '[source.columns]\nevent_id = "Event ID"\nevent_date = "Event Date"\nsource_text = "Source Name"\n'
             'target_text = "Target Name"\ncameo_code = "CAMEO Code"\nstory_id = "Story ID"\n'
             'sentence_no = "Sentence Number"\ntrigger = "Event Text"\n'
             '[source.actors]\n"Russia" = "RUS"\n"Sergey Viktorovich Lavrov" = "RUS"\n"John Kerry" = "USA"\n'
             '"Staffan de Mistura" = "ENVOY"\n"Government (Syria)" = "GOV"\n"Militant (Syria)" = "OPP"\n')
    return _sources(tmp_path, _entry("icews", "icews", path.as_posix(), extra))


ICEWS_ROWS = [
    ["26137001", "2016-02-03", "Staffan de Mistura", "UN", "", "Halt mediation", "165", "-6.5",
     "Government (Syria)", "Government", "Syria", "47110001", "2", "Reuters"],
    ["26137002", "2016-02-03", "Sergey Viktorovich Lavrov", "Government", "Russia", "Make a visit", "42", "1.9",
     "John Kerry", "Government", "United States", "47110002", "0", "AFP"],
    ["26137003", "2016-02-04", "Russia", "Government", "Russia", "Fight with artillery", "195", "-10",
     "Citizen (Syria)", "Civilian", "Syria", "47110003", "5", "AP"],
]  # fmt: skip


def test_an_icews_style_file_maps_its_columns_and_actor_names(tmp_path):
    rec = compose_record(_icews(tmp_path, ICEWS_ROWS, unmapped="other"))
    ev = rec.events.set_index("event_id")
    assert rec.rows_per_source == {"icews": 3}
    assert (ev.loc["icews:26137001", "source"], ev.loc["icews:26137001", "target"]) == ("ENVOY", "GOV")
    assert ev.loc["icews:26137002", "cameo_code"] == "042"  # the lost leading zero restored ("10" stays a root)
    assert ev.loc["icews:26137002", "source_text"] == "Sergey Viktorovich Lavrov"
    assert (ev.loc["icews:26137003", "target"], ev.loc["icews:26137003", "target_text"]) == ("OTHER", "Citizen (Syria)")
    assert ev.loc["icews:26137001", "provenance"] == "icews: icews.tab line 2 (story 47110001 s2)"
    assert ev.loc["icews:26137001", "date_precision"] == "day" and ev.loc["icews:26137001", "sentence_no"] == 2
    assert ev.loc["icews:26137001", "goldstein"] == -6.5 and ev.loc["icews:26137001", "quad_class"] == 4
    assert len(compose_record(_icews(tmp_path, ICEWS_ROWS, unmapped="drop")).events) == 2
    with pytest.raises(UserError, match=r"icews\.tab line 4: Target Name: 'Citizen \(Syria\)' has no actor code"):
        compose_record(_icews(tmp_path, ICEWS_ROWS))


# ---------------------------------------------------------------- one-line errors


@pytest.mark.parametrize(
    "entry, expected",
    [
        ('[[source]]\nname = "x"\nformat = "csv"\npath = "{f}"\n',
         r"sources\.toml: source\[1\]\.format: unknown format 'csv'; allowed: events, chronology, icews"),
        ('[[source]]\nname = "x"\nformat = "events"\npath = "{f}"\nroot = "home"\n',
         r"source\[1\]\.root: unknown root 'home'; allowed: here, project, shared"),
        ('[[source]]\nname = "x"\nformat = "events"\npath = "nowhere.csv"\n',
         r"source\[1\]\.path: no such file"),
        ('[[source]]\nname = "x"\nformat = "events"\npath = "{f}"\ncolumns = {{}}\n',
         r"source\[1\]\.columns: unknown key for format 'events'; allowed: name, format, path, paths, root"),
        ('[[source]]\nname = "x y"\nformat = "events"\npath = "{f}"\n', r"source\[1\]\.name: expected a name"),
        ('[[source]]\nname = "x"\nformat = "icews"\npath = "{f}"\n[source.columns]\nevent_date = "Date"\n',
         r"source\[1\]\.columns\.source_text: required"),
        (('[[source]]\nname = "x"\nformat = "icews"\npath = "{f}"\n[source.columns]\nevent_date = "D"\n'
          'source_text = "S"\ntarget_text = "T"\ncameo_code = "C"\n[source.actors]\n"Russia" = "RUSSIA"\n'),
         r"source\[1\]\.actors\.'Russia': unknown actor code 'RUSSIA'; allowed: ENVOY, GOV, OPP, RUS, USA, OTHER"),
        ('[[sources]]\nname = "x"\n', r"unknown table 'sources'; allowed: \[\[source\]\], \[measurements\]"),
        ('[[source]\n', r"sources\.toml: not TOML"),
    ],
)
def test_a_bad_sources_entry_is_one_line_naming_the_file_and_key(tmp_path, capsys, entry, expected):
    sources = tmp_path / "sources.toml"
    sources.write_text(entry.format(f=OBSERVED_EVENTS.as_posix()), encoding="utf-8")
    with pytest.raises(UserError, match=expected):
        compose_record(sources)
    assert cli.main(["record", "--sources", str(sources)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "sources.toml" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda t: t.replace("2016-02-03,day,ENVOY,GOV", "2016-02-31,day,ENVOY,GOV", 1),
         r"geneva\.csv line \d+: event_date: bad date '2016-02-31' \(expected YYYY-MM-DD\)"),
        (lambda t: t.replace(",RUS,OPP,", ",RUSSIA,OPP,", 1),
         r"geneva\.csv line \d+: source: unknown actor code 'RUSSIA'; allowed: ENVOY, GOV, OPP, RUS, USA, OTHER"),
        (lambda t: t.replace(",1246,", ",999,", 1), r"geneva\.csv line 6: cameo_code: unknown CAMEO code '999'"),
        (lambda t: t.replace("talks_pause", "talks_paused", 1), r"line 9: milestone: unknown milestone 'talks_paused'"),
        (lambda t: t.replace("other_name,", "", 1), r"geneva\.csv: missing column 'other_name' \(a chronology file needs"),
    ],
)
def test_an_ill_formed_event_file_is_one_line_naming_the_file(tmp_path, change, expected):
    text = (CHRONOLOGY / "geneva_2016_02.csv").read_text(encoding="utf-8")
    (tmp_path / "geneva.csv").write_text(change(text), encoding="utf-8")
    sources = _sources(tmp_path, _entry("chronology", "chronology", "geneva.csv"))
    with pytest.raises(UserError, match=expected) as err:
        compose_record(sources)
    assert "\n" not in str(err.value)


def test_an_event_table_missing_a_schema_column_is_named(tmp_path):
    frame = pd.read_csv(OBSERVED_EVENTS, dtype=str, keep_default_na=False).drop(columns=["date_precision"])
    frame.to_csv(tmp_path / "events.csv", index=False)
    with pytest.raises(UserError, match=r"events\.csv: missing column 'date_precision' \(an event table"):
        compose_record(_sources(tmp_path, _entry("articles", "events", "events.csv")))


# ---------------------------------------------------------------- the command line


def test_record_prints_an_episode_timeline_with_its_sources(capsys):
    assert cli.main(["record", "--episode", "geneva_2016_02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# geneva_2016_02: observed record 2016-01-25 to 2016-03-24, ")
    assert "2016-02-03  ENVOY -> GOV  165 Halt mediation [talks_pause]" in out
    assert "chronology: geneva_2016_02.csv line 9 (" in out and "articles: 000_8409ae2a58630124 s0" in out
    assert "2016-03-14  RUS -> GOV  087 De-escalate military engagement [rus_drawdown]" in out
    assert "2016-09-" not in out  # the other episode's window


def test_record_without_an_episode_summarises(capsys, record):
    assert cli.main(["record"]) == 0
    out = capsys.readouterr().out
    assert f"chronology {record.rows_per_source['chronology']:6} rows" in out
    assert f"{record.merged} rows merged as duplicates" in out
    assert record_hash() in out and record.sha256 in out


def test_record_of_an_unknown_episode_exits_2():
    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "record", "--episode", "no_such"],
                          check=False, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert proc.returncode == 2 and "unknown scenario 'no_such'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _committed_bytes():
    return EXTRACTED_EVENTS.read_bytes(), OBSERVED_EVENTS.read_bytes()


def test_extract_without_the_flag_leaves_the_committed_input_unchanged(tmp_path, monkeypatch, capsys):
    before = _committed_bytes()
    out = tmp_path / "out"
    assert cli.main(["extract", "--articles", str(SHARED_DIR / "articles"), "--out", str(out)]) == 0
    assert (out / "events.csv").is_file() and (out / "events_dedup.csv").is_file()
    assert _committed_bytes() == before
    # no --out: a folder under the results directory
    monkeypatch.setattr(sim.paths, "EXTRACT_DIR", tmp_path / "results" / "extract")
    assert cli.main(["extract", "--articles", str(SHARED_DIR / "articles")]) == 0
    assert (tmp_path / "results" / "extract" / "events_dedup.csv").is_file()
    assert _committed_bytes() == before
    capsys.readouterr()
    # --out pointing at the committed files is refused, in one line, before anything runs
    for target in (EXTRACTED_EVENTS, OBSERVED_EVENTS, EXTRACTED_EVENTS.parent):
        assert cli.main(["extract", "--articles", str(SHARED_DIR / "articles"), "--out", str(target)]) == 2
        err = capsys.readouterr().err
        assert "--replace-committed" in err and len(err.strip().splitlines()) == 1
    assert _committed_bytes() == before


def test_extract_with_the_flag_replaces_the_committed_input(tmp_path, monkeypatch):
    committed = tmp_path / "calibration" / "data"
    committed.mkdir(parents=True)
    (committed / "events.csv").write_text("stale\n", encoding="utf-8")
    monkeypatch.setattr(sim.paths, "EXTRACTED_EVENTS", committed / "events.csv")
    monkeypatch.setattr(sim.paths, "OBSERVED_EVENTS", committed / "events_dedup.csv")
    assert cli.main(["extract", "--articles", str(SHARED_DIR / "articles"), "--replace-committed"]) == 0
    assert (committed / "events.csv").read_text(encoding="utf-8").startswith("event_id,")
    assert (committed / "events_dedup.csv").is_file()
    assert cli.build_parser().parse_args(["extract", "--articles", "a", "--replace-committed"]).replace_committed
    with pytest.raises(SystemExit):  # --out and --replace-committed exclude each other
        cli.build_parser().parse_args(["extract", "--articles", "a", "--out", "x", "--replace-committed"])
