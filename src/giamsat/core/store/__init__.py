"""The store: one SQLAlchemy Core engine (SQLite WAL or PostgreSQL) plus the raw-file archive.

Every module reaches the database through here; schema changes go through Alembic
(:meth:`Store.upgrade`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from giamsat.core.store.archive import Archive
from giamsat.core.store.metadata import ARCHIVE_SCHEMA
from giamsat.core.store.transactions import write_transaction

SQLITE_PAGE_SIZE = 65536  # fewer, fuller pages: ~24 bytes per observation row (docs/storage.md)


def _prepare_sqlite_path(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :].split("?")[0]).parent.mkdir(parents=True, exist_ok=True)


def sqlite_path(url: str) -> str | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return url[len(prefix) :].split("?")[0]
    return None


def make_engine(url: str, archive_path: str | None = None, **kwargs: Any) -> Engine:
    """An engine with the connection settings this project relies on.

    SQLite: WAL, 64 KiB pages, and ``archive_path`` attached as the ``archive`` schema.
    """
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
            dbapi_conn.isolation_level = None  # transactions are begun by the listener below
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA cache_size=-65536")
            if archive_path:
                cur.execute(f"ATTACH DATABASE ? AS {ARCHIVE_SCHEMA}", (archive_path,))
                cur.execute(f"PRAGMA {ARCHIVE_SCHEMA}.journal_mode=WAL")
                cur.execute(f"PRAGMA {ARCHIVE_SCHEMA}.synchronous=NORMAL")
                cur.execute(f"PRAGMA {ARCHIVE_SCHEMA}.cache_size=-65536")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # A writer that reads first must take the write lock up front: in WAL mode a deferred
            # transaction that has read cannot wait for another writer (SQLITE_BUSY_SNAPSHOT).
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Store:
    """Main database + archive, with the few dialect differences kept in one place."""

    def __init__(self, url: str, archive_url: str | None = None) -> None:
        self.url = url
        self.archive_url = archive_url
        main_path = sqlite_path(url)
        archive_path = None
        if main_path is not None:
            archive_path = sqlite_path(archive_url or "") or str(
                Path(main_path).with_name("archive.db")
            )
            Path(archive_path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(url, archive_path)
        self.archive = Archive(self.engine)

    @classmethod
    def from_settings(cls, settings: Any) -> Store:
        return cls(settings.resolved_db_url, settings.resolved_archive_url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` with Alembic (idempotent)."""
        from giamsat.core.store.migrate import upgrade

        upgrade(self.engine, revision)

    def write(self) -> AbstractContextManager[Connection]:
        """A write transaction (see :func:`write_transaction`)."""
        return write_transaction(self.engine)

    @contextmanager
    def held_open(self) -> Iterator[None]:
        """For bulk work on SQLite: hold one idle connection open meanwhile.

        Each transaction opens and closes its own connection (no pool); when the last one to
        a WAL database closes, SQLite checkpoints and removes the WAL, so bulk ingest paid a
        full checkpoint three times per batch. With a connection held, checkpoints come only
        when the WAL has grown (``wal_autocheckpoint``). Elsewhere this does nothing.
        """
        if not self.is_sqlite:
            yield
            return
        keeper = self.engine.raw_connection()
        try:
            yield
        finally:
            keeper.close()

    def dispose(self) -> None:
        self.engine.dispose()

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
