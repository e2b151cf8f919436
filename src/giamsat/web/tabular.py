"""Tables out of the API: pagination envelopes and CSV/XLSX downloads (streamed where the
size is not bounded)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PAGE = 5000


class Paging:
    def __init__(
        self,
        limit: int = Query(100, ge=1, le=MAX_PAGE, description="Rows per page."),
        offset: int = Query(0, ge=0, description="Rows to skip."),
    ) -> None:
        self.limit = limit
        self.offset = offset

    def envelope(self, items: list[Any], total: int, **extra: Any) -> dict[str, Any]:
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset, **extra}

    def slice(self, items: list[Any], **extra: Any) -> dict[str, Any]:
        return self.envelope(items[self.offset : self.offset + self.limit], len(items), **extra)


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> StreamingResponse:
    def generate() -> Iterable[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
            if n % 1000 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        generate(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _disposition(filename)},
    )


def xlsx_response(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], filename: str
) -> FileResponse:
    """One workbook, one sheet per (name, header, rows); written in constant memory."""
    import xlsxwriter

    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    book = xlsxwriter.Workbook(tmp_name, {"constant_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, list(header), bold)
        sheet.set_column(0, max(len(header) - 1, 0), 16)
        for r, row in enumerate(rows, 1):
            if r > 1_048_575:
                break
            sheet.write_row(r, 0, ["" if v is None else v for v in row])
    book.close()
    return xlsx_file(tmp_name, filename)


def xlsx_file(path: str, filename: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": _disposition(filename)},
        background=BackgroundTask(os.unlink, path),
    )


def download(
    fmt: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    stem: str,
    sheet: str = "data",
) -> Any:
    if fmt == "csv":
        return csv_response(header, rows, f"{stem}.csv")
    return xlsx_response([(sheet, header, rows)], f"{stem}.xlsx")
