"""A user's mistake in a scenario, a posterior or an article corpus is one line (`UserError`).

Each case names the file, the key (or column, row) and what is allowed; none is a traceback,
none is accepted silently. The fuzz tests at the end mutate valid files at random (fixed seed)
and check that every mutation either loads or fails with such a line.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_scenarios import FORCE, TERRAIN, check, counterfactual, episode, write

from calibration.extraction import ingest
from calibration.extraction.ingest import load_corpus
from sim.errors import UserError
from sim.experiments.posterior import load_posterior, write_prior_sample
from sim.model.parameters import parameter_table
from sim.scenarios import load_scenario

BODY = "The army captured the town of Kafr Zita on Monday, a military source said.\n"


def one_line(err: pytest.ExceptionInfo) -> str:
    msg = str(err.value)
    assert msg and "\n" not in msg and "Traceback" not in msg, msg
    return msg


# --------------------------------------------------------------------------- scenario paths
@pytest.fixture
def scen(tmp_path: Path) -> Path:
    """A scenario folder (with its terrain/) beside an 'outside' folder holding a valid terrain."""
    folder = tmp_path / "scenarios"
    (folder / "terrain").mkdir(parents=True)
    (folder / "terrain" / "t.toml").write_text(TERRAIN)
    (folder / "ep.toml").write_text(episode())
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "t.toml").write_text(TERRAIN)
    return folder


def scenario_error(folder: Path, name: str, text: str) -> tuple[str, Path]:
    path = write(folder, name, text)
    with pytest.raises(UserError) as info:
        load_scenario(name, folder)
    return one_line(info), path


@pytest.mark.parametrize("target", ["../outside/t.toml", "../../../../etc/passwd", "/proc/self/environ",
                                    "{outside}/t.toml"])
def test_terrain_file_must_stay_inside_the_scenario_folder(scen, target):
    target = target.format(outside=scen.parent / "outside")
    msg, path = scenario_error(scen, "bad", episode(name="bad").replace("terrain/t.toml", target))
    check(msg, path, "terrain.file", "terrain/t.toml")
    assert f"must be a file inside {scen.resolve()}" in msg


def test_terrain_file_symlinked_out_of_the_folder_is_refused(scen):
    (scen / "terrain" / "link.toml").symlink_to(scen.parent / "outside" / "t.toml")
    msg, path = scenario_error(scen, "bad", episode(name="bad").replace("terrain/t.toml", "terrain/link.toml"))
    check(msg, path, "terrain.file")
    assert f"must be a file inside {scen.resolve()}" in msg


def test_terrain_file_in_a_subfolder_is_fine(scen):
    assert load_scenario("ep", scen).terrain.name == "t"


def test_extends_symlinked_out_of_the_folder_is_refused(scen):
    outside = scen.parent / "outside"
    (outside / "terrain").mkdir()
    (outside / "terrain" / "t.toml").write_text(TERRAIN)
    (outside / "evil.toml").write_text(episode(name="evil"))
    (scen / "evil.toml").symlink_to(outside / "evil.toml")
    msg, path = scenario_error(scen, "cf", counterfactual(extends="evil", tail=FORCE))
    check(msg, path, "extends")
    assert f"must be a file inside {scen.resolve()}" in msg


def test_extends_a_very_long_name_is_one_line(scen):
    msg, path = scenario_error(scen, "cf", counterfactual(extends="a" * 5000, tail=FORCE))
    check(msg, path, "extends")


# --------------------------------------------------------------------------- scenario dates
@pytest.mark.parametrize("start", ["9999-12-01", "1899-12-31", "0001-01-01"])
def test_start_date_out_of_range(scen, start):
    msg, path = scenario_error(scen, "bad", episode(name="bad").replace("2016-01-25", start))
    check(msg, path, "start_date", "1900", "2100")


def test_window_past_the_last_year(scen):
    text = episode(name="bad").replace("2016-01-25", "2100-12-20").replace("date = 2016-01-29",
                                                                           "date = 2100-12-21")
    msg, path = scenario_error(scen, "bad", text)
    check(msg, path, "start_date", "2100")
    assert "2101-01-18" in msg  # the window's last day
    ok = text.replace("horizon_days = 30", "horizon_days = 12")
    write(scen, "bad", ok)
    assert load_scenario("bad", scen).start_date == dt.date(2100, 12, 20)


# --------------------------------------------------------------------------- scenario nesting
@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a = " * 5000 + "1" + "}" * 5000])
def test_deeply_nested_toml_is_one_line(scen, value):
    msg, path = scenario_error(scen, "bad", episode(name="bad", top=f"deep = {value}"))
    assert msg.startswith(f"{path}: ") and "nested too deeply" in msg and "; allowed: " in msg


# --------------------------------------------------------------------------- posterior
def posterior(tmp_path: Path, edit=None) -> Path:
    """A valid posterior file (a prior sample of every calibrated parameter), edited by `edit`."""
    path = write_prior_sample(tmp_path / "posterior.csv", 5, seed=1)
    if edit is not None:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        edit(frame)
        frame.to_csv(path, index=False)
    return path


def posterior_error(path: Path) -> str:
    with pytest.raises(UserError) as info:
        load_posterior(path)
    msg = one_line(info)
    assert msg.startswith(f"{path}: "), msg
    return msg


def test_valid_posterior_loads(tmp_path):
    loaded = load_posterior(posterior(tmp_path))
    assert len(loaded.draw_ids) == 5 and math.isclose(loaded.weights.sum(), 1.0)
    assert {n for n, s in parameter_table().items() if s.calibrated} <= set(loaded.values)


def test_posterior_missing_a_calibrated_column(tmp_path):
    msg = posterior_error(posterior(tmp_path, lambda f: f.pop("rus_strike_rate")))
    assert "missing column 'rus_strike_rate'" in msg and "calibrated" in msg


@pytest.mark.parametrize("cell", ["", "nan", "NaN", "inf"])
def test_posterior_nan_cell(tmp_path, cell):
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("opp_threat_base", ["-3"] * 3 + [cell, "-3"])))
    assert msg.startswith(f"{tmp_path / 'posterior.csv'}: opp_threat_base: line 5: ")


def test_posterior_text_cell(tmp_path):
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("rus_halt_days", ["30", "abc", "30", "30", "30"])))
    assert "rus_halt_days: line 3: 'abc' is not a number" in msg


@pytest.mark.parametrize("content", ["", "\n\n", "draw_id,weight,rus_strike_rate\n"])
def test_posterior_empty(tmp_path, content):
    path = tmp_path / "posterior.csv"
    path.write_text(content)
    assert "no draws" in posterior_error(path) or "empty" in posterior_error(path)


def test_posterior_weights(tmp_path):
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("weight", ["0.5", "-0.1", "0.2", "0.2", "0.2"])))
    assert "weight: line 3: -0.1 is negative" in msg
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("weight", ["0"] * 5)))
    assert "weight: the weights sum to 0" in msg


def test_posterior_value_outside_the_documented_range(tmp_path):
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("rus_strike_rate", ["10", "10", "900", "10", "10"])))
    assert "rus_strike_rate: line 4: 900 is outside its range [5, 80]" in msg


def test_posterior_draw_ids_and_ragged_rows(tmp_path):
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("draw_id", ["0", "1", "1", "3", "4"])))
    assert "draw_id: line 4: 1 is repeated" in msg
    msg = posterior_error(posterior(tmp_path, lambda f: f.__setitem__("draw_id", ["0", "1", "x", "3", "4"])))
    assert "draw_id: line 4: 'x' is not an integer" in msg
    path = posterior(tmp_path)
    path.write_text(path.read_text() + "7,0.1\n")
    assert "line 7: 2 fields" in posterior_error(path)


# --------------------------------------------------------------------------- article ingest
def corpus(tmp_path: Path, published: str, name="a.txt", text=BODY):
    (tmp_path / name).write_text(text)
    (tmp_path / "manifest.csv").write_text(f"file,published\n{name},{published}\n")
    return load_corpus(tmp_path)


@pytest.mark.parametrize("published", ["2016-02-03T25:99", "2016-02-03 10:61", "2016-02-03junk", "1016-02-03",
                                       "2101-01-01"])
def test_manifest_bad_time_or_year(tmp_path, published):
    with pytest.raises(UserError) as info:
        corpus(tmp_path, published)
    msg = one_line(info)
    assert msg.startswith(f"{tmp_path / 'manifest.csv'}: line 2 (a.txt) published")


@pytest.mark.parametrize("published", ["2016-02-03", "2016-02-03T10:30", "2016-02-03 16:00:04",
                                       "2016-02-03T16:00:04Z"])
def test_manifest_good_dates(tmp_path, published):
    assert corpus(tmp_path, published).articles[0].pub_date == dt.date(2016, 2, 3)


def test_front_matter_bad_time(tmp_path):
    (tmp_path / "fm.html").write_text("---\npost_date: 2016-02-03 25:00:04\n---\n<p>" + BODY + "</p>")
    with pytest.raises(UserError) as info:
        load_corpus(tmp_path)
    assert one_line(info).startswith(f"{tmp_path / 'fm.html'}: front matter post_date")


def test_article_larger_than_the_limit(tmp_path, monkeypatch):
    assert ingest.MAX_ARTICLE_BYTES == 5 * 1024 * 1024
    monkeypatch.setattr(ingest, "MAX_ARTICLE_BYTES", 1000)
    with pytest.raises(UserError) as info:
        corpus(tmp_path, "2016-02-03", text=BODY * 20)
    msg = one_line(info)
    assert msg.startswith(f"{tmp_path / 'a.txt'}: ") and "1000 bytes" in msg


# --------------------------------------------------------------------------- fuzz
FUZZ_SEED = 20160203
SCENARIO_CASES = 1200
POSTERIOR_CASES = 800
BAD_VALUES = [
    '"x"', '""', "-1", "0", "-0.5", "1e400", "-1e400", "nan", "inf", "99999999999999999999999", "true", "[]",
    "{}", '[1, "a"]', "9999-12-01", "0001-01-01", "2016-02-30", "1979-05-27T07:32:00Z", "07:32:00",
    '"2016-01-25"', '"../../../../etc/passwd"', '"/proc/self/environ"', '"terrain"', '"\\u0000"',
    '"' + "a" * 300 + '"', "[" * 3000 + "]" * 3000, '"RUS"', '"backs"', "[[1]]",
]
JUNK = ["[", "]", '"', "=", "[[", "{", "\\", "\x00", "\n[state]\n", "\nkind = 1\n", "\udcff"]


def _mutate_toml(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        op = rng.randrange(7)
        if op == 0:  # delete a key or a header
            del lines[i]
        elif op in (1, 2) and "=" in lines[i]:  # a wrong type, huge, negative, bad date, bad path
            lines[i] = lines[i].split("=", 1)[0] + "= " + rng.choice(BAD_VALUES)
        elif op == 3:  # an unknown key
            lines.insert(i, f"zz_{rng.randrange(9)} = {rng.choice(BAD_VALUES)}")
        elif op == 4:  # broken syntax
            pos = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + rng.choice(JUNK) + lines[i][pos:]
        elif op == 5:  # a repeated line (duplicate key, duplicate block)
            lines.insert(i, lines[i])
        else:  # truncated
            return "\n".join(lines)[: rng.randrange(len(text))]
        if not lines:
            break
    return "\n".join(lines)


def test_fuzz_scenarios(tmp_path):
    rng = random.Random(FUZZ_SEED)
    cf = counterfactual(tail=FORCE + "from_date = 2016-01-27\nto_day = 20\n"
                        + "\n[parameters]\nrus_refuse_prob = 0.985\n[[schedule]]\nday = 3\nevent = \"talks_pause\"\n")
    originals = {"ep.toml": episode(), "cf.toml": cf, "terrain/t.toml": TERRAIN}
    outcomes: collections.Counter = collections.Counter()
    bad = []
    for case in range(SCENARIO_CASES):
        folder = tmp_path / f"c{case}"  # a fresh folder: the loader caches per file stamp
        (folder / "terrain").mkdir(parents=True)
        target = rng.choice(sorted(originals))
        for name, text in originals.items():
            text = _mutate_toml(text, rng) if name == target else text
            (folder / name).write_bytes(text.encode("utf-8", "surrogateescape"))
        try:
            load_scenario(rng.choice(["ep", "cf"]), folder)
            outcomes["loaded"] += 1
        except UserError as err:
            msg = str(err)
            outcomes["UserError"] += 1
            if "\n" in msg or str(folder) not in msg:
                bad.append((case, target, msg[:300]))
        except Exception as err:  # noqa: BLE001 - the point: nothing else may escape
            outcomes[type(err).__name__] += 1
            bad.append((case, target, f"{type(err).__name__}: {str(err)[:300]}"))
        shutil.rmtree(folder)
    print(f"\nscenario fuzz: {SCENARIO_CASES} cases: {dict(outcomes)}")
    assert not bad, bad[:5]
    assert outcomes["loaded"] and outcomes["UserError"]


POSTERIOR_VALUES = ["", "nan", "abc", "-1", "1e400", "inf", "-inf", "1" * 400, "0x10", " ", '"', "1,2", "-0",
                    "1e-300", "1_0", "\udcff"]


def _mutate_csv(text: str, rng: random.Random) -> str:
    rows = [line.split(",") for line in text.strip("\n").split("\n")]
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(8)
        col = rng.randrange(len(rows[0]) or 1)
        if op == 0:  # a column removed
            for row in rows:
                if col < len(row):
                    del row[col]
        elif op in (1, 2) and len(rows) > 1:  # a bad cell
            row = rows[rng.randrange(1, len(rows))]
            if row:
                row[min(col, len(row) - 1)] = rng.choice(POSTERIOR_VALUES)
        elif op == 3 and len(rows) > 1:  # a row removed
            del rows[rng.randrange(len(rows))]
        elif op == 4:  # a ragged row
            rows.append(rows[-1][: rng.randrange(len(rows[-1]) + 2)])
        elif op == 5 and col < len(rows[0]):  # a header renamed or repeated
            rows[0][col] = rng.choice(rows[0] + ["zz", "", "weight"])
        elif op == 6:  # all weights zero or negative
            for row in rows[1:]:
                if len(row) > 1:
                    row[1] = rng.choice(["0", "-1"])
        else:  # truncated
            return "\n".join(",".join(r) for r in rows)[: rng.randrange(len(text))]
        if not rows:
            break
    return "\n".join(",".join(r) for r in rows) + "\n"


def test_fuzz_posterior(tmp_path):
    rng = random.Random(FUZZ_SEED)
    base = posterior(tmp_path).read_text()
    table = parameter_table()
    calibrated = {n for n, s in table.items() if s.calibrated}
    outcomes: collections.Counter = collections.Counter()
    bad = []
    path = tmp_path / "posterior.csv"
    for case in range(POSTERIOR_CASES):
        path.write_bytes(_mutate_csv(base, rng).encode("utf-8", "surrogateescape"))
        try:
            loaded = load_posterior(path)
            outcomes["loaded"] += 1
            assert math.isclose(loaded.weights.sum(), 1.0) and np.all(loaded.weights >= 0)
            assert calibrated <= set(loaded.values)
            for name, values in loaded.values.items():
                assert np.all((values >= table[name].low) & (values <= table[name].high)), name
        except UserError as err:
            msg = str(err)
            outcomes["UserError"] += 1
            if "\n" in msg or not msg.startswith(f"{path}: "):
                bad.append((case, msg[:300]))
        except Exception as err:  # noqa: BLE001 - the point: nothing else may escape
            outcomes[type(err).__name__] += 1
            bad.append((case, f"{type(err).__name__}: {str(err)[:300]}"))
    print(f"\nposterior fuzz: {POSTERIOR_CASES} cases: {dict(outcomes)}")
    assert not bad, bad[:5]
    assert outcomes["loaded"] and outcomes["UserError"]
