"""Maritime API (``/api/v1/maritime``): vessels (search, details, state at any time, the picture
at a moment, tracks and their exports), groups, planned routes, the AtoN registry with live
status, telemetry history and per-AtoN thresholds, zones (GeoJSON in and out), the zone log,
map markers, settings, live sources.

Roles: admin, ministry and operator read; admin and operator change things. Times in query
parameters are ISO 8601 (Vietnam time when no offset is given) or Unix seconds; times in
responses are Unix seconds (``*_ts``, ``time_in``…) or ISO 8601 UTC for edit stamps. Alerts
are in the shared alert log: ``GET /api/v1/alerts?domain=maritime``. Live updates arrive on
``/api/v1/live`` as ``ais.vessel``, ``ais.aton``, ``ais.event`` and ``alert`` messages.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from giamsat.maritime import exports, manage, queries
from giamsat.maritime.ais import lookups
from giamsat.maritime.atons import from_enc, parse_aton_csv
from giamsat.maritime.geo import WGS84
from giamsat.maritime.zones import KINDS, ZoneError, zones_from_geojson
from giamsat.web.auth import Principal, audit
from giamsat.web.context import Ctx, client_of, user_dep
from giamsat.web.tabular import Paging, download
from giamsat.web.timeparams import parse_when, period

router = APIRouter(prefix="/maritime", tags=["maritime"])
MAX_TRACK_POINTS = 1_000_000


def maritime_dep(principal: Annotated[Principal, Depends(user_dep)]) -> Principal:
    if not principal.maritime:
        raise HTTPException(403, f"role {principal.role!r} has no access to maritime data")
    return principal


def operator_dep(principal: Annotated[Principal, Depends(maritime_dep)]) -> Principal:
    if principal.role not in ("admin", "operator"):
        raise HTTPException(403, "only operators and administrators change maritime data")
    return principal


Reader = Annotated[Principal, Depends(maritime_dep)]
Writer = Annotated[Principal, Depends(operator_dep)]


def _reload() -> None:
    """Tell the engine of this process (if it runs here) that its configuration changed."""
    from giamsat.maritime.service import current

    svc = current()
    if svc is not None:
        svc.reload()


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(p) for p in text.split(","))
    except ValueError:
        raise HTTPException(422, "bbox is west,south,east,north in degrees") from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise HTTPException(422, "bbox outside the globe")
    return west, south, east, north


def _user_error(exc: Exception) -> HTTPException:
    if isinstance(exc, LookupError):
        return HTTPException(404, str(exc).strip("'\""))
    return HTTPException(422, str(exc))


def _file(path: str, filename: str, media: str) -> FileResponse:
    import os

    return FileResponse(
        path, media_type=media, filename=filename, background=BackgroundTask(os.unlink, path)
    )


# --- overview ----------------------------------------------------------------------------
@router.get("/summary")
def summary(ctx: Ctx, principal: Reader, active_minutes: int = Query(10, ge=1, le=1440)) -> Any:
    """Dashboard counts: vessels (total, heard recently), registered AtoNs by status (ok, alarm,
    lost, unknown), active zones and vessels inside them, open maritime alerts by rule."""
    with ctx.store.engine.connect() as conn:
        return queries.summary(conn, int(time.time()), active_minutes * 60)


@router.get("/sources")
def sources(ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """The live engine of this process: its sources (status, lines, reconnects, last error),
    queue length and counters. ``running: false`` when no engine runs here."""
    from giamsat.maritime.service import current

    svc = current()
    if svc is None:
        return {"running": False, "sources": []}
    return {"running": True, **svc.status()}


@router.get("/lookups")
def lookup_tables(principal: Reader, lang: Literal["vi", "en"] | None = None) -> dict[str, Any]:
    """Code tables for legends and filters: ship types and categories, navigation status, AtoN
    types, light and RACON status, zone kinds (Vietnamese by default, or ``lang=en``)."""
    lang = lang or principal.language  # type: ignore[assignment]
    return {
        "ship_types": {c: lookups.ship_type(c, lang) for c in range(1, 100)},
        "ship_categories": {k: [list(r) for r in v] for k, v in queries.SHIP_CATEGORIES.items()},
        "nav_status": {
            c: lookups.nav_status(c, lang) for c in range(16) if lookups.nav_status(c, lang)
        },
        "aton_types": {c: lookups.aton_type(c, lang) for c in range(32)},
        "light_status": {c: lookups.light_status(c, lang) for c in range(4)},
        "racon_status": {c: lookups.racon_status(c, lang) for c in range(4)},
        "zone_kinds": list(KINDS),
    }


@router.get("/distance")
def distance(
    principal: Reader,
    from_: str = Query(..., alias="from", description="lat,lon"),
    to: str = Query(..., description="lat,lon"),
) -> dict[str, float]:
    """Geodesic distance and bearings on WGS84 (the measuring tool's reference)."""
    try:
        lat1, lon1 = (float(p) for p in from_.split(","))
        lat2, lon2 = (float(p) for p in to.split(","))
    except ValueError:
        raise HTTPException(422, "points are lat,lon") from None
    az1, az2, metres = WGS84.inv(lon1, lat1, lon2, lat2)
    return {"m": metres, "km": metres / 1000, "nm": metres / 1852, "bearing": az1 % 360,
            "back_bearing": az2 % 360}  # fmt: skip


# --- vessels -----------------------------------------------------------------------------
class VesselPatch(BaseModel):
    watched: bool | None = Field(None, description="Alert when the vessel goes silent.")
    note: str | None = Field(None, max_length=4000)


@router.get("/vessels")
def vessels(
    ctx: Ctx,
    principal: Reader,
    paging: Paging = Depends(),
    q: str | None = Query(None, description="Name, call sign, MMSI or IMO (part of)."),
    mmsi: list[int] | None = Query(None),
    name: str | None = None,
    imo: int | None = None,
    callsign: str | None = None,
    flag: list[str] | None = Query(None, description="ISO country codes, e.g. VN."),
    ship_type: list[int] | None = Query(None, description="ITU ship type codes."),
    category: list[str] | None = Query(None, description="cargo, tanker, passenger, fishing …"),
    min_length: float | None = None,
    max_length: float | None = None,
    min_width: float | None = None,
    max_width: float | None = None,
    station: Literal["A", "B", "sar", "other"] | None = None,
    group: int | None = Query(None, description="Members of this group."),
    watched: bool | None = None,
    start: str | None = Query(None, alias="from", description="Heard at or after."),
    end: str | None = Query(None, alias="to", description="Heard at or before."),
    bbox: str | None = Query(None, description="west,south,east,north of the last position."),
    format: Literal["json", "csv", "xlsx", "geojson"] = "json",
) -> Any:
    """Search vessels by name, MMSI, IMO, call sign, flag, type, size, group and time window;
    most recently heard first. Downloads (csv, xlsx, geojson) contain every match."""
    exporting = format != "json"
    try:
        with ctx.store.engine.connect() as conn:
            items, total = queries.vessel_search(
                conn, q=q, mmsi=mmsi, name=name, imo=imo, callsign=callsign, flag=flag,
                ship_types=ship_type, categories=category, min_length=min_length,
                max_length=max_length, min_width=min_width, max_width=max_width,
                station=station, group_id=group, watched=watched, seen_from=parse_when(start),
                seen_to=parse_when(end, end=True), bbox=_bbox(bbox),
                limit=200_000 if exporting else paging.limit,
                offset=0 if exporting else paging.offset, lang=principal.language,
            )  # fmt: skip
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if format == "json":
        return paging.envelope(items, total)
    if format == "geojson":
        features = [
            {
                "type": "Feature",
                "id": v["mmsi"],
                "geometry": {"type": "Point", "coordinates": [v["lon"], v["lat"]]},
                "properties": {k: v[k] for k in v if k not in ("lat", "lon")},
            }
            for v in items
            if v.get("lat") is not None
        ]
        return JSONResponse(
            {"type": "FeatureCollection", "features": features},
            media_type="application/geo+json",
        )
    header = ["mmsi", "name", "callsign", "imo", "flag", "ship_type", "ship_type_text", "length",
              "width", "draught", "destination", "lat", "lon", "sog", "cog", "heading",
              "nav_status", "last_seen"]  # fmt: skip
    return download(format, header, ([v.get(h) for h in header] for v in items), "vessels")


@router.get("/picture")
def picture(
    ctx: Ctx,
    principal: Reader,
    at: str = Query(..., description="The moment (ISO 8601 or Unix seconds)."),
    lookback: int = Query(1800, ge=60, le=86400, description="How old a last fix may be, s."),
    bbox: str | None = None,
    group: int | None = None,
    mmsi: list[int] | None = Query(None),
) -> dict[str, Any]:
    """Every vessel's position at a past moment (the time slider): each vessel's last track
    point within ``lookback`` seconds before ``at``."""
    t = parse_when(at)
    assert t is not None
    with ctx.store.engine.connect() as conn:
        items = queries.picture_at(conn, t, lookback, _bbox(bbox), mmsi, group)
    return {"at": t, "lookback": lookback, "items": items, "total": len(items)}


@router.get("/vessels/{mmsi}")
def vessel(mmsi: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """Everything known about a vessel now: static and voyage data, latest position, groups,
    routes, the zones it is inside, open alerts."""
    with ctx.store.engine.connect() as conn:
        found = queries.vessel_detail(conn, mmsi, principal.language)
    if found is None:
        raise HTTPException(404, f"no vessel {mmsi}")
    return found


@router.patch("/vessels/{mmsi}")
def patch_vessel(
    mmsi: int, body: VesselPatch, ctx: Ctx, principal: Writer, request: Request
) -> dict[str, Any]:
    """Watch a vessel (lost-signal alerts) or write a note about it."""
    if not 0 < mmsi <= 999_999_999:
        raise HTTPException(422, "MMSI is a 9-digit number")
    with ctx.store.write() as conn:
        manage.update_vessel(conn, mmsi, body.model_dump(exclude_none=True))
        audit(
            conn,
            principal.username,
            "maritime.vessel",
            str(mmsi),
            body.model_dump(exclude_none=True),
            client_of(request),
        )
        found = queries.vessel_detail(conn, mmsi, principal.language)
    _reload()
    return found or {}


@router.get("/vessels/{mmsi}/static-log")
def vessel_static_log(
    mmsi: int, ctx: Ctx, principal: Reader, limit: int = Query(100, ge=1, le=1000)
) -> dict[str, Any]:
    """What changed in the vessel's static data (name, call sign, type, size…) and when,
    newest first."""
    with ctx.store.engine.connect() as conn:
        items = queries.static_changes(conn, mmsi, limit)
    return {"mmsi": mmsi, "items": items, "total": len(items)}


@router.get("/vessels/{mmsi}/state")
def vessel_state(
    mmsi: int,
    ctx: Ctx,
    principal: Reader,
    at: str = Query(..., description="ISO 8601 or Unix seconds."),
    lookback: int = Query(3600, ge=60, le=7 * 86400),
) -> dict[str, Any]:
    """The vessel at a past moment: its last fix at or before ``at`` (within ``lookback``) and
    the static/voyage data in force then."""
    t = parse_when(at)
    assert t is not None
    with ctx.store.engine.connect() as conn:
        found = queries.vessel_state_at(conn, mmsi, t, lookback, principal.language)
    if found is None:
        raise HTTPException(404, f"no vessel {mmsi}")
    return found


def _track_response(points: list[dict[str, Any]], format: str, stem: str) -> Any:
    if format == "json":
        return {"items": points, "total": len(points)}
    if format == "csv":
        return StreamingResponse(
            exports.tracks_csv(points), media_type=exports.MEDIA["csv"],
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )  # fmt: skip
    if format == "geojson":
        return Response(
            json.dumps(exports.tracks_geojson(points), ensure_ascii=False),
            media_type=exports.MEDIA["geojson"],
            headers={"Content-Disposition": f'attachment; filename="{stem}.geojson"'},
        )
    if format == "gpx":
        return StreamingResponse(
            exports.tracks_gpx(points), media_type=exports.MEDIA["gpx"],
            headers={"Content-Disposition": f'attachment; filename="{stem}.gpx"'},
        )  # fmt: skip
    path = exports.temp_xlsx("tracks", exports.TRACK_HEADER, exports.tracks_xlsx_rows(points))
    return _file(path, f"{stem}.xlsx", exports.MEDIA["xlsx"])


TrackFormat = Literal["json", "csv", "geojson", "gpx", "xlsx"]


@router.get("/vessels/{mmsi}/track")
def vessel_track(
    mmsi: int,
    ctx: Ctx,
    principal: Reader,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: TrackFormat = "json",
) -> Any:
    """A vessel's track (stored, thinned points) in a period (default: the last 24 h)."""
    begin, stop = period(start, end, 86400)
    with ctx.store.engine.connect() as conn:
        points = queries.track_points(conn, [mmsi], begin, stop, limit=MAX_TRACK_POINTS)
    return _track_response(points, format, f"track_{mmsi}")


@router.get("/tracks")
def tracks(
    ctx: Ctx,
    principal: Reader,
    mmsi: list[int] | None = Query(None),
    group: int | None = Query(None, description="Tracks of a group's members."),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: TrackFormat = "json",
) -> Any:
    """Tracks of several vessels or of a group (playback, exports); give ``mmsi`` or ``group``."""
    if not mmsi and group is None:
        raise HTTPException(422, "give mmsi=… or group=…")
    begin, stop = period(start, end, 86400)
    with ctx.store.engine.connect() as conn:
        points = queries.track_points(conn, mmsi, begin, stop, group, limit=MAX_TRACK_POINTS)
    return _track_response(points, format, "tracks")


# --- groups ------------------------------------------------------------------------------
class GroupIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""
    color: str = Field("#1f77b4", description="#rrggbb")
    visible: bool = True
    watched: bool = Field(False, description="Members get lost-signal alerts.")
    members: list[int] = Field(default_factory=list)


class GroupPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    color: str | None = None
    visible: bool | None = None
    watched: bool | None = None
    members: list[int] | None = Field(None, description="Replaces the member list.")


class Members(BaseModel):
    mmsi: list[int]


def _read(ctx: Any, fn: Any, *args: Any) -> Any:
    """``fn(conn, *args)`` on a read connection; a missing row is the caller's 404."""
    try:
        with ctx.store.engine.connect() as conn:
            return fn(conn, *args)
    except LookupError as exc:
        raise _user_error(exc) from None


def _write(ctx: Any, fn: Any, *args: Any, reload: bool = True) -> Any:
    try:
        with ctx.store.write() as conn:
            result = fn(conn, *args)
    except (ValueError, LookupError, ZoneError) as exc:
        raise _user_error(exc) from None
    if reload:
        _reload()
    return result


@router.get("/groups")
def groups(ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """Vessel groups with colour, visibility, watch flag and member count."""
    with ctx.store.engine.connect() as conn:
        items = manage.list_groups(conn)
    return {"items": items, "total": len(items)}


@router.post("/groups", status_code=201)
def create_group(body: GroupIn, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.create_group, body.model_dump())


@router.get("/groups/{group_id}")
def group(group_id: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """A group and its members (MMSIs)."""
    return _read(ctx, manage.group_row, group_id)


@router.patch("/groups/{group_id}")
def patch_group(group_id: int, body: GroupPatch, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.update_group, group_id, body.model_dump(exclude_unset=True))


@router.delete("/groups/{group_id}", status_code=204)
def delete_group(group_id: int, ctx: Ctx, principal: Writer) -> Response:
    _write(ctx, manage.delete_group, group_id)
    return Response(status_code=204)


@router.put("/groups/{group_id}/members")
def set_members(group_id: int, body: Members, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """Replace the members."""
    return _write(ctx, manage.set_members, group_id, body.mmsi)


@router.post("/groups/{group_id}/members")
def add_members(group_id: int, body: Members, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """Add vessels (those already in are left alone)."""
    return _write(ctx, manage.add_members, group_id, body.mmsi)


@router.delete("/groups/{group_id}/members/{mmsi}")
def remove_member(group_id: int, mmsi: int, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.remove_member, group_id, mmsi)


# --- routes ------------------------------------------------------------------------------
class Waypoint(BaseModel):
    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)
    name: str = ""
    planned_at: str | None = Field(None, description="ISO 8601 with offset.")


class RouteIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=250)
    mmsi: int | None = None
    description: str = ""
    waypoints: list[Waypoint] = Field(default_factory=list)


class RoutePatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=250)
    mmsi: int | None = None
    description: str | None = None
    waypoints: list[Waypoint] | None = Field(None, description="Replaces the waypoints.")


def _route_geojson(route: dict[str, Any]) -> dict[str, Any]:
    coords = [[w["lon"], w["lat"]] for w in route["waypoints"]]
    return {
        "type": "Feature",
        "id": route["id"],
        "geometry": {"type": "LineString", "coordinates": coords} if len(coords) > 1 else None,
        "properties": {k: v for k, v in route.items() if k != "waypoints"}
        | {"waypoints": route["waypoints"]},
    }


@router.get("/routes")
def routes(
    ctx: Ctx, principal: Reader, mmsi: int | None = None,
    format: Literal["json", "geojson"] = "json",
) -> Any:  # fmt: skip
    """Planned routes (with waypoints), optionally of one vessel."""
    with ctx.store.engine.connect() as conn:
        items = manage.list_routes(conn, mmsi)
    if format == "geojson":
        return {"type": "FeatureCollection", "features": [_route_geojson(r) for r in items]}
    return {"items": items, "total": len(items)}


@router.post("/routes", status_code=201)
def create_route(body: RouteIn, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.create_route, body.model_dump(), reload=False)


@router.get("/routes/{route_id}")
def route(route_id: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    return _read(ctx, manage.route_row, route_id)


@router.patch("/routes/{route_id}")
def patch_route(route_id: int, body: RoutePatch, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.update_route, route_id, body.model_dump(exclude_unset=True),
                  reload=False)  # fmt: skip


@router.delete("/routes/{route_id}", status_code=204)
def delete_route(route_id: int, ctx: Ctx, principal: Writer) -> Response:
    _write(ctx, manage.delete_route, route_id, reload=False)
    return Response(status_code=204)


# --- AtoNs -------------------------------------------------------------------------------
class AtonIn(BaseModel):
    mmsi: int = Field(..., gt=0, le=999_999_999)
    name: str = ""
    kind: str | None = Field(None, description="buoy, beacon, light, light-float, virtual …")
    aid_type: int | None = Field(None, ge=0, le=31)
    area: str = Field("", description="Grouping for the tree view (channel, port, province).")
    lat: float | None = Field(None, ge=-90, le=90, description="Charted position.")
    lon: float | None = Field(None, ge=-180, le=180)
    radius_m: float | None = Field(None, ge=0, description="Allowed distance from the chart.")
    expected_interval_s: int | None = Field(None, gt=0)
    virtual: bool = False
    enc_id: str | None = None
    note: str = ""


class AtonPatch(BaseModel):
    name: str | None = None
    kind: str | None = None
    aid_type: int | None = Field(None, ge=0, le=31)
    area: str | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_m: float | None = Field(None, ge=0)
    expected_interval_s: int | None = Field(None, gt=0)
    virtual: bool | None = None
    enc_id: str | None = None
    note: str | None = None


class EncImport(BaseModel):
    mmsi: dict[str, int] = Field(
        ..., description="Charted AtoN id (cell:LNAM, see /api/v1/enc/atons) or name -> MMSI."
    )
    cell: str | None = Field(None, description="Only this cell.")
    radius_m: float = Field(50.0, ge=0, description="Allowed radius of floating marks.")


@router.get("/atons")
def aton_list(
    ctx: Ctx,
    principal: Reader,
    status: Literal["ok", "alarm", "lost", "unknown"] | None = None,
    registered: bool | None = Query(True, description="false: heard on air, not registered."),
    kind: str | None = None,
    area: str | None = None,
    q: str | None = None,
    format: Literal["json", "geojson", "csv", "xlsx"] = "json",
) -> Any:
    """AtoNs with their registry data and live status: signal OK / alarm / lost, active
    conditions (off_position, low_voltage, light_failure, racon_error, alarm), last position,
    distance from the chart, voltages, light and RACON status."""
    with ctx.store.engine.connect() as conn:
        items = queries.aton_list(conn, status=status, registered=registered, kind=kind,
                                  area=area, q=q, lang=principal.language)  # fmt: skip
    if format == "json":
        return {"items": items, "total": len(items)}
    if format == "geojson":
        features = []
        for a in items:
            lat, lon = (
                (a["lat"], a["lon"]) if a["lat"] is not None else (a["last_lat"], a["last_lon"])
            )
            if lat is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": a["mmsi"],
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {k: v for k, v in a.items() if k not in ("lat", "lon")},
                }
            )
        return JSONResponse(
            {"type": "FeatureCollection", "features": features}, media_type="application/geo+json"
        )
    header = ["mmsi", "name", "kind", "area", "lat", "lon", "radius_m", "status", "conditions",
              "last_seen", "distance_m", "voltage", "light", "racon", "alarm", "off_position"]  # fmt: skip
    rows = ([json.dumps(a[h]) if h == "conditions" else a.get(h) for h in header] for a in items)
    return download(format, header, rows, "atons")


@router.get("/atons/tree")
def aton_tree(ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """Registered AtoNs grouped by area, then kind, with status counts per area."""
    with ctx.store.engine.connect() as conn:
        items = queries.aton_list(conn, registered=True, lang=principal.language)
    areas: dict[str, dict[str, Any]] = {}
    for a in items:
        area = areas.setdefault(a["area"] or "", {"area": a["area"] or "", "kinds": {},
                                                   "status": {}})  # fmt: skip
        area["kinds"].setdefault(a["kind"] or "other", []).append(
            {
                k: a[k]
                for k in (
                    "mmsi",
                    "name",
                    "status",
                    "conditions",
                    "voltage",
                    "light",
                    "racon",
                    "last_seen",
                )
            }
        )
        area["status"][a["status"]] = area["status"].get(a["status"], 0) + 1
    return {"areas": list(areas.values())}


@router.post("/atons", status_code=201)
def register_aton(body: AtonIn, ctx: Ctx, principal: Writer, request: Request) -> dict[str, Any]:
    """Register an AtoN (or update the registry data of one that exists)."""
    fields = body.model_dump()
    mmsi = fields.pop("mmsi")

    def run(conn: Any) -> dict[str, Any]:
        row = manage.upsert_aton(conn, mmsi, fields)
        audit(conn, principal.username, "maritime.aton", str(mmsi), fields, client_of(request))
        return row

    return _write(ctx, run)


@router.post("/atons/import")
def import_atons(
    ctx: Ctx,
    principal: Writer,
    request: Request,
    csv_text: str = Body(..., media_type="text/csv", description="mmsi,name,lat,lon,radius_m[,…]"),
) -> dict[str, Any]:
    """Register AtoNs from CSV (columns by name: mmsi, name, lat, lon, radius_m, kind, area,
    expected_interval_s, low_voltage, lost_after_min). Nothing is imported when a row is bad."""
    configs, problems = parse_aton_csv(csv_text, "upload")
    if problems:
        raise HTTPException(422, {"problems": problems})

    def run(conn: Any) -> dict[str, Any]:
        result = manage.import_atons(conn, configs)
        audit(conn, principal.username, "maritime.atons.import", "", result, client_of(request))
        return result

    return _write(ctx, run)


@router.post("/atons/import-enc")
def import_atons_enc(
    body: EncImport, ctx: Ctx, principal: Writer, request: Request
) -> dict[str, Any]:
    """Register charted AtoNs (buoys, beacons, lights of the imported ENC cells) under the
    MMSIs they transmit on: charted position, name and kind come from the chart."""
    from giamsat.maritime.enc.catalog import ChartLibrary

    charted = ChartLibrary(ctx.store, ctx.settings.home).atons(body.cell)
    configs, missing = from_enc(charted, body.mmsi, body.radius_m)
    if missing:
        raise HTTPException(422, {"problems": missing})

    def run(conn: Any) -> dict[str, Any]:
        result = manage.import_atons(conn, configs)
        audit(conn, principal.username, "maritime.atons.import-enc", body.cell or "", result,
              client_of(request))  # fmt: skip
        return result

    return _write(ctx, run)


@router.get("/atons/{mmsi}")
def aton(mmsi: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """One AtoN: registry data, live status and its own alert thresholds."""
    row = _read(
        ctx,
        lambda conn: manage.aton_row(conn, mmsi) | {"config": manage.get_aton_config(conn, mmsi)},
    )
    row["aid_type_text"] = lookups.aton_type(row.get("aid_type"), principal.language)
    row["light_text"] = lookups.light_status(row.get("light"), principal.language)
    row["racon_text"] = lookups.racon_status(row.get("racon"), principal.language)
    return row


@router.patch("/atons/{mmsi}")
def patch_aton(
    mmsi: int, body: AtonPatch, ctx: Ctx, principal: Writer, request: Request
) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True)

    def run(conn: Any) -> dict[str, Any]:
        manage.aton_row(conn, mmsi)
        row = manage.upsert_aton(conn, mmsi, fields)
        audit(conn, principal.username, "maritime.aton", str(mmsi), fields, client_of(request))
        return row

    return _write(ctx, run)


@router.delete("/atons/{mmsi}", status_code=204)
def unregister_aton(mmsi: int, ctx: Ctx, principal: Writer, request: Request) -> Response:
    """Take an AtoN out of the registry (its history stays)."""

    def run(conn: Any) -> None:
        manage.unregister_aton(conn, mmsi)
        audit(conn, principal.username, "maritime.aton.unregister", str(mmsi), None,
              client_of(request))  # fmt: skip

    _write(ctx, run)
    return Response(status_code=204)


@router.get("/atons/{mmsi}/history")
def aton_history(
    mmsi: int,
    ctx: Ctx,
    principal: Reader,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Every report of an AtoN in a period (default 7 days): message 21 positions and status,
    FI 10 telemetry (supply and external voltages, light, RACON, health, off position)."""
    begin, stop = period(start, end, 7 * 86400)
    with ctx.store.engine.connect() as conn:
        items = queries.aton_history(conn, mmsi, begin, stop, limit=200_000)
    if format == "json":
        return {"items": items, "total": len(items), "from": begin, "to": stop}
    header = ["ts", "msg_type", "dac", "fi", "lat", "lon", "voltage", "voltage_ext1",
              "voltage_ext2", "light", "racon", "alarm", "off_position", "source"]  # fmt: skip
    return download(format, header, ([i.get(h) for h in header] for i in items), f"aton_{mmsi}")


@router.get("/atons/{mmsi}/config")
def aton_config(mmsi: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """The AtoN's own alert settings (names as in /maritime/settings) and the values in
    force (own value, else the global one)."""
    with ctx.store.engine.connect() as conn:
        own = manage.get_aton_config(conn, mmsi)
        settings = {s["name"]: s["value"] for s in manage.list_settings(conn)}
    return {"mmsi": mmsi, "own": own, "effective": {**settings, **own}}


@router.put("/atons/{mmsi}/config")
def put_aton_config(
    mmsi: int,
    ctx: Ctx,
    principal: Writer,
    request: Request,
    values: dict[str, str | float | bool | None] = Body(
        ..., examples=[{"low_voltage_v": 11.8, "lost_after_min": 15, "rule_racon_error": False}]
    ),
) -> dict[str, Any]:
    """Set this AtoN's thresholds (``low_voltage_v``, ``lost_after_min``) and switch its rules
    on or off (``rule_off_position`` …); null removes its own value."""

    def run(conn: Any) -> dict[str, Any]:
        manage.aton_row(conn, mmsi)
        own = manage.set_aton_config(conn, mmsi, values)
        audit(
            conn, principal.username, "maritime.aton.config", str(mmsi), values, client_of(request)
        )
        return {"mmsi": mmsi, "own": own}

    return _write(ctx, run)


# --- settings ----------------------------------------------------------------------------
@router.get("/settings")
def settings(ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """Global rule settings: speed limit, AtoN low voltage, lost-signal delays, default
    allowed radius, which AtoN rules raise alerts."""
    with ctx.store.engine.connect() as conn:
        items = manage.list_settings(conn)
    return {"items": items}


@router.put("/settings")
def put_settings(
    ctx: Ctx,
    principal: Writer,
    request: Request,
    values: dict[str, str | float | bool | None] = Body(..., examples=[{"speed_limit_kn": 12}]),
) -> dict[str, Any]:
    def run(conn: Any) -> dict[str, Any]:
        items = manage.update_settings(conn, values)
        audit(conn, principal.username, "maritime.settings", "", values, client_of(request))
        return {"items": items}

    return _write(ctx, run)


# --- zones -------------------------------------------------------------------------------
class ZonePatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=250)
    kind: str | None = None
    speed_limit_kn: float | None = Field(None, ge=0)
    alert_on: Literal["enter", "exit", "both", "none"] | None = None
    color: str | None = None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon.")
    properties: dict[str, Any] | None = None
    active: bool | None = None


@router.get("/zones")
def zone_list(
    ctx: Ctx, principal: Reader, active: bool | None = None,
    format: Literal["json", "geojson"] = "json",
) -> Any:  # fmt: skip
    """Zones (name, kind, speed limit, alert on enter/exit, colour, polygon). ``format=geojson``
    is a FeatureCollection that ``POST /zones/import`` reads back."""
    with ctx.store.engine.connect() as conn:
        if format == "geojson":
            return JSONResponse(
                manage.zones_geojson(conn, active), media_type="application/geo+json"
            )
        items = manage.list_zones(conn, active)
    return {"items": items, "total": len(items)}


@router.post("/zones", status_code=201)
def create_zone(
    ctx: Ctx,
    principal: Writer,
    request: Request,
    feature: dict[str, Any] = Body(
        ...,
        description="A GeoJSON Feature: Polygon/MultiPolygon geometry; properties name, kind "
        "(watch, danger, restricted, …), speed_limit_kn, alert_on (enter|exit|both|none), color.",
    ),
) -> dict[str, Any]:
    def run(conn: Any) -> dict[str, Any]:
        zone = zones_from_geojson(feature)[0]
        row = manage.create_zone(conn, zone, principal.username)
        audit(conn, principal.username, "maritime.zone.create", str(row["id"]), {"name": row["name"]},
              client_of(request))  # fmt: skip
        return row

    return _write(ctx, run)


@router.post("/zones/import")
def import_zones(
    ctx: Ctx,
    principal: Writer,
    request: Request,
    data: dict[str, Any] = Body(..., description="GeoJSON FeatureCollection."),
    replace: bool = Query(False, description="Delete the zones the document does not have."),
) -> dict[str, Any]:
    """Import zones: same guid (or name) updates, new ones are created; points and lines are
    reported as skipped."""

    def run(conn: Any) -> dict[str, Any]:
        result = manage.import_zones(conn, data, principal.username, replace)
        audit(conn, principal.username, "maritime.zones.import", "", result, client_of(request))
        return result

    return _write(ctx, run)


@router.get("/zones/{zone_id}")
def zone(zone_id: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    return _read(ctx, manage.zone_row, zone_id)


@router.patch("/zones/{zone_id}")
def patch_zone(
    zone_id: int, body: ZonePatch, ctx: Ctx, principal: Writer, request: Request
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)

    def run(conn: Any) -> dict[str, Any]:
        row = manage.update_zone(conn, zone_id, changes)
        audit(conn, principal.username, "maritime.zone.update", str(zone_id),
              {k: v for k, v in changes.items() if k != "geometry"}, client_of(request))  # fmt: skip
        return row

    return _write(ctx, run)


@router.delete("/zones/{zone_id}", status_code=204)
def delete_zone(zone_id: int, ctx: Ctx, principal: Writer, request: Request) -> Response:
    """Delete a zone; vessels inside leave its log now, its log entries keep its name."""

    def run(conn: Any) -> None:
        manage.delete_zone(conn, zone_id)
        audit(
            conn, principal.username, "maritime.zone.delete", str(zone_id), None, client_of(request)
        )

    _write(ctx, run)
    return Response(status_code=204)


@router.get("/zone-log")
def zone_log(
    ctx: Ctx,
    principal: Reader,
    paging: Paging = Depends(),
    zone: int | None = Query(None, description="Zone id."),
    mmsi: int | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    inside: bool = Query(False, description="Only vessels still inside."),
    format: Literal["json", "csv", "xlsx", "txt"] = "json",
) -> Any:
    """Entries and exits of vessels in zones, with the vessel's type and size (newest first);
    exports to text, CSV and Excel contain every match."""
    exporting = format != "json"
    with ctx.store.engine.connect() as conn:
        items, total = queries.zone_log_rows(
            conn, zone_id=zone, mmsi=mmsi, start=parse_when(start),
            end=parse_when(end, end=True), open_only=inside,
            limit=None if exporting else paging.limit, offset=0 if exporting else paging.offset,
            lang=principal.language,
        )  # fmt: skip
    if format == "json":
        return paging.envelope(items, total)
    if format == "csv":
        return Response(
            exports.zone_log_csv(items), media_type=exports.MEDIA["csv"],
            headers={"Content-Disposition": 'attachment; filename="zone_log.csv"'},
        )  # fmt: skip
    if format == "txt":
        return Response(
            exports.zone_log_txt(items, title="Nhật ký ra/vào vùng — zone log"),
            media_type=exports.MEDIA["txt"],
            headers={"Content-Disposition": 'attachment; filename="zone_log.txt"'},
        )
    path = exports.temp_xlsx("zone_log", exports.ZONE_LOG_HEADER, exports.zone_log_table(items))
    return _file(path, "zone_log.xlsx", exports.MEDIA["xlsx"])


# --- markers -----------------------------------------------------------------------------
class MarkerIn(BaseModel):
    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)
    name: str = Field("", max_length=120)
    note: str = ""
    color: str | None = None
    icon: str | None = Field(None, max_length=32)


class MarkerPatch(BaseModel):
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    name: str | None = Field(None, max_length=120)
    note: str | None = None
    color: str | None = None
    icon: str | None = Field(None, max_length=32)


@router.get("/markers")
def markers(ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """Positions marked on the chart, with their notes."""
    with ctx.store.engine.connect() as conn:
        items = manage.list_markers(conn)
    return {"items": items, "total": len(items)}


@router.post("/markers", status_code=201)
def create_marker(body: MarkerIn, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.create_marker, body.model_dump(), principal.username, reload=False)


@router.patch("/markers/{marker_id}")
def patch_marker(marker_id: int, body: MarkerPatch, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    return _write(ctx, manage.update_marker, marker_id, body.model_dump(exclude_unset=True),
                  reload=False)  # fmt: skip


@router.delete("/markers/{marker_id}", status_code=204)
def delete_marker(marker_id: int, ctx: Ctx, principal: Writer) -> Response:
    _write(ctx, manage.delete_marker, marker_id, reload=False)
    return Response(status_code=204)
