"""``giamsat ais events``: the monitoring rules over archived NMEA logs, one JSON line per event.

The same :class:`~giamsat.maritime.engine.Engine` the live service runs, fed from files
instead of sockets. Stdout carries only events; problems and the summary go to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO, Any

from giamsat.maritime.ais.asm import AsmRegistry
from giamsat.maritime.ais.stream import ERROR_KINDS, Issue
from giamsat.maritime.atons import AtonConfig
from giamsat.maritime.engine import Engine
from giamsat.maritime.replay import merged_lines
from giamsat.maritime.rules import ALL_TYPES, CONTRACT_TYPES, Rules, RuleSettings
from giamsat.maritime.zones import Zone, ZoneIndex


@dataclass
class EventRun:
    zones: list[Zone] = field(default_factory=list)
    atons: list[AtonConfig] = field(default_factory=list)
    settings: RuleSettings = field(default_factory=RuleSettings)
    registry: AsmRegistry | None = None
    dedupe_seconds: float = 2.0
    types: Iterable[str] = CONTRACT_TYPES

    def engine(self, on_error: Any = None) -> Engine:
        rules = Rules(ZoneIndex(self.zones), self.atons, self.settings)
        return Engine(
            rules, registry=self.registry, dedupe_seconds=self.dedupe_seconds, on_error=on_error
        )


def run_events(
    run: EventRun,
    paths: list[str],
    out: IO[str],
    err: IO[str],
    max_problems: int = 20,
    quiet: bool = False,
) -> dict[str, Any]:
    """Print the events of ``paths`` (merged by time) to ``out``; returns the summary."""
    shown = 0

    def on_error(issue: Issue) -> None:
        nonlocal shown
        if quiet or issue.kind not in ERROR_KINDS:
            return
        shown += 1
        if shown <= max_problems:
            text = f" [{issue.text[:90]}]" if issue.text else ""
            err.write(f"{issue}{text}\n")

    engine = run.engine(on_error)
    wanted = set(run.types)
    counts: dict[str, int] = dict.fromkeys(sorted(wanted), 0)
    dumps = json.dumps
    with ExitStack() as stack:
        for line, source in merged_lines(paths, stack):
            for event in engine.feed(line, source):
                if event.type in wanted:
                    counts[event.type] += 1
                    out.write(dumps(event.as_dict(), ensure_ascii=False) + "\n")
    engine.flush()
    decoder = engine.decoder.counters
    summary = {
        "lines": decoder.get("lines", 0),
        "messages": engine.counters.get("messages", 0),
        "duplicates": engine.counters.get("duplicates", 0),
        "untimed": engine.counters.get("untimed", 0),
        "vessels": len(engine.vessels),
        "events": {k: v for k, v in counts.items() if v},
        "errors": {k: v for k, v in decoder.items() if k in ERROR_KINDS and v},
    }
    if shown > max_problems and not quiet:
        err.write(f"... {shown - max_problems} more problems not shown\n")
    err.write(json.dumps(summary, separators=(",", ":")) + "\n")
    return summary


__all__ = ["ALL_TYPES", "CONTRACT_TYPES", "EventRun", "run_events"]
