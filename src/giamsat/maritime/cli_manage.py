"""``giamsat ais atons|zones|zonelog|track``: the registry, zones and exports from the command
line (the web API offers the same). Each command ends with a JSON summary line on stdout
unless it writes its data there."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import typer

from giamsat.cliutil import fail, print_json_line, state

atons_app = typer.Typer(help="AtoN registry.", no_args_is_help=True)
zones_app = typer.Typer(help="Zones (GeoJSON).", no_args_is_help=True)


def _when(text: str | None, end: bool = False) -> int | None:
    if text is None:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    from giamsat.environment.export import parse_time

    try:
        return parse_time(text, 7, end=end)
    except ValueError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def _reload_note() -> str:
    return "a running service picks the change up within seconds"


@atons_app.command("import")
def atons_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV: mmsi,name,lat,lon,radius_m[,kind,area,…]."),
) -> None:
    """Register AtoNs from a CSV file (nothing is imported when a row is bad)."""
    from giamsat.maritime import manage
    from giamsat.maritime.atons import read_aton_csv

    if not file.is_file():
        fail(f"no such file: {file}")
    configs, problems = read_aton_csv(file)
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    store = state(ctx).store()
    with store.write() as conn:
        result = manage.import_atons(conn, configs)
    print_json_line({**result, "note": _reload_note()})


@atons_app.command("import-enc")
def atons_import_enc(
    ctx: typer.Context,
    mapping: Path = typer.Option(..., "--map", help="CSV: id (cell:LNAM or chart name),mmsi."),
    cell: str = typer.Option(None, "--cell", help="Only this imported cell."),
    radius: float = typer.Option(50.0, "--radius", min=0, help="Allowed radius of floats, m."),
) -> None:
    """Register charted buoys, beacons and lights (``giamsat enc atons``) under their MMSIs."""
    from giamsat.maritime import manage
    from giamsat.maritime.atons import from_enc
    from giamsat.maritime.enc.catalog import ChartLibrary

    if not mapping.is_file():
        fail(f"no such file: {mapping}")
    pairs: dict[str, int] = {}
    with mapping.open(encoding="utf-8-sig", newline="") as f:
        for n, row in enumerate(csv.reader(f), 1):
            if not row or (n == 1 and not row[-1].strip().isdigit()):
                continue
            if len(row) < 2 or not row[1].strip().isdigit():
                fail(f"{mapping}:{n}: want id,mmsi")
            pairs[row[0].strip()] = int(row[1])
    app = state(ctx)
    store = app.store()
    configs, missing = from_enc(ChartLibrary(store, app.settings.home).atons(cell), pairs, radius)
    if missing:
        for problem in missing:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    with store.write() as conn:
        result = manage.import_atons(conn, configs)
    print_json_line({**result, "note": _reload_note()})


@atons_app.command("list")
def atons_list(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", help="ok | alarm | lost | unknown"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
) -> None:
    """Registered AtoNs with their live status."""
    from giamsat.maritime.queries import aton_list

    with state(ctx).store().engine.connect() as conn:
        items = aton_list(conn, status=status, registered=True)
    if fmt == "jsonl":
        for item in items:
            typer.echo(json.dumps(item, ensure_ascii=False, default=str))
    elif fmt == "csv":
        header = ["mmsi", "name", "kind", "area", "lat", "lon", "radius_m", "status",
                  "conditions", "last_seen", "distance_m", "voltage", "light", "racon"]  # fmt: skip
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        for item in items:
            writer.writerow(
                [json.dumps(item[h]) if h == "conditions" else item.get(h) for h in header]
            )
    else:
        fail(f"unknown format {fmt!r} (jsonl or csv)")


@zones_app.command("import")
def zones_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="GeoJSON (name, kind, speed_limit_kn, alert_on)."),
    replace: bool = typer.Option(False, "--replace", help="Delete zones the file does not have."),
) -> None:
    """Import zones: the same guid (or name) updates a zone, others are created."""
    from giamsat.maritime import manage
    from giamsat.maritime.zones import ZoneError

    if not file.is_file():
        fail(f"no such file: {file}")
    try:
        data = json.loads(file.read_text("utf-8-sig"))
    except json.JSONDecodeError as exc:
        fail(f"{file}: not JSON ({exc.msg} at line {exc.lineno})")
    store = state(ctx).store()
    try:
        with store.write() as conn:
            result = manage.import_zones(conn, data, "cli", replace)
    except (ZoneError, ValueError) as exc:
        fail(f"{file}: {exc}")
    for note in result["skipped"]:
        typer.echo(f"{file}: {note}", err=True)
    print_json_line({**result, "note": _reload_note()})


@zones_app.command("export")
def zones_export(
    ctx: typer.Context,
    output: Path = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
) -> None:
    """Zones as a GeoJSON FeatureCollection (what ``zones import`` reads back)."""
    from giamsat.maritime import manage

    with state(ctx).store().engine.connect() as conn:
        text = json.dumps(manage.zones_geojson(conn), ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


def _write(output: Path | None, fmt: str, text: str | None, xlsx: Any = None) -> None:
    if fmt == "xlsx":
        if output is None:
            fail("xlsx is binary: give -o FILE")
        xlsx(str(output))
        return
    if output is None:
        sys.stdout.write(text or "")
    else:
        output.write_text(text or "", encoding="utf-8")


def zonelog(
    ctx: typer.Context,
    zone: int = typer.Option(None, "--zone", help="Zone id."),
    mmsi: int = typer.Option(None, "--mmsi"),
    start: str = typer.Option(None, "--from", help="ISO 8601 (Vietnam time without offset)."),
    end: str = typer.Option(None, "--to"),
    fmt: str = typer.Option("txt", "--format", help="txt | csv | xlsx"),
    output: Path = typer.Option(None, "--output", "-o"),
) -> None:
    """Vessels' entries and exits of zones, with type and size."""
    from giamsat.maritime import exports
    from giamsat.maritime.queries import zone_log_rows

    if fmt not in exports.ZONE_LOG_FORMATS:
        fail(f"unknown format {fmt!r} ({', '.join(exports.ZONE_LOG_FORMATS)})")
    with state(ctx).store().engine.connect() as conn:
        rows, _ = zone_log_rows(conn, zone_id=zone, mmsi=mmsi, start=_when(start),
                                end=_when(end, end=True))  # fmt: skip
    text = exports.zone_log_txt(rows) if fmt == "txt" else exports.zone_log_csv(rows)
    _write(output, fmt, text,
           lambda p: exports.write_xlsx(p, "zone_log", exports.ZONE_LOG_HEADER,
                                        exports.zone_log_table(rows)))  # fmt: skip
    if output is not None:
        print_json_line({"rows": len(rows), "output": str(output)})


def track(
    ctx: typer.Context,
    mmsi: list[int] = typer.Argument(None, help="Vessels (or --group)."),
    group: int = typer.Option(None, "--group", help="Tracks of a group's members."),
    start: str = typer.Option(None, "--from", help="ISO 8601 (default: 24 h before --to)."),
    end: str = typer.Option(None, "--to", help="Default: now."),
    fmt: str = typer.Option("csv", "--format", help="csv | geojson | gpx | xlsx"),
    output: Path = typer.Option(None, "--output", "-o"),
) -> None:
    """Stored tracks of vessels or a group."""
    import time

    from giamsat.maritime import exports
    from giamsat.maritime.queries import track_points

    if fmt not in exports.TRACK_FORMATS:
        fail(f"unknown format {fmt!r} ({', '.join(exports.TRACK_FORMATS)})")
    if not mmsi and group is None:
        fail("give MMSIs or --group")
    stop = _when(end, end=True) or int(time.time())
    begin = _when(start) or stop - 86400
    with state(ctx).store().engine.connect() as conn:
        points = track_points(conn, mmsi or None, begin, stop, group)
    if fmt == "csv":
        text = "".join(exports.tracks_csv(points))
    elif fmt == "gpx":
        text = "".join(exports.tracks_gpx(points))
    elif fmt == "geojson":
        text = json.dumps(exports.tracks_geojson(points), ensure_ascii=False) + "\n"
    else:
        text = None
    _write(output, fmt, text,
           lambda p: exports.write_xlsx(p, "tracks", exports.TRACK_HEADER,
                                        exports.tracks_xlsx_rows(points)))  # fmt: skip
    if output is not None:
        print_json_line({"points": len(points), "vessels": len({p["mmsi"] for p in points}),
                         "output": str(output)})  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(atons_app, name="atons")
    app.add_typer(zones_app, name="zones")
    app.command("zonelog")(zonelog)
    app.command("track")(track)
