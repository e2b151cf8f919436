"""``giamsat enc …`` commands."""

from __future__ import annotations

import typer

enc_app = typer.Typer(help="Electronic navigational charts (S-57).", no_args_is_help=True)
