"""Alembic environment: imports every schema module so autogenerate sees all tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import giamsat.core.notify.schema
import giamsat.core.store.archive
import giamsat.core.store.schema
import giamsat.environment.quality_schema
import giamsat.environment.schema
import giamsat.maritime.enc.schema
import giamsat.maritime.schema
import giamsat.web.schema  # noqa: F401
from giamsat.core.store.metadata import metadata

config = context.config
target_metadata = metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_schemas=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
