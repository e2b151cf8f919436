"""Helpers for notification tests: users of each role, stations in two provinces, alerts raised
through the real lifecycle, subscriptions through the real spec."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from giamsat.core import alerts
from giamsat.core.auth import hash_password
from giamsat.core.notify import subscriptions
from giamsat.core.notify.schema import notify_outbox, notify_subscriptions
from giamsat.core.store import Store
from giamsat.core.store.schema import organisations, users
from giamsat.environment.stations import ensure_province, upsert_station

PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)  # once: argon2 is slow on purpose
STATIONS = {  # code: (province code, province name, organisation)
    "HN_NMA_NT01": ("HN", "Hà Nội", "NMA"),
    "HN_QT_KK01": ("HN", "Hà Nội", None),
    "BD_CHENG_NT01": ("BD", "Bình Dương", "CHENG"),
}


def setup_network(store: Store) -> dict[str, int]:
    """Stations in HN and BD, one user per role (province user in HN, enterprise NMA).
    Returns user ids by username. Role-wide default pop-up subscriptions are removed, so each
    test states exactly what it subscribes."""
    ids: dict[str, int] = {}
    now = datetime.now(UTC)
    with store.write() as conn:
        conn.execute(notify_subscriptions.delete())
        for code, (prov, prov_name, org) in STATIONS.items():
            ensure_province(conn, prov, prov_name)
            upsert_station(conn, {"code": code, "name": f"Trạm {code.split('_')[1]}",
                                  "component": "wastewater", "province_name": prov_name})  # fmt: skip
            if org:
                from giamsat.environment.schema import stations

                org_id = conn.execute(
                    organisations.insert().values(code=org, name=org, kind="enterprise")
                ).inserted_primary_key[0]
                conn.execute(
                    stations.update().where(stations.c.code == code).values(organisation_id=org_id)
                )
        hn = conn.execute(select(organisations.c.id).where(organisations.c.code == "NMA")).scalar()
        from giamsat.core.store.schema import provinces

        hn_province = conn.execute(select(provinces.c.id).where(provinces.c.code == "HN")).scalar()
        for username, role, extra in (
            ("admin", "admin", {}),
            ("ministry", "ministry", {}),
            ("hanoi", "province", {"province_id": hn_province}),
            ("nma", "enterprise", {"organisation_id": hn}),
            ("operator", "operator", {}),
            ("operator2", "operator", {"language": "en"}),
        ):
            ids[username] = conn.execute(
                users.insert().values(
                    username=username,
                    password_hash=PASSWORD_HASH,
                    role=role,
                    display_name=username,
                    email=f"{username}@example.vn",
                    phone="0912345678",
                    language=extra.pop("language", "vi"),
                    active=True,
                    created_at=now,
                    **extra,
                )
            ).inserted_primary_key[0]
    return ids


def subscribe(store: Store, **spec: Any) -> int:
    with store.write() as conn:
        sub_id, _ = subscriptions.create(conn, subscriptions.SubscriptionSpec(**spec))
    return sub_id


def station_alert(
    store: Store,
    station: str = "HN_NMA_NT01",
    parameter: str = "COD",
    severity: str = "critical",
    value: float = 320.0,
    limit: float = 150.0,
    at: datetime | None = None,
) -> int:
    from giamsat.core.store.schema import provinces

    with store.write() as conn:
        province = conn.execute(
            select(provinces.c.id).where(provinces.c.code == station.split("_")[0])
        ).scalar()
        return alerts.raise_alert(
            conn,
            domain="environment",
            asset_kind="station",
            asset_id=station,
            rule="exceedance",
            parameter=parameter,
            severity=severity,
            message=f"{parameter} {value:g} mg/L > {limit:g}",
            value=value,
            limit_value=limit,
            province_id=province,
            details={"exceedances": [{"parameter": parameter, "value": value, "limit": limit,
                                      "unit": "mg/L", "ts": 1710475200, "averaging": "1h",
                                      "standard": "QCVN40_2011", "column": "B", "kind": "max"}]},
            at=at,
        )  # fmt: skip


def aton_alert(
    store: Store,
    mmsi: str = "992351001",
    rule: str = "aton_low_voltage",
    severity: str = "major",
    value: float = 10.2,
    at: datetime | None = None,
    **details: Any,
) -> int:
    with store.write() as conn:
        return alerts.raise_alert(
            conn,
            domain="maritime",
            asset_kind="aton",
            asset_id=mmsi,
            rule=rule,
            parameter="voltage",
            severity=severity,
            message=f"supply voltage {value} V below 11.5 V",
            value=value,
            limit_value=11.5,
            details={"name": "Phao số 0 Hải Phòng", "unit": "V", **details},
            at=at,
        )


def outbox_rows(store: Store, **where: Any) -> list[dict[str, Any]]:
    query = select(notify_outbox).order_by(notify_outbox.c.id)
    for key, value in where.items():
        query = query.where(notify_outbox.c[key] == value)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
