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


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help="admin, ministry, province, enterprise or operator."),
    province: str = typer.Option(None, help="Province code (province users)."),
    organisation: str = typer.Option(
        None, help="Organisation code (enterprise users); created if new."
    ),
    name: str = typer.Option("", help="Display name."),
    password: str = typer.Option(
        None, help="Default: a generated one, printed once.", envvar="GIAMSAT_USER_PASSWORD"
    ),
) -> None:
    """Create a web user (argon2-hashed password)."""
    from pydantic import ValidationError
    from sqlalchemy import select

    from giamsat.cliutil import fail
    from giamsat.core.store.schema import organisations
    from giamsat.environment.stations import ensure_province
    from giamsat.web.routers.admin import UserIn, create_user

    store = state(ctx).store()
    try:
        data = UserIn(
            username=username,
            role=role,
            password=password,
            province=province,
            organisation=organisation,
            display_name=name,
        )
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
    try:
        with store.write() as conn:
            if province:
                ensure_province(conn, province)
            if (
                organisation
                and not conn.execute(
                    select(organisations.c.id).where(organisations.c.code == organisation)
                ).first()
            ):
                kind = (
                    role
                    if role in ("ministry", "province", "enterprise", "operator")
                    else "enterprise"
                )
                conn.execute(
                    organisations.insert().values(code=organisation, name=organisation, kind=kind)
                )
            user_id, secret = create_user(conn, data)
    except ValueError as exc:
        fail(str(exc))
    out = {"id": user_id, "username": username, "role": role}
    if not password:
        out["password"] = secret  # shown once, never stored in clear
    print_json_line(out)


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """Web users as JSON lines (no secrets)."""
    from giamsat.web.routers.admin import _user_rows

    store = state(ctx).store()
    with store.engine.connect() as conn:
        for row in _user_rows(conn):
            row["created_at"] = row["created_at"].isoformat()
            print_json_line(row)


@user_app.command("token")
def user_token(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    name: str = typer.Option("cli", help="What the token is for."),
    days: int = typer.Option(None, help="Lifetime in days (default: until revoked)."),
) -> None:
    """Create an API bearer token for a user; the secret is printed once."""
    from sqlalchemy import select

    from giamsat.cliutil import fail
    from giamsat.core.store.schema import users
    from giamsat.web.auth import create_token

    store = state(ctx).store()
    with store.engine.connect() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        fail(f"no user {username!r}")
    token_id, secret = create_token(store, user_id, name, days)
    print_json_line({"id": token_id, "username": username, "token": secret})
