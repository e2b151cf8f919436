"""``giamsat env …``, ``giamsat station …`` and ``giamsat account …`` commands."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import typer

from giamsat.cliutil import fail, print_json_line, state

env_app = typer.Typer(
    help="Environmental data (TT10): ingest, export, look-ups.", no_args_is_help=True
)
station_app = typer.Typer(help="Environmental stations.", no_args_is_help=True)
account_app = typer.Typer(
    help="Upload accounts of the FTP/FTPS/SFTP receivers.", no_args_is_help=True
)

BATCH = 2000


@env_app.command("ingest")
def env_ingest(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="TT10 files and folders (searched recursively)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No per-problem lines."),
) -> None:
    """Ingest TT10 files; the last stdout line is a JSON summary."""
    from giamsat.environment.bulk import list_files, read_all, station_time_order
    from giamsat.environment.ingest import Incoming, Ingestor, Summary

    app = state(ctx)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}")
    gc.set_threshold(100_000, 50, 100)  # millions of short-lived objects, few cycles
    store = app.store()
    ingestor = Ingestor(store, app.settings)
    summary = Summary()
    files = station_time_order(list_files(paths))
    progress = _progress(len(files))
    batch: list[Incoming] = []

    def flush() -> None:
        for result in ingestor.ingest(batch):
            summary.add(result)
            if not quiet:
                for problem in result.problems:
                    if problem.severity != "info" or result.outcome == "rejected":
                        where = f":{problem.line}" if problem.line else ""
                        typer.echo(
                            f"{result.name}{where}: {problem.severity}: {problem.message}", err=True
                        )
        if progress:
            progress.update(len(batch))
        batch.clear()

    unreadable = 0
    # On PostgreSQL the workers archive the bytes themselves, in parallel with the main process.
    # On SQLite a write transaction also locks the attached archive, so workers writing it would
    # wait for each of the main's transactions (and it for them): there the main archives.
    archive_url = None if store.is_sqlite else (store.url, store.archive_url)
    with store.held_open():
        for path, item in read_all(files, app.settings.max_file_bytes, archive_url):
            if isinstance(item, OSError):
                unreadable += 1
                typer.echo(f"{path}: error: cannot read ({item.strerror})", err=True)
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    if progress:
        progress.close()
    out = summary.as_dict()
    if unreadable:
        out["unreadable"] = unreadable
    print_json_line(out)


class _Bar:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from rich.progress import Progress

        self._progress = Progress(transient=True)
        self._progress.start()
        self._task = self._progress.add_task("ingest", total=total)

    def update(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def close(self) -> None:
        self._progress.stop()


def _progress(total: int) -> _Bar | None:
    return _Bar(total) if sys.stderr.isatty() and total > BATCH else None


@env_app.command("export")
def env_export(
    ctx: typer.Context,
    station: list[str] = typer.Option(None, "--station", help="Station code (repeatable)."),
    start: str = typer.Option(
        None, "--from", help="Start, ISO 8601 (local time UTC+7 if no offset)."
    ),
    end: str = typer.Option(None, "--to", help="End, ISO 8601 (a bare date includes that day)."),
    fmt: str = typer.Option(..., "--format", help="csv, xlsx or parquet."),
    output: Path = typer.Option(
        None, "-o", "--output", help="Output file (CSV defaults to stdout)."
    ),
) -> None:
    """Export observations: station,parameter,time,value,unit,status,flag."""
    from giamsat.environment.export import export, parse_time

    app = state(ctx)
    offset = app.settings.timezone_offset_hours
    try:
        query = {
            "station_codes": station or None,
            "start": parse_time(start, offset) if start else None,
            "end": parse_time(end, offset, end=True) if end else None,
        }
        count = export(app.store(), fmt.lower(), output, **query)
    except ValueError as exc:
        fail(str(exc))
    if output is not None:
        typer.echo(f"{count} rows written to {output}", err=True)


@env_app.command("files")
def env_files(
    ctx: typer.Context,
    outcome: str = typer.Option(None, help="accepted, duplicate, corrected, rejected or received."),
    limit: int = typer.Option(50, help="How many, newest first."),
) -> None:
    """The received-file log, newest first, as JSON lines."""
    from sqlalchemy import select

    from giamsat.environment.schema import received_files

    store = state(ctx).store()
    query = select(received_files).order_by(received_files.c.id.desc()).limit(limit)
    if outcome:
        query = query.where(received_files.c.outcome == outcome)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    digests = store.archive.sha256_of([r.blob_id for r in rows])
    for r in rows:
        print_json_line(
            {
                "id": r.id,
                "name": r.name,
                "sha256": digests.get(r.blob_id),
                "size": r.size,
                "source": r.source,
                "path": r.path,
                "received_at": r.received_at,
                "processed_at": r.processed_at,
                "outcome": r.outcome,
                "observations": r.observations,
                "misplaced": r.misplaced,
                "reasons": r.reasons or [],
            }
        )


@station_app.command("add")
def station_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Province_Facility_Station"),
    name: str = typer.Option(None),
    component: str = typer.Option(
        "wastewater", help="wastewater, emission, ambient_air, surface_water, groundwater"
    ),
    lat: float = typer.Option(None),
    lon: float = typer.Option(None),
    province_name: str = typer.Option(None),
    interval: int = typer.Option(300, help="Expected seconds between files."),
    utc_offset: int = typer.Option(420, help="Minutes east of UTC of the station's file times."),
    standard: str = typer.Option(None, help="Limit standard of the permit, e.g. QCVN40_2011."),
    column: str = typer.Option(None, help="Column of the standard, e.g. B."),
    coefficient: list[str] = typer.Option(None, help="K=value, e.g. Kq=0.9 (repeatable)."),
    published: bool = typer.Option(False, help="Publish its AQI on the public page."),
) -> None:
    """Register (or complete) a station."""
    from giamsat.environment.stations import upsert_station

    store = state(ctx).store()
    data = {
        "code": code,
        "name": name,
        "component": component,
        "lat": lat,
        "lon": lon,
        "province_name": province_name,
        "expected_interval_s": interval,
        "utc_offset_min": utc_offset,
        "permit_standard": standard,
        "permit_column": column,
        "permit_coefficients": ";".join(coefficient or []),
        "published": "1" if published else "",
    }
    try:
        with store.write() as conn:
            station_id = upsert_station(conn, data)
    except ValueError as exc:
        fail(str(exc))
    print_json_line({"id": station_id, "code": code})


@station_app.command("import")
def station_import(
    ctx: typer.Context, file: Path = typer.Argument(..., exists=True, dir_okay=False)
) -> None:
    """Register stations from a CSV (code,name,component,lat,lon,province_name,…)."""
    from giamsat.environment.stations import read_station_csv, upsert_station

    store = state(ctx).store()
    rows = read_station_csv(file.read_text("utf-8"))
    done, errors = 0, 0
    with store.write() as conn:
        for number, row in enumerate(rows, start=2):
            try:
                upsert_station(conn, row)
                done += 1
            except (ValueError, KeyError) as exc:
                errors += 1
                typer.echo(f"{file}:{number}: error: {exc}", err=True)
    print_json_line({"stations": done, "errors": errors})


@station_app.command("list")
def station_list(
    ctx: typer.Context,
    unregistered: bool = typer.Option(
        False, help="Only stations created from files, not yet completed."
    ),
) -> None:
    """Stations as JSON lines."""
    from sqlalchemy import select

    from giamsat.environment.schema import stations

    store = state(ctx).store()
    query = select(stations).order_by(stations.c.code)
    if unregistered:
        query = query.where(stations.c.registered.is_(False))
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            print_json_line(
                {
                    "code": r.code,
                    "name": r.name,
                    "component": r.component,
                    "province": r.province_code,
                    "lat": r.lat,
                    "lon": r.lon,
                    "registered": r.registered,
                    "permit": {
                        "standard": r.permit_standard,
                        "column": r.permit_column,
                        "coefficients": r.permit_coefficients,
                    },
                    "last_file_at": r.last_file_at,
                }
            )


@account_app.command("add")
def account_add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    station: list[str] = typer.Option(
        ..., "--station", help="Station code or prefix* it may upload for."
    ),
    home: str = typer.Option(None, help="Folder under the inbox (default: the username)."),
    password: str = typer.Option(
        None, help="Default: a generated one, printed once.", envvar="GIAMSAT_ACCOUNT_PASSWORD"
    ),
) -> None:
    """Create an upload account (argon2-hashed password)."""
    from giamsat.core.auth import generate_password
    from giamsat.environment.accounts import add_account

    store = state(ctx).store()
    secret = password or generate_password()
    try:
        account = add_account(store, username, secret, station, home)
    except ValueError as exc:
        fail(str(exc))
    out = {"username": account.username, "home": account.home, "stations": list(account.stations)}
    if not password:
        out["password"] = secret  # shown once, never stored in clear
    print_json_line(out)


@account_app.command("list")
def account_list(ctx: typer.Context) -> None:
    """Upload accounts as JSON lines (no secrets)."""
    from giamsat.environment.accounts import list_accounts

    for account in list_accounts(state(ctx).store()):
        typer.echo(
            json.dumps(
                {
                    "username": account.username,
                    "home": account.home,
                    "stations": list(account.stations),
                }
            )
        )
