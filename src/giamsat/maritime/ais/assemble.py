"""Multipart reassembly of !AIVDM fragments.

A message is keyed by (source, channel, sequence id, fragment count): fragments of messages
sent on both channels, by several receivers, or interleaved with the same sequence id on
different channels stay apart. Fragments may arrive in any order inside the window; a
fragment whose slot is already filled starts a new message (the old one is dropped and
counted); buffers older than the window (in sentences, and in seconds when times are known)
expire and are counted. Nothing is dropped without a counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str, bytes, int]


@dataclass(slots=True)
class Pending:
    count: int
    parts: list[bytes | None]
    fills: list[int]
    received: int
    first_line: int
    last_line: int
    time: float | None
    meta: dict[str, Any] = field(default_factory=dict)
    checksums: int = 0


@dataclass(slots=True)
class Dropped:
    """A partial message thrown away: why, how many fragments, where it started."""

    reason: str  # "replaced" | "expired" | "incomplete"
    key: Key
    fragments: int
    first_line: int


class Assembler:
    def __init__(self, window_lines: int = 100, window_seconds: float = 60.0) -> None:
        self.window_lines = window_lines
        self.window_seconds = window_seconds
        self.pending: dict[Key, Pending] = {}

    def add(
        self,
        key: Key,
        count: int,
        number: int,
        payload: bytes,
        fill: int,
        line_no: int,
        time: float | None,
        meta: dict[str, Any],
        checksum: int = 0,
    ) -> tuple[Pending | None, Dropped | None]:
        """Add a fragment; returns (completed message or None, dropped partial or None)."""
        dropped = None
        entry = self.pending.get(key)
        if entry is not None and entry.parts[number - 1] is not None:
            dropped = Dropped("replaced", key, entry.received, entry.first_line)
            entry = None
        if entry is None:
            entry = Pending(count, [None] * count, [0] * count, 0, line_no, line_no, time, meta)
            self.pending[key] = entry
        elif not entry.meta and meta:
            entry.meta = meta
        entry.parts[number - 1] = payload
        entry.fills[number - 1] = fill
        entry.received += 1
        entry.last_line = line_no
        entry.checksums ^= checksum
        if entry.time is None:
            entry.time = time
        if entry.received == count:
            del self.pending[key]
            return entry, dropped
        return None, dropped

    def expire(self, line_no: int, time: float | None, source: str | None = None) -> list[Dropped]:
        """Drop buffers that have waited longer than the window.

        Times are only compared within one source: receivers (satellites especially) deliver
        out of step, so another receiver's clock says nothing about this buffer's age.
        """
        stale = []
        for key, entry in self.pending.items():
            too_old = line_no - entry.last_line > self.window_lines
            if not too_old and time is not None and entry.time is not None and key[0] == source:
                too_old = time - entry.time > self.window_seconds
            if too_old:
                stale.append(key)
        dropped = []
        for key in stale:
            entry = self.pending.pop(key)
            dropped.append(Dropped("expired", key, entry.received, entry.first_line))
        return dropped

    def drain(self) -> list[Dropped]:
        """End of input: every partial message left is incomplete."""
        dropped = [
            Dropped("incomplete", key, entry.received, entry.first_line)
            for key, entry in self.pending.items()
        ]
        self.pending.clear()
        return dropped


def joined(entry: Pending) -> tuple[bytes, int]:
    """Payload of a completed message and its fill bits (those of the last fragment)."""
    return b"".join(p for p in entry.parts if p is not None), entry.fills[-1]
