"""Content-addressed archive of every received file, kept verbatim before parsing.

It lives in its own database (``archive.db`` next to the main store by default) so the raw
bytes never bloat the observation store; on a server it can share the PostgreSQL database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, select
from sqlalchemy.engine import Connection, Engine

from giamsat.core.store.types import Epoch

archive_metadata = MetaData()

raw_files = Table(
    "raw_files",
    archive_metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", LargeBinary(32), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("stored_at", Epoch, nullable=False),
    Column("data", LargeBinary, nullable=False),
)


@dataclass(frozen=True)
class Stored:
    blob_id: int
    sha256: bytes
    new: bool  # False: this exact content was archived before


class Archive:
    """Put and get file contents by SHA-256; putting the same bytes twice stores them once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        archive_metadata.create_all(engine)

    def put_many(self, contents: list[bytes], now: int) -> list[Stored]:
        """Archive a batch in one transaction; returns one :class:`Stored` per input, in order."""
        digests = [hashlib.sha256(c).digest() for c in contents]
        fresh: dict[bytes, bytes] = {}
        with self.engine.begin() as conn:
            known = self._ids(conn, list(dict.fromkeys(digests)))
            for sha, data in zip(digests, contents, strict=True):
                if sha not in known:
                    fresh.setdefault(sha, data)
            if fresh:
                conn.execute(
                    raw_files.insert(),
                    [
                        {"sha256": s, "size": len(d), "stored_at": now, "data": d}
                        for s, d in fresh.items()
                    ],
                )
                known.update(self._ids(conn, list(fresh)))
        seen: set[bytes] = set()
        out = []
        for sha in digests:
            out.append(Stored(known[sha], sha, sha in fresh and sha not in seen))
            seen.add(sha)
        return out

    @staticmethod
    def _ids(conn: Connection, digests: list[bytes]) -> dict[bytes, int]:
        found: dict[bytes, int] = {}
        for i in range(0, len(digests), 500):
            query = select(raw_files.c.sha256, raw_files.c.id).where(
                raw_files.c.sha256.in_(digests[i : i + 500])
            )
            found.update({bytes(sha): blob_id for sha, blob_id in conn.execute(query)})
        return found

    def put(self, content: bytes, now: int) -> Stored:
        return self.put_many([content], now)[0]

    def get(self, blob_id: int) -> bytes:
        with self.engine.connect() as conn:
            data = conn.execute(select(raw_files.c.data).where(raw_files.c.id == blob_id)).scalar()
        if data is None:
            raise KeyError(blob_id)
        return bytes(data)

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
