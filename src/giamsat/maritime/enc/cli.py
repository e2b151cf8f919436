"""``giamsat enc …`` commands: import, list, remove, atons."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from giamsat.cliutil import fail, print_json_line, state

enc_app = typer.Typer(help="Electronic navigational charts (S-57).", no_args_is_help=True)


def _library(ctx: typer.Context):
    from giamsat.maritime.enc.catalog import ChartLibrary

    app = state(ctx)
    return ChartLibrary(app.store(), app.settings.home)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"


@enc_app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Cells (.000 + updates), folders or CATALOG.031."),
    permit: Path = typer.Option(None, "--permit", help="S-63 permit file (PERMIT.TXT)."),
    hw_id: str = typer.Option(None, "--hw-id", envvar="GIAMSAT_S63_HW_ID", help="S-63 HW_ID."),
    force: bool = typer.Option(False, "--force", help="Rebuild tiles of unchanged cells too."),
) -> None:
    """Import cells; the last stdout line is a JSON summary of the cells now in the library."""
    from giamsat.maritime.enc.importer import Importer

    report = Importer(_library(ctx), permit=permit, hw_id=hw_id, force=force).run(paths)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        typer.echo(f"error: {error}", err=True)
    for cell in report.cells:
        typer.echo(
            f"{cell.name}: edition {cell.edition} update {cell.update} {cell.status}; "
            f"{sum(cell.features.values())} features; tiles z{cell.min_zoom}-{cell.max_zoom} "
            f"{cell.tile_count} tiles {_mb(cell.tile_bytes)} (largest {cell.largest_tile // 1000} kB) "
            f"in {cell.seconds:.1f} s"
        )
    print_json_line({"cells": [c.summary() for c in report.cells]})
    if report.errors:
        raise typer.Exit(1)


@enc_app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per cell."),
) -> None:
    """The imported cells."""
    cells = _library(ctx).cells()
    for c in cells:
        if as_json:
            keep = {k: v for k, v in c.items() if k not in ("coverage", "symbols", "files", "id")}
            keep["imported_at"] = c["imported_at"].isoformat()
            typer.echo(json.dumps(keep, ensure_ascii=False))
        else:
            typer.echo(
                f"{c['name']}\tedition {c['edition']}\tupdate {c['update_number']}\t"
                f"issued {c['issue_date']}\tband {c['usage_band']}\t1:{c['compilation_scale']}\t"
                f"{c['west']:.4f},{c['south']:.4f},{c['east']:.4f},{c['north']:.4f}\t"
                f"{_mb(c['tile_bytes'])}"
            )
    if not cells and not as_json:
        typer.echo("no cells imported (giamsat enc import PATH)")


@enc_app.command("remove")
def remove_cmd(ctx: typer.Context, names: list[str] = typer.Argument(...)) -> None:
    """Remove cells (their files and catalogue rows)."""
    library = _library(ctx)
    missing = [n for n in names if not library.remove(n)]
    for n in names:
        if n not in missing:
            typer.echo(f"removed {n.upper()}")
    if missing:
        fail(f"no such cell: {', '.join(missing)}", code=1)


@enc_app.command("atons")
def atons_cmd(
    ctx: typer.Context,
    cell: str = typer.Option(None, "--cell", help="Only this cell."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or geojson."),
) -> None:
    """Buoys, beacons and lights charted in the imported cells (for the AtoN registry)."""
    from giamsat.maritime.enc.aton import as_geojson

    atons = _library(ctx).atons(cell)
    if fmt == "geojson":
        typer.echo(json.dumps(as_geojson(atons), ensure_ascii=False))
    elif fmt == "jsonl":
        for a in atons:
            typer.echo(json.dumps(a, ensure_ascii=False))
    else:
        fail(f"unknown format {fmt!r} (jsonl or geojson)")
