"""Light sectors: arcs and limit legs from SECTR1/SECTR2, checked against pyproj and a real cell."""

from __future__ import annotations

import random

import mapbox_vector_tile
import pyarrow.compute as pc
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyproj import Geod

from giamsat.maritime.enc.reader import read_cell
from giamsat.maritime.enc.sectors import SECTOR_CLASS, sector_lines, sector_radius_m
from giamsat.maritime.enc.tiles import display_table
from giamsat.web.enc import EncService, router
from tests.enc.conftest import NOAA
from tests.enc.test_web import tile_xy

GEOD = Geod(ellps="WGS84")


def _bearing_from(lon: float, lat: float, point: tuple[float, float]) -> float:
    forward, _, _ = GEOD.inv(lon, lat, *point)
    return forward % 360.0


def _distance(lon: float, lat: float, point: tuple[float, float]) -> float:
    return GEOD.inv(lon, lat, *point)[2]


def _angle_diff(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def test_arcs_and_legs_lie_where_the_bearings_say() -> None:
    """200 random lights and sectors: every arc vertex at the radius (±0.1 %), legs pointing out
    to sea at SECTR + 180°, the arc running clockwise from one leg to the other."""
    rng = random.Random(11)
    for _ in range(200):
        lon, lat = rng.uniform(-180, 180), rng.uniform(-70, 70)
        s1, s2 = rng.uniform(0, 360), rng.uniform(0, 360)
        radius = sector_radius_m(rng.choice([8_000, 22_000, 80_000, 350_000]))
        arc, leg1, leg2 = sector_lines(lon, lat, s1, s2, radius)
        for point in arc:
            assert _distance(lon, lat, point) == pytest.approx(radius, rel=0.001)
        assert _angle_diff(_bearing_from(lon, lat, leg1[1]), s1 + 180) < 0.5
        assert _angle_diff(_bearing_from(lon, lat, leg2[1]), s2 + 180) < 0.5
        assert _angle_diff(_bearing_from(lon, lat, arc[0]), s1 + 180) < 0.5
        assert _angle_diff(_bearing_from(lon, lat, arc[-1]), s2 + 180) < 0.5
        sweep = (s2 - s1) % 360
        middle = arc[len(arc) // 2]  # clockwise: the middle is half the sweep past the start
        assert _angle_diff(_bearing_from(lon, lat, middle), s1 + 180 + sweep / 2) < 2.5


def test_equal_limits_are_an_all_round_light() -> None:
    arc, _, _ = sector_lines(106.7, 20.8, 90.0, 90.0, 1_000.0)
    assert _distance(106.7, 20.8, arc[0]) == pytest.approx(_distance(106.7, 20.8, arc[-1]))
    assert len(arc) > 170 and _distance(arc[0][0], arc[0][1], arc[-1]) < 1.0  # closed circle


@pytest.fixture(scope="module")
def noaa_sectors():
    if not NOAA.is_dir():
        pytest.skip("../shared/corpus/enc is not present")
    cell = read_cell(NOAA / "US4MD81M.000")
    table, _ = display_table(cell)
    lights = table.filter(
        pc.and_(pc.equal(table["OBJNAME"], "LIGHTS"), pc.is_valid(table["SECTR1"]))
    )
    sectors = table.filter(pc.equal(table["OBJNAME"], SECTOR_CLASS))
    return cell, lights, sectors


def test_the_noaa_sector_light_gets_an_arc_per_sector(noaa_sectors) -> None:
    """US4MD81M has one light with four sectors (white and red) that together go all round."""
    cell, lights, sectors = noaa_sectors
    assert lights.num_rows == 4
    arcs = sectors.filter(pc.equal(sectors["_part"], "arc"))
    legs = sectors.filter(pc.equal(sectors["_part"], "leg"))
    assert arcs.num_rows == 4 and legs.num_rows == 8
    radius = sector_radius_m(cell.compilation_scale)
    by_lnam = {r["LNAM"]: r for r in lights.to_pylist()}
    sweep_total = 0.0
    for row, geometry in zip(
        arcs.to_pylist(), shapely.from_wkb(arcs["geometry"].to_pylist()), strict=True
    ):
        light = by_lnam[row["LNAM"]]
        centre = shapely.from_wkb(light["geometry"])
        coords = list(geometry.coords)
        assert _distance(centre.x, centre.y, coords[0]) == pytest.approx(radius, rel=0.001)
        assert (
            _angle_diff(_bearing_from(centre.x, centre.y, coords[0]), light["SECTR1"] + 180) < 0.5
        )
        assert (
            _angle_diff(_bearing_from(centre.x, centre.y, coords[-1]), light["SECTR2"] + 180) < 0.5
        )
        assert row["_col"] == {"1": "LITYW", "3": "LITRD"}[light["COLOUR"]]
        assert row["_minz"] == light["_minz"]
        sweep_total += (light["SECTR2"] - light["SECTR1"]) % 360
    assert sweep_total == pytest.approx(360.0)


def test_sectors_reach_the_tiles_and_the_style(imported_library, noaa_sectors) -> None:
    app = FastAPI()
    app.state.enc = EncService(imported_library)
    app.include_router(router, prefix="/api/v1/enc")
    client = TestClient(app)
    _, lights, _ = noaa_sectors
    centre = shapely.from_wkb(lights["geometry"][0].as_py())
    x, y = tile_xy(centre.x, centre.y, 12)
    seen: set[tuple[str, str]] = set()
    for dx in (-1, 0, 1):  # a 2 km arc may cross into the next tile
        for dy in (-1, 0, 1):
            r = client.get(f"/api/v1/enc/tiles/12/{x + dx}/{y + dy}.pbf")
            if r.status_code == 200:
                for f in mapbox_vector_tile.decode(r.content)["enc"]["features"]:
                    props = f["properties"]
                    if props["OBJNAME"] == SECTOR_CLASS:
                        seen.add((props["LNAM"], props["_part"]))
    assert {lnam for lnam, part in seen if part == "arc"} == set(lights["LNAM"].to_pylist())
    assert {lnam for lnam, part in seen if part == "leg"} == set(lights["LNAM"].to_pylist())
    style = client.get("/api/v1/enc/style.json?scheme=NIGHT").json()
    by_id = {layer["id"]: layer for layer in style["layers"]}
    ids = [layer["id"] for layer in style["layers"]]
    assert ids.index("enc-light-sectors") < ids.index("enc-lights")  # under the light symbols
    colour = by_id["enc-light-sectors"]["paint"]["line-color"]
    assert colour[0] == "match" and colour[3] != colour[5]  # red and green differ
    assert by_id["enc-light-sector-legs"]["paint"]["line-dasharray"]
