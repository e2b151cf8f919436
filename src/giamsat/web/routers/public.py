"""What anyone may read without logging in: the latest VN_AQI of published stations, a
station's last 24 hours, the category table, and an export of it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select

from giamsat.environment.schema import stations
from giamsat.web import quality
from giamsat.web.context import Ctx
from giamsat.web.routers.quality import _aqi_download

router = APIRouter(prefix="/public", tags=["public"])


def public_item(i: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": i["station"],
        "name": i.get("name"),
        "lat": i.get("lat"),
        "lon": i.get("lon"),
        "time": i.get("time"),
        "aqi": i.get("aqi"),
        "category": i.get("category"),
        "category_en": i.get("category_en"),
        "colour": i.get("colour"),
        "dominant": i.get("dominant"),
        "sub_indices": i.get("sub_indices") or {},
    }


@router.get("/aqi")
def public_aqi(ctx: Ctx) -> dict[str, Any]:
    """Latest AQI of every published station: code, name, position, time, aqi, category,
    dominant pollutant (and the sub-index of each pollutant)."""
    items = [public_item(i) for i in quality.latest_aqi(ctx.store, published_only=True)]
    return {"items": items, "total": len(items)}


@router.get("/categories")
def public_categories() -> dict[str, Any]:
    return {"items": quality.aqi_categories()}


def _published(ctx: Any, code: str) -> Any:
    with ctx.store.engine.connect() as conn:
        row = conn.execute(
            select(stations).where(stations.c.code == code, stations.c.published.is_(True))
        ).first()
    if row is None:
        raise HTTPException(404, f"no published station {code!r}")
    return row


@router.get("/aqi/{code}")
def public_station(
    code: str,
    ctx: Ctx,
    hours: int = Query(24, ge=1, le=168),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Hourly VN_AQI of a published station with the sub-index of each pollutant, newest
    first (the 24-hour table and the per-pollutant bars of the public page)."""
    row = _published(ctx, code)
    end = row.last_obs_ts or 0
    items = quality.aqi_hourly(ctx.store, code, end - hours * 3600, end + 3600) if end else []
    items = sorted(items, key=lambda i: i.get("time") or "", reverse=True)[:hours]
    if format != "json":
        return _aqi_download(items, format, f"vn_aqi_{code}")
    latest = [i for i in quality.latest_aqi(ctx.store, published_only=True) if i["station"] == code]
    return {
        "station": {"code": row.code, "name": row.name, "lat": row.lat, "lon": row.lon},
        "latest": public_item(latest[0]) if latest else None,
        "hourly": items,
    }
