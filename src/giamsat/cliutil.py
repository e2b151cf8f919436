"""Shared plumbing for the command-line sub-apps: settings, store, output conventions."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import typer

from giamsat.config import Settings, load_settings


@dataclass
class AppState:
    db_url: str | None = None
    home: str | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _store: Any = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(home=self.home, db_url=self.db_url)
        return self._settings

    def store(self, upgrade: bool = True) -> Any:
        """The store, migrated to the latest schema on first use (embedded mode just works)."""
        if self._store is None:
            from giamsat.core.store import Store

            self._store = Store.from_settings(self.settings)
            if upgrade:
                self._store.upgrade()
        return self._store


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def print_json_line(data: dict[str, Any]) -> None:
    """One JSON object on one stdout line (the last line is what scripts read)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(", ", ": ")) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
