"""Turning one received file into rows: checks, parsing, station, units, and duplicates.

:func:`prepare` rejects what is not usable (too large, empty, binary, a bad name, no valid
line), creates an unregistered station for an unknown code, converts units where exact and
flags misplaced folders and times that disagree with the file name. :func:`classify` then tells
duplicates (the same content again) from corrections (the same name, other content).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from giamsat.environment.ingest_records import Pending
from giamsat.environment.stations import COMPONENT_FOLDERS, StationInfo, guess_component
from giamsat.environment.tt10 import (
    INFO,
    WARNING,
    FileName,
    Problem,
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
    horizon = now + s.future_tolerance_seconds
    worst_gap = 0
    for r in parsed.readings:
        ts = (local_epoch(r.local_time) or 0) - offset
        if ts > horizon:
            res.problems.append(
                Problem(
                    "future_time",
                    f"{r.parameter} at {r.local_time} is more than {s.future_tolerance_seconds // 60} min in the future",
                    r.line,
                )
            )
            continue
        gap = abs(ts - p.name_ts)
        worst_gap = max(worst_gap, gap)
        pid = ing.registry.parameter_id(conn, r.parameter, r.known)
        spec = ing.catalog.parameters.get(r.parameter)
        target = spec.unit_for(station.component) if spec else r.unit
        value, unit = r.value, r.unit
        if spec and unit != target:
            factor = ing.catalog.factor(unit, target) if unit else None
            if factor is not None:
                value, unit = value * factor, target
            elif r.reported_unit.strip() == "" and target:
                unit = target  # no unit written: the catalog's is assumed
            else:
                res.problems.append(
                    Problem(
                        "unit",
                        f"{r.parameter}: unit {r.reported_unit!r} is not {target!r} and cannot be converted exactly; stored as reported",
                        r.line,
                        WARNING,
                    )
                )
        info = ing.registry.series_for(conn, station, pid, unit, r.reported_unit)
        if info.unit != unit:
            factor = ing.catalog.factor(unit, info.unit)
            if factor is not None:
                value = value * factor
            else:
                res.problems.append(
                    Problem(
                        "unit",
                        f"{r.parameter}: unit {unit!r} differs from this channel's {info.unit!r}",
                        r.line,
                        WARNING,
                    )
                )
        p.rows.append((info.id, ts, value, r.status, station.utc_offset_min))
        p.codes.append(r.parameter)
    if worst_gap > s.name_time_tolerance_seconds:
        res.problems.append(
            Problem(
                "time_mismatch",
                f"line times differ from the file name time by up to {worst_gap // 60} min",
                None,
                WARNING,
            )
        )
    if not p.rows:
        reject(p, Problem("no_valid_lines", "no line of the file could be used"))
    return None


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
            p.rows, p.codes = [], []
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
