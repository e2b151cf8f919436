"""Live station status and the ministry dashboard's counts, plus the silence alert.

A station is ``disconnected`` when no file arrived for longer than ``disconnect_minutes``
(Settings, 60 by default; a station may override it in its settings JSON). Otherwise, in this
order: ``device_error`` (a current channel's latest status is 02), ``exceeding`` (a latest
valid value is outside its limit), ``calibrating`` (a current channel's latest status is 01),
``good``. A channel is current when its newest value is within the disconnect period of the
station's newest value (a parameter the station stopped sending does not count).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.store import Store
from giamsat.environment.exceedance_live import current_exceedances
from giamsat.environment.limits import load_limit_table
from giamsat.environment.schema import parameters, series, stations

STATUSES = ("disconnected", "device_error", "exceeding", "calibrating", "good")
SILENCE_RULE = "silence"


@dataclass
class StationStatus:
    code: str
    name: str
    component: str
    province_code: str
    status: str
    last_file_at: int | None
    last_obs_ts: int | None
    exceeding: list[dict[str, Any]] = field(default_factory=list)
    device_error: list[str] = field(default_factory=list)
    calibrating: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _minutes(st: Any, settings: Settings, key: str, default: int) -> int:
    own = (st.settings or {}).get(key) if isinstance(st.settings, dict) else None
    return int(own if own is not None else default)


def station_statuses(
    store: Store,
    now: int | None = None,
    station_codes: list[str] | None = None,
    settings: Settings | None = None,
) -> list[StationStatus]:
    """The status of every station (or of the ones named), at ``now`` (default: now)."""
    settings = settings or Settings()
    now = int(time.time()) if now is None else now
    out: list[StationStatus] = []
    with store.engine.connect() as conn:  # read only: never hold the writer's lock
        query = select(stations).order_by(stations.c.code)
        if station_codes:
            query = query.where(stations.c.code.in_(station_codes))
        rows = conn.execute(query).all()
        channel_query = select(
            series.c.station_id,
            series.c.last_ts,
            series.c.last_status,
            parameters.c.code,
        ).join(parameters, parameters.c.id == series.c.parameter_id)
        if station_codes:
            channel_query = channel_query.where(series.c.station_id.in_([r.id for r in rows]))
        channel_rows = conn.execute(channel_query).all()
        channels: dict[int, list[Any]] = defaultdict(list)
        for c in channel_rows:
            channels[c.station_id].append(c)
        table = load_limit_table(conn)
        for st in rows:
            out.append(_status(conn, st, channels.get(st.id, []), now, settings, table))
    return out


def _status(
    conn: Connection, st: Any, chans: list[Any], now: int, settings: Settings, table: Any
) -> StationStatus:
    window = _minutes(st, settings, "disconnect_minutes", settings.disconnect_minutes) * 60
    result = StationStatus(
        st.code,
        st.name,
        st.component,
        st.province_code,
        "good",
        st.last_file_at,
        st.last_obs_ts,
    )
    if st.last_file_at is None or now - int(st.last_file_at) > window:
        result.status = "disconnected"
        return result
    newest = st.last_obs_ts
    current = [
        c
        for c in chans
        if c.last_ts is not None and newest is not None and c.last_ts >= newest - window
    ]
    result.device_error = sorted(c.code for c in current if c.last_status == 2)
    result.calibrating = sorted(c.code for c in current if c.last_status == 1)
    found, _ = current_exceedances(conn, st, now, table)
    result.exceeding = [
        {
            k: e[k]
            for k in ("parameter", "value", "limit", "ratio", "ts", "averaging", "standard", "kind")
        }
        for e in found
    ]
    if result.device_error:
        result.status = "device_error"
    elif result.exceeding:
        result.status = "exceeding"
    elif result.calibrating:
        result.status = "calibrating"
    return result


def status_summary(statuses: list[StationStatus]) -> dict[str, int]:
    """Counts for the dashboard; good + exceeding + device_error + calibrating = connected."""
    counts = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        counts[s.status] += 1
    total = len(statuses)
    return {
        "total": total,
        "disconnected": counts["disconnected"],
        "connected": total - counts["disconnected"],
        "good": counts["good"],
        "exceeding": counts["exceeding"],
        "device_error": counts["device_error"],
        "calibrating": counts["calibrating"],
    }


def update_silence_alerts(
    store: Store, now: int | None = None, settings: Settings | None = None
) -> dict[str, int]:
    """Open a silence alert for stations with no file for ``silence_alert_hours`` (12 h by
    default, per station in its settings) and resolve the ones that are sending again.

    Meant to run every few minutes (``giamsat env check``); ingest also resolves on arrival.
    """
    settings = settings or Settings()
    now = int(time.time()) if now is None else now
    opened = resolved = 0
    with store.write() as conn:
        rows = conn.execute(select(stations).where(stations.c.registered.is_(True))).all()
        live = {
            a["asset_id"] for a in alerts.live_alerts(conn, asset_kind="station", rule=SILENCE_RULE)
        }
        for st in rows:
            hours = _minutes(st, settings, "silence_alert_hours", settings.silence_alert_hours)
            since = st.last_file_at if st.last_file_at is not None else st.created_at
            silent = now - int(since) > hours * 3600
            if silent and st.code not in live:
                alerts.raise_alert(
                    conn,
                    domain="environment",
                    asset_kind="station",
                    asset_id=st.code,
                    rule=SILENCE_RULE,
                    severity="major",
                    message=f"no data for more than {hours} h (no file since {_iso(since)})",
                    province_id=st.province_id,
                    details={"last_file_at": st.last_file_at, "hours": hours},
                    at=datetime.fromtimestamp(now, UTC),
                )
                opened += 1
            elif not silent and st.code in live:
                alerts.resolve_matching(
                    conn,
                    asset_kind="station",
                    asset_id=st.code,
                    rule=SILENCE_RULE,
                    note="data received again",
                )
                resolved += 1
    return {"opened": opened, "resolved": resolved}


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(int(ts), UTC).isoformat().replace("+00:00", "Z")
