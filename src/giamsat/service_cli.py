"""``giamsat serve`` and ``giamsat demo``."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer

from giamsat.cliutil import state


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("pyftpdlib", "asyncssh", "nats", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def _run_until_signalled(service) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await service.start()
    try:
        await stop.wait()
    finally:
        await service.stop()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        ftp_port: int = typer.Option(None, help="FTP/FTPS port (default 2121)."),
        sftp_port: int = typer.Option(None, help="SFTP port (default 2222)."),
        web_port: int = typer.Option(None, help="Web port (default 8080)."),
        bus: str = typer.Option(None, help="embedded (default) or nats."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ) -> None:
        """Run every service the configuration enables (receivers, workers, relay, web)."""
        from dataclasses import replace

        from giamsat.service import Service

        _configure_logging(verbose)
        app_state = state(ctx)
        settings = app_state.settings
        overrides = {"ftp_port": ftp_port, "sftp_port": sftp_port, "web_port": web_port, "bus": bus}
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        service = Service(settings)
        asyncio.run(_run_until_signalled(service))

    @app.command("demo")
    def demo(
        ctx: typer.Context,
        port: int = typer.Option(8080, "--port", help="Web port."),
        no_open: bool = typer.Option(False, "--no-open", help="Do not open a browser."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ) -> None:
        """The whole product on the embedded store, with simulated stations and AIS traffic."""
        from giamsat.demo import run_demo

        _configure_logging(verbose)
        logging.getLogger("giamsat").setLevel(logging.DEBUG if verbose else logging.WARNING)
        asyncio.run(run_demo(state(ctx).settings, port, not no_open))
