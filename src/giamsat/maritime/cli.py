"""``giamsat ais …`` commands."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import typer

ais_app = typer.Typer(help="AIS: decode NMEA logs, run the monitoring rules.", no_args_is_help=True)

FORMATS = ("jsonl", "gpsd", "gpsd-raw", "csv", "parquet")
VOLUMES = ("lines", "sentences", "fragments", "messages", "payloads", "payload_fragments")
CHUNK = 8 << 20  # bytes per batch when writing Parquet


def _open(path: str, stack: ExitStack) -> tuple[IO[bytes], int]:
    """A binary stream for a file, a .gz file or '-' (stdin), and its size when known."""
    if path == "-":
        raw: IO[bytes] = sys.stdin.buffer
        size = 0
    else:
        raw = stack.enter_context(open(path, "rb"))  # noqa: SIM115 - closed by the stack
        size = Path(path).stat().st_size
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head == b"\x1f\x8b":
        return stack.enter_context(gzip.open(raw, "rb")), size
    return raw, size


class _Progress:
    """Bytes read, as a rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.bar = None
        if sys.stderr.isatty() and total:
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

            self.bar = Progress(
                "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                TimeRemainingColumn(), console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("decoding", total=total)

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _raw_position(stream: IO[bytes]) -> int:
    """How far into the file (compressed bytes for .gz) a reader is, for the progress bar."""
    inner = getattr(stream, "fileobj", None) or getattr(stream, "_fp", None)
    target = inner if inner is not None else stream
    try:
        return target.tell()
    except (OSError, ValueError):
        return 0


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """Blocks of whole lines."""
    rest = b""
    while True:
        block = stream.read(CHUNK)
        if not block:
            break
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]
    if rest:
        yield rest


@ais_app.command("decode")
def decode(
    ctx: typer.Context,
    files: list[str] = typer.Argument(None, help="NMEA logs (plain or .gz); '-' or none: stdin."),
    fmt: str = typer.Option(
        "jsonl", "--format", "-f", help="jsonl | gpsd | gpsd-raw | csv | parquet."
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    keep_bad_checksum: bool = typer.Option(
        False, "--keep-bad-checksum", help="Decode sentences whose checksum fails (counted)."
    ),
    asm: list[str] = typer.Option(
        None, "--asm", help="Decode a DAC/FI with a known layout, e.g. 6:574:10=gla_aton_monitor."
    ),
    max_problems: int = typer.Option(
        20, "--max-problems", help="Problem lines printed on stderr (the counts are complete)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary on stderr."),
) -> None:
    """Decode AIS NMEA logs. Problems are counted by kind and summarised on stderr."""
    from giamsat.cliutil import state
    from giamsat.maritime.ais.asm import registry_from_settings
    from giamsat.maritime.ais.stream import ERROR_KINDS, Issue, StreamDecoder

    if fmt not in FORMATS:
        typer.echo(f"error: unknown format {fmt!r} (use {', '.join(FORMATS)})", err=True)
        raise typer.Exit(2)
    paths = files or ["-"]
    missing = [p for p in paths if p != "-" and not Path(p).is_file()]
    if missing:
        typer.echo(f"error: no such file: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    try:
        registry = registry_from_settings(state(ctx).settings)
        for spec in asm or []:
            registry.alias_spec(spec)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if fmt == "parquet" and output is None and sys.stdout.isatty():
        typer.echo("error: Parquet is binary; give -o FILE or redirect stdout", err=True)
        raise typer.Exit(2)

    shown = 0

    def on_error(issue: Issue) -> None:
        nonlocal shown
        if quiet or issue.kind not in ERROR_KINDS:
            return
        shown += 1
        if shown <= max_problems:
            text = f" [{issue.text[:90]}]" if issue.text else ""
            typer.echo(f"{issue}{text}", err=True)

    totals: dict[str, int] = {}
    total_size = sum(Path(p).stat().st_size for p in paths if p != "-")
    progress = _Progress(total_size)
    with ExitStack() as stack:
        out = stack.enter_context(open(output, "wb")) if output is not None else sys.stdout.buffer
        parquet = None
        if fmt == "parquet":
            from giamsat.maritime.ais.output import Parquet

            parquet = Parquet(out)
        for path in paths:
            stream, _ = _open(path, stack)
            source = "" if path == "-" else Path(path).name
            decoder = StreamDecoder(
                mode="bits" if fmt.startswith("gpsd") else "scaled",
                keep_bad_checksum=keep_bad_checksum,
                registry=registry,
                on_error=on_error,
            )
            if parquet is not None:
                _decode_parquet(stream, decoder, source, parquet, progress)
            else:
                _decode_text(stream, decoder, source, fmt, out, registry, progress, totals)
            for key, value in decoder.counters.items():
                totals[key] = totals.get(key, 0) + value
        if parquet is not None:
            parquet.close()
        out.flush()
    progress.close()
    _summary(totals, shown, max_problems, quiet)


def _decode_parquet(
    stream: IO[bytes], decoder: Any, source: str, writer: Any, progress: Any
) -> None:
    from giamsat.maritime.ais.batch import decode_batch

    done = 0
    for block in _chunks(stream):
        batch = decode_batch(block, source=source, stream=decoder, final=False)
        writer.write_table(batch.to_table(writer.schema))
        pos = _raw_position(stream)
        progress.advance(max(pos - done, 0))
        done = max(done, pos)
    decoder.flush()


def _decode_text(
    stream: IO[bytes],
    decoder: Any,
    source: str,
    fmt: str,
    out: IO[bytes],
    registry: Any,
    progress: Any,
    totals: dict[str, int],
) -> None:
    from giamsat.maritime.ais.output import Csv, JsonLines

    gpsd = None
    if fmt.startswith("gpsd"):
        from giamsat.maritime.ais.gpsd import GpsdWriter

        gpsd = GpsdWriter(scaled=fmt == "gpsd", registry=registry)
        write = None
    else:
        writer = JsonLines(out) if fmt == "jsonl" else Csv(out)
        write = writer.write
    feed = decoder.feed
    done = 0
    for count, line in enumerate(stream, 1):
        for msg in feed(line, source):
            if gpsd is not None:
                text = gpsd.line(msg.bits, msg.nbits, msg.channel)
                if text is not None:
                    out.write(text.encode("ascii", "backslashreplace") + b"\r\n")  # as gpsd
            else:
                write(msg)
        if count % 4096 == 0:
            pos = _raw_position(stream)
            progress.advance(max(pos - done, 0))
            done = max(done, pos)
    decoder.flush()
    if gpsd is not None and gpsd.unpaired_24:
        totals["gpsd_unpaired_type24"] = totals.get("gpsd_unpaired_type24", 0) + gpsd.unpaired_24
    if gpsd is None:
        writer.close()


def _summary(totals: dict[str, int], shown: int, max_problems: int, quiet: bool) -> None:
    import json

    from giamsat.maritime.ais.stream import ERROR_KINDS

    if shown > max_problems and not quiet:
        typer.echo(f"... {shown - max_problems} more problems not shown", err=True)
    errors = {k: v for k, v in totals.items() if k in ERROR_KINDS and v}
    notices = {k: v for k, v in totals.items() if k not in ERROR_KINDS and v
               and k not in VOLUMES}  # fmt: skip
    typer.echo(
        f"{totals.get('lines', 0)} lines, {totals.get('sentences', 0)} sentences, "
        f"{totals.get('messages', 0)} messages; "
        f"{sum(errors.values())} problems"
        + (": " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) if errors else ""),
        err=True,
    )
    if notices:
        typer.echo("notes: " + ", ".join(f"{k} {v}" for k, v in sorted(notices.items())), err=True)
    summary = {
        "lines": totals.get("lines", 0),
        "sentences": totals.get("sentences", 0),
        "messages": totals.get("messages", 0),
        "errors": errors,
        "notices": notices,
    }
    typer.echo(json.dumps(summary, separators=(",", ":")), err=True)


@ais_app.command("import")
def import_tracks(
    files: list[Path] = typer.Argument(
        ..., help="DMA or MarineCadastre CSV files (.csv/.gz/.zst)."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Parquet file of tracks."),
    kind: str = typer.Option(None, "--from", help="dma | noaa (default: from the header)."),
    keep_duplicates: bool = typer.Option(False, "--keep-duplicates", help="Keep repeated rows."),
) -> None:
    """Import public AIS CSV data sets into our Parquet track format; JSON summary last."""
    import json

    from giamsat.maritime.importers import import_csv, write_parquet

    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        typer.echo(f"error: no such file: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    if kind not in (None, "dma", "noaa"):
        typer.echo("error: --from is dma or noaa", err=True)
        raise typer.Exit(2)
    try:
        result = import_csv(files, kind, dedupe=not keep_duplicates)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for problem in result.problems[:20]:
        typer.echo(problem, err=True)
    if len(result.problems) > 20:
        typer.echo(f"... {len(result.problems) - 20} more problems not shown", err=True)
    write_parquet(result.table, output)
    typer.echo(json.dumps(result.summary()))


@ais_app.command("events")
def events(
    ctx: typer.Context,
    files: list[str] = typer.Argument(..., help="NMEA logs (plain or .gz; '-' = stdin)."),
    zones: Path = typer.Option(
        None, "--zones", help="GeoJSON zones (properties: name, kind, speed_limit_kn)."
    ),
    atons: Path = typer.Option(None, "--atons", help="AtoN CSV: mmsi,name,lat,lon,radius_m."),
    speed_limit: float = typer.Option(
        None, "--speed-limit", min=0, help="Speed limit everywhere, knots."
    ),
    lost_after: float = typer.Option(
        None, "--lost-after", min=0, help="AtoN silence (minutes) that is a lost signal."
    ),
    low_voltage: float = typer.Option(
        None, "--low-voltage", min=0, help="AtoN supply voltage (V) below which it is low."
    ),
    all_events: bool = typer.Option(
        False, "--all", help="Also the ends of conditions, racon errors and health alarms."
    ),
    asm: list[str] = typer.Option(
        None, "--asm", help="Decode a DAC/FI with a known layout, e.g. 6:574:10=gla_aton_monitor."
    ),
    dedupe_seconds: float = typer.Option(
        2.0, "--dedupe-seconds", min=0, help="Same message from another receiver within: once."
    ),
    max_problems: int = typer.Option(20, "--max-problems", help="Problem lines on stderr."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary on stderr."),
) -> None:
    """Run the monitoring rules over NMEA logs; print one JSON line per event.

    Events: zone_enter, zone_exit (with "zone"), speeding, aton_off_position, aton_low_voltage,
    aton_light_failure, lost_signal; "time" is the message's tag-block time in ISO 8601 UTC.
    Several files are merged by time. A summary JSON line goes to stderr.
    """
    from giamsat.cliutil import state
    from giamsat.maritime.ais.asm import registry_from_settings
    from giamsat.maritime.atons import read_aton_csv
    from giamsat.maritime.events_cmd import ALL_TYPES, CONTRACT_TYPES, EventRun, run_events
    from giamsat.maritime.rules import RuleSettings
    from giamsat.maritime.zones import ZoneError, read_zones

    missing = [p for p in files if p != "-" and not Path(p).is_file()]
    for path in (zones, atons):
        if path is not None and not path.is_file():
            missing.append(str(path))
    if missing:
        typer.echo(f"error: no such file: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    run = EventRun(
        settings=RuleSettings(
            speed_limit_kn=speed_limit, lost_after_min=lost_after, low_voltage=low_voltage
        ),
        dedupe_seconds=dedupe_seconds,
        types=ALL_TYPES if all_events else CONTRACT_TYPES,
    )
    try:
        run.registry = registry_from_settings(state(ctx).settings)
        for spec in asm or []:
            run.registry.alias_spec(spec)
        if zones is not None:
            skipped: list[str] = []
            run.zones = read_zones(zones, skipped)
            for note in skipped:
                typer.echo(f"{zones}: {note}", err=True)
    except (ValueError, ZoneError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if atons is not None:
        run.atons, problems = read_aton_csv(atons)
        if problems:
            for problem in problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
    run_events(run, files, sys.stdout, sys.stderr, max_problems, quiet)
    sys.stdout.flush()


def _register_management() -> None:
    from giamsat.maritime.cli_manage import register

    register(ais_app)


_register_management()
