"""Export observations as CSV, XLSX or Parquet, streamed so any period fits in memory.

Columns: station, parameter, time (ISO 8601 in the station's local offset), value, unit,
status (TT10 two-digit code) and flag (QARTOD).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from giamsat.core.store import Store
from giamsat.environment.schema import observations, parameters, series, stations

COLUMNS = ("station", "parameter", "time", "value", "unit", "status", "flag")
XLSX_MAX_ROWS = 1_048_575  # one header row per sheet


def parse_time(text: str, default_offset_hours: int = 7, end: bool = False) -> int:
    """Unix seconds of an ISO 8601 date or time; without an offset it is local time (UTC+7).

    A bare date as ``end`` means the end of that day (so --to 2024-03-15 includes the 15th).
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value)
            moment = day + timedelta(days=1) if end else day
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(
            f"time {text!r} is not ISO 8601 (e.g. 2024-03-15 or 2024-03-15T10:30:00+07:00)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(hours=default_offset_hours)))
    return int(moment.timestamp())


def rows(
    store: Store,
    station_codes: list[str] | None = None,
    start: int | None = None,
    end: int | None = None,
    chunk: int = 20_000,
) -> Iterator[tuple[Any, ...]]:
    """Observation rows in (station, parameter, time) order: ``start <= ts < end``."""
    query = (
        select(
            stations.c.code,
            parameters.c.code,
            observations.c.ts,
            observations.c.value,
            series.c.unit,
            observations.c.status,
            observations.c.flag,
            stations.c.utc_offset_min,
        )
        .select_from(observations.join(series, series.c.id == observations.c.series_id))
        .join(stations, stations.c.id == series.c.station_id)
        .join(parameters, parameters.c.id == series.c.parameter_id)
        .order_by(stations.c.code, parameters.c.code, observations.c.ts)
    )
    if station_codes:
        query = query.where(stations.c.code.in_(station_codes))
    if start is not None:
        query = query.where(observations.c.ts >= start)
    if end is not None:
        query = query.where(observations.c.ts < end)
    zones: dict[int, timezone] = {}
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for code, param, ts, value, unit, status, flag, offset in result:
            zone = zones.get(offset)
            if zone is None:
                zone = zones[offset] = timezone(timedelta(minutes=offset))
            local = datetime.fromtimestamp(ts, UTC).astimezone(zone).isoformat()
            yield code, param, local, value, unit, f"{status:02d}", flag


def write_csv(data: Iterator[tuple[Any, ...]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in data:
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(data: Iterator[tuple[Any, ...]], path: Path) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = book.add_format({"bold": True})
    count = 0
    sheet = None
    row_no = 0
    for row in data:
        if sheet is None or row_no > XLSX_MAX_ROWS:
            sheet = book.add_worksheet(f"data{'' if sheet is None else count // XLSX_MAX_ROWS + 1}")
            sheet.write_row(0, 0, COLUMNS, bold)
            sheet.set_column(0, 0, 28)
            sheet.set_column(2, 2, 26)
            row_no = 1
        sheet.write_row(row_no, 0, row)
        row_no += 1
        count += 1
    if sheet is None:
        book.add_worksheet("data").write_row(0, 0, COLUMNS, bold)
    book.close()
    return count


def write_parquet(data: Iterator[tuple[Any, ...]], path: Path, batch: int = 100_000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("station", pa.string()),
            ("parameter", pa.string()),
            ("time", pa.string()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("status", pa.string()),
            ("flag", pa.int8()),
        ]
    )
    count = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        buffer: list[tuple[Any, ...]] = []
        for row in data:
            buffer.append(row)
            if len(buffer) >= batch:
                writer.write_table(
                    pa.Table.from_pylist(
                        [dict(zip(COLUMNS, r, strict=True)) for r in buffer], schema
                    )
                )
                count += len(buffer)
                buffer = []
        if buffer or count == 0:
            writer.write_table(
                pa.Table.from_pylist([dict(zip(COLUMNS, r, strict=True)) for r in buffer], schema)
            )
            count += len(buffer)
    return count


def export(store: Store, fmt: str, output: Path | None, **query: Any) -> int:
    data = rows(store, **query)
    if fmt == "csv":
        if output is None:
            return write_csv(data, sys.stdout)
        with open(output, "w", encoding="utf-8", newline="") as fh:
            return write_csv(data, fh)
    if output is None:
        raise ValueError(f"--format {fmt} needs -o FILE")
    if fmt == "xlsx":
        return write_xlsx(data, output)
    if fmt == "parquet":
        return write_parquet(data, output)
    raise ValueError(f"unknown format {fmt!r}: csv, xlsx or parquet")
