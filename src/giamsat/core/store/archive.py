"""Content-addressed archive of every received file, kept verbatim before parsing.

It lives in the ``archive`` schema with the rest of the receiving side (the received-file log and
the relay queue): on SQLite that is a separate file, ``archive.db``, attached to every connection,
so raw bytes and per-file records never bloat the observation store; on PostgreSQL a schema.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Column, Integer, LargeBinary, Table, select
from sqlalchemy.engine import Engine

from giamsat.core.store.metadata import ARCHIVE_SCHEMA, metadata
from giamsat.core.store.transactions import write_transaction
from giamsat.core.store.types import Epoch

raw_files = Table(
    "raw_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", LargeBinary(32), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("stored_at", Epoch, nullable=False),
    Column("data", LargeBinary, nullable=False),
    schema=ARCHIVE_SCHEMA,
)


@dataclass(frozen=True)
class Stored:
    blob_id: int
    sha256: bytes
    new: bool  # False: this exact content was archived before


class Archive:
    """Put and get file contents by SHA-256; putting the same bytes twice stores them once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine  # the store's engine: the archive schema is attached to it

    def put_many(
        self, contents: list[bytes], now: int, digests: list[bytes | None] | None = None
    ) -> list[Stored]:
        """Archive a batch in one transaction; returns one :class:`Stored` per input, in order."""
        given = digests or [None] * len(contents)
        shas = [d or hashlib.sha256(c).digest() for c, d in zip(contents, given, strict=True)]
        unique: dict[bytes, bytes] = {}
        for sha, data in zip(shas, contents, strict=True):
            unique.setdefault(sha, data)
        mark = "?" if self.engine.dialect.name == "sqlite" else "%s"
        known: dict[bytes, int] = {}
        fresh: set[bytes] = set()
        with write_transaction(self.engine) as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cur = raw.cursor()
            items = list(unique.items())
            for start in range(0, len(items), 500):
                part = items[start : start + 500]
                # insert what is new; content already archived keeps its row
                values = ", ".join([f"({mark}, {mark}, {mark}, {mark})"] * len(part))
                cur.execute(
                    f"INSERT INTO {ARCHIVE_SCHEMA}.raw_files (sha256, size, stored_at, data) VALUES {values} "
                    "ON CONFLICT (sha256) DO NOTHING RETURNING sha256, id",
                    [v for sha, data in part for v in (sha, len(data), now, data)],
                )
                for sha, blob_id in cur.fetchall():
                    fresh.add(bytes(sha))
                    known[bytes(sha)] = blob_id
                old = [sha for sha, _ in part if sha not in known]  # archived before
                if old:
                    cur.execute(
                        f"SELECT sha256, id FROM {ARCHIVE_SCHEMA}.raw_files WHERE sha256 IN ({', '.join([mark] * len(old))})",
                        old,
                    )
                    known.update((bytes(sha), blob_id) for sha, blob_id in cur.fetchall())
            cur.close()
        seen: set[bytes] = set()
        out = []
        for sha in shas:
            out.append(Stored(known[sha], sha, sha in fresh and sha not in seen))
            seen.add(sha)
        return out

    def put(self, content: bytes, now: int) -> Stored:
        return self.put_many([content], now)[0]

    def get(self, blob_id: int) -> bytes:
        with self.engine.connect() as conn:
            data = conn.execute(select(raw_files.c.data).where(raw_files.c.id == blob_id)).scalar()
        if data is None:
            raise KeyError(blob_id)
        return bytes(data)

    def get_many(self, blob_ids: list[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(blob_ids), 500):
                query = select(raw_files.c.id, raw_files.c.data).where(
                    raw_files.c.id.in_(blob_ids[i : i + 500])
                )
                out.update({blob_id: bytes(data) for blob_id, data in conn.execute(query)})
        missing = set(blob_ids) - set(out)
        if missing:
            raise KeyError(sorted(missing))
        return out

    def sha256_of(self, blob_ids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(blob_ids), 500):
                chunk = blob_ids[i : i + 500]
                for blob_id, sha in conn.execute(
                    select(raw_files.c.id, raw_files.c.sha256).where(raw_files.c.id.in_(chunk))
                ):
                    out[blob_id] = bytes(sha).hex()
        return out
