"""Raw NMEA archive of the live service: every received line, as received, one file per source
and UTC day (``<home>/ais/raw/YYYY/MM/DD/<source>.nmea``).

A line that carries no time of its own gets a tag block with its arrival time (``c:``) and
source (``s:``) in front, so ``giamsat ais events`` over the archive sees what the live
service saw (same times, same receivers).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from giamsat.maritime.nmea.checksum import checksum

_SAFE = re.compile(r"[^A-Za-z0-9_.@-]+")


def stamp(line: bytes, source: str, received: float) -> bytes:
    """The line with a ``c:``/``s:`` tag block in front unless it already has a tag block."""
    if line.startswith(b"\\"):
        return line
    body = f"c:{int(received)},s:{_SAFE.sub('_', source)[:32]}".encode()
    return b"\\" + body + b"*" + f"{checksum(body):02X}".encode() + b"\\" + line


class RawArchive:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[tuple[str, str], IO[bytes]] = {}
        self._day = ""
        self.lines = 0

    def path(self, source: str, day: str) -> Path:
        return self.root / day[:4] / day[4:6] / day[6:8] / f"{_SAFE.sub('_', source)}.nmea"

    def write(self, lines: list[bytes], source: str, received: float) -> None:
        day = datetime.fromtimestamp(received, UTC).strftime("%Y%m%d")
        if day != self._day:
            self.close()
            self._day = day
        key = (source, day)
        out = self._files.get(key)
        if out is None:
            path = self.path(source, day)
            path.parent.mkdir(parents=True, exist_ok=True)
            out = self._files[key] = open(path, "ab")  # noqa: SIM115 - kept open across batches
        out.write(b"".join(stamp(line, source, received) + b"\n" for line in lines))
        self.lines += len(lines)

    def flush(self) -> None:
        for f in self._files.values():
            f.flush()

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()
