"""The ENC router in-process: cells, composite tiles, styles, sprites, symbols, AtoNs."""

from __future__ import annotations

import gzip
import json
import math

import mapbox_vector_tile
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from giamsat.web.enc import EncService, router


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    lat_r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(lat_r)) / math.pi) / 2 * n)


@pytest.fixture(scope="module")
def client(imported_library) -> TestClient:
    app = FastAPI()
    app.state.enc = EncService(imported_library)
    app.include_router(router, prefix="/api/v1/enc")
    return TestClient(app)


def test_cell_list(client: TestClient) -> None:
    body = client.get("/api/v1/enc/cells").json()
    names = [c["name"] for c in body["cells"]]
    assert "US4MD81M" in names and "AA4C1XMS" in names and len(names) == 15
    noaa = next(c for c in body["cells"] if c["name"] == "US4MD81M")
    assert noaa["update_number"] == 3 and noaa["usage_band"] == 4 and noaa["tile_bytes"] > 0
    assert client.get("/api/v1/enc/cells/NOPE").status_code == 404


def test_tiles_have_type_caching_and_features(client: TestClient) -> None:
    version = client.get("/api/v1/enc/cells").json()["version"]
    x, y = tile_xy(-76.43, 38.94, 11)
    r = client.get(f"/api/v1/enc/tiles/11/{x}/{y}.pbf?v={version}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-protobuf"
    assert r.headers["content-encoding"] == "gzip"
    assert "immutable" in r.headers["cache-control"]
    layer = mapbox_vector_tile.decode(r.content)["enc"]
    classes = {f["properties"]["OBJNAME"] for f in layer["features"]}
    assert {"DEPARE", "BOYLAT", "LIGHTS", "SOUNDG"} <= classes
    depths = [
        f["properties"]["DEPTH"]
        for f in layer["features"]
        if f["properties"]["OBJNAME"] == "SOUNDG"
    ]
    assert depths and all(isinstance(d, int | float) and 0 <= d < 50 for d in depths)
    buoy = next(f for f in layer["features"] if f["properties"]["OBJNAME"] == "BOYLAT")
    assert buoy["properties"]["_sym"].startswith("boy-")
    again = client.get(
        f"/api/v1/enc/tiles/11/{x}/{y}.pbf", headers={"If-None-Match": r.headers["etag"]}
    )
    assert again.status_code == 304
    assert client.get("/api/v1/enc/tiles/11/0/0.pbf").status_code == 204  # nothing charted there
    assert client.get("/api/v1/enc/tiles/3/9/0.pbf").status_code == 404  # not a tile


def test_overzoomed_tile_still_draws_the_cell(client: TestClient) -> None:
    x, y = tile_xy(-76.43, 38.94, 15)  # US4MD81M tiles stop at z12
    r = client.get(f"/api/v1/enc/tiles/15/{x}/{y}.pbf")
    assert r.status_code == 200
    feats = mapbox_vector_tile.decode(r.content)["enc"]["features"]
    assert feats and all(f["properties"]["_cell"] == "US4MD81M" for f in feats)


def test_style_per_scheme_category_and_settings(client: TestClient) -> None:
    day = client.get("/api/v1/enc/style.json").json()
    night = client.get(
        "/api/v1/enc/style.json?scheme=NIGHT&category=all&safety_contour=5&soundings=false"
    ).json()
    assert day["version"] == 8 and day["sources"]["enc"]["tiles"][0].startswith("http")
    assert day["sprite"].endswith("/sprites/DAY") and night["sprite"].endswith("/sprites/NIGHT")
    bg = lambda s: next(lyr for lyr in s["layers"] if lyr["id"] == "enc-background")["paint"]  # noqa: E731
    assert bg(day)["background-color"] != bg(night)["background-color"]
    by_id = {lyr["id"]: lyr for lyr in night["layers"]}
    assert by_id["enc-soundings"]["layout"]["visibility"] == "none"
    assert by_id["enc-depth-contours"]["layout"]["visibility"] == "visible"
    assert {lyr["metadata"]["giamsat:group"] for lyr in night["layers"]} >= {
        "depths",
        "aids",
        "lights",
        "land",
    }
    base = {
        lyr["id"]: lyr
        for lyr in client.get("/api/v1/enc/style.json?category=base").json()["layers"]
    }
    assert base["enc-buoys"]["layout"]["visibility"] == "none"
    assert base["enc-safety-contour"]["layout"]["visibility"] == "visible"
    # the safety contour of 5 m falls on the next deeper contour US4MD81M has (5.4 m)
    assert night["metadata"]["giamsat:safety_contour_by_cell"]["US4MD81M"] == 5.4
    assert client.get("/api/v1/enc/style.json?scheme=NOON").status_code == 422
    assert (
        client.get("/api/v1/enc/style.json?shallow_contour=20&safety_contour=10").status_code == 422
    )


def test_sprites_and_symbols(client: TestClient) -> None:
    index = client.get("/api/v1/enc/sprites/DAY.json").json()
    cells = client.get("/api/v1/enc/cells").json()["cells"]
    assert "danger" in index and any(k.startswith("boy-") for k in index)
    png = client.get("/api/v1/enc/sprites/NIGHT@2x.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert client.get("/api/v1/enc/sprites/NIGHT@2x.json").json()["danger"]["pixelRatio"] == 2
    svg = client.get("/api/v1/enc/symbols/boy-conical-4-0.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text
    assert len(cells) == 15


def test_atons_geojson(client: TestClient) -> None:
    body = client.get("/api/v1/enc/atons?cell=US4MD81M").json()
    kinds = {f["properties"]["class"] for f in body["features"]}
    assert {"BOYLAT", "BCNLAT"} <= kinds
    lit = next(
        f for f in body["features"] if f["properties"]["name"] == "Annapolis Harbor Lighted Buoy 2"
    )
    assert lit["properties"]["lights"][0]["description"].startswith("Fl R 2.5s")


def test_display_tables(client: TestClient) -> None:
    body = client.get("/api/v1/enc/display").json()
    assert set(body["schemes"]) == {"DAY", "DUSK", "NIGHT"}
    for palette in body["schemes"].values():
        assert {"DEPDW", "DEPMD", "DEPMS", "DEPVS", "DEPIT", "LANDA", "CHBLK"} <= set(palette)
    assert body["classes"]["DEPARE"]["category"] == "base"
    assert json.dumps(body, ensure_ascii=False).count("Phao") > 0
    assert gzip  # tiles above are gzip-encoded on the wire
