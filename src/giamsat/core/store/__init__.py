"""The store: one SQLAlchemy Core engine (SQLite WAL or PostgreSQL) plus the raw-file archive.

Every module reaches the database through here; schema changes go through Alembic
(:meth:`Store.upgrade`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from giamsat.core.store.archive import Archive

SQLITE_PAGE_SIZE = 65536  # fewer, fuller pages: ~24 bytes per observation row (docs/storage.md)


def _prepare_sqlite_path(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :].split("?")[0]).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the connection settings this project relies on."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        _prepare_sqlite_path(url)
        engine = create_engine(
            url, connect_args={"timeout": 60, "check_same_thread": False}, poolclass=NullPool
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Store:
    """Main database + archive, with the few dialect differences kept in one place."""

    def __init__(self, url: str, archive_url: str | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._archive_url = archive_url
        self._archive: Archive | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Store:
        return cls(settings.resolved_db_url, settings.resolved_archive_url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            engine = make_engine(self._archive_url) if self._archive_url else self.engine
            self._archive = Archive(engine)
        return self._archive

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` with Alembic (idempotent)."""
        from giamsat.core.store.migrate import upgrade

        upgrade(self.engine, revision)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._archive is not None and self._archive.engine is not self.engine:
            self._archive.engine.dispose()

    # --- dialect helpers -------------------------------------------------------------
    def insert(self, table: Table) -> Any:
        """An INSERT that supports ``on_conflict_do_nothing/update`` on both back ends."""
        return (sqlite.insert if self.is_sqlite else postgresql.insert)(table)

    def insert_ignore(self, table: Table, index_elements: Sequence[str]) -> Any:
        return self.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))

    def upsert(self, table: Table, index_elements: Sequence[str], update: Iterable[str]) -> Any:
        stmt = self.insert(table)
        return stmt.on_conflict_do_update(
            index_elements=list(index_elements), set_={c: stmt.excluded[c] for c in update}
        )

    # --- fast paths for hot tables (plain DB-API, one round trip per batch) ---------
    def execute_many(self, conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """``executemany`` of SQL written with ``?`` placeholders on either back end."""
        if rows:
            conn.exec_driver_sql(sql if self.is_sqlite else sql.replace("?", "%s"), list(rows))

    def fetch_all(
        self, conn: Connection, sql: str, params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Rows of SQL written with ``?`` placeholders, through the driver's own cursor (fast)."""
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            cursor.execute(sql if self.is_sqlite else sql.replace("?", "%s"), tuple(params))
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    def insert_returning_ids(
        self,
        conn: Connection,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        chunk: int = 2000,
    ) -> list[int]:
        """Multi-row INSERT … RETURNING id; ids come back in the order of ``rows``.

        Ids of one statement are allocated in row order on both back ends, so sorting the returned
        ids restores the input order whatever order RETURNING reports them in.
        """
        ids: list[int] = []
        one = "(" + ", ".join(["?"] * len(columns)) + ")"
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))} RETURNING id"
            flat = [v for row in part for v in row]
            ids.extend(sorted(r[0] for r in self.fetch_all(conn, sql, flat)))
        return ids

    def ensure_partitions(self, conn: Connection, table: str, ts_min: int, ts_max: int) -> None:
        """PostgreSQL: create the monthly partitions of ``table`` covering [ts_min, ts_max]."""
        if self.is_sqlite:
            return
        start = datetime.fromtimestamp(ts_min, UTC).replace(day=1, hour=0, minute=0, second=0)
        end = datetime.fromtimestamp(ts_max, UTC)
        while start <= end:
            nxt = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
            name = f"{table}_{start:%Y%m}"
            key = (table, name)
            if key not in _known_partitions.setdefault(self.url, set()):
                conn.execute(
                    text(
                        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
                        f"FOR VALUES FROM ({int(start.timestamp())}) TO ({int(nxt.timestamp())})"
                    )
                )
                _known_partitions[self.url].add(key)
            start = nxt


_known_partitions: dict[str, set[tuple[str, str]]] = {}
