"""Receive → archive → parse → store, for TT10 files from any receiver or the CLI.

Two steps so nothing acknowledged can be lost: :meth:`Ingestor.receive` archives the bytes and
records the file (outcome ``received``) — that record is the durable queue; :meth:`process`
parses and stores a batch of recorded files in one transaction. Writes are idempotent on natural
keys, so re-processing after a crash never duplicates an observation.

Outcomes: ``accepted``; ``duplicate`` (the same content for the same file again, or nothing
new); ``corrected`` (a re-sent file with the same name and other content: new values win, the old
ones go to ``observation_revisions``); ``rejected`` (nothing usable; the reasons say why).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from giamsat.config import Settings
from giamsat.core.events import hub as events
from giamsat.core.store import Store
from giamsat.environment import rollups
from giamsat.environment.catalog import Catalog, default_catalog
from giamsat.environment.schema import (
    observation_revisions,
    observations,
    received_files,
    relay_queue,
)
from giamsat.environment.stations import COMPONENT_FOLDERS, Registry, StationInfo, guess_component
from giamsat.environment.tt10 import (
    ERROR,
    INFO,
    WARNING,
    FileName,
    ParsedFile,
    Problem,
    local_epoch,
    looks_binary,
    parse_content,
    parse_name,
)

log = logging.getLogger(__name__)

INSERT_CHUNK = 5000
RECEIVER_SOURCES = ("ftp", "ftps", "sftp", "watch")  # where the folder template applies


@dataclass
class Incoming:
    """A file as a receiver got it."""

    name: str
    content: bytes
    source: str = "cli"
    account_id: int | None = None
    path: str | None = None  # relative to the account's home, for the folder-template check
    received_at: int | None = None
    sha256: bytes | None = None  # precomputed by a bulk worker
    parsed: ParsedFile | None = None  # precomputed by a bulk worker
    blob_id: int | None = None  # already archived by a bulk worker (content may then be empty)
    size: int | None = None  # bytes, when content was dropped after archiving


@dataclass
class FileResult:
    file_id: int
    name: str
    outcome: str
    observations: int = 0
    problems: list[Problem] = field(default_factory=list)
    station_code: str | None = None

    @property
    def quarantined(self) -> bool:
        return self.outcome == "rejected" or any(
            p.severity in (ERROR, WARNING) for p in self.problems
        )


@dataclass
class Summary:
    files: int = 0
    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    rejected: int = 0
    observations: int = 0

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.observations += result.observations
        if result.outcome == "accepted":
            self.accepted += 1
        elif result.outcome == "duplicate":
            self.duplicates += 1
        elif result.outcome == "corrected":
            self.corrected += 1
        else:
            self.rejected += 1

    def as_dict(self) -> dict[str, int]:
        return {
            "files": self.files,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "corrected": self.corrected,
            "rejected": self.rejected,
            "observations": self.observations,
        }


# A QC hook sets flags for a batch: (conn, series_id, ts, value, status) -> flags.
Flagger = Callable[[Connection, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Written:
    """Observations a batch stored (new, or replacing a stored value), for post-write hooks."""

    series_id: np.ndarray
    ts: np.ndarray
    value: np.ndarray
    status: np.ndarray
    flag: np.ndarray
    utc_offset_min: np.ndarray
    received_at: np.ndarray
    replaced: np.ndarray  # True: a correction replaced a stored value


# Runs inside the ingest transaction after observations and rollups are written.
AfterWrite = Callable[[Connection, Written], None]


def device_status_flags(
    conn: Connection, series_id: np.ndarray, ts: np.ndarray, value: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """The minimum QC: 02 (device error) fails, everything else is not evaluated yet."""
    return np.where(status == 2, 4, 2).astype(np.int16)


@dataclass
class _Record:
    id: int
    name: str
    content: bytes
    source: str
    path: str | None
    received_at: int
    blob_id: int
    parsed: ParsedFile | None = None


@dataclass
class _Pending:
    """One file while a batch is being processed."""

    record: _Record
    result: FileResult
    station: StationInfo | None = None
    name_ts: int | None = None
    correction_of: int | None = None
    misplaced: bool = False
    rows: list[tuple[int, int, float, int, int]] = field(
        default_factory=list
    )  # sid, ts, v, status, offset
    codes: list[str] = field(default_factory=list)  # parameter code of each row
    inserted: int = 0
    unchanged: int = 0
    conflicting: int = 0


class Ingestor:
    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        catalog: Catalog | None = None,
        flagger: Flagger | None = None,
        on_stored: Callable[[list[FileResult]], None] | None = None,
        after_write: AfterWrite | None = None,
        after_commit: Callable[[bool], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.catalog = catalog or default_catalog()
        self.registry = Registry(store, self.catalog)
        if flagger is None or after_write is None:
            from giamsat.environment.pipeline import QualityPipeline  # QC, completeness, AQI

            pipeline = QualityPipeline(self.settings)
            if flagger is None:
                after_commit = after_commit or pipeline.committed
            flagger = flagger or pipeline.flag
            after_write = after_write or pipeline.after_write
        self.after_commit = after_commit
        self.flagger = flagger
        self.after_write = after_write
        self.on_stored = on_stored
        self.quarantine_dir = self.settings.home / "quarantine"

    # --- receiving -------------------------------------------------------------------
    def receive(self, items: Sequence[Incoming]) -> list[int]:
        """Archive the bytes and record each file; returns the file ids (the durable queue)."""
        return [fid for fid, _ in self._receive(items)]

    def _receive(self, items: Sequence[Incoming]) -> list[tuple[int, int]]:
        if not items:
            return []
        now = int(time.time())
        todo = [i for i in items if i.blob_id is None]
        stored = iter(
            self.store.archive.put_many([i.content for i in todo], now, [i.sha256 for i in todo])
            if todo
            else []
        )
        blob_ids = [i.blob_id if i.blob_id is not None else next(stored).blob_id for i in items]
        rows = [
            (
                item.name.replace("\\", "/").rsplit("/", 1)[-1],
                blob_id,
                item.size if item.size is not None else len(item.content),
                item.source,
                item.account_id,
                item.path,
                item.received_at or now,
                "received",
                0,
                False,
            )
            for item, blob_id in zip(items, blob_ids, strict=True)
        ]
        columns = (
            "name",
            "blob_id",
            "size",
            "source",
            "account_id",
            "path",
            "received_at",
            "outcome",
            "observations",
            "misplaced",
        )
        with self.store.write() as conn:
            ids = self.store.insert_returning_ids(conn, "archive.received_files", columns, rows)
        return list(zip(ids, blob_ids, strict=True))

    def pending(self, limit: int = 10_000) -> list[int]:
        """Files received but not processed yet (picked up again after a restart)."""
        with self.store.engine.connect() as conn:
            return list(
                conn.execute(
                    select(received_files.c.id)
                    .where(received_files.c.outcome == "received")
                    .order_by(received_files.c.id)
                    .limit(limit)
                ).scalars()
            )

    def process(self, file_ids: Sequence[int]) -> list[FileResult]:
        """Parse and store recorded files (already-processed ids are skipped)."""
        if not file_ids:
            return []
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(received_files)
                .where(
                    received_files.c.id.in_(list(file_ids)), received_files.c.outcome == "received"
                )
                .order_by(received_files.c.id)
            ).all()
        contents = self.store.archive.get_many([r.blob_id for r in rows])
        records = [
            _Record(r.id, r.name, contents[r.blob_id], r.source, r.path, r.received_at, r.blob_id)
            for r in rows
        ]
        return self._process(records)

    def ingest(self, items: Sequence[Incoming]) -> list[FileResult]:
        """Receive and process in one go (the CLI and benchmarks)."""
        ids = self._receive(items)
        records = [
            _Record(
                fid,
                i.name.replace("\\", "/").rsplit("/", 1)[-1],
                i.content,
                i.source,
                i.path,
                i.received_at or int(time.time()),
                blob_id,
                i.parsed,
            )
            for (fid, blob_id), i in zip(ids, items, strict=True)
        ]
        return self._process(records)

    # --- processing ------------------------------------------------------------------
    def _process(self, records: list[_Record]) -> list[FileResult]:
        if not records:
            return []
        now = int(time.time())
        pendings = [_Pending(r, FileResult(r.id, r.name, "received")) for r in records]
        try:
            with self.store.write() as conn:
                self.registry.refresh(conn)
                for p in pendings:
                    self._prepare(conn, p, now)
                self._classify(conn, pendings)
                self._write(conn, [p for p in pendings if p.result.outcome == "received"], now)
                for p in pendings:
                    self._decide(p)
                self._record_outcomes(conn, pendings, now)
        except BaseException:
            if self.after_commit is not None:
                self.after_commit(False)
            raise
        if self.after_commit is not None:
            self.after_commit(True)
        results = [p.result for p in pendings]
        self._quarantine(pendings)
        self._publish(pendings)
        if self.on_stored is not None:
            try:
                self.on_stored(results)
            except Exception:  # a listener must never undo a stored file
                log.exception("on_stored listener failed")
        return results

    def _reject(self, p: _Pending, problem: Problem | None = None) -> None:
        if problem is not None:
            p.result.problems.append(problem)
        p.result.outcome = "rejected"

    def _prepare(
        self,
        conn: Connection,
        p: _Pending,
        now: int,
    ) -> None:
        rec, res = p.record, p.result
        size = len(rec.content)
        s = self.settings
        if rec.parsed is not None and rec.parsed.name is not None:
            name = rec.parsed.name  # checked and parsed by a bulk worker
        else:
            if size > s.max_file_bytes:
                return self._reject(
                    p,
                    Problem(
                        "too_large", f"{size:,} bytes is over the {s.max_file_bytes:,}-byte limit"
                    ),
                )
            if size == 0:
                return self._reject(p, Problem("empty", "the file is empty"))
            if looks_binary(rec.content):
                return self._reject(p, Problem("binary", "the file is binary, not TT10 text"))
            name = parse_name(rec.name)
            if isinstance(name, Problem):
                return self._reject(p, name)
        parsed = rec.parsed or parse_content(rec.content, name, self.catalog)
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
            return self._reject(p)
        station = self.registry.station(conn, name.station_code)
        if station is None:
            codes = {r.parameter for r in parsed.readings if r.known}
            station = self.registry.create_unregistered(
                conn,
                name.station_code,
                name.province,
                name.facility,
                self._component_from_path(rec.path) or guess_component(codes),
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
            p.misplaced = self._misplaced(rec.path, station, name)
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
            pid = self.registry.parameter_id(conn, r.parameter, r.known)
            spec = self.catalog.parameters.get(r.parameter)
            target = spec.unit_for(station.component) if spec else r.unit
            value, unit = r.value, r.unit
            if spec and unit != target:
                factor = self.catalog.factor(unit, target) if unit else None
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
            info = self.registry.series_for(conn, station, pid, unit, r.reported_unit)
            if info.unit != unit:
                factor = self.catalog.factor(unit, info.unit)
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
            self._reject(p, Problem("no_valid_lines", "no line of the file could be used"))
        return None

    def _classify(self, conn: Connection, pendings: list[_Pending]) -> None:
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
                for fid, station_id, name_ts, blob_id, outcome in self.store.fetch_all(
                    conn, sql, [*st, *tt, first_id]
                ):
                    if (station_id, name_ts) in keys:
                        earlier.setdefault((station_id, name_ts), []).append(
                            (fid, blob_id, outcome)
                        )
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

    def _component_from_path(self, path: str | None) -> str | None:
        if not path or "/" not in path:
            return None
        first = path.strip("/").split("/", 1)[0]
        for component, names in COMPONENT_FOLDERS.items():
            if first in names or first == component:
                return component
        return None

    def _misplaced(self, path: str, station: StationInfo, name: FileName) -> bool:
        """Check the folder against the template ``{component}/{yyyy}/{MM}/{ddMMyyyy}``."""
        folder = path.strip("/").rsplit("/", 1)[0] if "/" in path.strip("/") else ""
        stamp = name.local_time
        expected = self.settings.folder_template.format(
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

    def _write(self, conn: Connection, pendings: list[_Pending], now: int) -> None:
        if not pendings:
            return
        owner: list[int] = []
        rows: list[tuple[int, int, float, int, int]] = []
        for i, p in enumerate(pendings):
            rows.extend(p.rows)
            owner.extend([i] * len(p.rows))
        sid = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        ts = np.fromiter((r[1] for r in rows), np.int64, len(rows))
        value = np.fromiter((r[2] for r in rows), np.float64, len(rows))
        status = np.fromiter((r[3] for r in rows), np.int16, len(rows))
        offset = np.fromiter((r[4] for r in rows), np.int64, len(rows))
        owners = np.asarray(owner, dtype=np.int64)
        flag = np.asarray(self.flagger(conn, sid, ts, value, status), dtype=np.int16)
        self.store.ensure_partitions(conn, "observations", int(ts.min()), int(ts.max()))
        is_fix = np.array([pendings[o].correction_of is not None for o in owner], dtype=bool)
        touched: list[tuple[int, int, int]] = []
        new_idx = np.array([], dtype=np.int64)
        # ordinary files: insert what is new, leave what is there
        normal = np.flatnonzero(~is_fix)
        if len(normal):
            keys = sid[normal] * (1 << 34) + ts[normal]
            _, first = np.unique(keys, return_index=True)
            candidates = normal[np.sort(first)]
            inserted = self._insert_new(
                conn,
                sid[candidates],
                ts[candidates],
                value[candidates],
                status[candidates],
                flag[candidates],
            )
            got = np.isin(sid[normal] * (1 << 34) + ts[normal], inserted) & np.isin(
                normal, candidates
            )
            new_idx = normal[got]
            for i, count in enumerate(
                np.bincount(owners[new_idx], minlength=len(pendings)).tolist()
            ):
                pendings[i].inserted += count
            old_idx = normal[~got]
            if len(old_idx):
                self._compare_existing(
                    conn,
                    pendings,
                    owners[old_idx],
                    sid[old_idx],
                    ts[old_idx],
                    value[old_idx],
                    status[old_idx],
                )
            usable = new_idx[(status[new_idx] == 0) & np.isin(flag[new_idx], rollups.USABLE_FLAGS)]
            rollups.add_observations(conn, sid[usable], ts[usable], value[usable], offset[usable])
        # corrections: new values win, the old ones are kept as revisions
        fix = np.flatnonzero(is_fix)
        if len(fix):
            self._apply_corrections(
                conn,
                pendings,
                owners[fix],
                sid[fix],
                ts[fix],
                value[fix],
                status[fix],
                flag[fix],
                now,
            )
            touched.extend(
                zip(sid[fix].tolist(), ts[fix].tolist(), offset[fix].tolist(), strict=True)
            )
            rollups.recompute(conn, touched)
        self._update_latest(conn, pendings, sid, ts, value, status, flag, now)
        stored = np.concatenate([new_idx, fix])
        if len(stored):
            received_at = np.fromiter(
                (pendings[o].record.received_at for o in owners[stored]), np.int64, len(stored)
            )
            self.after_write(
                conn,
                Written(
                    sid[stored],
                    ts[stored],
                    value[stored],
                    status[stored],
                    flag[stored],
                    offset[stored],
                    received_at,
                    is_fix[stored],
                ),
            )

    def _insert_new(
        self,
        conn: Connection,
        sid: np.ndarray,
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
        flag: np.ndarray,
    ) -> np.ndarray:
        """The keys that were really new. Usually every row is new: try a plain bulk INSERT in a
        savepoint; on a key conflict fall back to INSERT … ON CONFLICT DO NOTHING RETURNING."""
        out: list[int] = []
        pg = not self.store.is_sqlite
        for start in range(0, len(sid), INSERT_CHUNK):
            sl = slice(start, start + INSERT_CHUNK)
            columns = (
                sid[sl].tolist(),
                ts[sl].tolist(),
                value[sl].tolist(),
                status[sl].tolist(),
                flag[sl].tolist(),
            )
            if not pg and self._insert_all_new(conn, columns):
                out.extend((sid[sl] * (1 << 34) + ts[sl]).tolist())
                continue
            if pg:
                result = self.store.fetch_all(
                    conn,
                    "INSERT INTO observations (series_id, ts, value, status, flag) "
                    "SELECT * FROM unnest(?::int[], ?::bigint[], ?::float8[], ?::smallint[], ?::smallint[]) "
                    "ON CONFLICT DO NOTHING RETURNING series_id, ts",
                    columns,
                )
            else:
                flat = np.empty(len(columns[0]) * 5, dtype=object)
                for i, col in enumerate(columns):
                    flat[i::5] = col
                result = self.store.fetch_all(
                    conn,
                    "INSERT INTO observations (series_id, ts, value, status, flag) VALUES "
                    + ",".join(["(?,?,?,?,?)"] * len(columns[0]))
                    + " ON CONFLICT DO NOTHING RETURNING series_id, ts",
                    flat.tolist(),
                )
            out.extend(s * (1 << 34) + t for s, t in result)
        return np.asarray(out, dtype=np.int64)

    @staticmethod
    def _insert_all_new(conn: Connection, columns: tuple[list[Any], ...]) -> bool:
        """SQLite: executemany plain INSERTs in a savepoint; False (and nothing written) on a conflict."""
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        cur.execute("SAVEPOINT new_observations")
        try:
            cur.executemany(
                "INSERT INTO observations (series_id, ts, value, status, flag) VALUES (?, ?, ?, ?, ?)",
                zip(*columns, strict=True),
            )
        except sqlite3.IntegrityError:
            cur.execute("ROLLBACK TO new_observations")
            cur.execute("RELEASE new_observations")
            return False
        cur.execute("RELEASE new_observations")
        cur.close()
        return True

    def _existing(
        self, conn: Connection, sid: np.ndarray, ts: np.ndarray
    ) -> dict[tuple[int, int], tuple[float | None, int, int]]:
        found: dict[tuple[int, int], tuple[float | None, int, int]] = {}
        query = text(
            "SELECT series_id, ts, value, status, flag FROM observations WHERE series_id = :s AND ts = :t"
        )
        for s, t in set(zip(sid.tolist(), ts.tolist(), strict=True)):
            row = conn.execute(query, {"s": s, "t": t}).first()
            if row is not None:
                found[(s, t)] = (row.value, row.status, row.flag)
        return found

    def _compare_existing(
        self,
        conn: Connection,
        pendings: list[_Pending],
        owners: np.ndarray,
        sid: np.ndarray,
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
    ) -> None:
        stored = self._existing(conn, sid, ts)
        for o, s, t, v, st in zip(
            owners.tolist(), sid.tolist(), ts.tolist(), value.tolist(), status.tolist(), strict=True
        ):
            old = stored.get((s, t))
            if old is not None and old[0] == v and old[1] == st:
                pendings[o].unchanged += 1
            else:
                pendings[o].conflicting += 1

    def _apply_corrections(
        self,
        conn: Connection,
        pendings: list[_Pending],
        owners: np.ndarray,
        sid: np.ndarray,
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
        flag: np.ndarray,
        now: int,
    ) -> None:
        stored = self._existing(conn, sid, ts)
        revisions = []
        upserts = []
        for o, s, t, v, st, f in zip(
            owners.tolist(),
            sid.tolist(),
            ts.tolist(),
            value.tolist(),
            status.tolist(),
            flag.tolist(),
            strict=True,
        ):
            old = stored.get((s, t))
            if old is not None and old[0] == v and old[1] == st:
                pendings[o].unchanged += 1
                continue
            if old is not None:
                revisions.append(
                    {
                        "series_id": s,
                        "ts": t,
                        "value": old[0],
                        "status": old[1],
                        "flag": old[2],
                        "replaced_at": now,
                        "replaced_by_file_id": pendings[o].record.id,
                        "reason": "correction",
                    }
                )
            upserts.append({"series_id": s, "ts": t, "value": v, "status": st, "flag": f})
            pendings[o].inserted += 1
        if revisions:
            conn.execute(observation_revisions.insert(), revisions)
        if upserts:
            conn.execute(
                self.store.upsert(observations, ["series_id", "ts"], ["value", "status", "flag"]),
                upserts,
            )

    def _update_latest(
        self,
        conn: Connection,
        pendings: list[_Pending],
        sid: np.ndarray,
        ts: np.ndarray,
        value: np.ndarray,
        status: np.ndarray,
        flag: np.ndarray,
        now: int,
    ) -> None:
        order = np.lexsort((ts, sid))
        last = np.flatnonzero(np.r_[sid[order][1:] != sid[order][:-1], True])
        first = np.flatnonzero(np.r_[True, sid[order][1:] != sid[order][:-1]])
        lo, hi = order[first], order[last]
        least, greatest = ("min", "max") if self.store.is_sqlite else ("LEAST", "GREATEST")
        sid_l, ts_l, value_l = sid.tolist(), ts.tolist(), value.tolist()
        status_l, flag_l = status.tolist(), flag.tolist()
        self.store.execute_many(
            conn,
            "UPDATE series SET last_ts = ?, last_value = ?, last_status = ?, last_flag = ? "
            "WHERE id = ? AND (last_ts IS NULL OR last_ts <= ?)",
            [(ts_l[h], value_l[h], status_l[h], flag_l[h], sid_l[h], ts_l[h]) for h in hi.tolist()],
        )
        self.store.execute_many(
            conn,
            f"UPDATE series SET first_ts = {least}(COALESCE(first_ts, ?), ?) WHERE id = ?",
            [(ts_l[i], ts_l[i], sid_l[i]) for i in lo.tolist()],
        )
        newest: dict[
            int, tuple[int, int]
        ] = {}  # station -> (arrival of its latest file, newest time)
        for p in pendings:
            if p.station is not None and p.rows:
                t = max(r[1] for r in p.rows)
                arrived, seen = newest.get(p.station.id, (p.record.received_at, t))
                newest[p.station.id] = (max(arrived, p.record.received_at), max(seen, t))
        self.store.execute_many(
            conn,
            f"UPDATE stations SET last_file_at = {greatest}(COALESCE(last_file_at, ?), ?), "
            f"last_obs_ts = {greatest}(COALESCE(last_obs_ts, ?), ?) WHERE id = ?",
            [(a, a, t, t, station) for station, (a, t) in newest.items()],
        )

    def _decide(self, p: _Pending) -> None:
        res = p.result
        if res.outcome != "received":
            return
        res.observations = p.inserted
        if p.correction_of is not None:
            res.outcome = "corrected" if p.inserted else "duplicate"
            if p.inserted:
                res.problems.append(
                    Problem(
                        "correction",
                        f"replaces values of file {p.correction_of}; the old values are kept as revisions",
                        None,
                        INFO,
                    )
                )
            return
        if p.conflicting:
            res.problems.append(
                Problem(
                    "conflicts_stored",
                    f"{p.conflicting} value(s) differ from values already stored from another file; the stored ones were kept",
                    None,
                    WARNING,
                )
            )
        if p.inserted == 0 and p.conflicting == 0:
            res.outcome = "duplicate"
            res.problems.append(Problem("duplicate", "every value was already stored", None, INFO))
            return
        if p.unchanged:
            res.problems.append(
                Problem("already_stored", f"{p.unchanged} value(s) were already stored", None, INFO)
            )
        res.outcome = "accepted"

    def _record_outcomes(self, conn: Connection, pendings: list[_Pending], now: int) -> None:
        self.store.execute_many(
            conn,
            "UPDATE archive.received_files SET outcome = ?, processed_at = ?, reasons = ?, observations = ?, "
            "station_id = ?, name_ts = ?, misplaced = ?, supersedes_id = ? WHERE id = ?",
            [
                (
                    p.result.outcome,
                    now,
                    _reasons_json(p.result.problems),
                    p.result.observations,
                    p.station.id if p.station else None,
                    p.name_ts,
                    p.misplaced,
                    p.correction_of if p.result.outcome == "corrected" else None,
                    p.record.id,
                )
                for p in pendings
            ],
        )
        relay = _redacted(self.settings.relay_url)
        accepted = [p.record.id for p in pendings if p.result.outcome in ("accepted", "corrected")]
        if relay and accepted:
            conn.execute(
                relay_queue.insert(),
                [
                    {"file_id": fid, "target": relay, "attempts": 0, "next_attempt_at": now}
                    for fid in accepted
                ],
            )

    def _publish(self, pendings: list[_Pending]) -> None:
        """Live events for the web and notifiers: each file's outcome, each station's new values."""
        if not events.has_listeners("env"):
            return
        for p in pendings:
            res = p.result
            events.publish(
                "env.file",
                {
                    "file_id": res.file_id,
                    "name": res.name,
                    "outcome": res.outcome,
                    "station": res.station_code,
                    "observations": res.observations,
                },
            )
            if p.station is not None and res.outcome in ("accepted", "corrected") and p.rows:
                values = [
                    {"parameter": code, "ts": row[1], "value": row[2], "status": row[3]}
                    for code, row in zip(p.codes, p.rows, strict=True)
                ]
                events.publish("env.observations", {"station": p.station.code, "values": values})

    def _quarantine(self, pendings: list[_Pending]) -> None:
        """Keep a readable copy of every problem file, with its reasons, for people to look at."""
        for p in pendings:
            if not p.result.quarantined:
                continue
            day = time.strftime("%Y%m%d", time.gmtime(p.record.received_at))
            folder = self.quarantine_dir / day
            try:
                folder.mkdir(parents=True, exist_ok=True)
                stem = f"{p.record.id}_{Path(p.record.name).name}"
                (folder / stem).write_bytes(p.record.content)
                (folder / f"{stem}.reasons.json").write_text(
                    json.dumps(
                        {
                            "file_id": p.record.id,
                            "name": p.record.name,
                            "outcome": p.result.outcome,
                            "reasons": [x.as_dict() for x in p.result.problems],
                        },
                        ensure_ascii=False,
                        indent=1,
                    ),
                    "utf-8",
                )
            except OSError:
                log.exception("could not write quarantine copy of file %s", p.record.id)


def iter_files(paths: Iterable[Path]) -> Iterable[Path]:
    """Files under the given files and folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file():
                    yield child
        else:
            yield path


def _redacted(url: str) -> str:
    """The relay target as shown in the queue: never the password."""
    if not url:
        return ""
    from giamsat.environment.relay import Upstream

    return Upstream.parse(url).redacted


def _reasons_json(problems: list[Problem]) -> str | None:
    """The JSON text the ``reasons`` column holds (see JsonText)."""
    if not problems:
        return None
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, separators=(",", ":"))
