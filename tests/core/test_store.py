"""SQLite connection settings the bulk paths rely on (PostgreSQL has no equivalent to test)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from giamsat.core.store import SQLITE_PAGE_SIZE, Store


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'giamsat.db'}")
    store.upgrade()
    return store


def test_main_and_archive_share_the_page_cache_size(tmp_path: Path) -> None:
    """``cache_size`` is per schema: the attached archive must not keep SQLite's 2 MB default."""
    store = _store(tmp_path)
    with store.engine.connect() as conn:
        main = conn.execute(text("PRAGMA main.cache_size")).scalar_one()
        archive = conn.execute(text("PRAGMA archive.cache_size")).scalar_one()
        page = conn.execute(text("PRAGMA main.page_size")).scalar_one()
    assert archive == main and main <= -65536  # KiB, negative: a size, not a page count
    assert page == SQLITE_PAGE_SIZE
    store.dispose()


def test_held_open_keeps_the_wal_between_transactions(tmp_path: Path) -> None:
    """Without a held connection, closing the last one checkpoints and removes the WAL after
    every transaction; bulk ingest holds one so that happens only when the WAL has grown."""
    store = _store(tmp_path)
    wal = tmp_path / "giamsat.db-wal"

    def write_once() -> None:
        with store.write() as conn:
            conn.execute(
                text("INSERT INTO provinces (code, name) VALUES (:c, :c)"), {"c": str(id(conn))}
            )

    write_once()
    assert not wal.exists()  # checkpointed and removed on close
    with store.held_open():
        write_once()
        write_once()
        assert wal.exists() and wal.stat().st_size > 0
    assert not wal.exists()  # the held connection was the last: removed now
    store.dispose()
