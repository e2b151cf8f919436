"""Alerts of the stations a batch touched, evaluated together.

Per station the rules are those of :mod:`exceedance` (limits against the latest values, the
consecutive-days rule when a new hour arrived) and the silence alert, which new data resolves.
What is done once per batch rather than per station: reading the live alerts of every touched
station (one query instead of one per rule and parameter), and recognising the stations no
limit can apply to (no permit and no default standard for their component), which then only
have their silence and leftover day alerts resolved.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.store.schema import alerts as alerts_table
from giamsat.environment.exceedance import _CHANNELS, RULE, RULE_DAYS, Channel
from giamsat.environment.exceedance_live import update_alerts
from giamsat.environment.limits import load_limit_table, permit_standards
from giamsat.environment.schema import parameters, series
from giamsat.environment.status import SILENCE_RULE

log = logging.getLogger(__name__)

LiveAlerts = dict[tuple[str, str, str], Any]  # (station code, rule, parameter) → alert row


def live_station_alerts(conn: Connection, codes: list[str]) -> LiveAlerts:
    """Open or acknowledged environmental station alerts of the given stations."""
    out: LiveAlerts = {}
    for i in range(0, len(codes), 2000):
        rows = conn.execute(
            select(alerts_table).where(
                alerts_table.c.asset_kind == "station",
                alerts_table.c.asset_id.in_(codes[i : i + 2000]),
                alerts_table.c.rule.in_([SILENCE_RULE, RULE, RULE_DAYS]),
                alerts_table.c.state != "resolved",
            )
        )
        for r in rows:
            out[(r.asset_id, r.rule, r.parameter)] = r
    return out


def update_station_alerts(
    conn: Connection,
    rows: Sequence[Any],
    settings: Settings,
    days_checked: dict[int, int],
) -> None:
    """Silence, exceedance and consecutive-day alerts of stations (rows) that received data.

    ``days_checked`` (station → newest hour the day rule saw) spares the day rule until a new
    hour of data comes in, the only time its answer can change.
    """
    if not rows:
        return
    live = live_station_alerts(conn, [st.code for st in rows])
    table = load_limit_table(conn)
    conn.info[_CHANNELS] = _channels_of(conn, [st.id for st in rows if permit_standards(st, table)])
    try:
        _update(conn, rows, live, table, settings, days_checked)
    finally:
        conn.info.pop(_CHANNELS, None)


def _channels_of(conn: Connection, station_ids: list[int]) -> dict[int, dict[str, Channel]]:
    """Channels (parameter → series, unit) of many stations in one query."""
    out: dict[int, dict[str, Channel]] = {i: {} for i in station_ids}
    for i in range(0, len(station_ids), 2000):
        rows = conn.execute(
            select(series.c.id, series.c.station_id, series.c.unit, parameters.c.code)
            .join(parameters, parameters.c.id == series.c.parameter_id)
            .where(series.c.station_id.in_(station_ids[i : i + 2000]))
        )
        for r in rows:
            out[r.station_id][r.code] = Channel(r.id, r.code, r.unit)
    return out


def _update(
    conn: Connection,
    rows: Sequence[Any],
    live: LiveAlerts,
    table: Any,
    settings: Settings,
    days_checked: dict[int, int],
) -> None:
    for st in rows:
        silence = live.get((st.code, SILENCE_RULE, ""))
        if silence is not None:
            alerts.resolve_alert(conn, silence.id, note="data received again")
        newest_hour = -(-int(st.last_obs_ts or 0) // 3600)
        days = days_checked.get(st.id) != newest_hour
        if not permit_standards(st, table):
            # no limit applies: nothing to evaluate; the day rule would find no run
            if days:
                for (code, rule, _), alert in live.items():
                    if code == st.code and rule == RULE_DAYS:
                        alerts.resolve_alert(conn, alert.id)
            days_checked[st.id] = newest_hour
            continue
        try:  # an alert rule must never lose a stored file
            if conn.dialect.name == "sqlite":  # pysqlite's SAVEPOINT would end the batch
                update_alerts(conn, st, settings=settings, check_days=days, live=live)
            else:
                with conn.begin_nested():
                    update_alerts(conn, st, settings=settings, check_days=days, live=live)
            days_checked[st.id] = newest_hour
        except Exception:
            log.exception("exceedance alerts of %s failed", st.code)
