"""Archived NMEA logs as one stream: files opened (plain or gzip), lines timed, and several
files merged by time.

Each receiver's log is in time order but logs of several receivers overlap; replaying them
one after the other would make the rules' clock jump back and forth. ``merged_lines``
interleaves the files by line time (tag block ``c:`` or a receiver timestamp after the
checksum); a line without a time keeps its place after the previous line of its own file,
and each file's own order is never changed.
"""

from __future__ import annotations

import gzip
import heapq
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from giamsat.maritime.nmea.line import receiver_time, split_line
from giamsat.maritime.nmea.tagblock import parse_tag_block


def open_log(path: str, stack: ExitStack) -> IO[bytes]:
    """A binary stream for a file, a .gz file (detected by its first bytes) or '-' (stdin)."""
    if path == "-":
        raw: IO[bytes] = sys.stdin.buffer
    else:
        raw = stack.enter_context(open(path, "rb"))  # noqa: SIM115 - closed by the stack
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head == b"\x1f\x8b":
        return stack.enter_context(gzip.open(raw, "rb"))
    return raw


def line_time(line: bytes) -> float | None:
    """The time a line carries: tag block ``c:``, else a receiver timestamp after the checksum."""
    if line.startswith(b"\\"):
        end = line.find(b"\\", 1)
        if end > 0:
            tag = parse_tag_block(line[1:end])
            if tag.time is not None:
                return tag.time
    star = line.rfind(b"*")
    if 0 <= star < len(line) - 3:
        split = split_line(line.strip())
        for item in split.items:
            found = receiver_time(item.trailing, item.leading)
            if found is not None:
                return found
    return None


def _timed(
    stream: IO[bytes], index: int, source: str
) -> Iterator[tuple[float, int, int, bytes, str]]:
    last = float("-inf")
    for seq, line in enumerate(stream):
        t = line_time(line)
        if t is not None:
            last = t
        yield (last, index, seq, line, source)


def source_name(path: str) -> str:
    return "stdin" if path == "-" else Path(path).name


def merged_lines(paths: list[str], stack: ExitStack) -> Iterator[tuple[bytes, str]]:
    """(line, source) of every file; several files are interleaved by time."""
    if len(paths) == 1:
        source = source_name(paths[0])
        for line in open_log(paths[0], stack):
            yield line, source
        return
    streams = [_timed(open_log(p, stack), i, source_name(p)) for i, p in enumerate(paths)]
    for _, _, _, line, source in heapq.merge(*streams):
        yield line, source
