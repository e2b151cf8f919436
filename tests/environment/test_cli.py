"""The command-line contracts of DESIGN.md §4 for the environmental side."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.config import Settings

runner = CliRunner()


def run(settings: Settings, *args: str):
    result = runner.invoke(app, ["--db", settings.db_url, "--home", str(settings.home), *args])
    return result


def write_tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "HN_F1_NT01_20240315103000.txt").write_bytes(
        b"COD\t45,3\tmg/l\t20240315103000\t00\r\npH\t7.1\t-\t20240315103000\t01\r\n"
    )
    (root / "a" / "b" / "HN_F1_NT01_20240315103500.TXT").write_bytes(
        b"COD\t50\tmg/L\t20240315103500\t02\n"
    )
    (root / "a" / "b" / "HN_F2_NT01_20240315103500.txt").write_bytes(
        b"COD\t7\tmg/L\t20240315103500\t00\n"
    )
    (root / "a" / "b" / "notes.txt").write_bytes(b"not a TT10 file")


def test_ingest_prints_a_json_summary_last(settings: Settings, tmp_path: Path) -> None:
    write_tree(tmp_path / "in")
    result = run(settings, "env", "ingest", str(tmp_path / "in"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {
        "files": 4,
        "accepted": 3,
        "duplicates": 0,
        "corrected": 0,
        "rejected": 1,
        "observations": 4,
    }
    again = json.loads(
        run(settings, "env", "ingest", str(tmp_path / "in")).stdout.strip().splitlines()[-1]
    )
    assert (again["duplicates"], again["observations"], again["rejected"]) == (3, 0, 1)


def test_ingest_names_missing_paths(settings: Settings, tmp_path: Path) -> None:
    result = run(settings, "env", "ingest", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_export_csv_contract_and_filters(settings: Settings, tmp_path: Path) -> None:
    write_tree(tmp_path / "in")
    run(settings, "env", "ingest", str(tmp_path / "in"))
    result = run(settings, "env", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:7] == ["station", "parameter", "time", "value", "unit", "status", "flag"]
    assert [
        (r["station"], r["parameter"], r["time"], r["value"], r["unit"], r["status"]) for r in rows
    ] == [
        ("HN_F1_NT01", "COD", "2024-03-15T10:30:00+07:00", "45.3", "mg/L", "00"),
        ("HN_F1_NT01", "COD", "2024-03-15T10:35:00+07:00", "50.0", "mg/L", "02"),
        ("HN_F1_NT01", "pH", "2024-03-15T10:30:00+07:00", "7.1", "-", "01"),
        ("HN_F2_NT01", "COD", "2024-03-15T10:35:00+07:00", "7.0", "mg/L", "00"),
    ]
    assert {r["flag"] for r in rows if r["status"] == "02"} == {"4"}
    only = run(
        settings,
        "env",
        "export",
        "--station",
        "HN_F1_NT01",
        "--from",
        "2024-03-15T10:31:00",
        "--to",
        "2024-03-15T03:40:00Z",
        "--format",
        "csv",
    )
    assert [(r["parameter"], r["time"]) for r in csv.DictReader(io.StringIO(only.stdout))] == [
        ("COD", "2024-03-15T10:35:00+07:00")
    ]
    day = run(
        settings, "env", "export", "--from", "2024-03-15", "--to", "2024-03-15", "--format", "csv"
    )
    assert len(list(csv.DictReader(io.StringIO(day.stdout)))) == 4
    bad = run(settings, "env", "export", "--from", "yesterday", "--format", "csv")
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_export_xlsx_and_parquet(settings: Settings, tmp_path: Path) -> None:
    write_tree(tmp_path / "in")
    run(settings, "env", "ingest", str(tmp_path / "in"))
    xlsx, parquet = tmp_path / "out.xlsx", tmp_path / "out.parquet"
    assert run(settings, "env", "export", "--format", "xlsx", "-o", str(xlsx)).exit_code == 0
    assert run(settings, "env", "export", "--format", "parquet", "-o", str(parquet)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:7] == ("station", "parameter", "time", "value", "unit", "status", "flag")
    assert len(values) == 5 and values[1][3] == 45.3
    table = pq.read_table(parquet).to_pylist()
    assert (
        len(table) == 4
        and table[0]["time"] == "2024-03-15T10:30:00+07:00"
        and table[0]["status"] == "00"
    )
    assert run(settings, "env", "export", "--format", "xlsx").exit_code == 2  # binary needs -o


def test_station_and_account_commands(settings: Settings, tmp_path: Path) -> None:
    added = run(
        settings,
        "station",
        "add",
        "HN_F1_NT01",
        "--name",
        "Trạm 1",
        "--component",
        "wastewater",
        "--standard",
        "QCVN40_2011",
        "--column",
        "B",
        "--coefficient",
        "Kq=0.9",
        "--coefficient",
        "Kf=1.1",
    )
    assert added.exit_code == 0, added.output
    (tmp_path / "st.csv").write_text(
        "code,name,component,lat,lon,province_name\nHP_F9_KK01,Air 9,ambient_air,20.8,106.7,Hải Phòng\nbad,,,,,\n",
        "utf-8",
    )
    imported = run(settings, "station", "import", str(tmp_path / "st.csv"))
    assert json.loads(imported.stdout.strip().splitlines()[-1]) == {"stations": 1, "errors": 1}
    listed = [
        json.loads(line) for line in run(settings, "station", "list").stdout.strip().splitlines()
    ]
    assert [s["code"] for s in listed] == ["HN_F1_NT01", "HP_F9_KK01"]
    assert listed[0]["permit"] == {
        "standard": "QCVN40_2011",
        "column": "B",
        "coefficients": {"Kq": 0.9, "Kf": 1.1},
    }
    account = json.loads(
        run(settings, "account", "add", "hn1", "--station", "HN_F1_*").stdout.strip()
    )
    assert account["stations"] == ["HN_F1_*"] and len(account["password"]) >= 12
    assert "password" not in run(settings, "account", "list").stdout
    assert run(settings, "db", "upgrade").exit_code == 0


def test_settings_from_toml_and_environment(tmp_path: Path) -> None:
    from giamsat.config import load_settings

    (tmp_path / "giamsat.toml").write_text(
        'db_url = "sqlite:///x.db"\n[ftp]\nport = 2999\n[web]\nport = 9000\n', "utf-8"
    )
    s = load_settings(
        {"GIAMSAT_HOME": str(tmp_path), "GIAMSAT_WEB_PORT": "9100", "GIAMSAT_FTP_TLS": "false"}
    )
    assert (s.db_url, s.ftp_port, s.web_port, s.ftp_tls, s.home) == (
        "sqlite:///x.db",
        2999,
        9100,
        False,
        tmp_path,
    )
