"""Write transactions that behave on SQLite under concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction: on SQLite it holds the write lock from its first statement, so it
    may read before it writes without failing when another writer commits meanwhile."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn
