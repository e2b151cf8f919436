"""``giamsat db …`` and ``giamsat user …``."""

from __future__ import annotations

import typer

from giamsat.cliutil import print_json_line, state

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Web users.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Apply schema migrations up to REVISION (default: the latest)."""
    from giamsat.core.store.migrate import current

    store = state(ctx).store(upgrade=False)
    store.upgrade(revision)
    print_json_line(
        {"database": store.engine.url.render_as_string(), "revision": current(store.engine)}
    )


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database."""
    from giamsat.core.store.migrate import current

    store = state(ctx).store(upgrade=False)
    print_json_line({"revision": current(store.engine)})
