"""Cross-check with pyais (a dev dependency) on the real cleaned corpus: every field both
decoders report means the same thing must agree, message by message.

Normalisations applied to pyais' values (its conventions, not disagreements about bits):
"not available" sentinels (heading 511, speed 1023, course 3600, 181/91 degrees, ETA 0/24/60)
become None as in our output; text is cut at the first '@' and right-trimmed (gpsd's rule,
pyais only strips a trailing run of '@', and strips leading spaces, which we keep); enum fields are compared only inside their defined
range (pyais folds undefined codes into "not available").
"""

from __future__ import annotations

import math
from pathlib import Path

import pyais

from giamsat.maritime.ais.stream import StreamDecoder
from tests.maritime.helpers import read_bytes, split_lines

POSITION = ["mmsi", "repeat", "lat", "lon", "speed", "course", "heading", "accuracy", "raim"]
FIELDS = {
    1: [*POSITION, "status", "second", "maneuver", "radio"],
    2: [*POSITION, "status", "second", "maneuver", "radio"],
    3: [*POSITION, "status", "second", "maneuver", "radio"],
    4: ["mmsi", "lat", "lon", "epfd", "accuracy", "raim", "radio"],
    5: ["mmsi", "imo", "callsign", "shipname", "destination", "to_bow", "to_stern", "to_port",
        "to_starboard", "draught", "ais_version", "epfd"],
    18: [*POSITION, "second", "cs", "display", "dsc", "band", "msg22", "radio"],
    19: [*POSITION, "shipname", "to_bow", "to_stern"],
    21: ["mmsi", "aid_type", "lat", "lon", "virtual_aid", "accuracy"],
    24: ["mmsi", "shipname", "callsign", "to_bow", "to_stern", "to_port", "to_starboard"],
    27: ["mmsi", "lat", "lon", "accuracy", "raim", "status"],
}  # fmt: skip
OURS = {"speed": "sog", "course": "cog", "status": "nav_status"}


def _pyais_value(msg_type: int, field: str, value):
    value = getattr(value, "value", value)
    if isinstance(value, str):
        value = value.split("@", 1)[0].rstrip(" ")
    if field == "heading" and value == 511:
        return None
    if field == "speed" and msg_type != 27 and value is not None and value >= 102.3:
        return None
    if field == "speed" and msg_type == 27 and value == 63:
        return None
    if field == "course" and value is not None and value >= (511 if msg_type == 27 else 360):
        return None
    if field == "lat" and value is not None and math.isclose(value, 91.0):
        return None
    if field == "lon" and value is not None and math.isclose(value, 181.0):
        return None
    if field == "draught" and value == 0:
        return None
    return value


def test_agrees_with_pyais_field_by_field(shared: Path) -> None:
    lines = split_lines(read_bytes(shared / "corpus/ais/derived/real_aivdm_clean.nmea.gz"))
    compared = messages = 0
    i = 0
    while i < len(lines):
        group = [lines[i]]
        if lines[i].split(b",")[1:3] == [b"2", b"1"] and i + 1 < len(lines):
            group.append(lines[i + 1])
            i += 1
        i += 1
        decoder = StreamDecoder()
        ours = [m for line in group for m in decoder.feed(line)]
        if len(ours) != 1 or ours[0]["type"] not in FIELDS:
            continue
        try:
            theirs = pyais.decode(*group).asdict()
        except Exception:  # pyais refuses some messages we decode; nothing to compare
            continue
        mine = ours[0]
        messages += 1
        for field in FIELDS[mine["type"]]:
            value = _pyais_value(mine["type"], field, theirs.get(field))
            if field == "epfd" and mine["epfd"] > 8:
                continue  # pyais folds undefined fixing devices into 0
            if field == "radio" and ours[0]["radio"] is None:
                continue  # a radio field cut by the end of the message: pyais reads the rest
            got = mine.get(OURS.get(field, field))
            if isinstance(got, str):
                got = got.lstrip(" ")  # pyais also strips leading spaces
            if isinstance(value, float) and isinstance(got, float):
                assert math.isclose(value, got, abs_tol=1e-6), (field, value, got, group)
            else:
                assert value == got, (field, value, got, group)
            compared += 1
    assert messages > 47_000 and compared > 450_000
