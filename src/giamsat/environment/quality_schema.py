"""Tables of data quality, compliance and VN_AQI.

QC keeps ``observations`` at ~24 bytes a row: the final flag stays in ``observations.flag`` and
only points that did not simply pass get a row in the sparse ``qc_results`` (which test set the
flag). Manual overrides are an append-only audit trail. Limits are data, seeded from
``limits.toml`` and editable per row (``source = 'user'`` rows are never overwritten).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from giamsat.core.store.metadata import metadata
from giamsat.core.store.types import Epoch, JsonText

# One row per observation whose automatic or manual flag is not a plain pass.
qc_results = Table(
    "qc_results",
    metadata,
    Column("series_id", Integer, primary_key=True),
    Column("ts", Epoch, primary_key=True),
    Column("flag", SmallInteger, nullable=False),
    Column("tests", Integer, nullable=False),  # bits of qc_tests (GROSS_RANGE, SPIKE, MANUAL …)
    sqlite_with_rowid=False,
)

# Manual flag overrides: who, when, why; revoking keeps the row (the audit trail).
qc_overrides = Table(
    "qc_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("series_id", Integer, nullable=False),
    Column("ts_from", Epoch, nullable=False),
    Column("ts_to", Epoch, nullable=False),  # inclusive
    Column("flag", SmallInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("created_at", Epoch, nullable=False),
    Column("revoked_at", Epoch),
    Column("revoked_by", String(64)),
    Column("revoke_reason", Text),
    Index("ix_qc_overrides_series_id_ts_from", "series_id", "ts_from"),
)

# Re-runs of QC over a period (what was re-checked, by whom, how much changed).
qc_runs = Table(
    "qc_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", Epoch, nullable=False),
    Column("finished_at", Epoch),
    Column("actor", String(64), nullable=False),
    Column("stations", JsonText),  # codes, or null for all
    Column("ts_from", Epoch, nullable=False),
    Column("ts_to", Epoch, nullable=False),
    Column("points", Integer, nullable=False, default=0),
    Column("changed", Integer, nullable=False, default=0),
)

# Received and valid 5-minute values per series and local day (yyyymmdd): completeness without
# scanning raw values. valid = usable for averages (status 00, flag 1/2/3).
completeness_daily = Table(
    "completeness_daily",
    metadata,
    Column("series_id", Integer, primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("received", Integer, nullable=False),
    Column("valid", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# VN_AQI per ambient-air station: hours labelled by their end (Unix s), days yyyymmdd local.
aqi_hourly = Table(
    "aqi_hourly",
    metadata,
    Column("station_id", Integer, primary_key=True),
    Column("ts", Epoch, primary_key=True),
    Column("aqi", SmallInteger, nullable=False),
    Column("dominant", String(8), nullable=False),
    Column("sub_indices", JsonText, nullable=False),  # {"PM2.5": 41, "O3": 43, …} rounded
    sqlite_with_rowid=False,
)

aqi_daily = Table(
    "aqi_daily",
    metadata,
    Column("station_id", Integer, primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("aqi", SmallInteger, nullable=False),
    Column("dominant", String(8), nullable=False),
    Column("sub_indices", JsonText, nullable=False),
    sqlite_with_rowid=False,
)

limit_standards = Table(
    "limit_standards",
    metadata,
    Column("code", String(32), primary_key=True),  # QCVN40_2011
    Column("family", String(16), nullable=False),  # QCVN40: a permit may name the family
    Column("name_vi", String(200), nullable=False, default=""),
    Column("name_en", String(200), nullable=False, default=""),
    Column("component", String(16), nullable=False),
    Column("effective_from", Integer, nullable=False, default=0),  # yyyymmdd
    Column("effective_to", Integer, nullable=False, default=99991231),  # exclusive
    Column("coefficients", JsonText, nullable=False, default=list),  # ["Kq", "Kf"]
    Column("averaging", String(8), nullable=False, default="1h"),
    Column("columns", JsonText, nullable=False, default=list),
    Column("note", Text, nullable=False, default=""),
    Column("source", String(8), nullable=False, default="package"),
)

limit_values = Table(
    "limit_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("standard", String(32), nullable=False),
    Column("col", String(8), nullable=False, default=""),  # column of the standard (A, B, B1 …)
    Column("parameter", String(32), nullable=False),
    Column("averaging", String(8), nullable=False),  # instant | 1h | 8h | 24h | year
    Column("min", Float),
    Column("max", Float),
    Column("unit", String(24), nullable=False, default=""),
    Column("effective_from", Integer, nullable=False, default=0),
    Column("effective_to", Integer, nullable=False, default=99991231),
    Column("apply_coefficients", Boolean, nullable=False, default=True),
    Column("uncertain", Boolean, nullable=False, default=False),
    Column("note", Text, nullable=False, default=""),
    Column("source", String(8), nullable=False, default="package"),  # package | user
    Column("updated_at", Epoch),
    Column("updated_by", String(64)),
    UniqueConstraint(
        "standard", "col", "parameter", "averaging", "effective_from", name="uq_limit_values_key"
    ),
)
