"""Track and zone-log exports: tracks to CSV, GeoJSON, GPX 1.1 and XLSX; the zone log to text,
CSV and XLSX (the paper's users export both to *.txt and Excel).

Times are ISO 8601: with the Vietnam offset (+07:00, as users read them) in CSV, text and
XLSX, in UTC (``Z``) in GPX and GeoJSON where the formats expect it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from giamsat.maritime.ais.lookups import nav_status, ship_type

TRACK_FORMATS = ("csv", "geojson", "gpx", "xlsx")
ZONE_LOG_FORMATS = ("txt", "csv", "xlsx")
TRACK_HEADER = ["mmsi", "name", "time", "lat", "lon", "sog", "cog", "heading", "nav_status"]
ZONE_LOG_HEADER = ["zone", "mmsi", "ship_name", "ship_type", "ship_type_text", "length", "width",
                   "time_in", "time_out", "duration_min"]  # fmt: skip
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "geojson": "application/geo+json",
    "gpx": "application/gpx+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def local_iso(ts: int | None, offset_min: int = 420) -> str:
    if ts is None:
        return ""
    tz = timezone(timedelta(minutes=offset_min))
    return datetime.fromtimestamp(ts, UTC).astimezone(tz).isoformat()


def utc_iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _track_row(p: dict[str, Any], offset_min: int) -> list[Any]:
    return [p["mmsi"], p.get("name") or "", local_iso(p["ts"], offset_min), p["lat"], p["lon"],
            p.get("sog"), p.get("cog"), p.get("heading"), p.get("nav_status")]  # fmt: skip


def tracks_csv(points: Iterable[dict[str, Any]], offset_min: int = 420) -> Iterator[str]:
    """CSV text in chunks (streamed by the API)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRACK_HEADER)
    for n, p in enumerate(points, 1):
        writer.writerow(["" if v is None else v for v in _track_row(p, offset_min)])
        if n % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def tracks_geojson(points: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One LineString feature per vessel (a single fix is a Point), with per-vertex times,
    speeds and courses as parallel arrays in the properties."""
    features = []
    for mmsi, group in groupby(points, key=lambda p: p["mmsi"]):
        pts = list(group)
        coords = [[p["lon"], p["lat"]] for p in pts]
        geometry = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        features.append(
            {
                "type": "Feature",
                "id": mmsi,
                "geometry": geometry,
                "properties": {
                    "mmsi": mmsi,
                    "name": pts[0].get("name"),
                    "start": utc_iso(pts[0]["ts"]),
                    "end": utc_iso(pts[-1]["ts"]),
                    "points": len(pts),
                    "times": [utc_iso(p["ts"]) for p in pts],
                    "sog": [p.get("sog") for p in pts],
                    "cog": [p.get("cog") for p in pts],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def tracks_gpx(points: Iterable[dict[str, Any]], creator: str = "giamsat") -> Iterator[str]:
    """GPX 1.1: one <trk> per vessel; SOG/COG in an extension (GPX 1.1 has no speed)."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="{escape(creator)}" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gs="https://giamsat.example/gpx/1" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
        'http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
    )
    for mmsi, group in groupby(points, key=lambda p: p["mmsi"]):
        pts = list(group)
        name = pts[0].get("name") or ""
        parts = [f"  <trk>\n    <name>{escape(name or str(mmsi))}</name>\n"
                 f"    <desc>MMSI {mmsi}</desc>\n    <trkseg>\n"]  # fmt: skip
        for p in pts:
            ext = ""
            if p.get("sog") is not None or p.get("cog") is not None:
                ext = "<extensions>"
                if p.get("sog") is not None:
                    ext += f"<gs:sog>{p['sog']}</gs:sog>"
                if p.get("cog") is not None:
                    ext += f"<gs:cog>{p['cog']}</gs:cog>"
                ext += "</extensions>"
            parts.append(
                f'      <trkpt lat="{p["lat"]:.7f}" lon="{p["lon"]:.7f}">'
                f"<time>{utc_iso(p['ts'])}</time>{ext}</trkpt>\n"
            )
        parts.append("    </trkseg>\n  </trk>\n")
        yield "".join(parts)
    yield "</gpx>\n"


def write_xlsx(path: str, sheet: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5"})
    ws = book.add_worksheet(sheet[:31])
    ws.write_row(0, 0, header, bold)
    ws.set_column(0, len(header) - 1, 16)
    for r, row in enumerate(rows, 1):
        if r > 1_048_575:
            break
        ws.write_row(r, 0, ["" if v is None else v for v in row])
    book.close()


def temp_xlsx(sheet: str, header: list[str], rows: Iterable[list[Any]]) -> str:
    """Write a workbook to a temporary file; the caller deletes it."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    write_xlsx(path, sheet, header, rows)
    return path


def tracks_xlsx_rows(
    points: Iterable[dict[str, Any]], offset_min: int = 420
) -> Iterator[list[Any]]:
    for p in points:
        yield _track_row(p, offset_min)


def zone_log_table(
    rows: Iterable[dict[str, Any]], offset_min: int = 420, lang: str = "vi"
) -> Iterator[list[Any]]:
    for r in rows:
        duration = r.get("duration_s")
        yield [
            r["zone_name"], r["mmsi"], r.get("ship_name") or "", r.get("ship_type"),
            ship_type(r.get("ship_type"), lang) or "", r.get("length"), r.get("width"),
            local_iso(r["time_in"], offset_min), local_iso(r.get("time_out"), offset_min),
            None if duration is None else round(duration / 60, 1),
        ]  # fmt: skip


def zone_log_csv(rows: Iterable[dict[str, Any]], offset_min: int = 420) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ZONE_LOG_HEADER)
    for row in zone_log_table(rows, offset_min):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def zone_log_txt(rows: Iterable[dict[str, Any]], offset_min: int = 420, title: str = "") -> str:
    """A fixed-width table, readable in any text editor (the paper's *.txt export)."""
    table = [
        [("" if v is None else str(v)) for v in row] for row in zone_log_table(rows, offset_min)
    ]
    header = ["Vùng/Zone", "MMSI", "Tên tàu/Name", "Loại/Type", "Mô tả loại/Type text",
              "Dài/Len(m)", "Rộng/Beam(m)", "Vào/In", "Ra/Out", "Phút/Min"]  # fmt: skip
    widths = [max(len(header[i]), *(len(r[i]) for r in table)) if table else len(header[i])
              for i in range(len(header))]  # fmt: skip
    lines = []
    if title:
        lines += [title, ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for r in table:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    lines.append("")
    lines.append(f"{len(table)} lượt / entries")
    return "\n".join(lines) + "\n"


def nav_text(code: int | None, lang: str = "vi") -> str:
    return nav_status(code, lang) or ""
