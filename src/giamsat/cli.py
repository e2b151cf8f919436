"""The one command-line entry point: ``giamsat [--db URL] <group> <command>``."""

from __future__ import annotations

import typer

from giamsat import __version__
from giamsat.cliutil import AppState

app = typer.Typer(
    name="giamsat",
    help="Giám sát: remote monitoring of environmental stations and maritime AIS/ENC.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"giamsat {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar="GIAMSAT_DB_URL", help="Database URL."),
    home: str = typer.Option(None, "--home", envvar="GIAMSAT_HOME", help="Data folder (./var)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    ctx.obj = AppState(db_url=db, home=home)


def _register() -> None:
    from giamsat.core.cli import db_app, user_app
    from giamsat.core.notify.cli import notify_app
    from giamsat.environment import cli_quality  # noqa: F401  (env aqi, qc, limits, status …)
    from giamsat.environment.cli import account_app, env_app, station_app
    from giamsat.maritime.cli import ais_app
    from giamsat.maritime.enc.cli import enc_app
    from giamsat.service_cli import register as register_service

    app.add_typer(env_app, name="env")
    app.add_typer(station_app, name="station")
    app.add_typer(account_app, name="account")
    app.add_typer(ais_app, name="ais")
    app.add_typer(enc_app, name="enc")
    app.add_typer(db_app, name="db")
    app.add_typer(user_app, name="user")
    register_service(app)
    app.add_typer(notify_app, name="notify")


_register()


def main() -> None:
    app()
