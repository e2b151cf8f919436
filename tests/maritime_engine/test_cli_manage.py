"""``giamsat ais atons|zones|zonelog|track`` on both back ends."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.maritime import scenario
from tests.maritime_engine.conftest import fill
from tests.maritime_engine.helpers import T0


def _run(settings: Settings, *args: str, code: int = 0):
    result = CliRunner().invoke(app, ["--db", settings.resolved_db_url, "--home",
                                      str(settings.home), *args])  # fmt: skip
    assert result.exit_code == code, result.stderr
    return result


def test_registry_zones_and_exports(store: Store, settings: Settings, tmp_path: Path) -> None:
    atons = tmp_path / "atons.csv"
    atons.write_text("mmsi,name,lat,lon,radius_m,area\n"
                     + "".join(f"{b.mmsi},{b.name},{b.lat},{b.lon},50,{b.area}\n" for b in scenario.BUOYS),
                     encoding="utf-8")  # fmt: skip
    summary = json.loads(
        _run(settings, "ais", "atons", "import", str(atons)).stdout.splitlines()[-1]
    )
    assert summary["created"] == len(scenario.BUOYS)
    zones = tmp_path / "zones.geojson"
    zones.write_text(json.dumps(scenario.ZONES), encoding="utf-8")
    summary = json.loads(
        _run(settings, "ais", "zones", "import", str(zones)).stdout.splitlines()[-1]
    )
    assert summary["created"] == len(scenario.ZONES["features"])

    lines = scenario.scenario_lines(T0, 600)
    fill(settings, store, lines)

    exported = json.loads(_run(settings, "ais", "zones", "export").stdout)
    assert [f["properties"]["name"] for f in exported["features"]] == [
        f["properties"]["name"] for f in scenario.ZONES["features"]
    ]
    exported["features"] = exported["features"][:2]
    (tmp_path / "two.geojson").write_text(json.dumps(exported))
    summary = json.loads(
        _run(settings, "ais", "zones", "import", "--replace", str(tmp_path / "two.geojson")).stdout
    )
    assert (summary["updated"], summary["removed"]) == (2, len(scenario.ZONES["features"]) - 2)

    rows = list(csv.DictReader(io.StringIO(_run(settings, "ais", "atons", "list", "--format",
                                                "csv").stdout)))  # fmt: skip
    assert {int(r["mmsi"]): r["status"] for r in rows}[scenario.SILENT] == "lost"

    text = _run(settings, "ais", "zonelog", "--from", str(T0), "--to", str(T0 + 600)).stdout
    assert "HP 90123 TS" in text and "lượt / entries" in text
    out = tmp_path / "log.xlsx"
    done = json.loads(_run(settings, "ais", "zonelog", "--format", "xlsx", "-o", str(out)).stdout)
    assert openpyxl.load_workbook(out).active.max_row == done["rows"] + 1

    window = ["--from", str(T0), "--to", str(T0 + 600)]
    points = list(csv.DictReader(io.StringIO(
        _run(settings, "ais", "track", str(scenario.SPEEDER), *window).stdout)))  # fmt: skip
    assert len(points) > 10 and {p["mmsi"] for p in points} == {str(scenario.SPEEDER)}
    gpx = ET.fromstring(_run(settings, "ais", "track", str(scenario.SPEEDER), *window, "--format",
                             "gpx").stdout)  # fmt: skip
    assert len(gpx.findall(".//{http://www.topografix.com/GPX/1/1}trkpt")) == len(points)
    geo = json.loads(_run(settings, "ais", "track", "574001001", str(scenario.SPEEDER), *window,
                          "--format", "geojson").stdout)  # fmt: skip
    assert {f["properties"]["mmsi"] for f in geo["features"]} == {574001001, scenario.SPEEDER}
    _run(settings, "ais", "track", "--format", "xlsx", "574001001", code=2)  # binary needs -o
    bad = tmp_path / "bad.csv"
    bad.write_text("mmsi,name\nabc,x\n")
    assert "bad.csv:2" in _run(settings, "ais", "atons", "import", str(bad), code=2).stderr
