"""Compliance with QCVN limits: episodes, consecutive days, live exceedances and their alerts.

Values are compared in their limit's averaging period (docs/quality.md): ``instant`` raw usable
values; ``1h`` hourly means; ``8h`` 8-hour means of hourly means (≥ 6 of 8); ``24h`` means of a
local day's hourly means (≥ 18 of 24; live checks use the last 24 hours); ``year`` a year's
daily means (≥ 75 % of its days). Only usable values count (status 00, flag 1/2/3), so device
errors, calibrations and failed values never make or hide an exceedance. A limit applies only
to a channel stored in the limit's unit.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core import alerts
from giamsat.core.store import Store
from giamsat.environment.hourly_cache import lookup
from giamsat.environment.limits import Limit, LimitTable, change_days, limits_on, load_limit_table
from giamsat.environment.rollups import USABLE_FLAGS, day_bounds, local_day
from giamsat.environment.schema import parameters, series, stations
from giamsat.environment.vn_aqi import rolling_mean_8h

HOUR = 3600
DAY = 86400
MIN_DAY_HOURS = 18
MIN_YEAR_FRACTION = 0.75
DEFAULT_EXCEEDANCE_DAYS = 3
RULE = "exceedance"
RULE_DAYS = "exceedance_days"


@dataclass(frozen=True)
class Channel:
    series_id: int
    parameter: str
    unit: str


_CHANNELS = "giamsat.exceedance.channels"  # conn.info: station → channels, for one batch


def _channels(conn: Connection, station_id: int) -> dict[str, Channel]:
    cached = conn.info.get(_CHANNELS)
    if cached is not None and station_id in cached:
        return cached[station_id]
    rows = conn.execute(
        select(series.c.id, series.c.unit, parameters.c.code)
        .join(parameters, parameters.c.id == series.c.parameter_id)
        .where(series.c.station_id == station_id)
    )
    return {r.code: Channel(r.id, r.code, r.unit) for r in rows}


def _station(conn: Connection, code: str) -> Any:
    row = conn.execute(select(stations).where(stations.c.code == code)).first()
    if row is None:
        raise LookupError(f"no station {code!r}")
    return row


def _day(ts: int, offset: int) -> int:
    return int(local_day(np.array([ts]), np.array([offset]))[0])


def _iso(ts: int, offset_min: int) -> str:
    return datetime.fromtimestamp(ts, timezone(timedelta(minutes=offset_min))).isoformat()


def station_limits(store: Store, station_code: str, at: int | None = None) -> list[dict[str, Any]]:
    """The limits that apply to a station at ``at`` (default now), coefficients applied."""
    with store.write() as conn:
        st = _station(conn, station_code)
        day = _day(int(time.time()) if at is None else at, st.utc_offset_min)
        table = load_limit_table(conn)
        return [lim.as_dict() for lim in limits_on(table, st, day)]


# --- averaged values ------------------------------------------------------------------------
def _hourly(conn: Connection, sid: int, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    cache = lookup(conn)
    found = cache.get(sid, first, last) if cache is not None else None
    if found is not None:
        return found
    rows = conn.execute(
        text(
            "SELECT ts, mean FROM rollup_hourly WHERE series_id = :s AND ts >= :a AND ts <= :b "
            "ORDER BY ts"
        ),
        {"s": sid, "a": first, "b": last},
    ).all()
    return (
        np.fromiter((r[0] for r in rows), np.int64, len(rows)),
        np.fromiter((r[1] for r in rows), np.float64, len(rows)),
    )


def _grid(ts: np.ndarray, values: np.ndarray, first: int, last: int) -> np.ndarray:
    n = max(0, (last - first) // HOUR + 1)
    g = np.full(n, np.nan)
    inside = (ts >= first) & (ts <= last)
    g[(ts[inside] - first) // HOUR] = values[inside]
    return g


def _daily_means(
    ts: np.ndarray, values: np.ndarray, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day yyyymmdd, label = end of the local day, mean of ≥ 18 hourly means)."""
    if len(ts) == 0:
        e = np.array([], dtype=np.int64)
        return e, e, np.array([])
    days = local_day(ts, np.full(len(ts), offset))
    uniq, inverse = np.unique(days, return_inverse=True)
    counts = np.bincount(inverse)
    sums = np.bincount(inverse, weights=values)
    keep = counts >= MIN_DAY_HOURS
    labels = np.array([day_bounds(int(d), offset)[1] for d in uniq[keep]], dtype=np.int64)
    return uniq[keep], labels, sums[keep] / counts[keep]


def averaged(
    conn: Connection, station: Any, sid: int, averaging: str, start: int, end: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """(labels, values, step) of a channel in an averaging period, labels in (start, end]."""
    offset = int(station.utc_offset_min)
    if averaging == "instant":
        flags = ", ".join(str(f) for f in USABLE_FLAGS)
        rows = conn.execute(
            text(
                "SELECT ts, value FROM observations WHERE series_id = :s AND ts > :a AND ts <= :b "
                f"AND status = 0 AND flag IN ({flags}) AND value IS NOT NULL ORDER BY ts"
            ),
            {"s": sid, "a": start, "b": end},
        ).all()
        return (
            np.fromiter((r[0] for r in rows), np.int64, len(rows)),
            np.fromiter((r[1] for r in rows), np.float64, len(rows)),
            int(station.expected_interval_s or 300),
        )
    if averaging == "1h":
        ts, v = _hourly(conn, sid, start + 1, end)
        return ts, v, HOUR
    if averaging == "8h":
        first = (start // HOUR + 1) * HOUR
        ts, v = _hourly(conn, sid, first - 7 * HOUR, end)
        grid = _grid(ts, v, first - 7 * HOUR, end)
        means = rolling_mean_8h(grid)[7:]
        labels = first + HOUR * np.arange(len(means), dtype=np.int64)
        ok = ~np.isnan(means)
        return labels[ok], means[ok], HOUR
    if averaging == "24h":
        a = day_bounds(_day(start + 1, offset), offset)[0]
        b = day_bounds(_day(end, offset), offset)[1]
        ts, v = _hourly(conn, sid, a + 1, b)
        _, labels, means = _daily_means(ts, v, offset)
        inside = (labels > start) & (labels <= end)
        return labels[inside], means[inside], DAY
    if averaging == "year":
        tz = timezone(timedelta(minutes=offset))
        y0 = datetime.fromtimestamp(start + 1, tz).year
        y1 = datetime.fromtimestamp(end, tz).year
        labels, means = [], []
        for year in range(y0, y1 + 1):
            a = day_bounds(year * 10000 + 101, offset)[0]
            b = day_bounds(year * 10000 + 1231, offset)[1]
            if not (start < b <= end):
                continue
            ts, v = _hourly(conn, sid, a + 1, b)
            _, _, daily = _daily_means(ts, v, offset)
            days_in_year = (b - a) // DAY
            if len(daily) >= MIN_YEAR_FRACTION * days_in_year:
                labels.append(b)
                means.append(float(daily.mean()))
        return np.asarray(labels, dtype=np.int64), np.asarray(means), 366 * DAY
    raise ValueError(f"unknown averaging {averaging!r}")


# --- limits over time -----------------------------------------------------------------------
def _segments(table: LimitTable, st: Any, start: int, end: int) -> list[tuple[int, list[Limit]]]:
    """[(first day, limits)] covering the local days of (start, end]."""
    offset = int(st.utc_offset_min)
    first, last = _day(start + 1, offset), _day(end, offset)
    days = [first, *change_days(table, st, first, last)]
    return [(d, limits_on(table, st, d)) for d in days]


def _bounds_per_label(
    segments: list[tuple[int, list[Limit]]], labels: np.ndarray, offset: int, key: tuple[str, str]
) -> list[Limit | None]:
    starts = np.array([d for d, _ in segments], dtype=np.int64)
    lookup = [
        {(lim.parameter, lim.averaging): lim for lim in lims}.get(key) for _, lims in segments
    ]
    if len(labels) == 0:
        return []
    days = local_day(labels, np.full(len(labels), offset))
    which = np.clip(np.searchsorted(starts, days, side="right") - 1, 0, len(starts) - 1)
    return [lookup[i] for i in which]


def _episodes_of(
    st: Any,
    parameter: str,
    averaging: str,
    labels: np.ndarray,
    values: np.ndarray,
    step: int,
    limits: list[Limit | None],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    last_label = None
    for t, v, lim in zip(labels.tolist(), values.tolist(), limits, strict=True):
        breach = lim.breach(v) if lim is not None else None
        continues = (
            current is not None
            and breach is not None
            and breach[0] == current["kind"]
            and lim.standard == current["standard"]
            and t - last_label <= 2 * max(step, 1)
        )
        if current is not None and not continues:
            out.append(current)
            current = None
        if breach is not None:
            kind, bound = breach
            if current is None:
                current = {
                    "station": st.code,
                    "parameter": parameter,
                    "standard": lim.standard,
                    "column": lim.column,
                    "averaging": averaging,
                    "unit": lim.unit,
                    "kind": kind,
                    "limit": bound,
                    "start": t - (step if averaging != "instant" else 0),
                    "end": t,
                    "peak": v,
                    "peak_ts": t,
                    "ratio": round(v / bound, 4) if bound else None,
                    "count": 1,
                }
            else:
                current["end"] = t
                current["count"] += 1
                worse = v > current["peak"] if kind == "max" else v < current["peak"]
                if worse:
                    current["peak"], current["peak_ts"] = v, t
                    current["ratio"] = round(v / bound, 4) if bound else None
            last_label = t
    if current is not None:
        out.append(current)
    offset = int(st.utc_offset_min)
    for e in out:
        e["start_time"] = _iso(e["start"], offset)
        e["end_time"] = _iso(e["end"], offset)
    return out


def _station_episodes(conn: Connection, table: LimitTable, st: Any, start: int, end: int) -> list:
    segments = _segments(table, st, start, end)
    keys = {(lim.parameter, lim.averaging) for _, lims in segments for lim in lims}
    chans = _channels(conn, st.id)
    out: list[dict[str, Any]] = []
    for parameter, averaging in sorted(keys):
        ch = chans.get(parameter)
        if ch is None:
            continue
        labels, values, step = averaged(conn, st, ch.series_id, averaging, start, end)
        limits = _bounds_per_label(segments, labels, int(st.utc_offset_min), (parameter, averaging))
        limits = [lim if lim is not None and lim.unit == ch.unit else None for lim in limits]
        out.extend(_episodes_of(st, parameter, averaging, labels, values, step, limits))
    return out


def exceedance_episodes(
    store: Store, station_codes: list[str] | None, start: int, end: int
) -> list[dict[str, Any]]:
    """Runs of consecutive averaged values outside a limit, with start, end, peak and ratio.

    ``start``/``end`` of an episode bound the averaging periods (an hourly mean labelled 11:00
    covers 10:00–11:00); ``ratio`` is peak ÷ limit (below 1 for a minimum such as DO).
    """
    out: list[dict[str, Any]] = []
    with store.write() as conn:
        table = load_limit_table(conn)
        query = select(stations).order_by(stations.c.code)
        if station_codes:
            query = query.where(stations.c.code.in_(station_codes))
        for st in conn.execute(query).all():
            out.extend(_station_episodes(conn, table, st, start, end))
    out.sort(key=lambda e: (e["station"], e["start"], e["parameter"], e["averaging"]))
    return out


def exceedance_days(
    store: Store,
    station_codes: list[str] | None,
    start: int,
    end: int,
    min_days: int = DEFAULT_EXCEEDANCE_DAYS,
) -> list[dict[str, Any]]:
    """Runs of ≥ ``min_days`` consecutive local days on which a parameter exceeded a limit."""
    episodes = exceedance_episodes(store, station_codes, start, end)
    with store.engine.connect() as conn:
        offsets = dict(conn.execute(select(stations.c.code, stations.c.utc_offset_min)).all())
    return _day_runs(episodes, offsets, min_days)


def _day_runs(
    episodes: list[dict[str, Any]], offsets: dict[str, int], min_days: int
) -> list[dict[str, Any]]:
    days: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for e in episodes:
        offset = offsets.get(e["station"], 420)
        first = _day(e["start"] + 1 if e["start"] < e["end"] else e["start"], offset)
        last = _day(e["end"], offset)
        d = datetime.strptime(str(first), "%Y%m%d")
        while int(d.strftime("%Y%m%d")) <= last:
            key = int(d.strftime("%Y%m%d"))
            ratio = e["ratio"] if e["kind"] == "max" else (1 / e["ratio"] if e["ratio"] else 0)
            prev = days[(e["station"], e["parameter"])].get(key, 0.0)
            days[(e["station"], e["parameter"])][key] = max(prev, ratio or 0.0)
            d += timedelta(days=1)
    out = []
    for (station, parameter), per_day in sorted(days.items()):
        ordered = sorted(per_day)
        run = [ordered[0]]
        for d in [*ordered[1:], None]:
            if d is not None and _next_day(run[-1]) == d:
                run.append(d)
                continue
            if len(run) >= min_days:
                out.append(
                    {
                        "station": station,
                        "parameter": parameter,
                        "first_day": run[0],
                        "last_day": run[-1],
                        "days": len(run),
                        "worst_ratio": round(max(per_day[x] for x in run), 4),
                    }
                )
            if d is not None:
                run = [d]
    return out


def _next_day(day: int) -> int:
    d = datetime.strptime(str(day), "%Y%m%d") + timedelta(days=1)
    return int(d.strftime("%Y%m%d"))


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
                f"{parameter} {worst['value']:g} {worst['unit']} "
                f"{'>' if worst['kind'] == 'max' else '<'} {worst['limit']:g} "
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
