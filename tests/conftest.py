"""Shared fixtures. Every test that takes ``store`` runs twice: on SQLite and on PostgreSQL.

PostgreSQL tests create a database with a random name on the local server and drop it after
(GIAMSAT_TEST_PG_ADMIN overrides the admin URL; GIAMSAT_TEST_BACKENDS=sqlite skips PostgreSQL).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from giamsat.config import Settings
from giamsat.core.store import Store

PG_ADMIN = os.environ.get("GIAMSAT_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = os.environ.get("GIAMSAT_TEST_BACKENDS", "sqlite,postgresql").split(",")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _admin_connect():
    import psycopg

    return psycopg.connect(
        PG_ADMIN.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )


def create_pg_database() -> tuple[str, str]:
    name = f"gs_test_{secrets.token_hex(6)}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_pg_database(name: str) -> None:
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database on ``backend``: a file in ``folder``, or a PostgreSQL database
    with a random name that is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'giamsat.db'}"
        return
    try:
        name, url = create_pg_database()
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN} ({exc}); start it, or set "
            "GIAMSAT_TEST_BACKENDS=sqlite"
        )
    try:
        yield url
    finally:
        drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each back end."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", db_url=db_url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store.from_settings(settings)
    s.upgrade()
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
