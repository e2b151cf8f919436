"""Live compliance: the latest values against their limits, and the alerts that follow.

On ingest each station's latest raw value, hourly, 8-hour and rolling 24-hour means are compared
with the limits in force (rule ``exceedance``), and when a new hour of data arrived, the last
days are checked for runs of consecutive exceedance days (rule ``exceedance_days``). Averaging
and episodes are those of :mod:`exceedance` (docs/quality.md §4).
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.environment.exceedance import (
    DAY,
    DEFAULT_EXCEEDANCE_DAYS,
    HOUR,
    MIN_DAY_HOURS,
    RULE,
    RULE_DAYS,
    Channel,
    _channels,
    _day,
    _day_runs,
    _station_episodes,
)
from giamsat.environment.hourly_cache import lookup
from giamsat.environment.limits import LimitTable, limits_on, load_limit_table
from giamsat.environment.rollups import USABLE_FLAGS, day_bounds

# --- live: the latest values against their limits ------------------------------------------
LOOKBACK = {"instant": 2, "1h": 2 * HOUR, "8h": 2 * HOUR, "24h": 2 * HOUR}


def current_exceedances(
    conn: Connection,
    st: Any,
    now: int | None = None,
    table: LimitTable | None = None,
) -> tuple[list[dict[str, Any]], set[str]]:
    """The latest value of each limited channel in each averaging period against its limit.

    Returns (exceedances, parameters that have a current value). "Latest" means near the
    station's newest data: the last raw value, hourly mean, 8-hour mean or rolling 24-hour mean.
    """
    now = int(time.time()) if now is None else now
    table = table or load_limit_table(conn)
    offset = int(st.utc_offset_min)
    limits = [lim for lim in limits_on(table, st, _day(now, offset)) if lim.averaging != "year"]
    if not limits or st.last_obs_ts is None:
        return [], set()
    chans = _channels(conn, st.id)
    newest = int(st.last_obs_ts)
    wanted = {lim.parameter for lim in limits if lim.parameter in chans}
    sids = {chans[p].series_id: p for p in wanted}
    hourly: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    cache = lookup(conn)
    if cache is not None and sids:
        for sid, p in sids.items():
            found = cache.get(sid, newest - 26 * HOUR + 1, newest + HOUR)
            if found is None:
                break
            if len(found[0]):
                hourly[p] = found
        else:
            sids = {}  # all answered from memory
    if sids:
        rows = conn.execute(
            text(
                "SELECT series_id, ts, mean FROM rollup_hourly WHERE series_id IN :ids "
                "AND ts > :a AND ts <= :b ORDER BY ts"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": list(sids), "a": newest - 26 * HOUR, "b": newest + HOUR},
        ).all()
        grouped: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for sid, ts, mean in rows:
            grouped[sids[sid]].append((ts, mean))
        for p, pts in grouped.items():
            hourly[p] = (np.array([t for t, _ in pts]), np.array([m for _, m in pts]))
    found: list[dict[str, Any]] = []
    evaluated: set[str] = set()
    for lim in limits:
        ch = chans.get(lim.parameter)
        if ch is None or ch.unit != lim.unit:
            continue
        latest = _latest(conn, st, ch, lim.averaging, hourly.get(lim.parameter), newest)
        if latest is None:
            continue
        ts, value = latest
        evaluated.add(lim.parameter)
        breach = lim.breach(value)
        if breach is None:
            continue
        kind, bound = breach
        found.append(
            {
                "parameter": lim.parameter,
                "value": round(value, 6),
                "limit": bound,
                "kind": kind,
                "ratio": round(value / bound, 4) if bound else None,
                "ts": ts,
                "averaging": lim.averaging,
                "standard": lim.standard,
                "column": lim.column,
                "unit": lim.unit,
            }
        )
    return found, evaluated


def _latest(
    conn: Connection,
    st: Any,
    ch: Channel,
    averaging: str,
    hourly: tuple[np.ndarray, np.ndarray] | None,
    newest: int,
) -> tuple[int, float] | None:
    if averaging == "instant":
        flags = ", ".join(str(f) for f in USABLE_FLAGS)
        row = conn.execute(
            text(
                "SELECT ts, value FROM observations WHERE series_id = :s AND ts <= :b "
                f"AND ts > :a AND status = 0 AND flag IN ({flags}) AND value IS NOT NULL "
                "ORDER BY ts DESC LIMIT 1"
            ),
            {"s": ch.series_id, "a": newest - HOUR, "b": newest},
        ).first()
        return None if row is None else (int(row[0]), float(row[1]))
    if hourly is None or len(hourly[0]) == 0:
        return None
    ts, v = hourly
    last = int(ts[-1])
    if last < newest - LOOKBACK[averaging]:
        return None
    if averaging == "1h":
        return last, float(v[-1])
    window = 8 if averaging == "8h" else 24
    need = 6 if averaging == "8h" else MIN_DAY_HOURS
    inside = ts > last - window * HOUR
    if int(inside.sum()) < need:
        return None
    return last, float(v[inside].mean())


def _severity(e: dict[str, Any]) -> str:
    ratio = e["ratio"] or 1.0
    badness = ratio if e["kind"] == "max" else (1 / ratio if ratio else 10.0)
    if badness >= 2:
        return "critical"
    if badness >= 1.5:
        return "major"
    return "warning"


def update_alerts(
    conn: Connection,
    st: Any,
    now: int | None = None,
    settings: Settings | None = None,
    check_days: bool = True,
    live: dict[tuple[str, str, str], Any] | None = None,
) -> list[dict[str, Any]]:
    """Raise or resolve a station's exceedance alerts from its latest values; also (when
    ``check_days``) the "N consecutive days" alert. Returns the current exceedances.

    ``live``: the station's live alerts by (code, rule, parameter), when the caller read them."""
    settings = settings or Settings()
    now = int(time.time()) if now is None else now
    table = load_limit_table(conn)
    found, evaluated = current_exceedances(conn, st, now, table)
    by_parameter: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in found:
        by_parameter[e["parameter"]].append(e)
    for parameter in sorted(evaluated):
        items = by_parameter.get(parameter)
        if not items:
            if live is None:
                alerts.resolve_matching(
                    conn, asset_kind="station", asset_id=st.code, rule=RULE, parameter=parameter
                )
            elif (alert := live.get((st.code, RULE, parameter))) is not None:
                alerts.resolve_alert(conn, alert.id)
            continue
        worst = max(items, key=lambda e: _badness(e))
        alerts.raise_alert(
            conn,
            domain="environment",
            asset_kind="station",
            asset_id=st.code,
            rule=RULE,
            parameter=parameter,
            severity=_severity(worst),
            message=(
                f"{parameter} {readable(worst['value'])} {worst['unit']} "
                f"{'>' if worst['kind'] == 'max' else '<'} {readable(worst['limit'])} "
                f"({worst['standard']} {worst['column']} {worst['averaging']})"
            ).replace("  ", " "),
            value=worst["value"],
            limit_value=worst["limit"],
            province_id=st.province_id,
            details={"exceedances": items},
            at=datetime.fromtimestamp(now, UTC),
        )
    if check_days:
        _update_day_alerts(conn, st, now, table, settings, live)
    return found


def readable(value: float) -> str:
    """A value as people write it in a message: 2 decimals from 1 up, 3 significant digits
    below (a mean of 49.4566 reads 49.46; 0.012345 reads 0.0123), no trailing zeros."""
    if value == 0 or not np.isfinite(value):
        return f"{value:g}"
    digits = 2 if abs(value) >= 1 else 2 - int(np.floor(np.log10(abs(value))))
    text = f"{round(value, digits):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _badness(e: dict[str, Any]) -> float:
    r = e["ratio"] or 1.0
    return r if e["kind"] == "max" else (1 / r if r else 10.0)


def day_rule_days(st: Any, settings: Settings) -> int:
    """How many consecutive days of exceedance raise the day alert at this station."""
    return int(
        (st.settings or {}).get("exceedance_days")
        or settings.extra.get("exceedance_days")
        or DEFAULT_EXCEEDANCE_DAYS
    )


def _update_day_alerts(
    conn: Connection,
    st: Any,
    now: int,
    table: LimitTable,
    settings: Settings,
    known: dict[tuple[str, str, str], Any] | None = None,
) -> None:
    min_days = day_rule_days(st, settings)
    if st.last_obs_ts is None:
        return
    offset = int(st.utc_offset_min)
    last_day = _day(int(st.last_obs_ts), offset)
    end = day_bounds(last_day, offset)[1]
    start = end - (min_days + 1) * DAY
    episodes = _station_episodes(conn, table, st, start, end)
    runs = _day_runs(episodes, {st.code: offset}, min_days)
    if known is None:
        live = {
            a["parameter"]: a["id"]
            for a in alerts.live_alerts(
                conn, asset_kind="station", asset_ids=[st.code], rule=RULE_DAYS
            )
        }
    else:
        live = {
            p: a.id for (code, rule, p), a in known.items() if (code, rule) == (st.code, RULE_DAYS)
        }
    ongoing = {r["parameter"]: r for r in runs if r["last_day"] >= _day(end - DAY, offset)}
    for parameter, run in ongoing.items():
        alerts.raise_alert(
            conn,
            domain="environment",
            asset_kind="station",
            asset_id=st.code,
            rule=RULE_DAYS,
            parameter=parameter,
            severity="major",
            message=f"{parameter}: exceeded on {run['days']} consecutive days ({run['first_day']}–{run['last_day']})",
            value=run["worst_ratio"],
            province_id=st.province_id,
            details=run,
            at=datetime.fromtimestamp(now, UTC),
        )
    for parameter, alert_id in live.items():
        if parameter not in ongoing:
            alerts.resolve_alert(conn, alert_id)
