"""Status summary, completeness, exceedances, limits, VN_AQI and the alert log — the routes
that read the quality engine and the alert lifecycle through :mod:`giamsat.web.quality`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.engine import Connection

from giamsat.core.store.schema import alerts as alerts_table
from giamsat.web import quality
from giamsat.web.auth import Principal
from giamsat.web.context import Ctx, EnvUser, User
from giamsat.web.scope import filter_codes, require_station, visible_codes
from giamsat.web.tabular import Paging, download
from giamsat.web.timeparams import day_int, parse_when, period

router = APIRouter(tags=["quality"])

STATUS_KEYS = (
    "total",
    "disconnected",
    "connected",
    "good",
    "exceeding",
    "device_error",
    "calibrating",
)


@router.get("/status/summary")
def status_summary(ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    """The dashboard counts (total, disconnected, connected, good, exceeding, device error,
    calibrating), overall and per component, and the number of open alerts."""
    with ctx.store.engine.connect() as conn:
        codes = visible_codes(conn, principal)
    statuses = ctx.status.for_codes(codes)
    by_component: dict[str, list[dict[str, Any]]] = {}
    for s in statuses:
        by_component.setdefault(s["component"], []).append(s)
    out: dict[str, Any] = {
        "summary": quality.summary(statuses),
        "by_component": {c: quality.summary(items) for c, items in sorted(by_component.items())},
        "open_alerts": None,
    }
    if quality.module("alerts", required=False) is not None:
        out["open_alerts"] = _open_alert_count(ctx, principal, codes)
    return out


@router.get("/status/stations")
def station_statuses(
    ctx: Ctx,
    principal: EnvUser,
    paging: Paging = Depends(),
    status: str | None = None,
    component: str | None = None,
    province: str | None = None,
) -> dict[str, Any]:
    """Each station's status with what is exceeding, in device error or calibrating."""
    with ctx.store.engine.connect() as conn:
        codes = visible_codes(conn, principal)
    items = ctx.status.for_codes(codes)
    if status:
        wanted = {"connected": {"good", "exceeding", "device_error", "calibrating"}}.get(
            status, {status}
        )
        items = [s for s in items if s["status"] in wanted]
    if component:
        items = [s for s in items if s["component"] == component]
    if province:
        items = [s for s in items if s["province_code"] == province]
    return paging.slice(items)


@router.get("/completeness")
def completeness(
    ctx: Ctx,
    principal: EnvUser,
    station: list[str] | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    period_: Literal["day", "month"] = Query("day", alias="period"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Transmission completeness per station × parameter × day or month (OpenAQ coverage
    fields: expected/observed/valid counts, percent complete, valid, coverage)."""
    with ctx.store.engine.connect() as conn:
        codes = filter_codes(conn, principal, station)
    begin, stop = period(start, end, 30 * 86400)
    items = quality.completeness(ctx.store, codes, begin, stop, period_) if codes else []
    if format == "json":
        return {"items": items, "total": len(items), "from": begin, "to": stop}
    header = list(items[0]) if items else ["station", "parameter", "period", "percent_complete"]
    return download(format, header, ([i.get(h) for h in header] for i in items), "completeness")


@router.get("/completeness/below-target")
def below_target(
    ctx: Ctx,
    principal: EnvUser,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    target: float | None = Query(None, ge=0, le=100),
) -> dict[str, Any]:
    """Stations under the transmission target (80 % by default, TT10)."""
    begin, stop = period(start, end, 30 * 86400)
    with ctx.store.engine.connect() as conn:
        allowed = set(visible_codes(conn, principal))
    items = [
        i
        for i in quality.below_target(ctx.store, begin, stop, target)
        if i.get("station") in allowed
    ]
    return {
        "items": items,
        "total": len(items),
        "target_percent": target or ctx.settings.completeness_target_percent,
    }


@router.get("/exceedances")
def exceedances(
    ctx: Ctx,
    principal: EnvUser,
    paging: Paging = Depends(),
    station: list[str] | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Episodes over the permit's limits (standard, column, averaging, peak, ratio)."""
    with ctx.store.engine.connect() as conn:
        codes = filter_codes(conn, principal, station)
    begin, stop = period(start, end, 7 * 86400)
    items = quality.exceedances(ctx.store, codes, begin, stop) if codes else []
    if format == "json":
        return paging.slice(items, **{"from": begin, "to": stop})
    header = [
        "station",
        "parameter",
        "standard",
        "column",
        "averaging",
        "limit",
        "start",
        "end",
        "peak",
        "peak_ts",
        "ratio",
    ]
    return download(format, header, ([i.get(h) for h in header] for i in items), "exceedances")


@router.get("/stations/{code}/limits")
def station_limits(code: str, ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    """The limits that apply to a station under its permit."""
    with ctx.store.engine.connect() as conn:
        require_station(conn, principal, code)
    items = quality.limits(ctx.store, code)
    return {"items": items, "total": len(items)}


# --- VN_AQI -------------------------------------------------------------------------------


@router.get("/aqi/categories")
def aqi_categories() -> dict[str, Any]:
    """VN_AQI bands with colours and health advice (public)."""
    return {"items": quality.aqi_categories()}


@router.get("/aqi/latest")
def aqi_latest(ctx: Ctx, principal: EnvUser) -> dict[str, Any]:
    """Latest hourly VN_AQI of your ambient-air stations, published or not."""
    with ctx.store.engine.connect() as conn:
        allowed = set(visible_codes(conn, principal))
    items = [
        i for i in quality.latest_aqi(ctx.store, published_only=False) if i["station"] in allowed
    ]
    return {"items": items, "total": len(items)}


@router.get("/aqi/hourly")
def aqi_hourly(
    ctx: Ctx,
    principal: EnvUser,
    station: str,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    with ctx.store.engine.connect() as conn:
        row = require_station(conn, principal, station)
    begin, stop = period(start, end, 86400, anchor=row.last_obs_ts)
    items = quality.aqi_hourly(ctx.store, station, begin, stop)
    if format == "json":
        return {"station": station, "items": items, "total": len(items)}
    return _aqi_download(items, format, f"aqi_hourly_{station}")


@router.get("/aqi/daily")
def aqi_daily(
    ctx: Ctx,
    principal: EnvUser,
    station: str,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    with ctx.store.engine.connect() as conn:
        row = require_station(conn, principal, station)
    begin, stop = period(start, end, 30 * 86400, anchor=row.last_obs_ts)
    items = quality.aqi_daily(
        ctx.store, station, day_int(begin, row.utc_offset_min), day_int(stop, row.utc_offset_min)
    )
    if format == "json":
        return {"station": station, "items": items, "total": len(items)}
    return _aqi_download(items, format, f"aqi_daily_{station}", key="day")


def _aqi_download(items: list[dict[str, Any]], fmt: str, stem: str, key: str = "time") -> Any:
    pollutants = sorted({p for i in items for p in (i.get("sub_indices") or {})})
    header = [key, "aqi", "dominant", *pollutants]
    rows = (
        [i.get(key), i.get("aqi"), i.get("dominant")]
        + [(i.get("sub_indices") or {}).get(p) for p in pollutants]
        for i in items
    )
    return download(fmt, header, rows, stem)


# --- alerts -------------------------------------------------------------------------------


class AlertAction(BaseModel):
    note: str = Field("", max_length=2000)


def _alert_scope(conn: Connection, principal: Principal) -> dict[str, Any]:
    if principal.sees_all_stations:
        return {}
    if principal.role == "operator":
        return {"domain": "maritime"}
    return {"domain": "environment", "asset_ids": visible_codes(conn, principal)}


def _open_alert_count(ctx: Any, principal: Principal, codes: list[str] | None = None) -> int:
    mod = quality.alerts_module()
    with ctx.store.engine.connect() as conn:
        scope = _alert_scope(conn, principal)
        total = 0
        for state in ("open", "acknowledged"):
            _, n = mod.query_alerts(conn, state=state, limit=1, offset=0, **scope)
            total += n
    return total


@router.get("/alerts")
def list_alerts(
    ctx: Ctx,
    principal: User,
    paging: Paging = Depends(),
    state: Literal["open", "acknowledged", "resolved"] | None = None,
    domain: Literal["environment", "maritime"] | None = None,
    rule: str | None = None,
    station: str | None = Query(None, description="Asset id: a station code or an MMSI."),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """The alert log, newest first, with filters; open-alert counts come from ``state``."""
    mod = quality.alerts_module()
    with ctx.store.engine.connect() as conn:
        scope = _alert_scope(conn, principal)
        if domain and scope.get("domain") and scope["domain"] != domain:
            return paging.envelope([], 0)
        if domain:
            scope["domain"] = domain
        if station:
            allowed = scope.get("asset_ids")
            if allowed is not None and station not in allowed:
                raise HTTPException(404, f"station {station!r} not found")
            scope["asset_ids"] = [station]
        limit = 1_000_000 if format != "json" else paging.limit
        offset = 0 if format != "json" else paging.offset
        rows, total = mod.query_alerts(
            conn,
            state=state,
            rule=rule,
            start=parse_when(start),
            end=parse_when(end, end=True),
            limit=limit,
            offset=offset,
            **scope,
        )
    items = [dict(r) for r in rows]
    if format == "json":
        return paging.envelope(items, total)
    header = [
        "id",
        "domain",
        "asset_id",
        "parameter",
        "rule",
        "severity",
        "state",
        "message",
        "value",
        "limit_value",
        "occurrences",
        "first_at",
        "last_at",
        "acknowledged_by",
        "resolved_by",
    ]
    return download(format, header, ([_cell(i.get(h)) for h in header] for i in items), "alerts")


def _cell(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _alert_for_action(conn: Connection, principal: Principal, alert_id: int) -> Any:
    row = conn.execute(select(alerts_table).where(alerts_table.c.id == alert_id)).first()
    if row is None:
        raise HTTPException(404, "no such alert")
    if row.domain == "maritime":
        if not principal.maritime:
            raise HTTPException(404, "no such alert")
    elif row.asset_kind == "station":
        if not principal.environment:
            raise HTTPException(404, "no such alert")
        require_station(conn, principal, row.asset_id)
    elif not principal.sees_all_stations:
        raise HTTPException(404, "no such alert")
    return row


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, body: AlertAction, ctx: Ctx, principal: User) -> dict[str, Any]:
    mod = quality.alerts_module()
    with ctx.store.write() as conn:
        row = _alert_for_action(conn, principal, alert_id)
        if row.state != "open":  # e.g. acknowledged meanwhile from another screen or pop-up
            raise HTTPException(409, f"the alert is {row.state}")
        mod.acknowledge_alert(conn, alert_id, principal.username, body.note)
    return {"ok": True, "id": alert_id, "state": "acknowledged"}


@router.post("/alerts/{alert_id}/resolve")
def resolve(alert_id: int, body: AlertAction, ctx: Ctx, principal: User) -> dict[str, Any]:
    if principal.role == "enterprise":
        raise HTTPException(403, "enterprises acknowledge alerts; the authority resolves them")
    mod = quality.alerts_module()
    with ctx.store.write() as conn:
        row = _alert_for_action(conn, principal, alert_id)
        if row.state == "resolved":
            raise HTTPException(409, "the alert is already resolved")
        mod.resolve_alert(conn, alert_id, principal.username, body.note)
    return {"ok": True, "id": alert_id, "state": "resolved"}
