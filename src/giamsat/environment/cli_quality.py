"""``giamsat env aqi|qc|limits|status|completeness|exceedances|check`` (issue 3 commands)."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import typer

from giamsat.cliutil import fail, print_json_line, state
from giamsat.environment.cli import env_app

qc_app = typer.Typer(help="Automatic QC: re-run, manual flags, reasons.", no_args_is_help=True)
limits_app = typer.Typer(help="QCVN limit tables (data, editable).", no_args_is_help=True)
env_app.add_typer(qc_app, name="qc")
env_app.add_typer(limits_app, name="limits")


def _time(text: str | None, end: bool = False) -> int | None:
    from giamsat.environment.export import parse_time

    if text is None:
        return None
    try:
        return parse_time(text, 7, end=end)
    except ValueError as exc:
        fail(str(exc))
    return None


def _period(start: str | None, end: str | None, default_days: int = 1) -> tuple[int, int]:
    b = _time(end, end=True) or int(time.time())
    a = _time(start) or b - default_days * 86400
    if b <= a:
        fail("--to must be after --from")
    return a, b


def _write_rows(rows: list[dict[str, Any]], fmt: str, output: Path | None) -> None:
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "csv":
            if rows:
                writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                for r in rows:
                    writer.writerow(
                        {
                            k: json.dumps(v) if isinstance(v, list | dict) else v
                            for k, v in r.items()
                        }
                    )
        elif fmt == "jsonl":
            for r in rows:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            fail(f"unknown format {fmt!r}: csv or jsonl")
    finally:
        if output:
            out.close()


# --- VN_AQI ---------------------------------------------------------------------------------
@env_app.command("aqi")
def env_aqi(
    input: Path = typer.Option(
        ..., "--input", help="CSV: station,time,parameter,value (hourly µg/m³)."
    ),
    daily: bool = typer.Option(False, "--daily", help="Daily AQI (station,date,aqi,dominant)."),
    fmt: str = typer.Option("csv", "--format", help="csv"),
    output: Path = typer.Option(None, "-o", "--output", help="Output file (default stdout)."),
) -> None:
    """VN_AQI (QĐ 1459/QĐ-TCMT) from hourly means: one row per computable AQI."""
    from giamsat.environment import aqi_csv

    if fmt.lower() != "csv":
        fail(f"unknown format {fmt!r}: only csv")
    try:
        text = input.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {input}: {exc}")
    table = aqi_csv.read(text)
    for p in table.problems:
        typer.echo(f"{input}:{p.line}: error: {p.message}", err=True)
    for reason, count in sorted(table.ignored.items()):
        typer.echo(f"{input}: note: {count} row(s) ignored: {reason}", err=True)
    rows = aqi_csv.daily_rows(table) if daily else aqi_csv.hourly_rows(table)
    if output is None:
        aqi_csv.write_csv(rows, daily, sys.stdout)
    else:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            aqi_csv.write_csv(rows, daily, fh)
    typer.echo(
        f"{table.rows} input rows, {len(table.problems)} with errors, {len(rows)} AQI rows",
        err=True,
    )
    if table.problems and not rows:
        raise typer.Exit(1)


@env_app.command("aqi-rebuild")
def env_aqi_rebuild(
    ctx: typer.Context,
    station: list[str] = typer.Option(None, "--station", help="Station code (repeatable)."),
) -> None:
    """Recompute the stored hourly and daily AQI of ambient-air stations from the rollups."""
    from giamsat.environment.aqi import rebuild

    print_json_line({"stations": rebuild(state(ctx).store(), station or None)})


# --- QC -------------------------------------------------------------------------------------
def _series_id(conn: Any, station: str, parameter: str) -> int:
    from sqlalchemy import select

    from giamsat.environment.catalog import default_catalog
    from giamsat.environment.schema import parameters, series, stations

    code = default_catalog().canonical_name(parameter) or parameter
    sid = conn.execute(
        select(series.c.id)
        .join(stations, stations.c.id == series.c.station_id)
        .join(parameters, parameters.c.id == series.c.parameter_id)
        .where(stations.c.code == station, parameters.c.code == code)
    ).scalar()
    if sid is None:
        fail(f"station {station} has no channel {code}")
    return int(sid)


@qc_app.command("rerun")
def qc_rerun(
    ctx: typer.Context,
    station: list[str] = typer.Option(None, "--station", help="Station code (repeatable)."),
    start: str = typer.Option(..., "--from", help="Start (ISO 8601, local time if no offset)."),
    end: str = typer.Option(..., "--to", help="End (a bare date includes that day)."),
    by: str = typer.Option("cli", "--by", help="Who runs it (recorded)."),
) -> None:
    """Re-run QC over a period; flags, rollups, completeness and AQI follow."""
    from sqlalchemy import select

    from giamsat.environment.qc_store import rerun
    from giamsat.environment.schema import stations

    a, b = _period(start, end)
    store = state(ctx).store()
    with store.write() as conn:
        ids = None
        if station:
            ids = list(
                conn.execute(select(stations.c.id).where(stations.c.code.in_(station))).scalars()
            )
            if len(ids) != len(set(station)):
                fail("unknown station code(s)")
        summary = rerun(
            conn, station_ids=ids, start=a, end=b, actor=by, station_codes=station or None
        )
    print_json_line(summary)


@qc_app.command("flag")
def qc_flag(
    ctx: typer.Context,
    station: str = typer.Option(..., "--station"),
    parameter: str = typer.Option(..., "--parameter"),
    start: str = typer.Option(..., "--from"),
    end: str = typer.Option(..., "--to"),
    flag: int = typer.Option(
        ..., "--flag", help="1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing."
    ),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit trail)."),
    by: str = typer.Option(..., "--by", help="Who sets it."),
) -> None:
    """Set flags by hand for a period (overrides the automatic QC until revoked)."""
    from giamsat.environment.qc_store import add_override

    a, b = _time(start), _time(end, end=True)
    store = state(ctx).store()
    try:
        with store.write() as conn:
            oid = add_override(
                conn,
                series_id=_series_id(conn, station, parameter),
                start=a,
                end=b,
                flag=flag,
                reason=reason,
                actor=by,
            )
    except ValueError as exc:
        fail(str(exc))
    print_json_line({"override": oid})


@qc_app.command("unflag")
def qc_unflag(
    ctx: typer.Context,
    override_id: int = typer.Argument(..., help="Id printed by `qc flag`."),
    reason: str = typer.Option(..., "--reason"),
    by: str = typer.Option(..., "--by"),
) -> None:
    """Revoke a manual flag (the record stays, with who revoked it and why)."""
    from giamsat.environment.qc_store import revoke_override

    store = state(ctx).store()
    try:
        with store.write() as conn:
            revoke_override(conn, override_id, actor=by, reason=reason)
    except (ValueError, LookupError) as exc:
        fail(str(exc))
    print_json_line({"revoked": override_id})


@qc_app.command("show")
def qc_show(
    ctx: typer.Context,
    station: str = typer.Option(..., "--station"),
    parameter: str = typer.Option(..., "--parameter"),
    start: str = typer.Option(None, "--from"),
    end: str = typer.Option(None, "--to"),
) -> None:
    """Values that did not simply pass, with the tests that flagged them (JSON lines)."""
    from giamsat.environment.qc_store import flag_reasons

    a, b = _period(start, end)
    store = state(ctx).store()
    with store.engine.connect() as conn:
        for row in flag_reasons(conn, _series_id(conn, station, parameter), a, b):
            print_json_line(row)


# --- completeness, status, exceedances ------------------------------------------------------
@env_app.command("completeness")
def env_completeness(
    ctx: typer.Context,
    station: list[str] = typer.Option(None, "--station"),
    start: str = typer.Option(None, "--from"),
    end: str = typer.Option(None, "--to"),
    period: str = typer.Option("day", "--period", help="day or month"),
    late_hours: float = typer.Option(1.0, "--late-hours", help="A value is late after this."),
    below: bool = typer.Option(False, "--below-target", help="Only stations under the target."),
    target: float = typer.Option(None, "--target", help="Target percent (settings: 80)."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
    output: Path = typer.Option(None, "-o", "--output"),
) -> None:
    """Transmission rate per station, parameter and day or month (OpenAQ coverage fields)."""
    from giamsat.environment.completeness import below_target, completeness

    app = state(ctx)
    a, b = _period(start, end)
    store = app.store()
    if below:
        goal = app.settings.completeness_target_percent if target is None else target
        rows = below_target(store, a, b, goal, station_codes=station or None)
    else:
        try:
            rows = completeness(store, station or None, a, b, period, late_hours=late_hours)
        except ValueError as exc:
            fail(str(exc))
    _write_rows(rows, fmt, output)


@env_app.command("status")
def env_status(ctx: typer.Context, station: list[str] = typer.Option(None, "--station")) -> None:
    """Live status per station (JSON lines); the last line is the dashboard summary."""
    from giamsat.environment.status import station_statuses, status_summary

    app = state(ctx)
    statuses = station_statuses(app.store(), station_codes=station or None, settings=app.settings)
    for s in statuses:
        print_json_line(s.as_dict())
    print_json_line(status_summary(statuses))


@env_app.command("exceedances")
def env_exceedances(
    ctx: typer.Context,
    station: list[str] = typer.Option(None, "--station"),
    start: str = typer.Option(None, "--from"),
    end: str = typer.Option(None, "--to"),
    days: int = typer.Option(0, "--days", help="Only runs of at least this many consecutive days."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
    output: Path = typer.Option(None, "-o", "--output"),
) -> None:
    """Exceedance episodes (start, end, peak, ratio), or runs of consecutive days."""
    from giamsat.environment.exceedance import exceedance_days, exceedance_episodes

    a, b = _period(start, end, default_days=7)
    store = state(ctx).store()
    if days > 0:
        rows = exceedance_days(store, station or None, a, b, days)
    else:
        rows = exceedance_episodes(store, station or None, a, b)
    _write_rows(rows, fmt, output)


@env_app.command("check")
def env_check(ctx: typer.Context) -> None:
    """Periodic checks (run every few minutes): silence alerts; prints what changed."""
    from giamsat.environment.status import update_silence_alerts

    app = state(ctx)
    print_json_line({"silence": update_silence_alerts(app.store(), settings=app.settings)})


# --- limits ---------------------------------------------------------------------------------
@limits_app.command("list")
def limits_list(
    ctx: typer.Context,
    station: str = typer.Option(None, "--station", help="The limits that apply to a station."),
    standard: str = typer.Option(None, "--standard"),
) -> None:
    """Limit rows (JSON lines): the tables, or what applies to a station today."""
    from sqlalchemy import select

    from giamsat.environment.exceedance import station_limits
    from giamsat.environment.limits import sync_package_limits
    from giamsat.environment.quality_schema import limit_values

    store = state(ctx).store()
    if station:
        try:
            for row in station_limits(store, station):
                print_json_line(row)
        except LookupError as exc:
            fail(str(exc))
        return
    with store.write() as conn:
        sync_package_limits(conn)
        query = select(limit_values).order_by(
            limit_values.c.standard, limit_values.c.col, limit_values.c.parameter
        )
        if standard:
            query = query.where(limit_values.c.standard == standard)
        for r in conn.execute(query):
            print_json_line({k: v for k, v in r._mapping.items() if k != "id"})


@limits_app.command("set")
def limits_set(
    ctx: typer.Context,
    standard: str = typer.Argument(..., help="e.g. QCVN40_2011"),
    column: str = typer.Argument(..., help="e.g. B (use '' for none)"),
    parameter: str = typer.Argument(..., help="e.g. COD"),
    averaging: str = typer.Option("1h", help="instant, 1h, 8h, 24h or year"),
    min_value: float = typer.Option(None, "--min"),
    max_value: float = typer.Option(None, "--max"),
    effective_from: int = typer.Option(0, "--from-day", help="yyyymmdd (0: always)"),
    note: str = typer.Option("", "--note", help="Source or reason (kept with the row)."),
    by: str = typer.Option(..., "--by", help="Who edits it."),
) -> None:
    """Edit or add a limit value (kept when the package's tables are updated)."""
    from giamsat.environment.limits import set_limit

    store = state(ctx).store()
    try:
        with store.write() as conn:
            row_id = set_limit(
                conn,
                standard=standard,
                column=column,
                parameter=parameter,
                averaging=averaging,
                min=min_value,
                max=max_value,
                actor=by,
                note=note,
                effective_from=effective_from,
            )
    except ValueError as exc:
        fail(str(exc))
    print_json_line({"id": row_id})
