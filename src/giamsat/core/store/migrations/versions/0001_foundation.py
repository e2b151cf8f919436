"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-21 22:50:18.404236
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import giamsat.core.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


ARCHIVE = "archive"  # attached archive.db on SQLite, a schema on PostgreSQL


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE}")
    # The archive (raw files, file log, relay queue) may outlive a main database that was
    # re-created: adopt its tables rather than fail.
    existing = set(sa.inspect(op.get_bind()).get_table_names(schema=ARCHIVE))
    if "raw_files" not in existing:
        _create_raw_files()
    if "received_files" not in existing:
        _create_received_files()
    if "relay_queue" not in existing:
        _create_relay_queue()
    _create_main()


def _create_raw_files() -> None:
    op.create_table(
        "raw_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_raw_files_sha256")),
        schema=ARCHIVE,
    )


def _create_received_files() -> None:
    op.create_table(
        "received_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("name_ts", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("processed_at", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reasons", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("misplaced", sa.Boolean(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_files")),
        schema=ARCHIVE,
    )
    op.create_index(
        "ix_received_files_station_id_name_ts",
        "received_files",
        ["station_id", "name_ts"],
        unique=False,
        schema=ARCHIVE,
    )
    op.create_index(
        "ix_received_files_pending",
        "received_files",
        ["id"],
        unique=False,
        schema=ARCHIVE,
        sqlite_where=sa.text("outcome = 'received'"),
        postgresql_where=sa.text("outcome = 'received'"),
    )


def _create_relay_queue() -> None:
    op.create_table(
        "relay_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_queue")),
        schema=ARCHIVE,
    )
    op.create_index(
        "ix_relay_queue_done_at_next_attempt_at",
        "relay_queue",
        ["done_at", "next_attempt_at"],
        unique=False,
        schema=ARCHIVE,
    )


def _create_main() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("home", sa.String(length=200), nullable=False),
        sa.Column("stations", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "observation_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=False),
        sa.Column("replaced_at", sa.BigInteger(), nullable=False),
        sa.Column("replaced_by_file_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_revisions")),
    )
    with op.batch_alter_table("observation_revisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observation_revisions_series_id_ts", ["series_id", "ts"], unique=False
        )
    op.create_table(
        "observations",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "ts", name=op.f("pk_observations")),
        sqlite_with_rowid=False,
        postgresql_partition_by="RANGE (ts)",
    )
    op.create_table(
        "parameters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("aliases", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("sensor_min", sa.Float(), nullable=True),
        sa.Column("sensor_max", sa.Float(), nullable=True),
        sa.Column("plausible_min", sa.Float(), nullable=True),
        sa.Column("plausible_max", sa.Float(), nullable=True),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameters")),
        sa.UniqueConstraint("code", name=op.f("uq_parameters_code")),
    )
    op.create_table(
        "provinces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provinces")),
        sa.UniqueConstraint("code", name=op.f("uq_provinces_code")),
    )
    op.create_table(
        "rollup_daily",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("min", sa.Float(), nullable=True),
        sa.Column("max", sa.Float(), nullable=True),
        sa.Column("mean", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("series_id", "day", name=op.f("pk_rollup_daily")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_hourly",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("min", sa.Float(), nullable=True),
        sa.Column("max", sa.Float(), nullable=True),
        sa.Column("mean", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("series_id", "ts", name=op.f("pk_rollup_hourly")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("asset_kind", sa.String(length=16), nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("limit_value", sa.Float(), nullable=True),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("zone", sa.String(length=120), nullable=True),
        sa.Column("details", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "acknowledged_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column(
            "resolved_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_alerts_province_id_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_last_at", ["last_at"], unique=False)
        batch_op.create_index(
            "uq_alerts_live",
            ["asset_kind", "asset_id", "parameter", "rule"],
            unique=True,
            sqlite_where=sa.text("state != 'resolved'"),
            postgresql_where=sa.text("state != 'resolved'"),
        )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_organisations_province_id_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("code", name=op.f("uq_organisations_code")),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_events_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index("ix_alert_events_alert_id", ["alert_id"], unique=False)
    op.create_table(
        "stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=96), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=32), nullable=False),
        sa.Column("facility_code", sa.String(length=32), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("component", sa.String(length=16), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("expected_interval_s", sa.Integer(), nullable=False),
        sa.Column("utc_offset_min", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("permit_standard", sa.String(length=32), nullable=True),
        sa.Column("permit_column", sa.String(length=8), nullable=True),
        sa.Column("permit_coefficients", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("settings", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_file_at", sa.BigInteger(), nullable=True),
        sa.Column("last_obs_ts", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_stations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_stations_province_id_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
        sa.UniqueConstraint("code", name=op.f("uq_stations_code")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_users_province_id_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("parameter_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("reported_unit", sa.String(length=24), nullable=False),
        sa.Column("first_ts", sa.BigInteger(), nullable=True),
        sa.Column("last_ts", sa.BigInteger(), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("last_status", sa.SmallInteger(), nullable=True),
        sa.Column("last_flag", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parameter_id"], ["parameters.id"], name=op.f("fk_series_parameter_id_parameters")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_series_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sa.UniqueConstraint(
            "station_id", "parameter_id", name=op.f("uq_series_station_id_parameter_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("series")
    op.drop_table("users")
    op.drop_table("stations")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_events_alert_id")

    op.drop_table("alert_events")
    op.drop_table("organisations")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_alerts_live",
            sqlite_where=sa.text("state != 'resolved'"),
            postgresql_where=sa.text("state != 'resolved'"),
        )
        batch_op.drop_index("ix_alerts_last_at")

    op.drop_table("alerts")
    op.drop_table("rollup_hourly")
    op.drop_table("rollup_daily")
    op.drop_table("relay_queue", schema=ARCHIVE)
    op.drop_table("received_files", schema=ARCHIVE)
    op.drop_table("raw_files", schema=ARCHIVE)
    op.drop_table("provinces")
    op.drop_table("parameters")
    op.drop_table("observations")
    with op.batch_alter_table("observation_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_revisions_series_id_ts")

    op.drop_table("observation_revisions")
    op.drop_table("accounts")
