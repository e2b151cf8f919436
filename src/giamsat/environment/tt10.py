"""TT10 data files (Circular 10/2021/TT-BTNMT): name and content parsing.

A file is ``Province_Facility_Station_yyyyMMddHHmmss.txt`` holding one line per parameter:
``parameter⇥value⇥unit⇥yyyyMMddHHmmss⇥status`` (status 00 measuring, 01 calibrating, 02 device
error). Real files drift from that, so the parser accepts CRLF/LF/CR, a UTF-8 BOM, cp1258 or
latin-1 text, runs of spaces instead of tabs, a decimal comma and blank lines. It never raises on
bad content: every problem becomes a :class:`Problem` with its line number, and a file with no
valid line is rejected. Parsing is pure (no I/O) so it can run in worker processes.
"""

from __future__ import annotations

import calendar
import math
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from giamsat.environment.catalog import Catalog, default_catalog

NAME_RE = re.compile(r"^(?P<stem>.+)_(?P<time>\d{14})\.txt$", re.IGNORECASE)
TIME_RE = re.compile(r"^\d{14}$")
NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
STATUS_NAMES = {0: "measuring", 1: "calibrating", 2: "device error"}

ERROR = "error"  # the line (or file) is not used
WARNING = "warning"  # used, but someone should look: the file goes to quarantine
INFO = "info"  # used, worth knowing


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    line: int | None = None
    severity: str = ERROR

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }
        if self.line is not None:
            out["line"] = self.line
        return out


class FileName(NamedTuple):
    """The parts of a file name (a tuple: cheap to pass between processes)."""

    station_code: str
    province: str
    facility: str
    station: str
    local_time: str  # yyyyMMddHHmmss as written
    extra_tokens: tuple[str, ...] = ()


class Reading(NamedTuple):
    """One line of a file (a tuple: cheap to create and to pass between processes)."""

    parameter: str  # canonical code, or the name as written when unknown
    known: bool
    value: float
    unit: str  # canonical spelling of the reported unit ("" when unknown)
    reported_unit: str
    local_time: str  # yyyyMMddHHmmss as written
    status: int
    line: int


FIELD_SEP, READING_SEP = "\x1f", "\x1e"  # in a signature; a line never holds READING_SEP


class Columns(NamedTuple):
    """A file's readings as columns, as bulk workers hand them to the main process.

    ``signature`` names what is the same in every file of a station — each line's parameter,
    whether it is known, its units and line number — so the main process resolves series and
    unit conversions once per station and signature, not once per value (None when a field
    holds a separator, and the signature would be ambiguous). ``epochs`` are the line times
    read as UTC (:func:`local_epoch`); the station's offset is applied later.
    """

    signature: str | None
    values: list[float]
    epochs: list[int]
    statuses: list[int]


class ParsedFile:
    """A parsed file: its name, readings and problems.

    It pickles as columns (:class:`Columns`), far cheaper to move between processes than one
    tuple per reading; the readings are rebuilt only when someone asks for them.
    """

    __slots__ = ("_columns", "_readings", "encoding", "name", "problems")

    def __init__(
        self,
        name: FileName | None,
        readings: list[Reading] | None = None,
        problems: list[Problem] | None = None,
        encoding: str = "utf-8",
        columns: Columns | None = None,
    ) -> None:
        self.name = name
        self.problems = problems if problems is not None else []
        self.encoding = encoding
        self._readings = readings if readings is not None or columns is not None else []
        self._columns = columns

    @property
    def readings(self) -> list[Reading]:
        if self._readings is None:
            self._readings = _expand(self._columns)  # type: ignore[arg-type]
        return self._readings

    @property
    def rejected(self) -> bool:
        if self._readings is None and self._columns is not None:
            return not self._columns.values
        return not self.readings

    def columns(self) -> Columns:
        """The readings as columns (computed once: call it after the readings are complete)."""
        if self._columns is None:
            self._columns = _columns(self.readings)
        return self._columns

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        columns = self.columns()
        readings = self._readings if columns.signature is None else None  # not rebuildable
        return (ParsedFile, (self.name, readings, self.problems, self.encoding, columns))

    def __repr__(self) -> str:
        return f"ParsedFile({self.name!r}, {len(self.readings)} readings, {self.problems!r})"


def _columns(readings: list[Reading]) -> Columns:
    signature: str | None = READING_SEP.join(
        [
            f"{r.parameter}{FIELD_SEP}{r.known:d}{FIELD_SEP}{r.unit}{FIELD_SEP}{r.reported_unit}"
            f"{FIELD_SEP}{r.line}"
            for r in readings
        ]
    )
    assert signature is not None
    if readings and (
        signature.count(FIELD_SEP) != 4 * len(readings)
        or signature.count(READING_SEP) != len(readings) - 1
    ):
        signature = None
    return Columns(
        signature,
        [r.value for r in readings],
        [local_epoch(r.local_time) or 0 for r in readings],
        [r.status for r in readings],
    )


def _expand(columns: Columns) -> list[Reading]:
    if columns.signature is None:
        raise ValueError("readings without a signature cannot be rebuilt")
    out = []
    parts = columns.signature.split(READING_SEP) if columns.values else []
    for part, value, epoch, status in zip(
        parts, columns.values, columns.epochs, columns.statuses, strict=True
    ):
        code, known, unit, reported, line = part.split(FIELD_SEP)
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch))
        out.append(Reading(code, known == "1", value, unit, reported, stamp, status, int(line)))
    return out


def parse_name(filename: str) -> FileName | Problem:
    """Split a TT10 file name; the station code is its first three ``_`` tokens (DESIGN §3)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    match = NAME_RE.match(base)
    if not match:
        return Problem(
            "bad_name",
            f"file name {base!r} is not Province_Facility_Station_yyyyMMddHHmmss.txt",
        )
    tokens = match["stem"].split("_")
    if len(tokens) < 3 or not all(tokens[:3]):
        return Problem("bad_name", f"file name {base!r} needs three codes before the time")
    stamp = match["time"]
    if local_epoch(stamp) is None:
        return Problem("bad_name", f"file name {base!r} has an impossible time {stamp}")
    return FileName(
        station_code="_".join(tokens[:3]),
        province=tokens[0],
        facility=tokens[1],
        station=tokens[2],
        local_time=stamp,
        extra_tokens=tuple(tokens[3:]),
    )


_epoch_cache: dict[str, int | None] = {}


def local_epoch(stamp: str) -> int | None:
    """Seconds since the epoch of a yyyyMMddHHmmss wall-clock time read as if it were UTC.

    Subtract the station's UTC offset to get real UTC; None when the digits are not a date.
    """
    cached = _epoch_cache.get(stamp, -1)
    if cached != -1:
        return cached  # type: ignore[return-value]
    try:
        if not (stamp.isascii() and stamp.isdigit()):
            raise ValueError(stamp)
        y, mo, d = int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8])
        h, mi, s = int(stamp[8:10]), int(stamp[10:12]), int(stamp[12:14])
        valid = (
            1970 <= y <= 2200
            and 1 <= mo <= 12
            and 1 <= d <= calendar.monthrange(y, mo)[1]
            and h <= 23  # 24:00:00 is not a TT10 time
            and mi <= 59
            and s <= 59
        )
        value = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) if valid else None
    except ValueError:
        value = None
    if len(_epoch_cache) > 200_000:
        _epoch_cache.clear()
    _epoch_cache[stamp] = value
    return value


def decode(content: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (BOM allowed), else cp1258, else latin-1."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", "cp1258"):
        try:
            return unicodedata.normalize("NFC", content.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1"), "latin-1"


def looks_binary(content: bytes) -> bool:
    """NUL bytes or many control characters: not a text file at all."""
    sample = content[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > max(4, len(sample) // 50)


def _split(line: str) -> list[str] | None:
    """Five fields: by TAB when there are exactly five, else anchored on the right by whitespace."""
    fields = line.split("\t")
    if len(fields) == 5:
        return [f.strip() for f in fields]
    tokens = line.split()
    if len(tokens) < 4:
        return None
    status, stamp = tokens[-1], tokens[-2]
    # the value is the right-most number before the time; the unit is what lies between
    for i in range(len(tokens) - 3, 0, -1):
        if NUMBER_RE.match(tokens[i]):
            return [" ".join(tokens[:i]), tokens[i], " ".join(tokens[i + 1 : -2]), stamp, status]
    return (
        [" ".join(tokens[:-4]), tokens[-4], tokens[-3], stamp, status] if len(tokens) > 4 else None
    )


def parse_value(text: str) -> float | None:
    """A finite decimal number, with a comma or a point as the decimal mark."""
    text = text.strip()
    if text.isascii() and "," not in text and "_" not in text:
        try:  # the common case, fast
            value = float(text)
        except ValueError:
            return None
        return value if math.isfinite(value) and NUMBER_RE.match(text) else None
    if not NUMBER_RE.match(text):
        return None
    return float(text.replace(",", "."))


_STATUS = {"00": 0, "01": 1, "02": 2, "0": 0, "1": 1, "2": 2}


def parse_status(text: str) -> int | None:
    status = _STATUS.get(text)
    if status is None and len(text) <= 2 and text.isascii() and text.isdigit():
        status = int(text)
    return status


def parse_content(
    content: bytes, name: FileName | None = None, catalog: Catalog | None = None
) -> ParsedFile:
    """Parse the lines of a TT10 file. ``name`` is carried through for the caller's checks."""
    catalog = catalog or default_catalog()
    text, encoding = decode(content)
    parsed = ParsedFile(name=name, encoding=encoding)
    problems = parsed.problems
    if encoding != "utf-8":
        problems.append(Problem("encoding", f"text is not UTF-8; read as {encoding}", None, INFO))
    seen: dict[tuple[str, str], tuple[float, int, int]] = {}
    unknown: set[str] = set()
    names = catalog.canonical_name
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = _split(line)
        if fields is None:
            problems.append(Problem("bad_line", f"expected 5 fields, got {raw!r:.80}", number))
            continue
        pname, value_text, unit_text, stamp, status_text = fields
        if not pname:
            problems.append(Problem("bad_line", "missing parameter name", number))
            continue
        value = parse_value(value_text)
        if value is None:
            problems.append(
                Problem("bad_value", f"{pname}: value {value_text!r:.40} is not a number", number)
            )
            continue
        if len(stamp) != 14 or local_epoch(stamp) is None:
            problems.append(
                Problem("bad_time", f"{pname}: time {stamp!r:.40} is not yyyyMMddHHmmss", number)
            )
            continue
        status = parse_status(status_text)
        if status is None:
            problems.append(
                Problem(
                    "bad_status", f"{pname}: status {status_text!r:.20} is not 00/01/02", number
                )
            )
            continue
        if status > 2:
            problems.append(
                Problem(
                    "nonstandard_status",
                    f"{pname}: status {status_text} is not a TT10 code (00/01/02); kept",
                    number,
                    WARNING,
                )
            )
        code = names(pname)
        known = code is not None
        if code is None:
            code = pname
            if pname not in unknown:
                unknown.add(pname)
                problems.append(
                    Problem(
                        "unknown_parameter",
                        f"parameter {pname!r} is not in the catalog; kept",
                        number,
                        INFO,
                    )
                )
        key = (code, stamp)
        previous = seen.get(key)
        if previous is not None:
            if previous[0] == value and previous[1] == status:
                problems.append(
                    Problem(
                        "repeated_line",
                        f"{pname} at {stamp} repeats line {previous[2]}; ignored",
                        number,
                        WARNING,
                    )
                )
            else:
                problems.append(
                    Problem(
                        "conflicting_line",
                        f"{pname} at {stamp} repeats line {previous[2]} with another value; "
                        "the first is kept",
                        number,
                    )
                )
            continue
        seen[key] = (value, status, number)
        unit = catalog.canonical_unit(unit_text)
        parsed.readings.append(
            Reading(
                code,
                known,
                value,
                unit if unit is not None else unit_text,
                unit_text,
                stamp,
                status,
                number,
            )
        )
    if not parsed.readings:
        if not text.strip():
            problems.append(Problem("empty", "the file has no content"))
        else:
            problems.append(Problem("no_valid_lines", "no line of the file could be used"))
    return parsed


def format_line(parameter: str, value: float, unit: str, local_time: str, status: int) -> str:
    """One TT10 line, as a datalogger writes it (used by the simulator and tests)."""
    return f"{parameter}\t{value:g}\t{unit}\t{local_time}\t{status:02d}"
