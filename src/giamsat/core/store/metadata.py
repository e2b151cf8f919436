"""The one SQLAlchemy MetaData every table joins, with constraint names Alembic can track."""

from sqlalchemy import MetaData

# The receiving side (raw archive, received-file log, relay queue): an attached database file on
# SQLite (archive.db), a schema on PostgreSQL. See docs/storage.md.
ARCHIVE_SCHEMA = "archive"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
