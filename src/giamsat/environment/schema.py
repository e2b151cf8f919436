"""Environmental tables.

Observations are keyed by ``series`` (one station's channel for one parameter) and Unix seconds,
which keeps a row near 24 bytes in SQLite (see docs/storage.md); rollups are kept on ingest so long
periods are never read from raw 5-minute values.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from giamsat.core.store.metadata import ARCHIVE_SCHEMA, metadata
from giamsat.core.store.types import Epoch, JsonText

COMPONENTS = ("wastewater", "emission", "ambient_air", "surface_water", "groundwater")

parameters = Table(
    "parameters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),  # canonical name: PM2.5, COD …
    Column("name_vi", String(120), nullable=False, default=""),
    Column("name_en", String(120), nullable=False, default=""),
    Column("unit", String(24), nullable=False, default=""),
    Column("aliases", JsonText, nullable=False, default=list),
    Column("sensor_min", Float),
    Column("sensor_max", Float),
    Column("plausible_min", Float),
    Column("plausible_max", Float),
    Column("known", Boolean, nullable=False, default=True),  # False: first seen in a file
)

stations = Table(
    "stations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(96), nullable=False, unique=True),  # Province_Facility_Station
    Column("name", String(200), nullable=False, default=""),
    Column("province_code", String(32), nullable=False, default=""),
    Column("facility_code", String(32), nullable=False, default=""),
    Column("province_id", Integer, ForeignKey("provinces.id")),
    Column("organisation_id", Integer, ForeignKey("organisations.id")),
    Column("component", String(16), nullable=False, default="wastewater"),
    Column("lat", Float),
    Column("lon", Float),
    Column("expected_interval_s", Integer, nullable=False, default=300),
    Column("utc_offset_min", Integer, nullable=False, default=420),
    Column("registered", Boolean, nullable=False, default=True),
    Column("published", Boolean, nullable=False, default=False),
    Column("permit_standard", String(32)),  # e.g. QCVN40_2011
    Column("permit_column", String(8)),  # e.g. B
    Column("permit_coefficients", JsonText),  # e.g. {"Kq": 0.9, "Kf": 1.0}
    Column("settings", JsonText),  # per-station overrides (QC, timeouts …)
    Column("created_at", Epoch, nullable=False),
    Column("last_file_at", Epoch),  # arrival time of the latest accepted file
    Column("last_obs_ts", Epoch),  # newest measurement time
)

series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("station_id", Integer, ForeignKey("stations.id"), nullable=False),
    Column("parameter_id", Integer, ForeignKey("parameters.id"), nullable=False),
    Column("unit", String(24), nullable=False, default=""),  # canonical unit stored
    Column("reported_unit", String(24), nullable=False, default=""),  # as the station writes it
    Column("first_ts", Epoch),
    Column("last_ts", Epoch),
    Column("last_value", Float),
    Column("last_status", SmallInteger),
    Column("last_flag", SmallInteger),
    UniqueConstraint("station_id", "parameter_id"),
)

# status: TT10 device status 0 measuring, 1 calibrating, 2 device error.
# flag: QARTOD 1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing.
observations = Table(
    "observations",
    metadata,
    Column("series_id", Integer, primary_key=True),
    Column("ts", Epoch, primary_key=True),
    Column("value", Float),
    Column("status", SmallInteger, nullable=False, default=0),
    Column("flag", SmallInteger, nullable=False, default=2),
    sqlite_with_rowid=False,
    postgresql_partition_by="RANGE (ts)",  # monthly partitions: Store.ensure_partitions
)

observation_revisions = Table(
    "observation_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("series_id", Integer, nullable=False),
    Column("ts", Epoch, nullable=False),
    Column("value", Float),
    Column("status", SmallInteger, nullable=False),
    Column("flag", SmallInteger, nullable=False),
    Column("replaced_at", Epoch, nullable=False),
    Column("replaced_by_file_id", Integer),
    Column("reason", String(32), nullable=False, default="correction"),
    Index("ix_observation_revisions_series_id_ts", "series_id", "ts"),
)

# Rollups of usable values (status 00 and flag 1/2/3). Hours are labelled by their end
# (00:05 … 01:00 -> 01:00); days are local dates (yyyymmdd) made of hours 01:00 … 24:00.
rollup_hourly = Table(
    "rollup_hourly",
    metadata,
    Column("series_id", Integer, primary_key=True),
    Column("ts", Epoch, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("min", Float),
    Column("max", Float),
    Column("mean", Float),
    sqlite_with_rowid=False,
)

rollup_daily = Table(
    "rollup_daily",
    metadata,
    Column("series_id", Integer, primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("min", Float),
    Column("max", Float),
    Column("mean", Float),
    sqlite_with_rowid=False,
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("home", String(200), nullable=False),  # folder under the inbox, confined
    Column("stations", JsonText, nullable=False, default=list),  # codes or prefixes ending in *
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Epoch, nullable=False),
)

FILE_OUTCOMES = ("received", "accepted", "duplicate", "corrected", "rejected")
FILE_SOURCES = ("cli", "ftp", "ftps", "sftp", "watch", "api")

received_files = Table(
    "received_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("blob_id", Integer, nullable=False),  # archive.raw_files.id (content-addressed)
    Column("size", Integer, nullable=False),
    Column("source", String(8), nullable=False),
    Column("account_id", Integer),
    Column("path", Text),  # where it arrived, relative to the account's home
    Column("station_id", Integer),
    Column("name_ts", Epoch),  # the time in the file name, UTC
    Column("received_at", Epoch, nullable=False),
    Column("processed_at", Epoch),
    Column("outcome", String(12), nullable=False, default="received"),
    Column("reasons", JsonText),  # [{"line": 3, "code": "bad_value", "message": "…"}]
    Column("observations", Integer, nullable=False, default=0),
    Column("misplaced", Boolean, nullable=False, default=False),
    Column("supersedes_id", Integer),
    Index("ix_received_files_station_id_name_ts", "station_id", "name_ts"),
    Index(
        "ix_received_files_pending",
        "id",
        sqlite_where=text("outcome = 'received'"),
        postgresql_where=text("outcome = 'received'"),
    ),
    schema=ARCHIVE_SCHEMA,
)

relay_queue = Table(
    "relay_queue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", Integer, nullable=False),
    Column("target", String(255), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Epoch, nullable=False),
    Column("last_error", Text),
    Column("done_at", Epoch),
    Index("ix_relay_queue_done_at_next_attempt_at", "done_at", "next_attempt_at"),
    schema=ARCHIVE_SCHEMA,
)
