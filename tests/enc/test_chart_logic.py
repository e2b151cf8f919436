"""Best-scale resolution, AtoN extraction and display rules against GDAL's own reading."""

from __future__ import annotations

import gzip
import math

import mapbox_vector_tile
import pyogrio
import shapely
from shapely.geometry import shape

from giamsat.maritime.enc.aton import atons_from_file
from giamsat.maritime.enc.compose import CellSource, TileComposer, lonlat_to_tile_xy
from giamsat.maritime.enc.portrayal import light_description
from giamsat.maritime.enc.style import effective_safety_contour
from tests.enc.conftest import CHART1, NOAA


def test_larger_scale_cell_wins_inside_its_coverage(imported_library) -> None:
    rows = imported_library.cells()
    sources = [CellSource.from_row(r, imported_library.tiles_path(r)) for r in rows]
    composer = TileComposer(sources)
    harbour = next(r for r in rows if r["name"] == "AA5C1HIO")
    lon = (harbour["west"] + harbour["east"]) / 2
    lat = (harbour["south"] + harbour["north"]) / 2
    z = 12
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    layer = mapbox_vector_tile.decode(
        gzip.decompress(composer.tile(z, x, y)), default_options={"y_coord_down": True}
    )["enc"]
    cells = {f["properties"]["_cell"] for f in layer["features"]}
    assert "AA5C1HIO" in cells and "AA4C1XMS" in cells
    # coverage of the band-5 cells, in this tile's coordinates
    band5 = shapely.union_all(
        [shape(r["coverage"]) for r in rows if r["usage_band"] == 5 and r["coverage"]]
    )
    cov = shapely.transform(
        band5,
        lambda c: __import__("numpy").column_stack(lonlat_to_tile_xy(c[:, 0], c[:, 1], z, x, y)),
    )
    inner = cov.buffer(-20)  # a margin for quantisation
    for f in layer["features"]:
        if f["properties"]["_cell"] == "AA4C1XMS":
            geom = shape(f["geometry"])
            assert not inner.contains(geom), "approach-cell feature drawn under a harbour cell"


def test_atons_cover_every_buoy_beacon_and_light() -> None:
    cell = NOAA / "US4MD81M.000"
    atons = atons_from_file(cell)
    for cls in ("BOYLAT", "BOYSAW", "BOYSPP", "BCNLAT", "BCNSPP"):
        assert (
            sum(a["class"] == cls for a in atons) == pyogrio.read_info(cell, layer=cls)["features"]
        )
    _, lights_table = pyogrio.raw.read_arrow(cell, layer="LIGHTS", columns=["LNAM"])
    charted = set(lights_table["LNAM"].to_pylist())
    attached = [lt["lnam"] for a in atons for lt in a["lights"]]
    assert sorted(attached) == sorted(charted)
    cardinal = [a for a in atons_from_file(CHART1 / "AA4C1XMS.000") if a["class"] == "BOYCAR"]
    assert len(cardinal) == 4 and {a["category"] for a in cardinal} <= {
        "north",
        "east",
        "south",
        "west",
    }


def test_light_description_and_safety_contour_choice() -> None:
    text = light_description(
        {"LITCHR": 2, "SIGGRP": "(2)", "COLOUR": "3", "SIGPER": 5.0, "HEIGHT": 12.0, "VALNMR": 8.0}
    )
    assert text == "Fl(2) R 5s 12m 8M"
    assert light_description({"LITCHR": 8, "COLOUR": "1,3", "SIGPER": 4.0}) == "Oc WR 4s"
    assert effective_safety_contour([0, 2, 5, 10, 20], 6) == 10
    assert effective_safety_contour([0, 2, 5], 6) is None
