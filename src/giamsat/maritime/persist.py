"""The engine's output into the store, one transaction per batch, and back at start-up.

Per batch: track points (``INSERT … ON CONFLICT DO NOTHING``: a redelivered point never
duplicates), static changes, AtoN messages, zone log entries/exits and alerts through the
shared lifecycle (``core.alerts``). Latest vessel and AtoN state is upserted for the rows that
changed, every ``state_seconds`` (memory is the live truth; the store is at most that stale).

``restore`` puts the engine back where the store says it was: vessels with their state,
which zones they are inside (open zone-log rows), who is speeding (open alerts), AtoN
conditions and silences - so a restart neither repeats nor misses an event.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from giamsat.core import alerts
from giamsat.core.store import Store
from giamsat.core.store.schema import alerts as alerts_table
from giamsat.core.store.types import utcnow
from giamsat.maritime.engine import Engine, Outbox
from giamsat.maritime.rules import CONDITIONS, Event
from giamsat.maritime.schema import atons, vessels, zone_log
from giamsat.maritime.vessels import STATIC_FIELDS, VesselState
from giamsat.maritime.zones import SEVERITY

log = logging.getLogger(__name__)
DOMAIN = "maritime"

VESSEL_COLUMNS = (
    "mmsi", *STATIC_FIELDS, "length", "width", "flag", "station", "lat", "lon", "sog", "cog",
    "heading", "nav_status", "rot", "position_ts", "static_ts", "first_seen", "last_seen",
    "source", "messages",
)  # fmt: skip
ATON_LIVE = ("last_seen", "last_lat", "last_lon", "distance_m", "voltage", "voltage_ext1",
             "voltage_ext2", "light", "racon", "alarm", "off_position", "messages", "status",
             "conditions")  # fmt: skip
#: event type -> (alert rule, parameter); the "_end" types resolve what these open
ALERT_RULES = {
    "speeding": ("speeding", "sog"),
    "aton_off_position": ("off_position", "position"),
    "aton_low_voltage": ("low_voltage", "voltage"),
    "aton_light_failure": ("light_failure", "light"),
    "aton_racon_error": ("racon_error", "racon"),
    "aton_alarm": ("aton_alarm", "health"),
    "lost_signal": ("lost_signal", "signal"),
}
ENDS = {f"{k}_end": v for k, v in ALERT_RULES.items()} | {
    "signal_restored": ALERT_RULES["lost_signal"]
}
SEVERITIES = {"speeding": "warning", "off_position": "major", "low_voltage": "warning",
              "light_failure": "major", "racon_error": "warning", "aton_alarm": "warning",
              "lost_signal": "major"}  # fmt: skip
MESSAGES = {
    "speeding": "Tàu {name} chạy quá tốc độ {sog} kn (giới hạn {limit} kn) / speeding",
    "off_position": "Báo hiệu {name} lệch vị trí {distance} / AtoN off position",
    "low_voltage": "Báo hiệu {name} điện áp thấp {voltage} V / AtoN low voltage",
    "light_failure": "Báo hiệu {name} hỏng đèn / AtoN light failure",
    "racon_error": "Báo hiệu {name} lỗi racon / AtoN RACON error",
    "aton_alarm": "Báo hiệu {name} báo lỗi / AtoN health alarm",
    "lost_signal": "{name} mất tín hiệu từ {last_seen} / lost signal",
    "zone_entry": "Tàu {name} vào vùng {zone} / entered zone",
    "zone_exit": "Tàu {name} ra khỏi vùng {zone} / left zone",
}


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _vessel_upsert() -> str:
    """Upsert of the engine's columns; a new row gets the operator columns' defaults."""
    marks = ", ".join("?" for _ in VESSEL_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in VESSEL_COLUMNS[1:])
    return (
        f"INSERT INTO vessels ({', '.join(VESSEL_COLUMNS)}, watched, note) "
        f"VALUES ({marks}, FALSE, '') ON CONFLICT (mmsi) DO UPDATE SET {sets}"
    )


class Persister:
    def __init__(self, store: Store, engine: Engine) -> None:
        self.store = store
        self.engine = engine
        self._vessel_sql = _vessel_upsert()
        self.written: dict[str, int] = {"tracks": 0, "aton_messages": 0, "alerts": 0}
        self._due: dict[int, None] = {}  # vessel rows to write, oldest first
        self.stored: set[int] = set(engine.vessels)  # vessels that have a row
        self.state_chunk = 200
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        """One connection for the service's life: a new one per batch costs ~3.5 ms on SQLite
        (open, pragmas, attach) and, when it is the last one, a WAL checkpoint at each close."""
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.store.engine.connect().execution_options(sqlite_immediate=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- per batch -----------------------------------------------------------------------
    def write(self, box: Outbox, state: bool, final: bool = False) -> None:
        """Persist a batch; with ``state`` also the latest vessel and AtoN state (vessel rows in
        chunks over the next batches; ``final`` writes every due row now)."""
        conn = self._connection()
        try:
            with conn.begin():
                self._write(conn, box, state, final)
        except Exception:
            self.close()  # a broken connection is not reused
            raise
        alerts.deliver_ready(conn)  # alert listeners hear about what just committed

    def _write(self, conn: Connection, box: Outbox, state: bool, final: bool) -> None:
        store = self.store
        if box.tracks:
            stamps = [r[1] for r in box.tracks]
            store.ensure_partitions(conn, "tracks", min(stamps), max(stamps))
            store.execute_many(
                conn,
                "INSERT INTO tracks (mmsi, ts, lat, lon, sog, cog, heading, nav_status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mmsi, ts) DO NOTHING",
                box.tracks,
            )
            self.written["tracks"] += len(box.tracks)
        if box.static:
            import json

            store.execute_many(
                conn,
                "INSERT INTO vessel_static_log (mmsi, ts, fields) VALUES (?, ?, ?) "
                "ON CONFLICT (mmsi, ts) DO UPDATE SET fields = excluded.fields",
                [(m, t, json.dumps(f, ensure_ascii=False)) for m, t, f in box.static],
            )
        if box.aton_messages:
            self._aton_messages(conn, box.aton_messages)
        for event in box.events:
            self._guarded(conn, event)
        if state:
            self._state(conn)
        if self._due:
            self._vessel_rows(conn, None if final else self.state_chunk)

    def _guarded(self, conn: Connection, event: Event) -> None:
        """One event; if it fails, only it is lost (logged and counted), not the batch."""
        try:
            if self.store.is_sqlite:
                self._event(conn, event)
            else:  # PostgreSQL aborts the transaction on an error: a savepoint confines it
                with conn.begin_nested():
                    self._event(conn, event)
        except Exception:
            self.written["failed_events"] = self.written.get("failed_events", 0) + 1
            log.exception("maritime event %s could not be stored", event.type)

    def _aton_messages(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        import json

        out = []
        for mmsi, ts, msg_type, dac, fi, tele, content, source in rows:
            out.append(
                (
                    mmsi,
                    ts,
                    msg_type,
                    dac,
                    fi,
                    tele.get("lat"),
                    tele.get("lon"),
                    tele.get("voltage"),
                    tele.get("voltage_ext1"),
                    tele.get("voltage_ext2"),
                    tele.get("light"),
                    tele.get("racon"),
                    tele.get("alarm"),
                    tele.get("off_position"),
                    json.dumps(content, ensure_ascii=False, default=str),
                    (source or "")[:64],
                )
            )
        self.store.execute_many(
            conn,
            "INSERT INTO aton_messages (mmsi, ts, msg_type, dac, fi, lat, lon, voltage, "
            "voltage_ext1, voltage_ext2, light, racon, alarm, off_position, content, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            out,
        )
        self.written["aton_messages"] += len(out)

    @property
    def state_backlog(self) -> int:
        """Vessel rows due to be written (spread over the next batches)."""
        return len(self._due)

    def _vessel_rows(self, conn: Connection, limit: int | None) -> None:
        """Write up to ``limit`` due vessel rows (their current values): a sweep of 20,000
        vessels is spread over several batches so that no batch - and no alert behind it -
        waits for all of them. A vessel whose row exists and whose static data did not change
        gets a narrow UPDATE of its dynamic columns (about three times cheaper)."""
        vessels_ = self.engine.vessels
        full, dynamic = [], []
        due, stored = self._due, self.stored
        while due and (limit is None or len(full) + len(dynamic) < limit):
            mmsi = next(iter(due))
            del due[mmsi]
            v = vessels_.get(mmsi)
            if v is None:
                continue
            if mmsi in stored and not v.static_dirty:
                dynamic.append((v.lat, v.lon, v.sog, v.cog, v.heading, v.nav_status, v.rot,
                                _int(v.position_ts), _int(v.last_seen), v.source, v.messages,
                                v.station, mmsi))  # fmt: skip
            else:
                v.static_dirty = False
                row = v.as_row()
                full.append(tuple(row[c] for c in VESSEL_COLUMNS))
                stored.add(mmsi)
        self.store.execute_many(conn, self._vessel_sql, full)
        self.store.execute_many(
            conn,
            "UPDATE vessels SET lat = ?, lon = ?, sog = ?, cog = ?, heading = ?, nav_status = ?, "
            "rot = ?, position_ts = ?, last_seen = ?, source = ?, messages = ?, station = ? "
            "WHERE mmsi = ?",
            dynamic,
        )

    def _state(self, conn: Connection) -> None:
        """Queue every changed vessel row, and write the AtoN status rows that changed."""
        engine = self.engine
        for v in engine.vessels.values():
            if v.dirty:
                v.dirty = False
                self._due[v.mmsi] = None
        now = utcnow()
        aton_rows = []
        for mmsi, live in engine.atons.items():
            if not live.dirty:
                continue
            live.dirty = False
            status, conditions = engine.aton_status(mmsi)
            st = engine.rules.atons.get(mmsi)
            tele = live.telemetry()
            values = {
                "last_seen": None if live.last_seen is None else int(live.last_seen),
                "last_lat": tele["lat"], "last_lon": tele["lon"],
                "distance_m": None if st is None or st.distance is None else round(st.distance, 1),
                "voltage": tele["voltage"], "voltage_ext1": tele["voltage_ext1"],
                "voltage_ext2": tele["voltage_ext2"], "light": tele["light"],
                "racon": tele["racon"], "alarm": tele["alarm"],
                "off_position": tele["off_position"], "messages": live.messages,
                "status": status, "conditions": conditions,
            }  # fmt: skip
            base = {"mmsi": mmsi, "registered": False, "name": live.name or "",
                    "aid_type": live.aid_type, "virtual": bool(live.virtual), "area": "",
                    "note": "", "created_at": now, "updated_at": now}  # fmt: skip
            base.update(values)
            aton_rows.append(base)
        if aton_rows:
            stmt = self.store.upsert(atons, ["mmsi"], ATON_LIVE)
            conn.execute(stmt, aton_rows)

    # --- events -> zone log and alerts ----------------------------------------------------
    def _vessel_info(self, mmsi: int) -> dict[str, Any]:
        v = self.engine.vessels.get(mmsi)
        if v is None:
            return {"name": str(mmsi), "ship_name": None, "ship_type": None, "width": None,
                    "length": None}  # fmt: skip
        return {"name": v.name or str(mmsi), "ship_name": v.name, "ship_type": v.ship_type,
                "width": v.width, "length": v.length}  # fmt: skip

    def _event(self, conn: Connection, ev: Event) -> None:
        at = ev.time
        if ev.type in ("zone_enter", "zone_exit"):
            self._zone_event(conn, ev)
            return
        if ev.type in ALERT_RULES:
            rule, parameter = ALERT_RULES[ev.type]
            name = ev.data.get("name") or self._vessel_info(ev.mmsi)["name"]
            dist = ev.data.get("distance_m")
            text = MESSAGES[rule].format(
                name=name, sog=ev.data.get("sog"), limit=ev.data.get("limit"),
                voltage=ev.data.get("voltage"), last_seen=ev.data.get("last_seen"),
                distance=f"{dist} m" if dist is not None else "(cờ lệch vị trí / flag)",
            )  # fmt: skip
            value = ev.data.get("sog", ev.data.get("voltage", dist))
            alerts.raise_alert(
                conn, domain=DOMAIN, asset_kind=ev.asset, asset_id=str(ev.mmsi), rule=rule,
                parameter=parameter, severity=SEVERITIES[rule], message=text, value=value,
                limit_value=ev.data.get("limit", ev.data.get("threshold", ev.data.get("radius_m"))),
                zone=ev.zone.name if ev.zone is not None else None,
                details=ev.as_dict(), at=at,
            )  # fmt: skip
            self.written["alerts"] += 1
        elif ev.type in ENDS:
            rule, parameter = ENDS[ev.type]
            alerts.resolve_matching(
                conn, asset_kind=ev.asset, asset_id=str(ev.mmsi), rule=rule, parameter=parameter,
                note=f"{ev.type} at {ev.as_dict()['time']}",
            )  # fmt: skip

    def _zone_event(self, conn: Connection, ev: Event) -> None:
        zone = ev.zone
        assert zone is not None
        info = self._vessel_info(ev.mmsi)
        t = None if ev.time is None else int(ev.time)
        parameter = f"zone:{zone.id if zone.id is not None else zone.name}"[:64]
        if ev.type == "zone_enter":
            if t is not None:
                self.store.execute_many(
                    conn,
                    "INSERT INTO zone_log (zone_id, zone_name, mmsi, ship_name, ship_type, width,"
                    " length, time_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(zone.id, zone.name, ev.mmsi, info["ship_name"], info["ship_type"],
                      info["width"], info["length"], t)],
                )  # fmt: skip
            if zone.alert_on in ("enter", "both"):
                alerts.raise_alert(
                    conn, domain=DOMAIN, asset_kind="vessel", asset_id=str(ev.mmsi),
                    rule="zone_entry", parameter=parameter,
                    severity=SEVERITY.get(zone.kind, "info"),
                    message=MESSAGES["zone_entry"].format(name=info["name"], zone=zone.name),
                    zone=zone.name, details=ev.as_dict(), at=ev.time,
                )  # fmt: skip
                self.written["alerts"] += 1
            return
        if t is not None:  # the open entry (normally one) of this vessel in this zone closes
            same_zone = "zone_id = ?" if zone.id is not None else "zone_id IS NULL"
            self.store.execute_many(
                conn,
                f"UPDATE zone_log SET time_out = ? WHERE mmsi = ? AND zone_name = ? "
                f"AND {same_zone} AND time_out IS NULL",
                [(t, ev.mmsi, zone.name, *([zone.id] if zone.id is not None else []))],
            )
        if zone.alert_on in ("enter", "both"):
            alerts.resolve_matching(
                conn, asset_kind="vessel", asset_id=str(ev.mmsi), rule="zone_entry",
                parameter=parameter, note=f"left at {ev.as_dict()['time']}",
            )  # fmt: skip
        if zone.alert_on in ("exit", "both"):
            alerts.raise_alert(
                conn, domain=DOMAIN, asset_kind="vessel", asset_id=str(ev.mmsi),
                rule="zone_exit", parameter=parameter, severity="info",
                message=MESSAGES["zone_exit"].format(name=info["name"], zone=zone.name),
                zone=zone.name, details=ev.as_dict(), at=ev.time,
            )  # fmt: skip
            self.written["alerts"] += 1


# --- restart -----------------------------------------------------------------------------
def restore(store: Store, engine: Engine) -> dict[str, int]:
    """Load the engine's state from the store (after its rules are configured)."""
    rules = engine.rules
    by_id = {z.id: z.index for z in rules.zones.zones if z.id is not None}
    counts = {"vessels": 0, "inside": 0, "speeding": 0, "atons": 0}
    with store.engine.connect() as conn:
        for row in conn.execute(select(vessels)):
            v = VesselState(row.mmsi)
            for name in (*STATIC_FIELDS, "station", "lat", "lon", "sog", "cog", "heading",
                         "nav_status", "rot", "source"):  # fmt: skip
                setattr(v, name, getattr(row, name))
            v.flag = row.flag or v.flag
            v.position_ts = v.fine_ts = row.position_ts
            v.static_ts, v.first_seen, v.last_seen = row.static_ts, row.first_seen, row.last_seen
            v.messages = row.messages or 0
            if v.lat is not None and v.position_ts is not None:
                v.track_ts, v.track_lat, v.track_lon = v.position_ts, v.lat, v.lon
                v.track_sog, v.track_cog, v.track_nav = v.sog, v.cog, v.nav_status
            v.dirty = v.static_dirty = False
            engine.vessels[row.mmsi] = v
            counts["vessels"] += 1
        inside: dict[int, set[int]] = {}
        for mmsi, zone_id in conn.execute(
            select(zone_log.c.mmsi, zone_log.c.zone_id).where(zone_log.c.time_out.is_(None))
        ):
            if zone_id in by_id:
                inside.setdefault(mmsi, set()).add(by_id[zone_id])
        for mmsi, indices in inside.items():
            v = engine.vessels.get(mmsi) or engine.vessels.setdefault(mmsi, VesselState(mmsi))
            v.zones = tuple(sorted(indices))
            counts["inside"] += 1
        for asset_id, rule, kind in conn.execute(
            select(alerts_table.c.asset_id, alerts_table.c.rule, alerts_table.c.asset_kind).where(
                alerts_table.c.domain == DOMAIN,
                alerts_table.c.state != "resolved",
                alerts_table.c.rule.in_(["speeding", "lost_signal"]),
            )
        ):
            if not asset_id.isdigit():
                continue
            mmsi = int(asset_id)
            if rule == "speeding" and mmsi in engine.vessels:
                engine.vessels[mmsi].speeding = True
                counts["speeding"] += 1
            elif rule == "lost_signal":
                st = rules.atons.get(mmsi) if kind == "aton" else rules.watched.get(mmsi)
                if st is not None:
                    st.lost = True
        for row in conn.execute(select(atons)):
            live = engine.atons.get(row.mmsi)
            if live is None:
                from giamsat.maritime.engine import AtonLive

                live = engine.atons[row.mmsi] = AtonLive()
            live.name, live.aid_type, live.virtual = row.name, row.aid_type, row.virtual
            live.last_seen, live.lat, live.lon = row.last_seen, row.last_lat, row.last_lon
            live.voltage, live.voltage_ext1, live.voltage_ext2 = (
                row.voltage, row.voltage_ext1, row.voltage_ext2)  # fmt: skip
            live.light, live.racon, live.alarm = row.light, row.racon, row.alarm
            live.off_position, live.messages, live.dirty = row.off_position, row.messages, False
            st = rules.atons.get(row.mmsi)
            if st is None:
                continue
            counts["atons"] += 1
            st.active = {c for c in (row.conditions or []) if c in CONDITIONS}
            st.voltage = row.voltage
            st.distance = row.distance_m
            st.flag = bool(row.off_position)
            st.pos_far = "off_position" in st.active and not st.flag
            st.fi10 = (row.light, row.racon, row.alarm)
            if row.last_seen is not None:
                st.lost = st.lost or row.status == "lost"
                if st.last is None:
                    st.last = float(row.last_seen)
                rules._queue(row.mmsi, st)
        for mmsi, st in rules.watched.items():
            v = engine.vessels.get(mmsi)
            if v is not None and v.last_seen is not None and st.last is None:
                st.last = float(v.last_seen)
                rules._queue(mmsi, st)
    return counts
