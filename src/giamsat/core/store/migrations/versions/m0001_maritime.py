"""maritime: vessels, groups, routes, tracks, zones, zone log, AtoN registry and messages,
alert config, settings, markers (src/giamsat/maritime/schema.py)

Revision ID: m0001
Revises: q0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import giamsat.core.store.types

revision = "m0001"
down_revision = "n0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aton_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("msg_type", sa.SmallInteger(), nullable=False),
        sa.Column("dac", sa.SmallInteger(), nullable=True),
        sa.Column("fi", sa.SmallInteger(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("voltage", sa.Float(), nullable=True),
        sa.Column("voltage_ext1", sa.Float(), nullable=True),
        sa.Column("voltage_ext2", sa.Float(), nullable=True),
        sa.Column("light", sa.SmallInteger(), nullable=True),
        sa.Column("racon", sa.SmallInteger(), nullable=True),
        sa.Column("alarm", sa.Boolean(), nullable=True),
        sa.Column("off_position", sa.Boolean(), nullable=True),
        sa.Column("content", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aton_messages")),
    )
    with op.batch_alter_table("aton_messages", schema=None) as batch_op:
        batch_op.create_index("ix_aton_messages_mmsi_ts", ["mmsi", "ts"], unique=False)

    op.create_table(
        "atons",
        sa.Column("mmsi", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("aid_type", sa.SmallInteger(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("area", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("expected_interval_s", sa.Integer(), nullable=True),
        sa.Column("virtual", sa.Boolean(), nullable=False),
        sa.Column("enc_id", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("conditions", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("last_seen", sa.BigInteger(), nullable=True),
        sa.Column("last_lat", sa.Float(), nullable=True),
        sa.Column("last_lon", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("voltage", sa.Float(), nullable=True),
        sa.Column("voltage_ext1", sa.Float(), nullable=True),
        sa.Column("voltage_ext2", sa.Float(), nullable=True),
        sa.Column("light", sa.SmallInteger(), nullable=True),
        sa.Column("racon", sa.SmallInteger(), nullable=True),
        sa.Column("alarm", sa.Boolean(), nullable=True),
        sa.Column("off_position", sa.Boolean(), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("mmsi", name=op.f("pk_atons")),
    )
    op.create_table(
        "map_markers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=True),
        sa.Column("icon", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_markers")),
    )
    op.create_table(
        "maritime_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_settings")),
        sa.UniqueConstraint("name", name=op.f("uq_maritime_settings_name")),
    )
    op.create_table(
        "tracks",
        sa.Column("mmsi", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("sog", sa.Float(), nullable=True),
        sa.Column("cog", sa.Float(), nullable=True),
        sa.Column("heading", sa.SmallInteger(), nullable=True),
        sa.Column("nav_status", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint("mmsi", "ts", name=op.f("pk_tracks")),
        postgresql_partition_by="RANGE (ts)",
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.create_index("ix_tracks_ts", ["ts"], unique=False)

    op.create_table(
        "vessel_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vessel_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_vessel_groups_name")),
    )
    op.create_table(
        "vessel_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vessel_routes")),
    )
    with op.batch_alter_table("vessel_routes", schema=None) as batch_op:
        batch_op.create_index("ix_vessel_routes_mmsi", ["mmsi"], unique=False)

    op.create_table(
        "vessel_static_log",
        sa.Column("mmsi", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("fields", giamsat.core.store.types.JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("mmsi", "ts", name=op.f("pk_vessel_static_log")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "vessels",
        sa.Column("mmsi", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("callsign", sa.String(length=16), nullable=True),
        sa.Column("imo", sa.Integer(), nullable=True),
        sa.Column("ship_type", sa.SmallInteger(), nullable=True),
        sa.Column("to_bow", sa.SmallInteger(), nullable=True),
        sa.Column("to_stern", sa.SmallInteger(), nullable=True),
        sa.Column("to_port", sa.SmallInteger(), nullable=True),
        sa.Column("to_starboard", sa.SmallInteger(), nullable=True),
        sa.Column("length", sa.SmallInteger(), nullable=True),
        sa.Column("width", sa.SmallInteger(), nullable=True),
        sa.Column("draught", sa.Float(), nullable=True),
        sa.Column("destination", sa.String(length=40), nullable=True),
        sa.Column("eta", sa.String(length=16), nullable=True),
        sa.Column("flag", sa.String(length=2), nullable=True),
        sa.Column("station", sa.String(length=8), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("sog", sa.Float(), nullable=True),
        sa.Column("cog", sa.Float(), nullable=True),
        sa.Column("heading", sa.SmallInteger(), nullable=True),
        sa.Column("nav_status", sa.SmallInteger(), nullable=True),
        sa.Column("rot", sa.Float(), nullable=True),
        sa.Column("position_ts", sa.BigInteger(), nullable=True),
        sa.Column("static_ts", sa.BigInteger(), nullable=True),
        sa.Column("first_seen", sa.BigInteger(), nullable=True),
        sa.Column("last_seen", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("mmsi", name=op.f("pk_vessels")),
    )
    with op.batch_alter_table("vessels", schema=None) as batch_op:
        batch_op.create_index("ix_vessels_callsign", ["callsign"], unique=False)
        batch_op.create_index("ix_vessels_imo", ["imo"], unique=False)
        batch_op.create_index("ix_vessels_last_seen", ["last_seen"], unique=False)
        batch_op.create_index("ix_vessels_watched", ["watched"], unique=False)

    op.create_table(
        "zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("speed_limit_kn", sa.Float(), nullable=True),
        sa.Column("alert_on", sa.String(length=8), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=True),
        sa.Column("geometry", giamsat.core.store.types.JsonText(), nullable=False),
        sa.Column("properties", giamsat.core.store.types.JsonText(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
        sa.UniqueConstraint("guid", name=op.f("uq_zones_guid")),
    )
    op.create_table(
        "aton_alert_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("config_id", sa.Integer(), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["config_id"],
            ["maritime_settings.id"],
            name=op.f("fk_aton_alert_config_config_id_maritime_settings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aton_alert_config")),
        sa.UniqueConstraint("mmsi", "config_id", name=op.f("uq_aton_alert_config_mmsi_config_id")),
    )
    op.create_table(
        "route_waypoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("planned_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["vessel_routes.id"],
            name=op.f("fk_route_waypoints_route_id_vessel_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_waypoints")),
        sa.UniqueConstraint("route_id", "seq", name=op.f("uq_route_waypoints_route_id_seq")),
    )
    op.create_table(
        "vessel_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", giamsat.core.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["vessel_groups.id"],
            name=op.f("fk_vessel_group_members_group_id_vessel_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vessel_group_members")),
        sa.UniqueConstraint("group_id", "mmsi", name=op.f("uq_vessel_group_members_group_id_mmsi")),
    )
    with op.batch_alter_table("vessel_group_members", schema=None) as batch_op:
        batch_op.create_index("ix_vessel_group_members_mmsi", ["mmsi"], unique=False)

    op.create_table(
        "zone_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("zone_name", sa.String(length=250), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=False),
        sa.Column("ship_name", sa.String(length=40), nullable=True),
        sa.Column("ship_type", sa.SmallInteger(), nullable=True),
        sa.Column("width", sa.SmallInteger(), nullable=True),
        sa.Column("length", sa.SmallInteger(), nullable=True),
        sa.Column("time_in", sa.BigInteger(), nullable=False),
        sa.Column("time_out", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_zone_log_zone_id_zones"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_log")),
    )
    with op.batch_alter_table("zone_log", schema=None) as batch_op:
        batch_op.create_index("ix_zone_log_mmsi_time_in", ["mmsi", "time_in"], unique=False)
        batch_op.create_index("ix_zone_log_time_in", ["time_in"], unique=False)
        batch_op.create_index("ix_zone_log_zone_id_time_in", ["zone_id", "time_in"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("zone_log", schema=None) as batch_op:
        batch_op.drop_index("ix_zone_log_zone_id_time_in")
        batch_op.drop_index("ix_zone_log_time_in")
        batch_op.drop_index("ix_zone_log_mmsi_time_in")

    op.drop_table("zone_log")
    with op.batch_alter_table("vessel_group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_vessel_group_members_mmsi")

    op.drop_table("vessel_group_members")
    op.drop_table("route_waypoints")
    op.drop_table("aton_alert_config")
    op.drop_table("zones")
    with op.batch_alter_table("vessels", schema=None) as batch_op:
        batch_op.drop_index("ix_vessels_watched")
        batch_op.drop_index("ix_vessels_last_seen")
        batch_op.drop_index("ix_vessels_imo")
        batch_op.drop_index("ix_vessels_callsign")

    op.drop_table("vessels")
    op.drop_table("vessel_static_log")
    with op.batch_alter_table("vessel_routes", schema=None) as batch_op:
        batch_op.drop_index("ix_vessel_routes_mmsi")

    op.drop_table("vessel_routes")
    op.drop_table("vessel_groups")
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_index("ix_tracks_ts")

    op.drop_table("tracks")
    op.drop_table("maritime_settings")
    op.drop_table("map_markers")
    op.drop_table("atons")
    with op.batch_alter_table("aton_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_aton_messages_mmsi_ts")

    op.drop_table("aton_messages")
