"""Turning one received file into rows: checks, parsing, station, units, and duplicates.

:func:`prepare` rejects what is not usable (too large, empty, binary, a bad name, no valid
line), creates an unregistered station for an unknown code, converts units where exact and
flags misplaced folders and times that disagree with the file name. :func:`classify` then tells
duplicates (the same content again) from corrections (the same name, other content).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from giamsat.environment.ingest_records import Pending
from giamsat.environment.stations import COMPONENT_FOLDERS, StationInfo, guess_component
from giamsat.environment.tt10 import (
    INFO,
    WARNING,
    FileName,
    ParsedFile,
    Problem,
    Reading,
    local_epoch,
    looks_binary,
    parse_content,
    parse_name,
)

if TYPE_CHECKING:
    from giamsat.environment.ingest import Ingestor

RECEIVER_SOURCES = ("ftp", "ftps", "sftp", "watch")  # where the folder template applies


def reject(p: Pending, problem: Problem | None = None) -> None:
    if problem is not None:
        p.result.problems.append(problem)
    p.result.outcome = "rejected"


def prepare(
    ing: Ingestor,
    conn: Connection,
    p: Pending,
    now: int,
) -> None:
    rec, res = p.record, p.result
    size = len(rec.content)
    s = ing.settings
    if rec.parsed is not None and rec.parsed.name is not None:
        name = rec.parsed.name  # checked and parsed by a bulk worker
    else:
        if size > s.max_file_bytes:
            return reject(
                p,
                Problem("too_large", f"{size:,} bytes is over the {s.max_file_bytes:,}-byte limit"),
            )
        if size == 0:
            return reject(p, Problem("empty", "the file is empty"))
        if looks_binary(rec.content):
            return reject(p, Problem("binary", "the file is binary, not TT10 text"))
        name = parse_name(rec.name)
        if isinstance(name, Problem):
            return reject(p, name)
    parsed = rec.parsed or parse_content(rec.content, name, ing.catalog)
    res.problems.extend(parsed.problems)
    res.station_code = name.station_code
    if name.extra_tokens:
        res.problems.append(
            Problem(
                "name_tokens",
                f"extra name tokens {'_'.join(name.extra_tokens)!r} ignored",
                None,
                INFO,
            )
        )
    if parsed.rejected:
        return reject(p)
    station = ing.registry.station(conn, name.station_code)
    if station is None:
        codes = {r.parameter for r in parsed.readings if r.known}
        station = ing.registry.create_unregistered(
            conn,
            name.station_code,
            name.province,
            name.facility,
            component_from_path(rec.path) or guess_component(codes),
        )
        res.problems.append(
            Problem(
                "unregistered_station",
                f"station {name.station_code} was not registered; created for an administrator to complete",
                None,
                INFO,
            )
        )
    p.station = station
    offset = station.utc_offset_min * 60
    p.name_ts = (local_epoch(name.local_time) or 0) - offset
    if rec.path and rec.source in RECEIVER_SOURCES:
        p.misplaced = misplaced(ing, rec.path, station, name)
        if p.misplaced:
            res.problems.append(
                Problem(
                    "misplaced",
                    f"folder {rec.path.rsplit('/', 1)[0] or '/'!r} does not follow {s.folder_template}",
                    None,
                    INFO,
                )
            )
    columns = parsed.columns()
    ts = [epoch - offset for epoch in columns.epochs]
    horizon = now + s.future_tolerance_seconds
    if columns.signature is not None and max(ts) <= horizon:
        plan = plan_for(ing, conn, station, columns.signature, parsed)
        worst_gap = max(max(ts) - p.name_ts, p.name_ts - min(ts))
        res.problems.extend(plan.problems)
        values = columns.values
        if plan.factors is not None:
            values = [v * f for v, f in zip(values, plan.factors, strict=True)]
        p.sids, p.ts, p.values, p.statuses = plan.sids, ts, values, columns.statuses
        p.codes = plan.codes
    else:
        worst_gap = prepare_each(ing, conn, p, station, parsed, horizon)
    if worst_gap > s.name_time_tolerance_seconds:
        res.problems.append(
            Problem(
                "time_mismatch",
                f"line times differ from the file name time by up to {worst_gap // 60} min",
                None,
                WARNING,
            )
        )
    if not p.sids:
        reject(p, Problem("no_valid_lines", "no line of the file could be used"))
    return None


@dataclass(frozen=True)
class SeriesPlan:
    """Where each line of a station's usual file goes: its series and unit factor.

    Resolved once per station and :attr:`Columns.signature`, then reused for every file
    (a national day is 288 files per station with the same lines).
    """

    sids: tuple[int, ...]
    codes: tuple[str, ...]
    factors: tuple[float, ...] | None  # None: no line needs converting
    problems: tuple[Problem, ...]


def plan_for(
    ing: Ingestor, conn: Connection, station: StationInfo, signature: str, parsed: ParsedFile
) -> SeriesPlan:
    plans = ing.registry.plans
    plan = plans.get((station.id, signature))
    if plan is None:
        resolved = [resolve(ing, conn, station, r) for r in parsed.readings]
        factors = [f for _, f, _ in resolved]
        plan = SeriesPlan(
            tuple(sid for sid, _, _ in resolved),
            tuple(r.parameter for r in parsed.readings),
            None if all(f == 1.0 for f in factors) else tuple(factors),
            tuple(problem for _, _, problems in resolved for problem in problems),
        )
        plans[(station.id, signature)] = plan
    return plan


def prepare_each(
    ing: Ingestor,
    conn: Connection,
    p: Pending,
    station: StationInfo,
    parsed: ParsedFile,
    horizon: int,
) -> int:
    """Line by line (lines in the future are left out); returns the largest time gap."""
    offset = station.utc_offset_min * 60
    worst_gap = 0
    for r in parsed.readings:
        ts = (local_epoch(r.local_time) or 0) - offset
        if ts > horizon:
            p.result.problems.append(
                Problem(
                    "future_time",
                    f"{r.parameter} at {r.local_time} is more than "
                    f"{ing.settings.future_tolerance_seconds // 60} min in the future",
                    r.line,
                )
            )
            continue
        worst_gap = max(worst_gap, abs(ts - (p.name_ts or 0)))
        sid, factor, problems = resolve(ing, conn, station, r)
        p.result.problems.extend(problems)
        p.sids.append(sid)
        p.ts.append(ts)
        p.values.append(r.value * factor)
        p.statuses.append(r.status)
        p.codes.append(r.parameter)
    return worst_gap


def resolve(
    ing: Ingestor, conn: Connection, station: StationInfo, r: Reading
) -> tuple[int, float, list[Problem]]:
    """A line's series (created when new), the factor to its unit, and any unit problem."""
    problems: list[Problem] = []
    pid = ing.registry.parameter_id(conn, r.parameter, r.known)
    spec = ing.catalog.parameters.get(r.parameter)
    target = spec.unit_for(station.component) if spec else r.unit
    unit, factor = r.unit, 1.0
    if spec and unit != target:
        to_target = ing.catalog.factor(unit, target) if unit else None
        if to_target is not None:
            factor, unit = to_target, target
        elif r.reported_unit.strip() == "" and target:
            unit = target  # no unit written: the catalog's is assumed
        else:
            problems.append(
                Problem(
                    "unit",
                    f"{r.parameter}: unit {r.reported_unit!r} is not {target!r} and cannot be converted exactly; stored as reported",
                    r.line,
                    WARNING,
                )
            )
    info = ing.registry.series_for(conn, station, pid, unit, r.reported_unit)
    if info.unit != unit:
        to_series = ing.catalog.factor(unit, info.unit)
        if to_series is not None:
            factor *= to_series
        else:
            problems.append(
                Problem(
                    "unit",
                    f"{r.parameter}: unit {unit!r} differs from this channel's {info.unit!r}",
                    r.line,
                    WARNING,
                )
            )
    return info.id, factor, problems


def classify(ing: Ingestor, conn: Connection, pendings: list[Pending]) -> None:
    """Duplicates and corrections: has this file (station + name time) been stored before?"""
    todo = [p for p in pendings if p.result.outcome == "received" and p.station is not None]
    if not todo:
        return
    keys = {(p.station.id, p.name_ts) for p in todo if p.station is not None}
    first_id = min(p.record.id for p in todo)
    earlier: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    stations_ids = sorted({k[0] for k in keys})
    times = sorted({k[1] for k in keys if k[1] is not None})
    for i in range(0, len(stations_ids), 500):
        for j in range(0, len(times), 500):
            st = stations_ids[i : i + 500]
            tt = times[j : j + 500]
            sql = (
                "SELECT id, station_id, name_ts, blob_id, outcome FROM archive.received_files "
                f"WHERE station_id IN ({', '.join('?' * len(st))}) AND name_ts IN ({', '.join('?' * len(tt))}) "
                "AND id < ? AND outcome IN ('accepted', 'corrected', 'duplicate')"
            )
            for fid, station_id, name_ts, blob_id, outcome in ing.store.fetch_all(
                conn, sql, [*st, *tt, first_id]
            ):
                if (station_id, name_ts) in keys:
                    earlier.setdefault((station_id, name_ts), []).append((fid, blob_id, outcome))
    for p in sorted(todo, key=lambda x: x.record.id):
        key = (p.station.id, p.name_ts)  # type: ignore[union-attr]
        previous = sorted(earlier.get(key, []))
        if any(blob == p.record.blob_id for _, blob, _ in previous):
            p.result.outcome = "duplicate"
            p.result.problems = [
                Problem("duplicate", "the same file was received before", None, INFO)
            ]
            p.sids, p.ts, p.values, p.statuses, p.codes = [], [], [], [], []
            continue
        stored = [fid for fid, _, outcome in previous if outcome in ("accepted", "corrected")]
        if stored:
            p.correction_of = stored[-1]
        earlier.setdefault(key, []).append((p.record.id, p.record.blob_id, "accepted"))


def component_from_path(path: str | None) -> str | None:
    if not path or "/" not in path:
        return None
    first = path.strip("/").split("/", 1)[0]
    for component, names in COMPONENT_FOLDERS.items():
        if first in names or first == component:
            return component
    return None


def misplaced(ing: Ingestor, path: str, station: StationInfo, name: FileName) -> bool:
    """Check the folder against the template ``{component}/{yyyy}/{MM}/{ddMMyyyy}``."""
    folder = path.strip("/").rsplit("/", 1)[0] if "/" in path.strip("/") else ""
    stamp = name.local_time
    expected = ing.settings.folder_template.format(
        component="\0",
        yyyy=stamp[0:4],
        MM=stamp[4:6],
        dd=stamp[6:8],
        ddMMyyyy=stamp[6:8] + stamp[4:6] + stamp[0:4],
        yyyyMMdd=stamp[0:8],
    ).split("/")
    got = folder.split("/") if folder else []
    if len(got) < len(expected):
        return True
    got = got[-len(expected) :]
    for want, have in zip(expected, got, strict=True):
        if want == "\0":
            if (
                have not in COMPONENT_FOLDERS.get(station.component, ())
                and have != station.component
            ):
                return True
        elif want != have:
            return True
    return False
