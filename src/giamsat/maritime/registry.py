"""What the live engine is configured with, read from the store: active zones, registered AtoNs
with their per-AtoN thresholds, the rule settings, the watched vessels.

``maritime_settings`` (the paper's Vmsconfig) holds the global values; it is seeded from the
file/env settings the first time and edited from the web afterwards. ``aton_alert_config``
(Atonalertconfig) overrides one of them for one AtoN: the row's ``config_id`` names the
setting, ``value`` is the AtoN's own value.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.engine import Connection

from giamsat.core.store.types import utcnow
from giamsat.maritime.atons import AtonConfig
from giamsat.maritime.rules import CONDITIONS, RuleSettings
from giamsat.maritime.schema import (
    aton_alert_config,
    atons,
    maritime_settings,
    vessel_group_members,
    vessel_groups,
    vessels,
    zones,
)
from giamsat.maritime.zones import Zone, polygon_from_geojson

#: name -> (type, description, Settings attribute giving the default)
SETTINGS: dict[str, tuple[str, str, str | None]] = {
    "speed_limit_kn": ("number", "Giới hạn tốc độ chung (hải lý/giờ), trống = không / "
                       "speed limit everywhere (kn), empty = none", "maritime_speed_limit_kn"),
    "low_voltage_v": ("number", "Ngưỡng điện áp thấp của báo hiệu (V) / AtoN low supply voltage (V)",
                      "maritime_low_voltage"),
    "lost_after_min": ("number", "Mất tín hiệu báo hiệu sau (phút) / AtoN lost signal after (min)",
                       "maritime_lost_after_minutes"),
    "off_position_radius_m": ("number", "Bán kính cho phép mặc định (m) / default allowed radius (m)",
                              "maritime_off_position_radius_m"),
    "vessel_lost_after_min": ("number", "Tàu theo dõi mất tín hiệu sau (phút) / watched vessel "
                              "lost signal after (min)", "maritime_vessel_lost_after_minutes"),
    **{f"rule_{c}": ("bool", f"Cảnh báo / alert: {c}", None) for c in (*CONDITIONS, "lost_signal")},
}  # fmt: skip


def _setting_default(name: str, settings: Any) -> str | None:
    kind, _, attr = SETTINGS[name]
    if attr is None:
        return "true" if kind == "bool" else None
    value = getattr(settings, attr, None)
    if name == "speed_limit_kn" and not value:
        return None
    return None if value is None else str(value)


def seed_settings(conn: Connection, settings: Any) -> None:
    """Create the settings that do not exist yet (existing values are never overwritten)."""
    have = set(conn.execute(select(maritime_settings.c.name)).scalars())
    now = utcnow()
    for name, (kind, description, _) in SETTINGS.items():
        if name not in have:
            conn.execute(
                maritime_settings.insert().values(
                    name=name,
                    description=description,
                    type=kind,
                    value=_setting_default(name, settings),
                    created_at=now,
                    updated_at=now,
                )
            )


def _number(text: str | None) -> float | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _flag(text: str | None, default: bool = True) -> bool:
    if text is None or str(text).strip() == "":
        return default
    return str(text).strip().lower() in ("1", "true", "yes", "on")


def settings_values(conn: Connection) -> dict[str, str | None]:
    return dict(conn.execute(select(maritime_settings.c.name, maritime_settings.c.value)).all())


def rule_settings(conn: Connection) -> RuleSettings:
    values = settings_values(conn)
    return RuleSettings(
        speed_limit_kn=_number(values.get("speed_limit_kn")),
        lost_after_min=_number(values.get("lost_after_min")),
        low_voltage=_number(values.get("low_voltage_v")),
        vessel_lost_after_min=_number(values.get("vessel_lost_after_min")),
    )


def load_zones(conn: Connection) -> list[Zone]:
    out: list[Zone] = []
    rows = conn.execute(select(zones).where(zones.c.active == true()).order_by(zones.c.id)).all()
    for row in rows:
        out.append(
            Zone(
                name=row.name,
                geometry=polygon_from_geojson(row.geometry, f"zone {row.id}"),
                kind=row.kind,
                speed_limit_kn=row.speed_limit_kn,
                alert_on=row.alert_on,
                color=row.color,
                properties=row.properties or {},
                id=row.id,
                guid=row.guid,
            )
        )
    return out


def load_atons(conn: Connection) -> list[AtonConfig]:
    """Registered AtoNs with their own thresholds and switched-off rules."""
    values = settings_values(conn)
    default_radius = _number(values.get("off_position_radius_m"))
    rules_off_default = {
        c for c in (*CONDITIONS, "lost_signal") if not _flag(values.get(f"rule_{c}"))
    }
    overrides: dict[int, dict[str, str]] = {}
    query = select(aton_alert_config.c.mmsi, maritime_settings.c.name, aton_alert_config.c.value)
    query = query.join(maritime_settings, maritime_settings.c.id == aton_alert_config.c.config_id)
    for mmsi, name, value in conn.execute(query):
        overrides.setdefault(mmsi, {})[name] = value
    out: list[AtonConfig] = []
    for row in conn.execute(select(atons).where(atons.c.registered == true())):
        own = overrides.get(row.mmsi, {})
        rules_off = set(rules_off_default)
        for cond in (*CONDITIONS, "lost_signal"):
            key = f"rule_{cond}"
            if key in own:
                (rules_off.discard if _flag(own[key]) else rules_off.add)(cond)
        out.append(
            AtonConfig(
                mmsi=row.mmsi,
                name=row.name or "",
                lat=row.lat,
                lon=row.lon,
                radius_m=row.radius_m if row.radius_m is not None else default_radius,
                low_voltage=_number(own.get("low_voltage_v")),
                lost_after_min=_number(own.get("lost_after_min")),
                expected_interval_s=row.expected_interval_s,
                kind=row.kind,
                aid_type=row.aid_type,
                area=row.area or "",
                virtual=bool(row.virtual),
                enc_id=row.enc_id,
                rules_off=frozenset(rules_off),
            )
        )
    return out


def load_watched(conn: Connection) -> set[int]:
    """Vessels marked watched, and members of watched groups."""
    own = set(conn.execute(select(vessels.c.mmsi).where(vessels.c.watched == true())).scalars())
    members = conn.execute(
        select(vessel_group_members.c.mmsi)
        .join(vessel_groups, vessel_groups.c.id == vessel_group_members.c.group_id)
        .where(vessel_groups.c.watched == true())
    ).scalars()
    return own | set(members)


def config_version(conn: Connection) -> tuple[Any, ...]:
    """Changes when anything the engine is configured with changes (polled by the service)."""
    parts: list[Any] = []
    for table in (zones, atons, aton_alert_config, maritime_settings, vessel_groups):
        parts.extend(
            conn.execute(
                select(func.count(), func.max(table.c.updated_at)).select_from(table)
            ).one()
        )
    parts.append(conn.execute(select(func.count()).select_from(vessel_group_members)).scalar_one())
    parts.extend(
        conn.execute(
            select(func.count(), func.sum(vessels.c.mmsi)).where(vessels.c.watched == true())
        ).one()
    )
    parts.extend(conn.execute(select(func.count(), func.sum(vessel_group_members.c.mmsi))).one())
    return tuple(str(p) for p in parts)
