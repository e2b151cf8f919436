"""DMA and MarineCadastre CSV -> track Parquet. Headers exactly as the data sets publish them
(shared/reference/ais-anchors-aton.md section 5); rows written for this test."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.maritime.importers import TRACK_SCHEMA, detect, import_csv

DMA_HEADER = ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,"
              "Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,"
              "Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D")  # fmt: skip
DMA_ROWS = [
    "01/03/2024 00:00:01,Class A,219000001,55.676100,12.568300,Under way using engine,0.0,12.3,"
    "215.4,214,Unknown,OXAB2,NORD STAR,Cargo,,20,120,GPS,6.5,AARHUS,02/03/2024 08:00:00,AIS,100,20,10,10",
    "01/03/2024 00:00:01,Class A,219000001,55.676100,12.568300,Under way using engine,0.0,12.3,"
    "215.4,214,Unknown,OXAB2,NORD STAR,Cargo,,20,120,GPS,6.5,AARHUS,02/03/2024 08:00:00,AIS,100,20,10,10",
    "01/03/2024 00:00:05,Class B,219000002,91.000000,181.000000,Unknown value,,0.0,,,"
    "Unknown,,,Undefined,,,,Undefined,,Unknown,,AIS,,,,",
    "01/03/2024 00:00:07,AtoN,992191000,56.100000,10.300000,Unknown value,,,,,"
    "Unknown,,BUOY 7,Undefined,,,,Surveyed,,Unknown,,AIS,,,,",
    "31/02/2024 99:00:07,Class A,219000003,56.1,10.3,Moored,,0,0,0,,,,,,,,,,,,AIS,,,,",
]
NOAA_HEADER = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,"
               "Status,Length,Width,Draft,Cargo,TransceiverClass")  # fmt: skip
NOAA_ROWS = [
    "367000001,2023-01-01T00:00:03,29.95,-90.07,5.2,181.3,511,RIVER QUEEN,IMO9123456,WDA1234,"
    "31,0,30.0,10.0,3.2,31,A",
    "338000002,2023-01-01T00:00:09,47.6,-122.3,0.1,360.0,90,,,,37,15,,,,,B",
]
CSV2_HEADER = ("mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,"
               "vessel_type,status,length,width,draft,cargo,transceiver")  # fmt: skip


def test_detect_by_header() -> None:
    assert detect(DMA_HEADER.split(",")) == "dma"
    assert detect(NOAA_HEADER.split(",")) == "noaa"
    assert detect(CSV2_HEADER.split(",")) == "noaa"
    with pytest.raises(ValueError):
        detect(["a", "b"])


def test_dma_import(tmp_path: Path) -> None:
    path = tmp_path / "aisdk-2024-03-01.csv"
    path.write_text("\n".join([DMA_HEADER, *DMA_ROWS]) + "\n")
    result = import_csv([path])
    assert result.summary() == {"rows": 5, "tracks": 3, "duplicates": 1, "rejected": 1}
    assert "line 6" in result.problems[0]
    rows = result.table.to_pylist()
    ship, class_b, aton = rows
    assert ship["time"] == 1709251201 and ship["mmsi"] == 219000001
    assert (ship["nav_status"], ship["ship_type"], ship["length"], ship["width"]) == (
        0,
        70,
        120.0,
        20.0,
    )
    assert ship["heading"] == 214 and ship["station"] == "A" and ship["source"] == "dma"
    assert class_b["lat"] is None and class_b["lon"] is None and class_b["nav_status"] == 15
    assert aton["station"] == "aton" and aton["name"] == "BUOY 7" and aton["imo"] is None


def test_noaa_classic_and_csv2(tmp_path: Path) -> None:
    classic = tmp_path / "AIS_2023_01_01.csv"
    classic.write_text("\n".join([NOAA_HEADER, *NOAA_ROWS]) + "\n")
    csv2 = tmp_path / "ais-2025-01-01.csv.gz"
    with gzip.open(csv2, "wt") as fh:
        fh.write(
            CSV2_HEADER + "\n367000001,2025-01-01 00:00:03,-90.07,29.95,5.2,181.3,180,"
            "RIVER QUEEN,IMO9123456,WDA1234,31,0,30,10,3.2,31,A\n"
        )
    rows = import_csv([classic, csv2]).table.to_pylist()
    first, second, third = rows
    assert first["imo"] == 9123456 and first["heading"] is None and first["ship_type"] == 31
    assert (first["lat"], first["lon"], first["station"]) == (29.95, -90.07, "A")
    assert second["station"] == "B" and second["nav_status"] == 15 and second["name"] is None
    assert (third["lat"], third["lon"], third["heading"]) == (29.95, -90.07, 180)


def test_cli_import_writes_track_parquet(tmp_path: Path) -> None:
    path = tmp_path / "aisdk.csv"
    path.write_text("\n".join([DMA_HEADER, *DMA_ROWS]) + "\n")
    out = tmp_path / "tracks.parquet"
    result = CliRunner().invoke(app, ["ais", "import", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["tracks"] == 3
    table = pq.read_table(out)
    assert table.schema == TRACK_SCHEMA and table.num_rows == 3
