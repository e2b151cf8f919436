"""Tables of the maritime monitoring engine.

They hold everything the users of the 2019 Vietnamese AtoN-monitoring paper keep (its nine
classes, named in brackets) plus what the engine needs to restart where it stopped:

* ``vessels`` - one row per MMSI: merged static and latest dynamic state (the paper keeps this
  in memory; we keep it in the store too so the API and a restart see it).
* ``vessel_groups`` [Groupship] and ``vessel_group_members`` [Ship]: groups with a colour and
  a show flag, and which vessels are in them.
* ``vessel_routes`` [Shiptracks] and ``route_waypoints`` [Shipwaypoint]: named planned routes.
* ``tracks``: thinned position history, time-partitioned on PostgreSQL like observations.
* ``vessel_static_log``: each change of a vessel's static/voyage data (state at a past time).
* ``zones`` [Zone] and ``zone_log`` [Zonelog]: watch/danger/restricted areas, entry and exit.
* ``atons`` (the registry with live status), ``aton_messages`` [Atonmessage] (every AtoN
  report and its telemetry), ``aton_alert_config`` [Atonalertconfig] (per-AtoN thresholds
  that override a ``maritime_settings`` [Vmsconfig] entry).
* ``map_markers``: positions marked on the chart, with notes.

High-volume times are integer Unix seconds (``Epoch``); edit times are ``UtcDateTime``.
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
)

from giamsat.core.store.metadata import metadata
from giamsat.core.store.types import Epoch, JsonText, UtcDateTime

vessels = Table(
    "vessels",
    metadata,
    Column("mmsi", Integer, primary_key=True, autoincrement=False),
    Column("name", String(40)),
    Column("callsign", String(16)),
    Column("imo", Integer),
    Column("ship_type", SmallInteger),  # ITU code (messages 5, 19, 24)
    Column("to_bow", SmallInteger),
    Column("to_stern", SmallInteger),
    Column("to_port", SmallInteger),
    Column("to_starboard", SmallInteger),
    Column("length", SmallInteger),  # to_bow + to_stern when both are known
    Column("width", SmallInteger),  # to_port + to_starboard when both are known
    Column("draught", Float),
    Column("destination", String(40)),
    Column("eta", String(16)),  # "MM-DD HH:MM" as sent (no year in AIS)
    Column("flag", String(2)),  # ISO 3166 alpha-2 from the MID
    Column("station", String(8)),  # A | B | sar | other
    Column("lat", Float),
    Column("lon", Float),
    Column("sog", Float),
    Column("cog", Float),
    Column("heading", SmallInteger),
    Column("nav_status", SmallInteger),
    Column("rot", Float),
    Column("position_ts", Epoch),
    Column("static_ts", Epoch),
    Column("first_seen", Epoch),
    Column("last_seen", Epoch),
    Column("source", String(64)),
    Column("messages", Integer, nullable=False, default=0),
    Column("watched", Boolean, nullable=False, default=False),  # lost-signal alerts
    Column("note", Text, nullable=False, default=""),
    Index("ix_vessels_last_seen", "last_seen"),
    Index("ix_vessels_imo", "imo"),
    Index("ix_vessels_callsign", "callsign"),
    Index("ix_vessels_watched", "watched"),
)

vessel_static_log = Table(
    "vessel_static_log",
    metadata,
    Column("mmsi", Integer, primary_key=True, autoincrement=False),
    Column("ts", Epoch, primary_key=True),
    Column("fields", JsonText, nullable=False),  # the static values in force from ts on
    sqlite_with_rowid=False,
)

tracks = Table(
    "tracks",
    metadata,
    Column("mmsi", Integer, primary_key=True, autoincrement=False),
    Column("ts", Epoch, primary_key=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("sog", Float),
    Column("cog", Float),
    Column("heading", SmallInteger),
    Column("nav_status", SmallInteger),
    Index("ix_tracks_ts", "ts"),
    sqlite_with_rowid=False,
    postgresql_partition_by="RANGE (ts)",  # monthly partitions: Store.ensure_partitions
)

vessel_groups = Table(
    "vessel_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("color", String(9), nullable=False, default="#1f77b4"),
    Column("visible", Boolean, nullable=False, default=True),
    Column("watched", Boolean, nullable=False, default=False),  # members get lost-signal alerts
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

vessel_group_members = Table(
    "vessel_group_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("vessel_groups.id", ondelete="CASCADE"), nullable=False),
    Column("mmsi", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("group_id", "mmsi"),
    Index("ix_vessel_group_members_mmsi", "mmsi"),
)

vessel_routes = Table(
    "vessel_routes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mmsi", Integer),  # the vessel the route is planned for (optional)
    Column("name", String(250), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_vessel_routes_mmsi", "mmsi"),
)

route_waypoints = Table(
    "route_waypoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_id", Integer, ForeignKey("vessel_routes.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("name", String(120), nullable=False, default=""),
    Column("planned_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("route_id", "seq"),
)

zones = Table(
    "zones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("name", String(250), nullable=False),
    Column("kind", String(32), nullable=False, default="watch"),  # watch | danger | restricted …
    Column("speed_limit_kn", Float),
    Column("alert_on", String(8), nullable=False, default="enter"),  # enter|exit|both|none
    Column("color", String(9)),
    Column("geometry", JsonText, nullable=False),  # GeoJSON Polygon or MultiPolygon (WGS84)
    Column("properties", JsonText),  # other GeoJSON properties, kept for export
    Column("active", Boolean, nullable=False, default=True),
    Column("created_by", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

zone_log = Table(
    "zone_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("zone_id", Integer, ForeignKey("zones.id", ondelete="SET NULL")),
    Column("zone_name", String(250), nullable=False),  # kept when the zone is deleted
    Column("mmsi", Integer, nullable=False),
    Column("ship_name", String(40)),
    Column("ship_type", SmallInteger),
    Column("width", SmallInteger),
    Column("length", SmallInteger),
    Column("time_in", Epoch, nullable=False),
    Column("time_out", Epoch),  # NULL while the vessel is inside
    Index("ix_zone_log_zone_id_time_in", "zone_id", "time_in"),
    Index("ix_zone_log_mmsi_time_in", "mmsi", "time_in"),
    Index("ix_zone_log_time_in", "time_in"),
)

atons = Table(
    "atons",
    metadata,
    Column("mmsi", Integer, primary_key=True, autoincrement=False),
    Column("registered", Boolean, nullable=False, default=True),  # False: heard, not in registry
    Column("name", String(120), nullable=False, default=""),
    Column("aid_type", SmallInteger),  # message 21 type of aid (IALA table)
    Column("kind", String(32)),  # buoy | beacon | light | light-float | virtual | …
    Column("area", String(120), nullable=False, default=""),  # grouping for the tree view
    Column("lat", Float),  # charted position
    Column("lon", Float),
    Column("radius_m", Float),  # allowed distance from the charted position
    Column("expected_interval_s", Integer),  # reporting interval the AtoN is set to
    Column("virtual", Boolean, nullable=False, default=False),
    Column("enc_id", String(120)),  # the charted feature it was imported from
    Column("note", Text, nullable=False, default=""),
    # live status (written by the engine)
    Column("status", String(8), nullable=False, default="unknown"),  # ok|alarm|lost|unknown
    Column("conditions", JsonText),  # the active conditions: off_position, low_voltage, …
    Column("last_seen", Epoch),
    Column("last_lat", Float),
    Column("last_lon", Float),
    Column("distance_m", Float),  # reported position to charted position
    Column("voltage", Float),
    Column("voltage_ext1", Float),
    Column("voltage_ext2", Float),
    Column("light", SmallInteger),  # IALA status codes: 0 none, 1 on, 2 off, 3 failed
    Column("racon", SmallInteger),  # 0 none, 1 not monitored, 2 operational, 3 error
    Column("alarm", Boolean),
    Column("off_position", Boolean),
    Column("messages", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

aton_messages = Table(
    "aton_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mmsi", Integer, nullable=False),
    Column("ts", Epoch, nullable=False),
    Column("msg_type", SmallInteger, nullable=False),  # 21, 6 or 8
    Column("dac", SmallInteger),
    Column("fi", SmallInteger),
    Column("lat", Float),
    Column("lon", Float),
    Column("voltage", Float),
    Column("voltage_ext1", Float),
    Column("voltage_ext2", Float),
    Column("light", SmallInteger),
    Column("racon", SmallInteger),
    Column("alarm", Boolean),
    Column("off_position", Boolean),
    Column("content", JsonText, nullable=False),  # every decoded field
    Column("source", String(64)),
    Index("ix_aton_messages_mmsi_ts", "mmsi", "ts"),
)

maritime_settings = Table(
    "maritime_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("type", String(16), nullable=False, default="number"),  # number | bool | text
    Column("value", String(255)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

aton_alert_config = Table(
    "aton_alert_config",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "config_id",
        Integer,
        ForeignKey("maritime_settings.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("mmsi", Integer, nullable=False),
    Column("value", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("mmsi", "config_id"),
)

map_markers = Table(
    "map_markers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("color", String(9)),
    Column("icon", String(32)),
    Column("created_by", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
