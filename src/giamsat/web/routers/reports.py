"""Report routes: transmission rate, exceedances, daily VN_AQI — JSON, XLSX or PDF."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from giamsat.environment.schema import stations
from giamsat.web import quality, reports
from giamsat.web.context import Ctx, EnvUser
from giamsat.web.scope import filter_codes, station_clause
from giamsat.web.tabular import download, xlsx_file
from giamsat.web.timeparams import day_int, iso, period

router = APIRouter(prefix="/reports", tags=["reports"])
Format = Literal["json", "xlsx", "pdf", "csv"]


def _stations(
    ctx: Any, principal: Any, province: str | None, component: str | None
) -> dict[str, dict[str, Any]]:
    query = select(stations).where(station_clause(principal))
    if province:
        query = query.where(stations.c.province_code == province)
    if component:
        query = query.where(stations.c.component == component)
    with ctx.store.engine.connect() as conn:
        return {r.code: dict(r._mapping) for r in conn.execute(query)}


def _pdf(content: bytes, stem: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'},
    )


@router.get("/transmission")
def transmission(
    ctx: Ctx,
    principal: EnvUser,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    province: str | None = None,
    component: str | None = None,
    format: Format = "json",
) -> Any:
    """Transmission rate by station, province and month against the target (80 %, TT10)."""
    begin, stop = period(start, end, 90 * 86400)
    info = _stations(ctx, principal, province, component)
    items = quality.completeness(ctx.store, sorted(info), begin, stop, "month") if info else []
    target = ctx.settings.completeness_target_percent
    report = reports.transmission(items, info, target)
    report.update({"from": begin, "to": stop})
    title = "Báo cáo tỷ lệ truyền dữ liệu / transmission rate report"
    subtitle = f"{iso(begin)[:10]} → {iso(stop)[:10]} · mục tiêu / target {target:g}%"
    if format == "json":
        return report
    if format == "pdf":
        return _pdf(reports.transmission_pdf(report, title, subtitle), "transmission")
    if format == "xlsx":
        return xlsx_file(
            reports.transmission_xlsx(report, f"{title} — {subtitle}"), "transmission.xlsx"
        )
    header = ["station", "name", "province", *report["months"], "rate", "below_target"]
    rows = (
        [
            s["station"],
            s["name"],
            s["province"],
            *[s["months"].get(m) for m in report["months"]],
            s["rate"],
            s["below_target"],
        ]
        for s in report["by_station"]
    )
    return download("csv", header, rows, "transmission")


@router.get("/exceedances")
def exceedance_report(
    ctx: Ctx,
    principal: EnvUser,
    station: list[str] | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Format = "json",
) -> Any:
    """Exceedance episodes and, per station and parameter, their count, hours and worst ratio."""
    with ctx.store.engine.connect() as conn:
        codes = filter_codes(conn, principal, station)
    begin, stop = period(start, end, 30 * 86400)
    episodes = quality.exceedances(ctx.store, codes, begin, stop) if codes else []
    summary = reports.exceedance_summary(episodes)
    if format == "json":
        return {"from": begin, "to": stop, "summary": summary, "episodes": episodes}
    header = ["station", "parameter", "episodes", "hours", "max_ratio", "limit", "standard"]
    rows = [[s[h] for h in header] for s in summary]
    if format == "pdf":
        chart = {
            "labels": [f"{s['station']} {s['parameter']}" for s in summary[:40]],
            "values": [s["hours"] for s in summary[:40]],
            "title": "Số giờ vượt quy chuẩn / hours over the limit",
            "colours": "#d62728",
        }
        subtitle = f"{iso(begin)[:10]} → {iso(stop)[:10]}"
        return _pdf(
            reports.table_pdf(
                "Báo cáo vượt quy chuẩn / exceedance report", subtitle, header, rows, chart
            ),
            "exceedances",
        )
    return download(format, header, rows, "exceedances")


@router.get("/aqi-daily")
def aqi_daily_report(
    ctx: Ctx,
    principal: EnvUser,
    station: list[str] | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: Format = "json",
) -> Any:
    """Daily VN_AQI of your ambient-air stations, one row per station and day."""
    with ctx.store.engine.connect() as conn:
        codes = filter_codes(conn, principal, station)
        rows = conn.execute(
            select(stations.c.code, stations.c.name).where(
                stations.c.code.in_(codes), stations.c.component == "ambient_air"
            )
        ).all()
    begin, stop = period(start, end, 30 * 86400)
    items = []
    for code, name in rows:
        for d in quality.aqi_daily(ctx.store, code, day_int(begin), day_int(stop)):
            items.append({"station": code, "name": name, **d})
    if format == "json":
        return {"from": begin, "to": stop, "items": items, "total": len(items)}
    pollutants = sorted({p for i in items for p in (i.get("sub_indices") or {})})
    header = ["station", "day", "aqi", "dominant", *pollutants]
    table = [
        [i["station"], i.get("day"), i.get("aqi"), i.get("dominant")]
        + [(i.get("sub_indices") or {}).get(p) for p in pollutants]
        for i in items
    ]
    if format == "pdf":
        peak: dict[str, int] = {}
        for i in items:
            if i.get("aqi") is not None:
                peak[i["station"]] = max(peak.get(i["station"], 0), int(i["aqi"]))
        chart = {
            "labels": list(peak),
            "values": list(peak.values()),
            "title": "VN_AQI ngày cao nhất / highest daily VN_AQI",
        }
        subtitle = f"{iso(begin)[:10]} → {iso(stop)[:10]}"
        return _pdf(
            reports.table_pdf("VN_AQI ngày / daily VN_AQI", subtitle, header, table, chart),
            "aqi_daily",
        )
    return download(format, header, table, "aqi_daily")
