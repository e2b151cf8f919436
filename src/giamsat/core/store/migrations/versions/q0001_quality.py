"""quality: QC results and overrides, completeness counts, VN_AQI, limit tables

Revision ID: q0001
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import giamsat.core.store.types

revision = "q0001"
down_revision = "w0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "aqi_daily",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("aqi", sa.SmallInteger(), nullable=False),
        sa.Column("dominant", sa.String(length=8), nullable=False),
        sa.Column("sub_indices", giamsat.core.store.types.JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "day", name=op.f("pk_aqi_daily")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "aqi_hourly",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("aqi", sa.SmallInteger(), nullable=False),
        sa.Column("dominant", sa.String(length=8), nullable=False),
        sa.Column("sub_indices", giamsat.core.store.types.JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "ts", name=op.f("pk_aqi_hourly")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "completeness_daily",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "day", name=op.f("pk_completeness_daily")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "limit_standards",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("family", sa.String(length=16), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("component", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.Integer(), nullable=False),
        sa.Column("effective_to", sa.Integer(), nullable=False),
        sa.Column("coefficients", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("averaging", sa.String(length=8), nullable=False),
        sa.Column("columns", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_limit_standards")),
    )
    op.create_table(
        "limit_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=32), nullable=False),
        sa.Column("col", sa.String(length=8), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("averaging", sa.String(length=8), nullable=False),
        sa.Column("min", sa.Float(), nullable=True),
        sa.Column("max", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("effective_from", sa.Integer(), nullable=False),
        sa.Column("effective_to", sa.Integer(), nullable=False),
        sa.Column("apply_coefficients", sa.Boolean(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limit_values")),
        sa.UniqueConstraint(
            "standard",
            "col",
            "parameter",
            "averaging",
            "effective_from",
            name="uq_limit_values_key",
        ),
    )
    op.create_table(
        "qc_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("ts_from", sa.BigInteger(), nullable=False),
        sa.Column("ts_to", sa.BigInteger(), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_overrides")),
    )
    with op.batch_alter_table("qc_overrides", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qc_overrides_series_id_ts_from", ["series_id", "ts_from"], unique=False
        )

    op.create_table(
        "qc_results",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=False),
        sa.Column("tests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "ts", name=op.f("pk_qc_results")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "qc_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("stations", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("ts_from", sa.BigInteger(), nullable=False),
        sa.Column("ts_to", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_runs")),
    )


def downgrade() -> None:

    op.drop_table("qc_runs")
    op.drop_table("qc_results")
    with op.batch_alter_table("qc_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_qc_overrides_series_id_ts_from")

    op.drop_table("qc_overrides")
    op.drop_table("limit_values")
    op.drop_table("limit_standards")
    op.drop_table("completeness_daily")
    op.drop_table("aqi_hourly")
    op.drop_table("aqi_daily")
