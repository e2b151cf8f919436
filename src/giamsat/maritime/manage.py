"""Edits of what operators maintain: zones, the AtoN registry and its thresholds, settings,
vessel groups, planned routes, map markers, watched vessels. Each function takes an open
write connection (``store.write()``) and returns plain dicts (times as ISO 8601 UTC).

Validation errors raise ``ValueError`` with a message meant for the user; a missing record
raises ``LookupError``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from giamsat.core.store.types import utcnow
from giamsat.maritime.atons import AtonConfig
from giamsat.maritime.registry import SETTINGS
from giamsat.maritime.schema import (
    aton_alert_config,
    atons,
    map_markers,
    maritime_settings,
    route_waypoints,
    vessel_group_members,
    vessel_groups,
    vessel_routes,
    vessels,
    zone_log,
    zones,
)
from giamsat.maritime.zones import ALERT_ON, Zone, zones_from_geojson

REGISTRY_COLUMNS = ("name", "aid_type", "kind", "area", "lat", "lon", "radius_m",
                    "expected_interval_s", "virtual", "enc_id", "note")  # fmt: skip


def as_dict(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat().replace("+00:00", "Z")
    return out


def _color(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not (text.startswith("#") and len(text) in (4, 7, 9)):
        raise ValueError(f"colour {value!r}: use #rgb or #rrggbb")
    int(text[1:], 16)
    return text


# --- zones -------------------------------------------------------------------------------
def _zone_values(zone: Zone) -> dict[str, Any]:
    if zone.alert_on not in ALERT_ON:
        raise ValueError(f"alert_on is one of {', '.join(ALERT_ON)}")
    feature = zone.feature()
    return {
        "name": zone.name[:250],
        "kind": zone.kind[:32],
        "speed_limit_kn": zone.speed_limit_kn,
        "alert_on": zone.alert_on,
        "color": _color(zone.color),
        "geometry": feature["geometry"],
        "properties": zone.properties or None,
    }


def zone_row(conn: Connection, zone_id: int) -> dict[str, Any]:
    row = conn.execute(select(zones).where(zones.c.id == zone_id)).first()
    if row is None:
        raise LookupError(f"no zone {zone_id}")
    return as_dict(row)


def create_zone(conn: Connection, zone: Zone, created_by: str | None = None) -> dict[str, Any]:
    now = utcnow()
    values = _zone_values(zone)
    zone_id = conn.execute(
        zones.insert().values(
            guid=zone.guid or str(uuid.uuid4()),
            active=True,
            created_by=created_by,
            created_at=now,
            updated_at=now,
            **values,
        )
    ).inserted_primary_key[0]
    return zone_row(conn, zone_id)


def update_zone(conn: Connection, zone_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    current = zone_row(conn, zone_id)
    allowed = {"name", "kind", "speed_limit_kn", "alert_on", "color", "geometry", "properties",
               "active"}  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown zone fields: {', '.join(sorted(unknown))}")
    merged = {**current, **changes}
    feature = {
        "type": "Feature",
        "geometry": merged["geometry"],
        "properties": {
            **(merged.get("properties") or {}),
            "name": merged["name"],
            "kind": merged["kind"],
            "speed_limit_kn": merged["speed_limit_kn"],
            "alert_on": merged["alert_on"],
            "color": merged["color"],
        },
    }
    zone = zones_from_geojson({"type": "FeatureCollection", "features": [feature]})[0]
    values = _zone_values(zone)
    if "active" in changes:
        values["active"] = bool(changes["active"])
    conn.execute(update(zones).where(zones.c.id == zone_id).values(updated_at=utcnow(), **values))
    if values.get("active") is False:
        _close_zone_log(conn, zone_id)
    return zone_row(conn, zone_id)


def _close_zone_log(conn: Connection, zone_id: int) -> None:
    """Vessels inside a zone that stops being watched leave its log now."""
    now = int(utcnow().timestamp())
    conn.execute(
        update(zone_log)
        .where(zone_log.c.zone_id == zone_id, zone_log.c.time_out.is_(None))
        .values(time_out=now)
    )


def delete_zone(conn: Connection, zone_id: int) -> None:
    zone_row(conn, zone_id)
    _close_zone_log(conn, zone_id)
    conn.execute(delete(zones).where(zones.c.id == zone_id))


def list_zones(conn: Connection, active: bool | None = None) -> list[dict[str, Any]]:
    query = select(zones).order_by(zones.c.id)
    if active is not None:
        query = query.where(zones.c.active == active)
    return [as_dict(r) for r in conn.execute(query)]


def zones_geojson(conn: Connection, active: bool | None = None) -> dict[str, Any]:
    features = []
    for z in list_zones(conn, active):
        props = dict(z.get("properties") or {})
        props.update(
            name=z["name"], kind=z["kind"], speed_limit_kn=z["speed_limit_kn"],
            alert_on=z["alert_on"], color=z["color"], guid=z["guid"], active=z["active"],
        )  # fmt: skip
        features.append(
            {"type": "Feature", "id": z["id"], "geometry": z["geometry"], "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def import_zones(
    conn: Connection, data: Any, created_by: str | None = None, replace: bool = False
) -> dict[str, Any]:
    """Import a GeoJSON document: a zone with the same guid (or, without guid, the same name)
    is updated, others are created; ``replace`` deletes the zones the document does not have."""
    skipped: list[str] = []
    found = zones_from_geojson(data, skipped)
    by_guid = {r.guid: r.id for r in conn.execute(select(zones.c.guid, zones.c.id))}
    by_name = {r.name: r.id for r in conn.execute(select(zones.c.name, zones.c.id))}
    created, updated, keep = 0, 0, set()
    for zone in found:
        zone_id = by_guid.get(zone.guid) if zone.guid else by_name.get(zone.name)
        if zone_id is None:
            keep.add(create_zone(conn, zone, created_by)["id"])
            created += 1
        else:
            conn.execute(
                update(zones).where(zones.c.id == zone_id)
                .values(updated_at=utcnow(), active=True, **_zone_values(zone))
            )  # fmt: skip
            keep.add(zone_id)
            updated += 1
    removed = 0
    if replace:
        for (zone_id,) in conn.execute(select(zones.c.id)).all():
            if zone_id not in keep:
                delete_zone(conn, zone_id)
                removed += 1
    return {"created": created, "updated": updated, "removed": removed, "skipped": skipped}


# --- AtoN registry -----------------------------------------------------------------------
def aton_row(conn: Connection, mmsi: int) -> dict[str, Any]:
    row = conn.execute(select(atons).where(atons.c.mmsi == mmsi)).first()
    if row is None:
        raise LookupError(f"no AtoN {mmsi}")
    return as_dict(row)


def upsert_aton(conn: Connection, mmsi: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Register an AtoN (or update its registry fields); live status is left alone."""
    if not 0 < int(mmsi) <= 999_999_999:
        raise ValueError(f"MMSI {mmsi} is not a 9-digit number")
    unknown = set(fields) - set(REGISTRY_COLUMNS)
    if unknown:
        raise ValueError(f"unknown AtoN fields: {', '.join(sorted(unknown))}")
    lat, lon = fields.get("lat"), fields.get("lon")
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        raise ValueError("position outside the globe")
    if fields.get("radius_m") is not None and fields["radius_m"] < 0:
        raise ValueError("radius_m must be >= 0")
    now = utcnow()
    values = {k: v for k, v in fields.items() if k in REGISTRY_COLUMNS}
    for text in ("name", "area", "note"):
        if values.get(text) is None and text in values:
            values[text] = ""
    exists = conn.execute(select(atons.c.mmsi).where(atons.c.mmsi == mmsi)).first()
    if exists is None:
        conn.execute(
            atons.insert().values(
                mmsi=mmsi,
                registered=True,
                created_at=now,
                updated_at=now,
                **{"name": "", "area": "", "note": "", "virtual": False, **values},
            )
        )
    else:
        conn.execute(
            update(atons).where(atons.c.mmsi == mmsi)
            .values(registered=True, updated_at=now, **values)
        )  # fmt: skip
    return aton_row(conn, mmsi)


def import_atons(conn: Connection, configs: Iterable[AtonConfig]) -> dict[str, int]:
    """Register AtoNs from a CSV or an ENC import; per-AtoN thresholds go to their config."""
    created = updated = 0
    for cfg in configs:
        existed = conn.execute(select(atons.c.mmsi).where(atons.c.mmsi == cfg.mmsi)).first()
        row = cfg.as_row()
        row.pop("mmsi")
        fields = {k: v for k, v in row.items() if v is not None and v != ""}
        upsert_aton(conn, cfg.mmsi, fields)
        own = {}
        if cfg.low_voltage is not None:
            own["low_voltage_v"] = cfg.low_voltage
        if cfg.lost_after_min is not None:
            own["lost_after_min"] = cfg.lost_after_min
        if own:
            set_aton_config(conn, cfg.mmsi, own)
        if existed:
            updated += 1
        else:
            created += 1
    return {"created": created, "updated": updated}


def unregister_aton(conn: Connection, mmsi: int) -> None:
    """Out of the registry (its history stays; it shows again as heard if it transmits)."""
    aton_row(conn, mmsi)
    conn.execute(delete(aton_alert_config).where(aton_alert_config.c.mmsi == mmsi))
    conn.execute(
        update(atons).where(atons.c.mmsi == mmsi).values(registered=False, updated_at=utcnow())
    )


def _setting_ids(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(maritime_settings.c.name, maritime_settings.c.id)).all())


def _check_value(name: str, value: Any) -> str | None:
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {name!r} (known: {', '.join(SETTINGS)})")
    if value is None or value == "":
        return None
    kind = SETTINGS[name][0]
    if kind == "number":
        number = float(value)
        if number < 0:
            raise ValueError(f"{name} must be >= 0")
        return str(number)
    if kind == "bool":
        text = str(value).strip().lower()
        if text not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            raise ValueError(f"{name} is true or false")
        return "true" if text in ("true", "1", "yes", "on") else "false"
    return str(value)[:255]


def get_aton_config(conn: Connection, mmsi: int) -> dict[str, str]:
    query = (
        select(maritime_settings.c.name, aton_alert_config.c.value)
        .join(maritime_settings, maritime_settings.c.id == aton_alert_config.c.config_id)
        .where(aton_alert_config.c.mmsi == mmsi)
    )
    return dict(conn.execute(query).all())


def set_aton_config(conn: Connection, mmsi: int, values: dict[str, Any]) -> dict[str, str]:
    """Per-AtoN thresholds; a value of None removes the AtoN's own value (global applies)."""
    ids = _setting_ids(conn)
    now = utcnow()
    for name, raw in values.items():
        value = _check_value(name, raw)
        if name not in ids:
            raise ValueError(f"setting {name!r} is not seeded yet (start the service once)")
        conn.execute(
            delete(aton_alert_config).where(
                aton_alert_config.c.mmsi == mmsi, aton_alert_config.c.config_id == ids[name]
            )
        )
        if value is not None:
            conn.execute(
                aton_alert_config.insert().values(
                    config_id=ids[name], mmsi=mmsi, value=value, created_at=now, updated_at=now
                )
            )
    conn.execute(update(atons).where(atons.c.mmsi == mmsi).values(updated_at=now))
    return get_aton_config(conn, mmsi)


def list_settings(conn: Connection) -> list[dict[str, Any]]:
    return [
        as_dict(r) for r in conn.execute(select(maritime_settings).order_by(maritime_settings.c.id))
    ]


def update_settings(conn: Connection, values: dict[str, Any]) -> list[dict[str, Any]]:
    ids = _setting_ids(conn)
    now = utcnow()
    for name, raw in values.items():
        value = _check_value(name, raw)
        if name not in ids:
            kind, description, _ = SETTINGS[name]
            conn.execute(
                maritime_settings.insert().values(
                    name=name,
                    description=description,
                    type=kind,
                    value=value,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            conn.execute(
                update(maritime_settings)
                .where(maritime_settings.c.id == ids[name])
                .values(value=value, updated_at=now)
            )
    return list_settings(conn)


# --- groups ------------------------------------------------------------------------------
def group_row(conn: Connection, group_id: int) -> dict[str, Any]:
    row = conn.execute(select(vessel_groups).where(vessel_groups.c.id == group_id)).first()
    if row is None:
        raise LookupError(f"no group {group_id}")
    out = as_dict(row)
    out["members"] = sorted(
        conn.execute(
            select(vessel_group_members.c.mmsi).where(vessel_group_members.c.group_id == group_id)
        ).scalars()
    )
    return out


def list_groups(conn: Connection) -> list[dict[str, Any]]:
    counts = dict(
        conn.execute(
            select(vessel_group_members.c.group_id, func.count()).group_by(
                vessel_group_members.c.group_id
            )
        ).all()
    )
    out = []
    for row in conn.execute(select(vessel_groups).order_by(vessel_groups.c.name)):
        item = as_dict(row)
        item["member_count"] = counts.get(row.id, 0)
        out.append(item)
    return out


def create_group(conn: Connection, fields: dict[str, Any]) -> dict[str, Any]:
    name = str(fields.get("name") or "").strip()
    if not name:
        raise ValueError("a group needs a name")
    if conn.execute(select(vessel_groups.c.id).where(vessel_groups.c.name == name)).first():
        raise ValueError(f"a group named {name!r} exists")
    now = utcnow()
    group_id = conn.execute(
        vessel_groups.insert().values(
            name=name,
            description=fields.get("description") or "",
            color=_color(fields.get("color")) or "#1f77b4",
            visible=bool(fields.get("visible", True)),
            watched=bool(fields.get("watched", False)),
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key[0]
    if fields.get("members"):
        set_members(conn, group_id, fields["members"])
    return group_row(conn, group_id)


def update_group(conn: Connection, group_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    group_row(conn, group_id)
    values: dict[str, Any] = {}
    for key in ("name", "description", "color", "visible", "watched"):
        if key in fields and fields[key] is not None:
            values[key] = fields[key]
    if "color" in values:
        values["color"] = _color(values["color"])
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"]:
            raise ValueError("a group needs a name")
        other = conn.execute(
            select(vessel_groups.c.id).where(
                vessel_groups.c.name == values["name"], vessel_groups.c.id != group_id
            )
        ).first()
        if other:
            raise ValueError(f"a group named {values['name']!r} exists")
    conn.execute(
        update(vessel_groups).where(vessel_groups.c.id == group_id)
        .values(updated_at=utcnow(), **values)
    )  # fmt: skip
    if fields.get("members") is not None:
        set_members(conn, group_id, fields["members"])
    return group_row(conn, group_id)


def delete_group(conn: Connection, group_id: int) -> None:
    group_row(conn, group_id)
    conn.execute(delete(vessel_group_members).where(vessel_group_members.c.group_id == group_id))
    conn.execute(delete(vessel_groups).where(vessel_groups.c.id == group_id))


def _mmsis(values: Iterable[Any]) -> list[int]:
    out = []
    for value in values:
        mmsi = int(value)
        if not 0 < mmsi <= 999_999_999:
            raise ValueError(f"MMSI {value} is not a 9-digit number")
        out.append(mmsi)
    return list(dict.fromkeys(out))


def set_members(conn: Connection, group_id: int, mmsis: Iterable[Any]) -> dict[str, Any]:
    wanted = _mmsis(mmsis)
    conn.execute(delete(vessel_group_members).where(vessel_group_members.c.group_id == group_id))
    return add_members(conn, group_id, wanted)


def add_members(conn: Connection, group_id: int, mmsis: Iterable[Any]) -> dict[str, Any]:
    group_row(conn, group_id)
    have = set(
        conn.execute(
            select(vessel_group_members.c.mmsi).where(vessel_group_members.c.group_id == group_id)
        ).scalars()
    )
    now = utcnow()
    for mmsi in _mmsis(mmsis):
        if mmsi not in have:
            conn.execute(
                vessel_group_members.insert().values(
                    group_id=group_id, mmsi=mmsi, created_at=now, updated_at=now
                )
            )
    conn.execute(update(vessel_groups).where(vessel_groups.c.id == group_id).values(updated_at=now))
    return group_row(conn, group_id)


def remove_member(conn: Connection, group_id: int, mmsi: int) -> dict[str, Any]:
    group_row(conn, group_id)
    conn.execute(
        delete(vessel_group_members).where(
            vessel_group_members.c.group_id == group_id, vessel_group_members.c.mmsi == mmsi
        )
    )
    conn.execute(
        update(vessel_groups).where(vessel_groups.c.id == group_id).values(updated_at=utcnow())
    )
    return group_row(conn, group_id)


# --- routes ------------------------------------------------------------------------------
def route_row(conn: Connection, route_id: int) -> dict[str, Any]:
    row = conn.execute(select(vessel_routes).where(vessel_routes.c.id == route_id)).first()
    if row is None:
        raise LookupError(f"no route {route_id}")
    out = as_dict(row)
    out["waypoints"] = [
        as_dict(w)
        for w in conn.execute(
            select(route_waypoints)
            .where(route_waypoints.c.route_id == route_id)
            .order_by(route_waypoints.c.seq)
        )
    ]
    return out


def list_routes(conn: Connection, mmsi: int | None = None) -> list[dict[str, Any]]:
    query = select(vessel_routes.c.id).order_by(vessel_routes.c.id)
    if mmsi is not None:
        query = query.where(vessel_routes.c.mmsi == mmsi)
    return [route_row(conn, rid) for rid in conn.execute(query).scalars()]


def _waypoints(conn: Connection, route_id: int, points: list[dict[str, Any]]) -> None:
    conn.execute(delete(route_waypoints).where(route_waypoints.c.route_id == route_id))
    now = utcnow()
    for seq, point in enumerate(points, 1):
        lat, lon = float(point["lat"]), float(point["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"waypoint {seq}: position outside the globe")
        planned = point.get("planned_at")
        if isinstance(planned, str):
            planned = datetime.fromisoformat(planned.replace("Z", "+00:00"))
        if planned is not None and planned.tzinfo is None:
            raise ValueError(f"waypoint {seq}: planned_at needs a time zone")
        conn.execute(
            route_waypoints.insert().values(
                route_id=route_id,
                seq=seq,
                lat=lat,
                lon=lon,
                name=point.get("name") or "",
                planned_at=planned,
                created_at=now,
            )
        )


def create_route(conn: Connection, fields: dict[str, Any]) -> dict[str, Any]:
    name = str(fields.get("name") or "").strip()
    if not name:
        raise ValueError("a route needs a name")
    now = utcnow()
    route_id = conn.execute(
        vessel_routes.insert().values(
            mmsi=fields.get("mmsi"),
            name=name,
            description=fields.get("description") or "",
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key[0]
    _waypoints(conn, route_id, list(fields.get("waypoints") or []))
    return route_row(conn, route_id)


def update_route(conn: Connection, route_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    route_row(conn, route_id)
    values = {k: fields[k] for k in ("mmsi", "name", "description") if k in fields}
    if "name" in values and not str(values["name"] or "").strip():
        raise ValueError("a route needs a name")
    conn.execute(
        update(vessel_routes).where(vessel_routes.c.id == route_id)
        .values(updated_at=utcnow(), **values)
    )  # fmt: skip
    if fields.get("waypoints") is not None:
        _waypoints(conn, route_id, list(fields["waypoints"]))
    return route_row(conn, route_id)


def delete_route(conn: Connection, route_id: int) -> None:
    route_row(conn, route_id)
    conn.execute(delete(route_waypoints).where(route_waypoints.c.route_id == route_id))
    conn.execute(delete(vessel_routes).where(vessel_routes.c.id == route_id))


# --- markers -----------------------------------------------------------------------------
def marker_row(conn: Connection, marker_id: int) -> dict[str, Any]:
    row = conn.execute(select(map_markers).where(map_markers.c.id == marker_id)).first()
    if row is None:
        raise LookupError(f"no marker {marker_id}")
    return as_dict(row)


def list_markers(conn: Connection) -> list[dict[str, Any]]:
    return [as_dict(r) for r in conn.execute(select(map_markers).order_by(map_markers.c.id))]


def _marker_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: fields[k] for k in ("name", "note", "lat", "lon", "color", "icon") if k in fields}
    if "lat" in values and not -90 <= float(values["lat"]) <= 90:
        raise ValueError("lat outside -90..90")
    if "lon" in values and not -180 <= float(values["lon"]) <= 180:
        raise ValueError("lon outside -180..180")
    if values.get("color") is not None:
        values["color"] = _color(values["color"])
    for text in ("name", "note"):
        if text in values and values[text] is None:
            values[text] = ""
    return values


def create_marker(
    conn: Connection, fields: dict[str, Any], created_by: str | None
) -> dict[str, Any]:
    values = _marker_values(fields)
    if "lat" not in values or "lon" not in values:
        raise ValueError("a marker needs lat and lon")
    now = utcnow()
    marker_id = conn.execute(
        map_markers.insert().values(
            created_by=created_by,
            created_at=now,
            updated_at=now,
            **{"name": "", "note": "", **values},
        )
    ).inserted_primary_key[0]
    return marker_row(conn, marker_id)


def update_marker(conn: Connection, marker_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    marker_row(conn, marker_id)
    conn.execute(
        update(map_markers).where(map_markers.c.id == marker_id)
        .values(updated_at=utcnow(), **_marker_values(fields))
    )  # fmt: skip
    return marker_row(conn, marker_id)


def delete_marker(conn: Connection, marker_id: int) -> None:
    marker_row(conn, marker_id)
    conn.execute(delete(map_markers).where(map_markers.c.id == marker_id))


# --- vessels -----------------------------------------------------------------------------
def update_vessel(conn: Connection, mmsi: int, fields: dict[str, Any]) -> None:
    """What operators set on a vessel: ``watched`` (lost-signal alerts) and a ``note``."""
    values = {k: fields[k] for k in ("watched", "note") if k in fields and fields[k] is not None}
    exists = conn.execute(select(vessels.c.mmsi).where(vessels.c.mmsi == mmsi)).first()
    if exists is None:
        conn.execute(
            vessels.insert().values(
                mmsi=mmsi, messages=0, **{"watched": False, "note": "", **values}
            )
        )
    elif values:
        conn.execute(update(vessels).where(vessels.c.mmsi == mmsi).values(**values))
