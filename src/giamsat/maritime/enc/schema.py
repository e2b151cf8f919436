"""The chart catalogue table: one row per imported ENC cell (its files live in $GIAMSAT_HOME/enc)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    String,
    Table,
    Text,
)

from giamsat.core.store.metadata import metadata
from giamsat.core.store.types import JsonText, UtcDateTime

enc_cells = Table(
    "enc_cells",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(16), nullable=False, unique=True),  # DSNM without extension
    Column("edition", Integer, nullable=False),  # DSID EDTN
    Column("update_number", Integer, nullable=False),  # DSID UPDN after updates are applied
    Column("issue_date", String(8), nullable=False, default=""),  # ISDT of the newest file
    Column("update_date", String(8), nullable=False, default=""),  # UADT of the base cell
    Column("usage_band", Integer, nullable=False),  # DSID INTU (1 overview … 6 berthing)
    Column("compilation_scale", Integer, nullable=False),  # DSPM CSCL
    Column("agency", Integer),  # DSID AGEN
    Column("west", Float, nullable=False),
    Column("south", Float, nullable=False),
    Column("east", Float, nullable=False),
    Column("north", Float, nullable=False),
    Column("coverage", JsonText),  # GeoJSON geometry of M_COVR CATCOV=1 (data coverage)
    Column("contours", JsonText),  # sorted distinct DEPCNT VALDCO values (safety contour choice)
    Column("symbols", JsonText),  # symbol ids the cell's features use (sprite content)
    Column("features", JsonText, nullable=False),  # feature counts by object class
    Column("min_zoom", Integer, nullable=False),
    Column("max_zoom", Integer, nullable=False),
    Column("path", Text, nullable=False),  # cell folder relative to $GIAMSAT_HOME
    Column("files", JsonText, nullable=False),  # [{"name", "sha256"}] of base and updates
    Column("source", Text, nullable=False, default=""),  # where it was imported from
    Column("encrypted", Boolean, nullable=False, default=False),  # came in as S-63
    Column("tile_bytes", BigInteger, nullable=False, default=0),
    Column("tile_count", Integer, nullable=False, default=0),
    Column("import_seconds", Float, nullable=False, default=0.0),
    Column("imported_at", UtcDateTime, nullable=False),
)
