"""Crafted AIS scenarios: messages written with our encoder (tag-block times), zone files and
AtoN registries, and a runner for ``giamsat ais events`` that returns the parsed events.

Expected events in the tests are written by hand from the scenario's geometry and times, not
computed by the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from giamsat.maritime.ais.encode import encode

T0 = 1_763_700_000  # 2025-11-21T04:40:00Z


def iso(t: float) -> str:
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def square(name: str, west: float, south: float, east: float, north: float,
           **props: Any) -> dict[str, Any]:  # fmt: skip
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {"name": name, **props},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@dataclass
class Log:
    """Lines of a crafted log, in the order added."""

    lines: list[str] = field(default_factory=list)
    source: str | None = None
    _seq: int = 0

    def add(self, t: float | None, msg: dict[str, Any]) -> Log:
        tags: dict[str, Any] = {}
        if t is not None:
            tags["c"] = t
        if self.source:
            tags["s"] = self.source
        self._seq = (self._seq + 1) % 10
        self.lines.extend(encode(msg, seq_id=self._seq, tags=tags or None))
        return self

    def pos(self, t: float | None, mmsi: int, lat: float | None, lon: float | None,
            sog: float | None = 5.0, msg_type: int = 1, **extra: Any) -> Log:  # fmt: skip
        msg: dict[str, Any] = {"type": msg_type, "mmsi": mmsi, "lat": lat, "lon": lon,
                               "sog": sog, **extra}  # fmt: skip
        if msg_type in (1, 2, 3, 18, 19):
            msg.setdefault("second", int(t or 0) % 60)
        return self.add(t, msg)

    def aton(self, t: float, mmsi: int, lat: float, lon: float, second: int | None = None,
             **extra: Any) -> Log:  # fmt: skip
        """Message 21 (page 7 status when racon/light/alarm are given)."""
        msg = {"type": 21, "mmsi": mmsi, "aid_type": 24, "name": f"BUOY {mmsi % 1000}",
               "lat": lat, "lon": lon, "second": int(t) % 60 if second is None else second, **extra}  # fmt: skip
        return self.add(t, msg)

    def fi10(self, t: float, mmsi: int, volts: float | None = 12.5, light: int = 1,
             racon: int = 0, off_pos: bool = False, alarm: bool = False,
             broadcast: bool = False) -> Log:  # fmt: skip
        msg: dict[str, Any] = {"type": 8 if broadcast else 6, "mmsi": mmsi, "dac": 235, "fi": 10,
                               "ana_int": volts, "light": light, "racon": racon,
                               "off_pos": off_pos, "alarm": alarm}  # fmt: skip
        if not broadcast:
            msg["dest_mmsi"] = 2574000
        return self.add(t, msg)

    def write(self, path: Path) -> Path:
        path.write_text("\n".join(self.lines) + "\n", encoding="ascii")
        return path


def run_events(tmp: Path, logs: list[Log] | Log, zones: dict[str, Any] | None = None,
               atons: str | None = None, *args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    """Run ``giamsat ais events`` in-process; (events, stderr summary)."""
    from giamsat.cli import app

    if isinstance(logs, Log):
        logs = [logs]
    argv = ["ais", "events"]
    if zones is not None:
        zpath = tmp / "zones.geojson"
        zpath.write_text(json.dumps(zones), encoding="utf-8")
        argv += ["--zones", str(zpath)]
    if atons is not None:
        apath = tmp / "atons.csv"
        apath.write_text(atons, encoding="utf-8")
        argv += ["--atons", str(apath)]
    argv += list(args)
    for n, log in enumerate(logs):
        argv.append(str(log.write(tmp / f"log{n}.nmea")))
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    summary = json.loads(result.stderr.strip().splitlines()[-1])
    return events, summary


def brief(events: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    """(type, mmsi, time[, keys…]) of each event: what the tests compare."""
    return [(e["type"], e["mmsi"], e["time"], *(e.get(k) for k in keys)) for e in events]
