"""Track thinning: which position reports become stored track points.

A class A vessel under way reports every 2-10 s; storing all of them for 20,000 vessels is
~10^8 rows a week, most of which add nothing to a drawn track. A point is kept when the
vessel has moved, turned, changed speed or status enough, and at least every
``max_seconds`` even when it lies still (so "where was it at 14:05" has an answer). While a
vessel is inside a watch zone every report (at most one a second) is kept: the paper's users
want the full track of vessels in watched areas.
"""

from __future__ import annotations

from dataclasses import dataclass

from giamsat.maritime.geo import angle_diff, rough_distance_m
from giamsat.maritime.vessels import VesselState


@dataclass(frozen=True, slots=True)
class TrackPolicy:
    min_seconds: float = 10.0  # never two points closer in time than this (unless dense)
    max_seconds: float = 600.0  # always a point after this long
    min_distance_m: float = 100.0
    course_change_deg: float = 15.0
    speed_change_kn: float = 3.0
    keep_all: bool = False  # every report (at most one a second): no thinning

    @classmethod
    def from_settings(cls, settings: object) -> TrackPolicy:
        get = getattr
        return cls(
            min_seconds=float(get(settings, "maritime_track_min_seconds", cls.min_seconds)),
            max_seconds=float(get(settings, "maritime_track_max_seconds", cls.max_seconds)),
            min_distance_m=float(
                get(settings, "maritime_track_min_distance_m", cls.min_distance_m)
            ),
            course_change_deg=float(
                get(settings, "maritime_track_course_change_deg", cls.course_change_deg)
            ),
            speed_change_kn=float(
                get(settings, "maritime_track_speed_change_kn", cls.speed_change_kn)
            ),
            keep_all=bool(get(settings, "maritime_track_keep_all", False)),
        )

    def keep(self, v: VesselState, t: float, dense: bool = False) -> bool:
        """Whether the vessel's current position (already applied to ``v``) is a track point."""
        last = v.track_ts
        if last is None:
            return True
        dt = t - last
        if dt < 1.0:
            return False  # one point per second: the key is (mmsi, whole second)
        if self.keep_all or dense or dt >= self.max_seconds:
            return True
        if dt < self.min_seconds:
            return False
        if v.nav_status != v.track_nav:
            return True
        if rough_distance_m(v.track_lat, v.track_lon, v.lat, v.lon) >= self.min_distance_m:  # type: ignore[arg-type]
            return True
        if v.sog is not None and v.track_sog is not None:
            if abs(v.sog - v.track_sog) >= self.speed_change_kn:
                return True
            if (
                v.cog is not None
                and v.track_cog is not None
                and v.sog >= 0.5
                and angle_diff(v.cog, v.track_cog) >= self.course_change_deg
            ):
                return True
        return False

    @staticmethod
    def mark(v: VesselState, t: float) -> None:
        v.track_ts = t
        v.track_lat, v.track_lon = v.lat, v.lon
        v.track_sog, v.track_cog, v.track_nav = v.sog, v.cog, v.nav_status
