"""Stations, parameters, places, the online monitoring table, time series, look-up tables and
exports, and the received-file log — all scoped to the stations the caller may see."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from giamsat.core.store.schema import organisations, provinces
from giamsat.environment.schema import parameters, received_files, series, stations
from giamsat.web import data, quality
from giamsat.web.context import Ctx, EnvUser
from giamsat.web.scope import filter_codes, require_station, station_clause
from giamsat.web.tabular import Paging, download
from giamsat.web.timeparams import iso, parse_when, period

router = APIRouter(tags=["environment"])

Component = Literal["wastewater", "emission", "ambient_air", "surface_water", "groundwater"]
COMPONENT_ABBR = {
    "ambient_air": "KK",
    "emission": "KT",
    "surface_water": "NM",
    "groundwater": "NN",
    "wastewater": "NT",
}


def _station_query() -> Any:
    return (
        select(
            stations,
            provinces.c.name.label("province_name"),
            organisations.c.code.label("organisation_code"),
            organisations.c.name.label("organisation_name"),
        )
        .select_from(
            stations.outerjoin(provinces, provinces.c.id == stations.c.province_id).outerjoin(
                organisations, organisations.c.id == stations.c.organisation_id
            )
        )
        .order_by(stations.c.province_code, stations.c.code)
    )


def station_dict(r: Any) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "component": r.component,
        "component_abbr": COMPONENT_ABBR.get(r.component, ""),
        "province_code": r.province_code,
        "province_name": r.province_name or r.province_code,
        "facility_code": r.facility_code,
        "organisation": r.organisation_code,
        "organisation_name": r.organisation_name,
        "lat": r.lat,
        "lon": r.lon,
        "registered": r.registered,
        "published": r.published,
        "expected_interval_s": r.expected_interval_s,
        "utc_offset_min": r.utc_offset_min,
        "permit": {
            "standard": r.permit_standard,
            "column": r.permit_column,
            "coefficients": r.permit_coefficients,
        },
        "last_file_at": r.last_file_at,
        "last_obs_ts": r.last_obs_ts,
        "last_obs_time": iso(r.last_obs_ts, r.utc_offset_min),
    }


def _statuses(ctx: Any, codes: list[str]) -> dict[str, dict[str, Any]] | None:
    if quality.module("status", required=False) is None:
        return None
    return {s["code"]: s for s in ctx.status.for_codes(codes)}


def _filtered_stations(
    conn: Connection,
    principal: Any,
    component: str | None,
    province: str | None,
    q: str | None,
    registered: bool | None = None,
) -> list[Any]:
    query = _station_query().where(station_clause(principal))
    if component:
        query = query.where(stations.c.component == component)
    if province:
        query = query.where(stations.c.province_code == province)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(stations.c.code).like(like), func.lower(stations.c.name).like(like))
        )
    if registered is not None:
        query = query.where(stations.c.registered.is_(registered))
    return conn.execute(query).all()


@router.get("/stations")
def list_stations(
    ctx: Ctx,
    principal: EnvUser,
    paging: Paging = Depends(),
    component: Component | None = None,
    province: str | None = Query(None, description="Province code (first token of the code)."),
    status: str | None = Query(
        None,
        description="disconnected, connected, good, exceeding, device_error or calibrating "
        "(needs the quality engine).",
    ),
    q: str | None = Query(None, description="Part of the code or name."),
    registered: bool | None = None,
) -> dict[str, Any]:
    """Stations you may see, with their status when the quality engine is installed."""
    with ctx.store.engine.connect() as conn:
        rows = _filtered_stations(conn, principal, component, province, q, registered)
    items = [station_dict(r) for r in rows]
    statuses = _statuses(ctx, [i["code"] for i in items])
    if statuses is not None:
        for item in items:
            st = statuses.get(item["code"])
            item["status"] = st["status"] if st else None
            item["status_detail"] = st
    elif status:
        quality.module("status")  # 503: filtering by status needs the engine
    if status:
        wanted = {"connected": {"good", "exceeding", "device_error", "calibrating"}}.get(
            status, {status}
        )
        items = [i for i in items if i.get("status") in wanted]
    return paging.slice(items, status_available=statuses is not None)


@router.get("/stations/{code}")
def get_station(code: str, ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    """One station: metadata, permit, its parameters with latest values, limits and status."""
    with ctx.store.engine.connect() as conn:
        require_station(conn, principal, code)
        row = conn.execute(_station_query().where(stations.c.code == code)).one()
        params = conn.execute(
            select(
                parameters.c.code,
                parameters.c.name_vi,
                parameters.c.name_en,
                series.c.unit,
                series.c.reported_unit,
                series.c.first_ts,
                series.c.last_ts,
                series.c.last_value,
                series.c.last_status,
                series.c.last_flag,
            )
            .join(parameters, parameters.c.id == series.c.parameter_id)
            .where(series.c.station_id == row.id)
            .order_by(parameters.c.code)
        ).all()
    out = station_dict(row)
    out["parameters"] = [
        {**dict(p._mapping), "last_time": iso(p.last_ts, row.utc_offset_min)} for p in params
    ]
    out["limits"] = quality.limits_if_available(ctx.store, code)
    statuses = _statuses(ctx, [code])
    out["status"] = statuses.get(code) if statuses is not None else None
    return out


@router.get("/parameters")
def list_parameters(
    ctx: Ctx, principal: EnvUser, component: Component | None = None, used: bool = False
) -> dict[str, Any]:
    """The parameter catalog; ``used`` (or a component) keeps those your stations measure."""
    query = select(parameters).order_by(parameters.c.code)
    if used or component:
        sub = (
            select(series.c.parameter_id)
            .join(stations, stations.c.id == series.c.station_id)
            .where(station_clause(principal))
        )
        if component:
            sub = sub.where(stations.c.component == component)
        query = query.where(parameters.c.id.in_(sub))
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(query).all()
    items = [
        {
            "code": r.code,
            "name_vi": r.name_vi,
            "name_en": r.name_en,
            "unit": r.unit,
            "aliases": r.aliases,
            "known": r.known,
            "plausible_min": r.plausible_min,
            "plausible_max": r.plausible_max,
        }
        for r in rows
    ]
    return {"items": items, "total": len(items)}


@router.get("/provinces")
def list_provinces(ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    """Provinces that have stations you may see, with station counts per component."""
    query = (
        select(stations.c.province_code, provinces.c.name, stations.c.component, func.count())
        .select_from(stations.outerjoin(provinces, provinces.c.id == stations.c.province_id))
        .where(station_clause(principal))
        .group_by(stations.c.province_code, provinces.c.name, stations.c.component)
        .order_by(stations.c.province_code)
    )
    out: dict[str, dict[str, Any]] = {}
    with ctx.store.engine.connect() as conn:
        for code, name, component, n in conn.execute(query):
            item = out.setdefault(
                code, {"code": code, "name": name or code, "stations": 0, "by_component": {}}
            )
            item["stations"] += n
            item["by_component"][component] = n
    return {"items": list(out.values()), "total": len(out)}


@router.get("/organisations")
def list_organisations(ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    query = select(organisations).order_by(organisations.c.code)
    if principal.role == "province":
        query = query.where(organisations.c.province_id == principal.province_id)
    elif principal.role == "enterprise":
        query = query.where(organisations.c.id == principal.organisation_id)
    with ctx.store.engine.connect() as conn:
        items = [dict(r._mapping) for r in conn.execute(query)]
    return {"items": items, "total": len(items)}


@router.get("/monitoring/{component}")
def monitoring(
    component: Component,
    ctx: Ctx,
    principal: EnvUser,
    province: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """The online monitoring table of a component: each station's latest value of every
    parameter, with over-limit values marked when the quality engine is installed."""
    with ctx.store.engine.connect() as conn:
        rows = _filtered_stations(conn, principal, component, province, None)
        ids = [r.id for r in rows]
        latest = (
            conn.execute(
                select(
                    series.c.station_id,
                    parameters.c.code,
                    parameters.c.name_vi,
                    parameters.c.name_en,
                    series.c.unit,
                    series.c.last_ts,
                    series.c.last_value,
                    series.c.last_status,
                    series.c.last_flag,
                )
                .join(parameters, parameters.c.id == series.c.parameter_id)
                .where(series.c.station_id.in_(ids))
            ).all()
            if ids
            else []
        )
    statuses = _statuses(ctx, [r.code for r in rows])
    columns: dict[str, dict[str, Any]] = {}
    values: dict[int, dict[str, Any]] = {}
    for r in latest:
        columns.setdefault(
            r.code, {"code": r.code, "unit": r.unit, "name_vi": r.name_vi, "name_en": r.name_en}
        )
        values.setdefault(r.station_id, {})[r.code] = {
            "v": r.last_value,
            "ts": r.last_ts,
            "s": r.last_status,
            "f": r.last_flag,
        }
    items = []
    for r in rows:
        item = station_dict(r)
        item["values"] = values.get(r.id, {})
        st = statuses.get(r.code) if statuses is not None else None
        item["status"] = st["status"] if st else None
        if st:
            for ex in st.get("exceeding") or []:
                cell = item["values"].get(ex.get("parameter"))
                if cell is not None:
                    cell["over"] = True
                    cell["limit"] = ex.get("limit")
            for code in st.get("device_error") or []:
                if code in item["values"]:
                    item["values"][code]["device_error"] = True
            for code in st.get("calibrating") or []:
                if code in item["values"]:
                    item["values"][code]["calibrating"] = True
        items.append(item)
    if status:
        if statuses is None:
            quality.module("status")
        wanted = {"connected": {"good", "exceeding", "device_error", "calibrating"}}.get(
            status, {status}
        )
        items = [i for i in items if i["status"] in wanted]
    return {
        "component": component,
        "parameters": sorted(columns.values(), key=lambda c: c["code"]),
        "items": items,
        "total": len(items),
        "status_available": statuses is not None,
    }


@router.get("/stations/{code}/series")
def station_series(
    code: str,
    ctx: Ctx,
    principal: EnvUser,
    parameter: list[str] | None = Query(None, description="Parameter codes (default: all)."),
    start: str | None = Query(None, alias="from", description="ISO 8601 or Unix seconds."),
    end: str | None = Query(None, alias="to"),
    resolution: Literal["auto", "raw", "hour", "day"] = "auto",
) -> dict[str, Any]:
    """Chart data: raw 5-minute values with device status and QC flag, or hourly/daily
    rollups (mean, min, max, count) — chosen by the span unless asked for."""
    with ctx.store.engine.connect() as conn:
        row = require_station(conn, principal, code)
        begin, stop = period(start, end, 86400, anchor=row.last_obs_ts)
        res = (
            data.choose_resolution(stop - begin, row.expected_interval_s)
            if resolution == "auto"
            else resolution
        )
        chans = data.channels(conn, [row], parameter)
        out = data.chart_series(conn, chans, begin, stop, res)
    return {
        "station": code,
        "from": begin,
        "to": stop,
        "resolution": res,
        "utc_offset_min": row.utc_offset_min,
        "series": out,
    }


def _lookup_inputs(
    conn: Connection,
    principal: Any,
    station: list[str] | None,
    parameter: list[str] | None,
    start: str | None,
    end: str | None,
    resolution: str,
) -> tuple[list[data.Channel], int, int, str]:
    codes = filter_codes(conn, principal, station)
    rows = conn.execute(select(stations).where(stations.c.code.in_(codes))).all() if codes else []
    anchor = max((r.last_obs_ts or 0 for r in rows), default=0) or None
    begin, stop = period(start, end, 86400, anchor=anchor)
    if resolution == "auto":
        interval = min((r.expected_interval_s for r in rows), default=300)
        resolution = data.choose_resolution(stop - begin, interval)
    return data.channels(conn, rows, parameter), begin, stop, resolution


@router.get("/observations")
def observations(
    ctx: Ctx,
    principal: EnvUser,
    paging: Paging = Depends(),
    station: list[str] | None = Query(None, description="Station codes (default: all yours)."),
    parameter: list[str] | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    resolution: Literal["auto", "raw", "hour", "day"] = "auto",
    format: Literal["json", "csv", "xlsx"] = "json",
    layout: Literal["wide", "long"] = "wide",
) -> Any:
    """Data look-up: stations × parameters × period × resolution.

    ``wide``: one row per station and time, a column per parameter (as shown in the UI).
    ``long`` CSV/XLSX of raw values uses the export contract's columns
    ``station,parameter,time,value,unit,status,flag``.
    """
    with ctx.store.engine.connect() as conn:
        chans, begin, stop, res = _lookup_inputs(
            conn, principal, station, parameter, start, end, resolution
        )
        columns = list(dict.fromkeys((c.parameter, c.unit) for c in chans))
        if format == "json":
            total = data.count_wide(conn, chans, begin, stop, res)
            items = data.page_wide(conn, chans, begin, stop, res, paging.limit, paging.offset)
            return paging.envelope(
                items,
                total,
                resolution=res,
                columns=[{"parameter": p, "unit": u} for p, u in columns],
                **{"from": begin, "to": stop},
            )
    stem = f"giamsat_{res}_{iso(begin)[:10]}_{iso(stop)[:10]}"
    return _download(ctx, chans, begin, stop, res, format, layout, columns, stem)


def _download(
    ctx: Any,
    chans: list[data.Channel],
    begin: int,
    stop: int,
    res: str,
    fmt: str,
    layout: str,
    columns: list[tuple[str, str]],
    stem: str,
) -> Response:
    def wide_rows() -> Any:
        with ctx.store.engine.connect() as conn:
            for row in data.iter_wide(conn, chans, begin, stop, res):
                yield [row["station"], row["time"]] + [
                    (row["values"].get(p) or {}).get("v") for p, _ in columns
                ]

    def long_rows() -> Any:
        with ctx.store.engine.connect() as conn:
            yield from data.iter_long_rollups(conn, chans, begin, stop, res)

    if layout == "long" and res == "raw":
        from giamsat.environment.export import COLUMNS, rows

        codes = sorted({c.station for c in chans})
        params = {c.parameter for c in chans}
        source = (r for r in rows(ctx.store, codes, begin, stop + 1) if r[1] in params)
        return download(fmt, COLUMNS, source, stem)
    if layout == "long":
        header = ("station", "parameter", "time", "mean", "min", "max", "count", "unit")
        return download(fmt, header, long_rows(), stem)
    header = ["station", "time"] + [f"{p} ({u})" if u else p for p, u in columns]
    return download(fmt, header, wide_rows(), stem)


@router.get("/files")
def received_file_log(
    ctx: Ctx,
    principal: EnvUser,
    paging: Paging = Depends(),
    outcome: Literal["received", "accepted", "duplicate", "corrected", "rejected"] | None = None,
    station: str | None = None,
    source: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """The received-file log, newest first. Files no station could be read from are shown
    only to administrators and the ministry."""
    conds = []
    if outcome:
        conds.append(received_files.c.outcome == outcome)
    if source:
        conds.append(received_files.c.source == source)
    begin, stop = parse_when(start), parse_when(end, end=True)
    if begin is not None:
        conds.append(received_files.c.received_at >= begin)
    if stop is not None:
        conds.append(received_files.c.received_at < stop)
    base = received_files.outerjoin(stations, stations.c.id == received_files.c.station_id)
    if principal.sees_all_stations:
        scope = or_(received_files.c.station_id.is_(None), station_clause(principal))
    else:
        scope = and_(received_files.c.station_id.is_not(None), station_clause(principal))
    conds.append(scope)
    if station:
        conds.append(stations.c.code == station)
    where = and_(*conds)
    query = (
        select(received_files, stations.c.code.label("station"))
        .select_from(base)
        .where(where)
        .order_by(received_files.c.id.desc())
    )
    with ctx.store.engine.connect() as conn:
        if format != "json":
            rows = conn.execute(query.limit(1_000_000)).all()
        else:
            total = conn.execute(select(func.count()).select_from(base).where(where)).scalar_one()
            rows = conn.execute(query.limit(paging.limit).offset(paging.offset)).all()
    items = [_file_dict(r) for r in rows]
    if format == "json":
        return paging.envelope(items, total)
    header = (
        "id",
        "name",
        "station",
        "source",
        "received_at",
        "outcome",
        "observations",
        "reasons",
    )
    out = (
        [
            i["id"],
            i["name"],
            i["station"],
            i["source"],
            i["received_time"],
            i["outcome"],
            i["observations"],
            "; ".join(x.get("message", "") for x in i["reasons"]),
        ]
        for i in items
    )
    return download(format, header, out, "received_files")


def _file_dict(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "station": r.station,
        "size": r.size,
        "source": r.source,
        "path": r.path,
        "received_at": r.received_at,
        "received_time": iso(r.received_at),
        "processed_at": r.processed_at,
        "name_ts": r.name_ts,
        "outcome": r.outcome,
        "observations": r.observations,
        "misplaced": r.misplaced,
        "supersedes_id": r.supersedes_id,
        "reasons": r.reasons or [],
    }


def _visible_file(conn: Connection, principal: Any, file_id: int) -> Any:
    row = conn.execute(
        select(received_files, stations.c.code.label("station"))
        .select_from(
            received_files.outerjoin(stations, stations.c.id == received_files.c.station_id)
        )
        .where(received_files.c.id == file_id)
    ).first()
    if row is None:
        raise HTTPException(404, "no such file")
    if row.station is None:
        if not principal.sees_all_stations:
            raise HTTPException(404, "no such file")
    else:
        require_station(conn, principal, row.station)
    return row


@router.get("/files/{file_id}")
def received_file(file_id: int, ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    with ctx.store.engine.connect() as conn:
        row = _visible_file(conn, principal, file_id)
    out = _file_dict(row)
    out["sha256"] = ctx.store.archive.sha256_of([row.blob_id]).get(row.blob_id)
    return out


@router.get("/files/{file_id}/content")
def received_file_content(file_id: int, ctx: Ctx, principal: EnvUser) -> Response:
    """The archived bytes, exactly as received."""
    with ctx.store.engine.connect() as conn:
        row = _visible_file(conn, principal, file_id)
    return Response(
        ctx.store.archive.get(row.blob_id),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{row.name}"'},
    )
