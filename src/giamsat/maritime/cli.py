"""``giamsat ais …`` commands."""

from __future__ import annotations

import typer

ais_app = typer.Typer(help="AIS: decode NMEA logs, run the monitoring rules.", no_args_is_help=True)
