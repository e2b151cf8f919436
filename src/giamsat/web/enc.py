"""ENC router (mounted at /api/v1/enc): cells, composite vector tiles, styles, sprites, symbols.

The app factory includes ``router``; it finds the store and settings on ``app.state``
(``store``/``settings``), or builds them from the environment the first time. Tests and the
factory may also put a ready :class:`EncService` at ``app.state.enc``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from giamsat.maritime.enc import display, symbols
from giamsat.maritime.enc.aton import as_geojson
from giamsat.maritime.enc.catalog import ChartLibrary
from giamsat.maritime.enc.compose import CellSource, TileComposer
from giamsat.maritime.enc.style import MarinerSettings, build_style

router = APIRouter(tags=["enc"])

TILE_TYPE = "application/x-protobuf"
LONG_CACHE = "public, max-age=31536000, immutable"  # URL carries the catalogue version
SHORT_CACHE = "public, max-age=60"
PUBLIC_FIELDS = (
    "name", "edition", "update_number", "issue_date", "update_date", "usage_band",
    "compilation_scale", "agency", "west", "south", "east", "north", "min_zoom", "max_zoom",
    "tile_bytes", "tile_count", "import_seconds", "encrypted", "features",
)  # fmt: skip


class EncService:
    """The chart library plus a tile composer rebuilt whenever the catalogue changes."""

    def __init__(self, library: ChartLibrary, recheck_seconds: float = 2.0) -> None:
        self.library = library
        self._recheck = recheck_seconds
        self._lock = threading.Lock()
        self._checked = 0.0
        self._version = ""
        self._composer: TileComposer | None = None
        self._cells: list[dict[str, Any]] = []

    def state(self) -> tuple[str, TileComposer, list[dict[str, Any]]]:
        with self._lock:
            now = time.monotonic()
            if self._composer is None or now - self._checked > self._recheck:
                self._checked = now
                version = self.library.version()
                if version != self._version or self._composer is None:
                    cells = self.library.cells()
                    sources = [
                        CellSource.from_row(r, self.library.tiles_path(r))
                        for r in cells
                        if self.library.tiles_path(r).is_file()
                    ]
                    if self._composer is not None:
                        self._composer.close()
                    self._composer = TileComposer(sources)
                    self._cells = cells
                    self._version = version
            return self._version, self._composer, self._cells


_service_lock = threading.Lock()


def get_service(request: Request) -> EncService:
    state = request.app.state
    service = getattr(state, "enc", None)
    if service is not None:
        return service
    with _service_lock:
        service = getattr(state, "enc", None)
        if service is None:
            from giamsat.config import load_settings
            from giamsat.core.store import Store

            settings = getattr(state, "settings", None) or load_settings()
            store = getattr(state, "store", None)
            if store is None:
                store = Store.from_settings(settings)
                store.upgrade()
            service = EncService(ChartLibrary(store, settings.home))
            state.enc = service
    return service


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in PUBLIC_FIELDS}
    out["imported_at"] = row["imported_at"].isoformat()
    out["bounds"] = [row["west"], row["south"], row["east"], row["north"]]
    return out


def _base_url(request: Request) -> str:
    return str(request.url_for("enc_style")).rsplit("/style.json", 1)[0]


@router.get("/cells")
def list_cells(service: EncService = Depends(get_service)) -> dict[str, Any]:
    version, _, cells = service.state()
    return {"version": version, "cells": [_public(r) for r in cells]}


@router.get("/cells/{name}")
def get_cell(name: str, service: EncService = Depends(get_service)) -> dict[str, Any]:
    row = service.library.get(name)
    if row is None:
        raise HTTPException(404, f"no cell {name}")
    out = _public(row)
    out["coverage"] = row["coverage"]
    out["contours"] = row["contours"]
    return out


@router.get("/atons")
def atons(cell: str | None = None, service: EncService = Depends(get_service)) -> dict[str, Any]:
    """Charted buoys, beacons and lights as GeoJSON (for the AtoN registry and the map)."""
    if cell and service.library.get(cell) is None:
        raise HTTPException(404, f"no cell {cell}")
    return as_geojson(service.library.atons(cell))


def _tile_response(request: Request, data: bytes | None, version: str, key: str) -> Response:
    etag = '"' + hashlib.sha1(f"{version}/{key}".encode()).hexdigest()[:20] + '"'
    cache = LONG_CACHE if request.query_params.get("v") == version else SHORT_CACHE
    headers = {"Cache-Control": cache, "ETag": etag, "Access-Control-Allow-Origin": "*"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if not data:
        return Response(status_code=204, headers=headers)
    headers["Content-Encoding"] = "gzip" if data[:2] == b"\x1f\x8b" else "identity"
    return Response(content=data, media_type=TILE_TYPE, headers=headers)


def _check_xyz(z: int, x: int, y: int) -> None:
    if not 0 <= z <= 24 or not 0 <= x < 2**z or not 0 <= y < 2**z:
        raise HTTPException(404, f"no tile {z}/{x}/{y}")


@router.get("/tiles/{z}/{x}/{y}.pbf", name="enc_tile")
def tile(
    z: int, x: int, y: int, request: Request, service: EncService = Depends(get_service)
) -> Response:
    """Composite tile over all cells: the best-scale cell wins where cells overlap."""
    _check_xyz(z, x, y)
    version, composer, _ = service.state()
    return _tile_response(request, composer.tile(z, x, y), version, f"{z}/{x}/{y}")


@router.get("/cells/{name}/tiles/{z}/{x}/{y}.pbf")
def cell_tile(
    name: str, z: int, x: int, y: int, request: Request, service: EncService = Depends(get_service)
) -> Response:
    """One cell's own tile, as stored (for inspection and single-cell views)."""
    _check_xyz(z, x, y)
    version, composer, _ = service.state()
    cell = next((c for c in composer.cells if c.name == name.upper()), None)
    if cell is None:
        raise HTTPException(404, f"no cell {name}")
    return _tile_response(
        request, composer.cell_tile(cell, z, x, y), version, f"{name}/{z}/{x}/{y}"
    )


@router.get("/style.json", name="enc_style")
def style(
    request: Request,
    scheme: str = Query("DAY", description="DAY, DUSK or NIGHT"),
    category: str = Query("standard", description="base, standard or all"),
    safety_contour: float = Query(10.0, ge=0, le=1000),
    shallow_contour: float = Query(5.0, ge=0, le=1000),
    deep_contour: float = Query(30.0, ge=0, le=1000),
    safety_depth: float | None = Query(None, ge=0, le=1000),
    soundings: bool = Query(True, description="show soundings"),
    four_shades: bool = Query(True),
    background: bool = Query(True, description="paint NODTA where no cell covers"),
    service: EncService = Depends(get_service),
) -> JSONResponse:
    scheme = scheme.upper()
    if scheme not in display.SCHEMES:
        raise HTTPException(422, "scheme must be DAY, DUSK or NIGHT")
    if category.lower() not in display.CATEGORIES:
        raise HTTPException(422, "category must be base, standard or all")
    settings = MarinerSettings(
        safety_contour, shallow_contour, deep_contour, safety_depth, soundings, four_shades
    )
    try:
        settings.check()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    version, composer, cells = service.state()
    base = _base_url(request)
    doc = build_style(
        tiles_url=f"{base}/tiles/{{z}}/{{x}}/{{y}}.pbf?v={version}",
        sprite_url=f"{base}/sprites/{scheme}",
        scheme=scheme,
        category=category.lower(),
        settings=settings,
        cells=cells,
        min_zoom=composer.min_zoom if composer.cells else 0,
        max_zoom=composer.max_zoom if composer.cells else 14,
        background=background,
    )
    if cells:
        doc["center"] = [
            (cells[0]["west"] + cells[0]["east"]) / 2,
            (cells[0]["south"] + cells[0]["north"]) / 2,
        ]
        doc["zoom"] = cells[0]["min_zoom"] + 2
    return JSONResponse(doc, headers={"Cache-Control": "no-cache"})


SPRITE_NAME = re.compile(r"^(DAY|DUSK|NIGHT)(@2x)?\.(json|png)$")


@router.get("/sprites/{sprite}")
def sprite(sprite: str, service: EncService = Depends(get_service)) -> Response:
    m = SPRITE_NAME.match(sprite)
    if not m:
        raise HTTPException(404, "sprites are DAY|DUSK|NIGHT[@2x].json|png")
    _, _, cells = service.state()
    ids = tuple(sorted({s for r in cells for s in (r.get("symbols") or [])}))
    png, index = symbols.sprite(ids, m.group(1), 2 if m.group(2) else 1)
    headers = {"Cache-Control": SHORT_CACHE}
    if m.group(3) == "png":
        return Response(png, media_type="image/png", headers=headers)
    return Response(index, media_type="application/json", headers=headers)


SYMBOL_ID = re.compile(r"^[A-Za-z0-9.\-]{1,64}$")


@router.get("/symbols/{symbol}.svg")
def symbol_svg(symbol: str, scheme: str = "DAY") -> Response:
    if not SYMBOL_ID.match(symbol) or scheme.upper() not in display.SCHEMES:
        raise HTTPException(404, "unknown symbol or scheme")
    return Response(
        symbols.svg(symbol, scheme.upper()),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/display")
def display_data() -> dict[str, Any]:
    """Colour tokens per scheme, display categories, layer groups and class names (vi/en)."""
    table = display.display_table()
    return {
        "schemes": {s: display.colours(s) for s in display.SCHEMES},
        "categories": table["categories"],
        "groups": table["groups"],
        "classes": table["classes"],
    }
