"""What ingest passes around: incoming files, per-file results and outcomes, batch records.

``Incoming`` is a file as a receiver got it; ``FileResult`` what became of it; ``Summary`` the
counts the CLI prints; ``Written`` the observations a batch stored, for the QC pipeline's
post-write step; ``Record``/``Pending`` one file while its batch is processed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Connection

from giamsat.environment.stations import StationInfo
from giamsat.environment.tt10 import ERROR, WARNING, ParsedFile, Problem


@dataclass
class Incoming:
    """A file as a receiver got it."""

    name: str
    content: bytes
    source: str = "cli"
    account_id: int | None = None
    path: str | None = None  # relative to the account's home, for the folder-template check
    received_at: int | None = None
    sha256: bytes | None = None  # precomputed by a bulk worker
    parsed: ParsedFile | None = None  # precomputed by a bulk worker
    blob_id: int | None = None  # already archived by a bulk worker (content may then be empty)
    size: int | None = None  # bytes, when content was dropped after archiving

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickle as the constructor's arguments: bulk workers send hundreds of thousands."""
        return (
            Incoming,
            (
                self.name,
                self.content,
                self.source,
                self.account_id,
                self.path,
                self.received_at,
                self.sha256,
                self.parsed,
                self.blob_id,
                self.size,
            ),
        )


@dataclass
class FileResult:
    file_id: int
    name: str
    outcome: str
    observations: int = 0
    problems: list[Problem] = field(default_factory=list)
    station_code: str | None = None

    @property
    def quarantined(self) -> bool:
        return self.outcome == "rejected" or any(
            p.severity in (ERROR, WARNING) for p in self.problems
        )


@dataclass
class Summary:
    files: int = 0
    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    rejected: int = 0
    observations: int = 0

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.observations += result.observations
        if result.outcome == "accepted":
            self.accepted += 1
        elif result.outcome == "duplicate":
            self.duplicates += 1
        elif result.outcome == "corrected":
            self.corrected += 1
        else:
            self.rejected += 1

    def as_dict(self) -> dict[str, int]:
        return {
            "files": self.files,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "corrected": self.corrected,
            "rejected": self.rejected,
            "observations": self.observations,
        }


@dataclass(frozen=True)
class Rows:
    """A batch's rows as arrays: the file (index into the batch's pendings) each came from."""

    owner: np.ndarray
    sid: np.ndarray
    ts: np.ndarray
    value: np.ndarray
    status: np.ndarray
    flag: np.ndarray

    def take(self, idx: np.ndarray) -> Rows:
        return Rows(
            *(a[idx] for a in (self.owner, self.sid, self.ts, self.value, self.status, self.flag))
        )


# A QC hook sets flags for a batch: (conn, series_id, ts, value, status) -> flags.
Flagger = Callable[[Connection, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Written:
    """Observations a batch stored (new, or replacing a stored value), for post-write hooks."""

    series_id: np.ndarray
    ts: np.ndarray
    value: np.ndarray
    status: np.ndarray
    flag: np.ndarray
    utc_offset_min: np.ndarray
    received_at: np.ndarray
    replaced: np.ndarray  # True: a correction replaced a stored value


# Runs inside the ingest transaction after observations and rollups are written.
AfterWrite = Callable[[Connection, Written], None]


def device_status_flags(
    conn: Connection, series_id: np.ndarray, ts: np.ndarray, value: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """The minimum QC: 02 (device error) fails, everything else is not evaluated yet."""
    return np.where(status == 2, 4, 2).astype(np.int16)


@dataclass
class Record:
    id: int
    name: str
    content: bytes
    source: str
    path: str | None
    received_at: int
    blob_id: int
    parsed: ParsedFile | None = None


@dataclass
class Pending:
    """One file while a batch is being processed."""

    record: Record
    result: FileResult
    station: StationInfo | None = None
    name_ts: int | None = None
    correction_of: int | None = None
    misplaced: bool = False
    # the file's rows as columns: series, time (UTC epoch), value, device status, parameter code
    sids: Sequence[int] = field(default_factory=list)
    ts: Sequence[int] = field(default_factory=list)
    values: Sequence[float] = field(default_factory=list)
    statuses: Sequence[int] = field(default_factory=list)
    codes: Sequence[str] = field(default_factory=list)
    inserted: int = 0
    unchanged: int = 0
    conflicting: int = 0


def iter_files(paths: Iterable[Path]) -> Iterable[Path]:
    """Files under the given files and folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file():
                    yield child
        else:
            yield path


def reasons_json(problems: list[Problem]) -> str | None:
    """The JSON text the ``reasons`` column holds (see JsonText)."""
    if not problems:
        return None
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, separators=(",", ":"))
