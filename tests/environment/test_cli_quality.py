"""The command line: `giamsat env aqi` (DESIGN.md §4 contract) and the quality commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from giamsat.cli import app

from .tt10_helpers import local, series_files

runner = CliRunner()
NOWCAST = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, rows: list[tuple]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["station", "time", "parameter", "value"])
        w.writerows(rows)
    return path


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_hourly_worked_example(tmp_path: Path) -> None:
    rows = [
        ("S1", f"2024-03-15T{9 + i:02d}:00:00+07:00", "PM2.5", v) for i, v in enumerate(NOWCAST)
    ]
    rows += [("S1", "2024-03-15 20:00", "O3", 136.1), ("S1", "2024-03-15 20:00", "NO2", 118.7)]
    rows += [("S1", "2024-03-15 20:00", "Temp", 31)]  # not an AQI pollutant: ignored, reported
    code, out, err = run(
        "env", "aqi", "--input", str(write_csv(tmp_path / "h.csv", rows)), "--format", "csv"
    )
    assert code == 0, err
    assert out.splitlines()[0] == "station,time,aqi,dominant"
    got = table(out)
    assert [r["time"][11:16] for r in got] == [f"{h:02d}:00" for h in range(10, 21)]
    assert got[-1] == {
        "station": "S1",
        "time": "2024-03-15T20:00:00+07:00",
        "aqi": "59",
        "dominant": "NO2",
    }
    assert "Temp" in err


def test_nowcast_hour_without_its_own_value_and_no_pm_no_aqi(tmp_path: Path) -> None:
    rows = [("S1", "2024-03-15T10:00", "PM10", 100), ("S1", "2024-03-15T11:00", "PM10", 100),
            ("S1", "2024-03-15T12:00", "NO2", 10),  # PM10 missing at 12:00: c2, c3 present
            ("S1", "2024-03-15T13:00", "NO2", 10),  # only c3 … c4: not computable
            ("S2", "2024-03-15T10:00", "O3", 300), ("S2", "2024-03-15T11:00", "O3", 300)]  # fmt: skip
    code, out, _ = run(
        "env", "aqi", "--input", str(write_csv(tmp_path / "g.csv", rows)), "--format", "csv"
    )
    assert code == 0
    assert [(r["station"], r["time"][11:16], r["aqi"], r["dominant"]) for r in table(out)] == [
        ("S1", "11:00", "75", "PM10"),
        ("S1", "12:00", "75", "PM10"),
    ]


def test_daily(tmp_path: Path) -> None:
    rows = []
    for h in range(1, 25):  # labels 01:00 … 24:00 of 15 March
        t = f"2024-03-15 {h:02d}:00" if h < 24 else "2024-03-15 24:00"
        rows.append(("S1", t, "PM2.5", 55.7))
        rows.append(("S1", t, "NO2", 130.8 if h == 14 else 40))
        rows.append(("S1", t, "O3", 114.6 if h == 12 else 30))
    for h in range(1, 18):  # 16 March: 17 hours only
        rows.append(("S1", f"2024-03-16 {h:02d}:00", "PM2.5", 80))
    code, out, err = run(
        "env",
        "aqi",
        "--input",
        str(write_csv(tmp_path / "d.csv", rows)),
        "--daily",
        "--format",
        "csv",
    )
    assert code == 0, err
    assert out.splitlines()[0] == "station,date,aqi,dominant"
    assert table(out) == [
        {"station": "S1", "date": "2024-03-15", "aqi": "110", "dominant": "PM2.5"}
    ]


def test_bad_rows_are_reported_and_skipped(tmp_path: Path) -> None:
    rows = [("S1", "2024-03-15T10:00", "PM2.5", 30), ("S1", "2024-03-15T11:00", "PM2.5", "abc"),
            ("S1", "yesterday", "PM2.5", 30), ("S1", "2024-03-15T11:00", "PM2.5", 30),
            ("S1", "2024-03-15T12:00", "PM2.5", -5)]  # fmt: skip
    code, out, err = run(
        "env", "aqi", "--input", str(write_csv(tmp_path / "b.csv", rows)), "--format", "csv"
    )
    assert code == 0
    assert "b.csv:3: error" in err and "b.csv:4: error" in err and "negative" in err
    assert [r["time"][11:16] for r in table(out)] == ["11:00", "12:00"]
    bad = tmp_path / "nohead.csv"
    bad.write_text("a,b\n1,2\n")
    code, _, err = run("env", "aqi", "--input", str(bad), "--format", "csv")
    assert code != 0 and "station" in err


def test_real_beijing_series(tmp_path: Path, shared: Path) -> None:
    src = shared / "corpus/env/beijing_prsa/PRSA_Data_Dongsi_20130301-20170228.csv"
    cst = timezone(timedelta(hours=8))
    rows = []
    with src.open() as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            if i >= 24 * 21:
                break
            t = datetime(int(r["year"]), int(r["month"]), int(r["day"]), int(r["hour"]), tzinfo=cst)
            for p in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3"):
                rows.append(("Dongsi", (t + timedelta(hours=1)).isoformat(), p, r[p]))
    path = write_csv(tmp_path / "bj.csv", rows)
    code, out, err = run("env", "aqi", "--input", str(path), "--format", "csv")
    assert code == 0, err
    hourly = table(out)
    assert len(hourly) > 0.9 * 24 * 21
    assert all(0 <= int(r["aqi"]) <= 500 for r in hourly)
    assert {r["dominant"] for r in hourly} <= {"PM2.5", "PM10", "O3", "NO2", "SO2", "CO"}
    assert max(int(r["aqi"]) for r in hourly) > 150  # Beijing, March 2013
    code, out, _ = run("env", "aqi", "--input", str(path), "--daily", "--format", "csv")
    assert code == 0 and 18 <= len(table(out)) <= 22


@pytest.fixture
def home(tmp_path: Path) -> tuple[str, str]:
    return str(tmp_path / "home"), f"sqlite:///{tmp_path / 'cli.db'}"


def g(home: tuple[str, str], *args: str) -> tuple[int, str, str]:
    return run("--home", home[0], "--db", home[1], *args)


def test_quality_commands(tmp_path: Path, home: tuple[str, str]) -> None:
    code, out, err = g(home, "station", "add", "HN_NMA_NT01", "--standard", "QCVN40_2011",
                       "--column", "B", "--coefficient", "Kq=0.9", "--coefficient", "Kf=1.1")  # fmt: skip
    assert code == 0, err
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in series_files("HN_NMA_NT01", local("2024-03-15T10:05"), {"COD": [100] * 6 + [200] * 6}):
        (inbox / f.name).write_bytes(f.content)
    code, out, err = g(home, "env", "ingest", str(inbox))
    assert code == 0 and json.loads(out.splitlines()[-1])["accepted"] == 12
    code, out, _ = g(home, "env", "limits", "list", "--station", "HN_NMA_NT01")
    cod = [json.loads(x) for x in out.splitlines() if json.loads(x)["parameter"] == "COD"]
    assert cod[0]["max"] == 148.5
    code, out, _ = g(
        home,
        "env",
        "exceedances",
        "--station",
        "HN_NMA_NT01",
        "--from",
        "2024-03-15",
        "--to",
        "2024-03-15",
    )
    [episode] = [json.loads(x) for x in out.splitlines()]
    # the hour 10:00–11:00 averages 150 > 148.5 (raw values are compared only for "instant")
    assert (episode["peak"], episode["averaging"], episode["limit"]) == (150, "1h", 148.5)
    code, out, err = g(home, "env", "qc", "flag", "--station", "HN_NMA_NT01", "--parameter", "COD",
                       "--from", "2024-03-15T10:30", "--to", "2024-03-15T11:00", "--flag", "4",
                       "--reason", "analyser drift", "--by", "qa.officer")  # fmt: skip
    assert code == 0, err
    override = json.loads(out)["override"]
    code, out, _ = g(home, "env", "qc", "show", "--station", "HN_NMA_NT01", "--parameter", "COD",
                     "--from", "2024-03-15", "--to", "2024-03-15")  # fmt: skip
    shown = [json.loads(x) for x in out.splitlines()]
    assert len(shown) == 7 and all(r["flag"] == 4 and r["tests"] == ["manual"] for r in shown)
    code, out, _ = g(
        home, "env", "qc", "unflag", str(override), "--reason", "wrong line", "--by", "qa.lead"
    )
    assert code == 0
    code, out, _ = g(
        home, "env", "qc", "rerun", "--from", "2024-03-15", "--to", "2024-03-15", "--by", "ops"
    )
    assert json.loads(out)["points"] >= 12
    code, out, _ = g(home, "env", "completeness", "--station", "HN_NMA_NT01", "--from", "2024-03-15",
                     "--to", "2024-03-15", "--format", "csv")  # fmt: skip
    [row] = table(out)
    # expected slots run from the channel's first value (10:05) to the end of the day
    assert row["observed_count"] == "12" and row["expected_count"] == str(14 * 12)
    code, out, _ = g(
        home, "env", "completeness", "--below-target", "--from", "2024-03-15", "--to", "2024-03-15"
    )
    assert json.loads(out.splitlines()[0])["station"] == "HN_NMA_NT01"
    code, out, _ = g(home, "env", "status")
    summary = json.loads(out.splitlines()[-1])
    assert summary["total"] == 1 and summary["connected"] == 1
    code, out, _ = g(
        home, "env", "limits", "set", "QCVN40_2011", "B", "COD", "--max", "120", "--by", "admin"
    )
    assert code == 0
    code, out, _ = g(home, "env", "limits", "list", "--station", "HN_NMA_NT01")
    assert [
        json.loads(x)["max"] for x in out.splitlines() if json.loads(x)["parameter"] == "COD"
    ] == [118.8]
    code, out, _ = g(home, "env", "check")
    assert json.loads(out) == {"silence": {"opened": 0, "resolved": 0}}
