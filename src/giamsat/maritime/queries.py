"""Reads for the API, exports and the CLI: vessel search, a vessel's state at any past time,
the whole picture at a moment, tracks, the zone log, AtoN status and telemetry history.

Past state = the last stored track point at or before the moment (within ``lookback``) plus
the static data in force then (``vessel_static_log``). The picture at a moment is one
grouped query over the time-indexed track table, never a scan of every vessel's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.engine import Connection

from giamsat.core.store.schema import alerts
from giamsat.maritime.ais.lookups import aton_type, country_name, nav_status, ship_type
from giamsat.maritime.manage import as_dict
from giamsat.maritime.schema import (
    aton_messages,
    atons,
    tracks,
    vessel_group_members,
    vessel_groups,
    vessel_routes,
    vessel_static_log,
    vessels,
    zone_log,
    zones,
)

#: ship-type categories (ITU-R M.1371 table 53) for filters: name -> code ranges
SHIP_CATEGORIES: dict[str, tuple[tuple[int, int], ...]] = {
    "wig": ((20, 29),), "fishing": ((30, 30),), "towing": ((31, 32),), "dredging": ((33, 33),),
    "diving": ((34, 34),), "military": ((35, 35),), "sailing": ((36, 36),),
    "pleasure": ((37, 37),), "high_speed": ((40, 49),), "pilot": ((50, 50),),
    "sar": ((51, 51),), "tug": ((52, 52),), "port_tender": ((53, 53),),
    "anti_pollution": ((54, 54),), "law_enforcement": ((55, 55),), "medical": ((58, 58),),
    "passenger": ((60, 69),), "cargo": ((70, 79),), "tanker": ((80, 89),),
    "other": ((90, 99),), "unknown": ((0, 0),),
}  # fmt: skip


def ship_category(code: int | None) -> str:
    if not code:
        return "unknown"
    for name, ranges in SHIP_CATEGORIES.items():
        if any(lo <= code <= hi for lo, hi in ranges):
            return name
    return "other"


def describe_vessel(row: dict[str, Any], lang: str = "vi") -> dict[str, Any]:
    """A vessel row with the lookups a screen shows (type, status, country names)."""
    row["ship_type_text"] = ship_type(row.get("ship_type"), lang)
    row["ship_category"] = ship_category(row.get("ship_type"))
    row["nav_status_text"] = nav_status(row.get("nav_status"), lang)
    row["flag_name"] = country_name(row.get("flag"), lang)
    return row


def vessel_search(
    conn: Connection,
    *,
    q: str | None = None,
    mmsi: Iterable[int] | None = None,
    name: str | None = None,
    imo: int | None = None,
    callsign: str | None = None,
    flag: Iterable[str] | None = None,
    ship_types: Iterable[int] | None = None,
    categories: Iterable[str] | None = None,
    min_length: float | None = None,
    max_length: float | None = None,
    min_width: float | None = None,
    max_width: float | None = None,
    station: str | None = None,
    group_id: int | None = None,
    watched: bool | None = None,
    seen_from: int | None = None,
    seen_to: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 100,
    offset: int = 0,
    lang: str = "vi",
) -> tuple[list[dict[str, Any]], int]:
    """Vessels matching every given filter, most recently heard first: (page, total)."""
    c = vessels.c
    conds: list[Any] = []
    if q:
        text = q.strip().lower()
        like = f"%{text}%"
        parts = [func.lower(c.name).like(like), func.lower(c.callsign).like(like)]
        if text.isdigit():
            parts += [cast(c.mmsi, String).like(f"{text}%"), cast(c.imo, String).like(f"{text}%")]
        conds.append(or_(*parts))
    if mmsi:
        conds.append(c.mmsi.in_(list(mmsi)))
    if name:
        conds.append(func.lower(c.name).like(f"%{name.strip().lower()}%"))
    if imo is not None:
        conds.append(c.imo == imo)
    if callsign:
        conds.append(func.lower(c.callsign) == callsign.strip().lower())
    if flag:
        conds.append(c.flag.in_([f.upper() for f in flag]))
    type_conds = []
    if ship_types:
        type_conds.append(c.ship_type.in_(list(ship_types)))
    for category in categories or ():
        if category not in SHIP_CATEGORIES:
            raise ValueError(f"unknown ship category {category!r}: {', '.join(SHIP_CATEGORIES)}")
        for lo, hi in SHIP_CATEGORIES[category]:
            if category == "unknown":
                type_conds.append(or_(c.ship_type.is_(None), c.ship_type == 0))
            else:
                type_conds.append(c.ship_type.between(lo, hi))
    if type_conds:
        conds.append(or_(*type_conds))
    for column, low, high in ((c.length, min_length, max_length), (c.width, min_width, max_width)):
        if low is not None:
            conds.append(column >= low)
        if high is not None:
            conds.append(column <= high)
    if station:
        conds.append(c.station == station)
    if watched is not None:
        conds.append(c.watched == watched)
    if seen_from is not None:
        conds.append(c.last_seen >= seen_from)
    if seen_to is not None:
        conds.append(c.first_seen <= seen_to)
    if bbox is not None:
        west, south, east, north = bbox
        conds.append(c.lat.between(south, north))
        conds.append(
            c.lon.between(west, east) if west <= east else or_(c.lon >= west, c.lon <= east)
        )
    if group_id is not None:
        members = select(vessel_group_members.c.mmsi).where(
            vessel_group_members.c.group_id == group_id
        )
        conds.append(c.mmsi.in_(members))
    total = conn.execute(select(func.count()).select_from(vessels).where(*conds)).scalar_one()
    rows = conn.execute(
        select(vessels)
        .where(*conds)
        .order_by(c.last_seen.desc().nulls_last(), c.mmsi)
        .limit(limit)
        .offset(offset)
    ).all()
    return [describe_vessel(as_dict(r), lang) for r in rows], int(total)


def vessel_detail(conn: Connection, mmsi: int, lang: str = "vi") -> dict[str, Any] | None:
    row = conn.execute(select(vessels).where(vessels.c.mmsi == mmsi)).first()
    if row is None:
        return None
    out = describe_vessel(as_dict(row), lang)
    out["groups"] = [
        {"id": g.id, "name": g.name, "color": g.color}
        for g in conn.execute(
            select(vessel_groups.c.id, vessel_groups.c.name, vessel_groups.c.color)
            .join(vessel_group_members, vessel_group_members.c.group_id == vessel_groups.c.id)
            .where(vessel_group_members.c.mmsi == mmsi)
        )
    ]
    out["routes"] = [
        {"id": r.id, "name": r.name}
        for r in conn.execute(select(vessel_routes).where(vessel_routes.c.mmsi == mmsi))
    ]
    out["inside_zones"] = [
        {"zone_id": z.zone_id, "zone": z.zone_name, "since": z.time_in}
        for z in conn.execute(
            select(zone_log).where(zone_log.c.mmsi == mmsi, zone_log.c.time_out.is_(None))
        )
    ]
    out["open_alerts"] = conn.execute(
        select(func.count())
        .select_from(alerts)
        .where(
            alerts.c.domain == "maritime",
            alerts.c.asset_kind == "vessel",
            alerts.c.asset_id == str(mmsi),
            alerts.c.state != "resolved",
        )
    ).scalar_one()
    return out


def static_at(conn: Connection, mmsi: int, t: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(vessel_static_log.c.ts, vessel_static_log.c.fields)
        .where(vessel_static_log.c.mmsi == mmsi, vessel_static_log.c.ts <= t)
        .order_by(vessel_static_log.c.ts.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {**row.fields, "static_ts": row.ts}


def static_changes(conn: Connection, mmsi: int, limit: int = 100) -> list[dict[str, Any]]:
    """The vessel's static-data log as changes, newest first: ``{"ts", "changes": [{"field",
    "old", "new"}]}`` (the oldest entry lists what was first known, ``old`` None)."""
    rows = conn.execute(
        select(vessel_static_log.c.ts, vessel_static_log.c.fields)
        .where(vessel_static_log.c.mmsi == mmsi)
        .order_by(vessel_static_log.c.ts.desc())
        .limit(limit + 1)  # one more: what the oldest shown entry changed from
    ).all()
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows[:limit]):
        before: dict[str, Any] = rows[i + 1].fields if i + 1 < len(rows) else {}
        changes = [
            {"field": key, "old": before.get(key), "new": row.fields.get(key)}
            for key in sorted(set(before) | set(row.fields))
            if before.get(key) != row.fields.get(key)
        ]
        if changes:
            out.append({"ts": row.ts, "changes": changes})
    return out


def vessel_state_at(
    conn: Connection, mmsi: int, t: int, lookback: int = 3600, lang: str = "vi"
) -> dict[str, Any] | None:
    """Where the vessel was at ``t`` (its last track point in ``[t - lookback, t]``) and the
    static data in force then; None when nothing is known about it."""
    current = conn.execute(select(vessels).where(vessels.c.mmsi == mmsi)).first()
    point = conn.execute(
        select(tracks)
        .where(tracks.c.mmsi == mmsi, tracks.c.ts <= t, tracks.c.ts >= t - lookback)
        .order_by(tracks.c.ts.desc())
        .limit(1)
    ).first()
    if current is None and point is None:
        return None
    out: dict[str, Any] = {"mmsi": mmsi, "at": t, "position": None}
    base = as_dict(current) if current is not None else {}
    static = static_at(conn, mmsi, t)
    out["static_source"] = "log" if static is not None else "current"
    for key in ("name", "callsign", "imo", "ship_type", "to_bow", "to_stern", "to_port",
                "to_starboard", "draught", "destination", "eta"):  # fmt: skip
        out[key] = (static or base).get(key)
    bow, stern = out.get("to_bow"), out.get("to_stern")
    port, stbd = out.get("to_port"), out.get("to_starboard")
    out["length"] = bow + stern if bow is not None and stern is not None else None
    out["width"] = port + stbd if port is not None and stbd is not None else None
    out["flag"] = base.get("flag")
    if point is not None:
        out["position"] = {
            "ts": point.ts, "lat": point.lat, "lon": point.lon, "sog": point.sog,
            "cog": point.cog, "heading": point.heading, "nav_status": point.nav_status,
            "age_s": t - point.ts,
        }  # fmt: skip
        out["nav_status"] = point.nav_status
    return describe_vessel(out, lang)


def picture_at(
    conn: Connection,
    t: int,
    lookback: int = 1800,
    bbox: tuple[float, float, float, float] | None = None,
    mmsis: Iterable[int] | None = None,
    group_id: int | None = None,
    limit: int = 50_000,
) -> list[dict[str, Any]]:
    """Every vessel's last position in ``[t - lookback, t]`` with its (current) static data."""
    conds = [tracks.c.ts <= t, tracks.c.ts >= t - lookback]
    if mmsis is not None:
        conds.append(tracks.c.mmsi.in_(list(mmsis)))
    if group_id is not None:
        conds.append(
            tracks.c.mmsi.in_(
                select(vessel_group_members.c.mmsi).where(
                    vessel_group_members.c.group_id == group_id
                )
            )
        )
    last = (
        select(tracks.c.mmsi, func.max(tracks.c.ts).label("ts"))
        .where(*conds)
        .group_by(tracks.c.mmsi)
        .subquery()
    )
    query = (
        select(
            tracks,
            vessels.c.name,
            vessels.c.ship_type,
            vessels.c.length,
            vessels.c.width,
            vessels.c.flag,
            vessels.c.callsign,
        )
        .join(last, and_(tracks.c.mmsi == last.c.mmsi, tracks.c.ts == last.c.ts))
        .outerjoin(vessels, vessels.c.mmsi == tracks.c.mmsi)
        .limit(limit)
    )
    if bbox is not None:
        west, south, east, north = bbox
        query = query.where(tracks.c.lat.between(south, north), tracks.c.lon.between(west, east))
    return [as_dict(r) for r in conn.execute(query)]


def track_points(
    conn: Connection,
    mmsis: Iterable[int] | None,
    start: int,
    end: int,
    group_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    conds = [tracks.c.ts >= start, tracks.c.ts <= end]
    if mmsis is not None:
        conds.append(tracks.c.mmsi.in_(list(mmsis)))
    if group_id is not None:
        conds.append(
            tracks.c.mmsi.in_(
                select(vessel_group_members.c.mmsi).where(
                    vessel_group_members.c.group_id == group_id
                )
            )
        )
    query = (
        select(tracks, vessels.c.name)
        .outerjoin(vessels, vessels.c.mmsi == tracks.c.mmsi)
        .where(*conds)
        .order_by(tracks.c.mmsi, tracks.c.ts)
    )
    if limit is not None:
        query = query.limit(limit)
    return [as_dict(r) for r in conn.execute(query)]


def zone_log_rows(
    conn: Connection,
    *,
    zone_id: int | None = None,
    mmsi: int | None = None,
    start: int | None = None,
    end: int | None = None,
    open_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
    lang: str = "vi",
) -> tuple[list[dict[str, Any]], int]:
    """Entries overlapping ``[start, end]``, newest entry first: (page, total)."""
    conds: list[Any] = []
    if zone_id is not None:
        conds.append(zone_log.c.zone_id == zone_id)
    if mmsi is not None:
        conds.append(zone_log.c.mmsi == mmsi)
    if end is not None:
        conds.append(zone_log.c.time_in <= end)
    if start is not None:
        conds.append(or_(zone_log.c.time_out.is_(None), zone_log.c.time_out >= start))
    if open_only:
        conds.append(zone_log.c.time_out.is_(None))
    total = conn.execute(select(func.count()).select_from(zone_log).where(*conds)).scalar_one()
    query = (
        select(zone_log, zones.c.kind)
        .outerjoin(zones, zones.c.id == zone_log.c.zone_id)
        .where(*conds)
        .order_by(zone_log.c.time_in.desc(), zone_log.c.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    out = []
    for row in conn.execute(query):
        item = as_dict(row)
        item["ship_type_text"] = ship_type(item.get("ship_type"), lang)
        item["duration_s"] = (
            item["time_out"] - item["time_in"] if item["time_out"] is not None else None
        )
        out.append(item)
    return out, int(total)


def aton_list(
    conn: Connection,
    *,
    status: str | None = None,
    registered: bool | None = None,
    kind: str | None = None,
    area: str | None = None,
    q: str | None = None,
    lang: str = "vi",
) -> list[dict[str, Any]]:
    conds: list[Any] = []
    if status:
        conds.append(atons.c.status == status)
    if registered is not None:
        conds.append(atons.c.registered == registered)
    if kind:
        conds.append(atons.c.kind == kind)
    if area:
        conds.append(atons.c.area == area)
    if q:
        like = f"%{q.strip().lower()}%"
        conds.append(
            or_(func.lower(atons.c.name).like(like), cast(atons.c.mmsi, String).like(like))
        )
    out = []
    for row in conn.execute(select(atons).where(*conds).order_by(atons.c.area, atons.c.name)):
        item = as_dict(row)
        item["aid_type_text"] = aton_type(item.get("aid_type"), lang)
        out.append(item)
    return out


def aton_history(
    conn: Connection, mmsi: int, start: int, end: int, limit: int | None = None
) -> list[dict[str, Any]]:
    query = (
        select(aton_messages)
        .where(aton_messages.c.mmsi == mmsi, aton_messages.c.ts >= start, aton_messages.c.ts <= end)
        .order_by(aton_messages.c.ts, aton_messages.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [as_dict(r) for r in conn.execute(query)]


def summary(conn: Connection, now: int, active_seconds: int = 600) -> dict[str, Any]:
    """The dashboard counts."""
    vessel_total = conn.execute(select(func.count()).select_from(vessels)).scalar_one()
    active = conn.execute(
        select(func.count()).select_from(vessels).where(vessels.c.last_seen >= now - active_seconds)
    ).scalar_one()
    by_status = dict(
        conn.execute(
            select(atons.c.status, func.count())
            .where(atons.c.registered.is_(True))
            .group_by(atons.c.status)
        ).all()
    )
    open_alerts = dict(
        conn.execute(
            select(alerts.c.rule, func.count())
            .where(alerts.c.domain == "maritime", alerts.c.state != "resolved")
            .group_by(alerts.c.rule)
        ).all()
    )
    zone_count = conn.execute(
        select(func.count()).select_from(zones).where(zones.c.active.is_(True))
    ).scalar_one()
    inside = conn.execute(
        select(func.count()).select_from(zone_log).where(zone_log.c.time_out.is_(None))
    ).scalar_one()
    return {
        "time": now,
        "vessels": {"total": vessel_total, "active": active, "active_seconds": active_seconds},
        "atons": {
            "registered": sum(by_status.values()),
            **{k: by_status.get(k, 0) for k in ("ok", "alarm", "lost", "unknown")},
        },
        "zones": {"active": zone_count, "vessels_inside": inside},
        "open_alerts": {"total": sum(open_alerts.values()), "by_rule": open_alerts},
    }
