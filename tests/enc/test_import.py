"""`giamsat enc import|list|remove` on real cells, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyogrio
import pytest
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.config import Settings
from giamsat.maritime.enc.catalog import ChartLibrary
from tests.enc.conftest import CHART1, NOAA

runner = CliRunner()


def gdal_counts(cell: Path, **options: str) -> dict[str, int]:
    """Feature counts per object class, computed straight from GDAL (independent of our code)."""
    counts = {}
    for name, _ in pyogrio.list_layers(cell):
        if name != "DSID":
            counts[str(name)] = len(
                pyogrio.raw.read(
                    cell, layer=name, read_geometry=False, return_fids=True, **options
                )[1]
            )
    return counts


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For tests whose subject is the update chain, not the database back end (they are slow)."""
    return Settings(home=tmp_path / "home", db_url=f"sqlite:///{tmp_path / 'g.db'}")


def run(settings: Settings, *args: str):
    return runner.invoke(
        app, ["--db", settings.resolved_db_url, "--home", str(settings.home), "enc", *args]
    )


def summary(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_noaa_cell_with_updates_reports_gdal_counts(store, settings, corpus) -> None:
    result = run(settings, "import", str(NOAA / "US4MD81M.000"))
    assert result.exit_code == 0, result.output
    [cell] = summary(result)["cells"]
    assert (cell["name"], cell["edition"], cell["update"]) == ("US4MD81M", 31, 3)
    assert cell["features"] == gdal_counts(NOAA / "US4MD81M.000")
    # the updates really are applied: GDAL without them reads fewer soundings and wrecks
    ignored = gdal_counts(NOAA / "US4MD81M.000", UPDATES="IGNORE")
    assert (ignored["SOUNDG"], ignored["WRECKS"]) == (52, 110)
    assert (cell["features"]["SOUNDG"], cell["features"]["WRECKS"]) == (56, 111)
    row = ChartLibrary(store, settings.home).get("US4MD81M")
    assert row["usage_band"] == 4 and row["compilation_scale"] == 80000
    assert row["issue_date"] == "20250923" and row["update_number"] == 3
    assert -76.6 < row["west"] < row["east"] < -76.0 and 38.3 < row["south"] < row["north"] < 39.1
    assert row["coverage"]["type"] in ("Polygon", "MultiPolygon")
    assert (settings.home / row["path"] / "US4MD81M.pmtiles").stat().st_size > row["tile_bytes"] > 0
    listed = run(settings, "list")
    assert "US4MD81M" in listed.stdout and "edition 31" in listed.stdout


def test_exchange_set_imports_every_chart1_cell(store, settings, corpus) -> None:
    result = run(settings, "import", str(CHART1 / "CATALOG.031"))
    assert result.exit_code == 0, result.output
    cells = {c["name"]: c for c in summary(result)["cells"]}
    on_disk = sorted(p.stem for p in CHART1.glob("*.000"))
    assert sorted(cells) == on_disk and len(on_disk) == 14
    assert cells["AA4C1XMS"]["features"] == gdal_counts(CHART1 / "AA4C1XMS.000")
    assert cells["AA4C1XMS"]["features"]["BOYCAR"] == 4
    again = run(settings, "import", str(CHART1))
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert len(summary(again)["cells"]) == 14


def test_updates_can_arrive_after_the_base_cell(sqlite_settings, corpus, tmp_path) -> None:
    settings = sqlite_settings
    base_only = tmp_path / "base"
    base_only.mkdir()
    shutil.copy(NOAA / "US4MD81M.000", base_only)
    first = run(settings, "import", str(base_only / "US4MD81M.000"))
    assert summary(first)["cells"][0]["update"] == 0
    updates = [str(NOAA / f"US4MD81M.00{n}") for n in (1, 2, 3)]
    second = run(settings, "import", *updates)
    assert second.exit_code == 0, second.output
    [cell] = summary(second)["cells"]
    assert cell["update"] == 3
    assert cell["features"] == gdal_counts(NOAA / "US4MD81M.000")


def test_a_missing_update_stops_the_chain_and_says_so(sqlite_settings, corpus, tmp_path) -> None:
    settings = sqlite_settings
    folder = tmp_path / "gap"
    folder.mkdir()
    for ext in ("000", "001", "003"):
        shutil.copy(NOAA / f"US4MD81M.{ext}", folder)
    result = run(settings, "import", str(folder))
    assert result.exit_code == 1
    assert "update 2 is missing" in result.stderr
    [cell] = summary(result)["cells"]
    assert cell["update"] == 1


def test_damaged_file_is_rejected_by_the_catalogue_crc(store, settings, corpus, tmp_path) -> None:
    root = tmp_path / "ENC_ROOT"
    shutil.copytree(CHART1, root)
    data = bytearray((root / "AA5C1AB1.000").read_bytes())
    data[-10] ^= 0xFF
    (root / "AA5C1AB1.000").write_bytes(bytes(data))
    result = run(settings, "import", str(root / "CATALOG.031"))
    assert result.exit_code == 1
    assert "AA5C1AB1.000: CRC32" in result.stderr
    names = [c["name"] for c in summary(result)["cells"]]
    assert "AA5C1AB1" not in names and len(names) == 13
    assert ChartLibrary(store, settings.home).get("AA5C1AB1") is None


def test_remove_deletes_files_and_row(store, settings, corpus) -> None:
    run(settings, "import", str(CHART1 / "AA5C1AB1.000"))
    library = ChartLibrary(store, settings.home)
    assert library.cell_dir("AA5C1AB1").is_dir()
    result = run(settings, "remove", "AA5C1AB1")
    assert result.exit_code == 0 and "removed AA5C1AB1" in result.stdout
    assert library.get("AA5C1AB1") is None and not library.cell_dir("AA5C1AB1").exists()
    missing = run(settings, "remove", "AA5C1AB1")
    assert missing.exit_code == 1 and "no such cell" in missing.stderr


def test_bad_paths_get_clear_errors(store, settings, tmp_path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = run(settings, "import", str(junk), str(tmp_path / "nope.000"))
    assert result.exit_code == 1
    assert "not an S-57 cell" in result.stderr and "no such file" in result.stderr
    assert summary(result) == {"cells": []}
