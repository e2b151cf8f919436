"""Bulk ingest of file trees for ``giamsat env ingest``.

Worker processes read, hash and parse files (and on PostgreSQL archive them) while the main
process does the one thing that must be serial: writing the store. Workers run at a lower
priority: on a small machine the main process is the bottleneck and should not share its core.
The archive still happens before the store sees the file, as everywhere else.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from giamsat.core.store import Store
from giamsat.core.store.archive import Archive
from giamsat.environment.ingest import Incoming
from giamsat.environment.tt10 import FileName, looks_binary, parse_content, parse_name

CHUNK = 250


def list_files(paths: Iterable[Path]) -> list[str]:
    """Every file under the given files and folders, in a stable (sorted) order."""
    found: list[str] = []
    for path in paths:
        if path.is_dir():
            for dirpath, dirs, files in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(dirpath, name) for name in sorted(files))
        else:
            found.append(str(path))
    return found


def station_time_order(paths: list[str]) -> list[str]:
    """The files station by station, each station's in time order (ties keep their order).

    Bulk ingest then appends to each series in time order — the case on-ingest QC judges from
    memory — and a batch holds long runs of few stations, so the per-station work after a
    batch (AQI, alerts) is shared by many files. The order of files with the same station and
    time, which decides what is a correction, is kept. The key is cheap on purpose (no full
    name check): station = the first three ``_``-separated tokens, time = the last token.
    """

    def key(item: tuple[int, str]) -> tuple[str, str, int]:
        stem = os.path.basename(item[1]).rsplit(".", 1)[0]
        tokens = stem.split("_")
        return "_".join(tokens[:3]), tokens[-1], item[0]

    return [p for _, p in sorted(enumerate(paths), key=key)]


def read_one(path: str, max_bytes: int) -> Incoming | OSError:
    try:
        with open(path, "rb") as fh:
            content = fh.read()
    except OSError as exc:
        return exc
    name = os.path.basename(path)
    parsed = None
    if 0 < len(content) <= max_bytes and not looks_binary(content):
        file_name = parse_name(name)
        if isinstance(file_name, FileName):
            parsed = parse_content(content, file_name)
    digest = hashlib.sha256(content).digest()
    return Incoming(name=name, content=content, source="cli", sha256=digest, parsed=parsed)


_archive: Archive | None = None


def _worker_archive(urls: tuple[str, str | None]) -> Archive:
    global _archive
    if _archive is None:
        _archive = Store(*urls).archive
    return _archive


def _lower_priority() -> None:
    """Workers only run ahead of the main process; they must not slow it down."""
    with contextlib.suppress(OSError):
        os.nice(10)


def _read_chunk(
    args: tuple[list[str], int, tuple[str, str | None] | None],
) -> list[tuple[str, Incoming | OSError]]:
    paths, max_bytes, archive_url = args
    results = [(p, read_one(p, max_bytes)) for p in paths]
    if archive_url:
        items = [item for _, item in results if isinstance(item, Incoming)]
        stored = _worker_archive(archive_url).put_many(
            [i.content for i in items], int(time.time()), [i.sha256 for i in items]
        )
        for item, s in zip(items, stored, strict=True):
            item.blob_id = s.blob_id
            if item.parsed is not None:  # parsed: its result travels instead of the bytes
                item.size = len(item.content)
                item.content = b""
    return results


def read_all(
    paths: list[str],
    max_bytes: int,
    archive_url: tuple[str, str | None] | None = None,
    workers: int | None = None,
) -> Iterator[tuple[str, Incoming | OSError]]:
    """(path, Incoming or the error reading it), in order.

    With several workers and ``archive_url`` (the store's URL and archive URL) the workers archive
    the bytes as well.
    """
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    if workers <= 1 or len(paths) < 4 * CHUNK:
        for i in range(0, len(paths), CHUNK):
            yield from _read_chunk((paths[i : i + CHUNK], max_bytes, None))
        return
    chunks = [(paths[i : i + CHUNK], max_bytes, archive_url) for i in range(0, len(paths), CHUNK)]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_lower_priority) as pool:
        for results in pool.imap(_read_chunk, chunks, chunksize=1):
            yield from results
