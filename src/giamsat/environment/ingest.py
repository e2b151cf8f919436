"""Receive → archive → parse → store, for TT10 files from any receiver or the CLI.

Two steps so nothing acknowledged can be lost: :meth:`Ingestor.receive` archives the bytes and
records the file (outcome ``received``) — that record is the durable queue; :meth:`process`
parses and stores a batch of recorded files in one transaction. Writes are idempotent on natural
keys, so re-processing after a crash never duplicates an observation.

The steps live in their own modules: :mod:`ingest_records` (what is passed around),
:mod:`ingest_prepare` (checks, parsing, duplicates and corrections), :mod:`ingest_write` (the
batch write), :mod:`ingest_corrections` (keys already stored) and :mod:`ingest_outcomes`
(outcomes, relay queue, events, quarantine). QC, completeness, AQI and alerts run inside the
write through :class:`~giamsat.environment.pipeline.QualityPipeline`. The public names stay
importable from here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from sqlalchemy import select

from giamsat.config import Settings
from giamsat.core.store import Store
from giamsat.environment.catalog import Catalog, default_catalog
from giamsat.environment.ingest_outcomes import decide, publish, quarantine, record_outcomes
from giamsat.environment.ingest_prepare import RECEIVER_SOURCES, classify, prepare
from giamsat.environment.ingest_records import (
    AfterWrite,
    FileResult,
    Flagger,
    Incoming,
    Pending,
    Record,
    Summary,
    Written,
    device_status_flags,
    iter_files,
)
from giamsat.environment.ingest_write import INSERT_CHUNK, write
from giamsat.environment.schema import received_files
from giamsat.environment.stations import Registry

__all__ = [
    "INSERT_CHUNK",
    "RECEIVER_SOURCES",
    "AfterWrite",
    "FileResult",
    "Flagger",
    "Incoming",
    "Ingestor",
    "Summary",
    "Written",
    "device_status_flags",
    "iter_files",
]

log = logging.getLogger(__name__)


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
            Record(r.id, r.name, contents[r.blob_id], r.source, r.path, r.received_at, r.blob_id)
            for r in rows
        ]
        return self._process(records)

    def ingest(self, items: Sequence[Incoming]) -> list[FileResult]:
        """Receive and process in one go (the CLI and benchmarks)."""
        ids = self._receive(items)
        records = [
            Record(
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
    def _process(self, records: list[Record]) -> list[FileResult]:
        if not records:
            return []
        now = int(time.time())
        pendings = [Pending(r, FileResult(r.id, r.name, "received")) for r in records]
        try:
            with self.store.write() as conn:
                self.registry.refresh(conn)
                for p in pendings:
                    prepare(self, conn, p, now)
                classify(self, conn, pendings)
                write(self, conn, [p for p in pendings if p.result.outcome == "received"], now)
                for p in pendings:
                    decide(p)
                record_outcomes(self, conn, pendings, now)
        except BaseException:
            self.registry.forget()  # rows it cached may have been rolled back
            if self.after_commit is not None:
                self.after_commit(False)
            raise
        if self.after_commit is not None:
            self.after_commit(True)
        results = [p.result for p in pendings]
        quarantine(self, pendings)
        publish(pendings)
        if self.on_stored is not None:
            try:
                self.on_stored(results)
            except Exception:  # a listener must never undo a stored file
                log.exception("on_stored listener failed")
        return results
