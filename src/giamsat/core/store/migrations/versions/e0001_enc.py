"""enc cells catalogue

Revision ID: e0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import giamsat.core.store.types

revision = "e0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enc_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("update_number", sa.Integer(), nullable=False),
        sa.Column("issue_date", sa.String(length=8), nullable=False),
        sa.Column("update_date", sa.String(length=8), nullable=False),
        sa.Column("usage_band", sa.Integer(), nullable=False),
        sa.Column("compilation_scale", sa.Integer(), nullable=False),
        sa.Column("agency", sa.Integer(), nullable=True),
        sa.Column("west", sa.Float(), nullable=False),
        sa.Column("south", sa.Float(), nullable=False),
        sa.Column("east", sa.Float(), nullable=False),
        sa.Column("north", sa.Float(), nullable=False),
        sa.Column("coverage", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("contours", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("symbols", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("features", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("min_zoom", sa.Integer(), nullable=False),
        sa.Column("max_zoom", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("files", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("tile_bytes", sa.BigInteger(), nullable=False),
        sa.Column("tile_count", sa.Integer(), nullable=False),
        sa.Column("import_seconds", sa.Float(), nullable=False),
        sa.Column(
            "imported_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enc_cells")),
        sa.UniqueConstraint("name", name=op.f("uq_enc_cells_name")),
    )


def downgrade() -> None:
    op.drop_table("enc_cells")
