"""What a processed batch leaves behind: outcomes, file records, relay queue, events, quarantine.

Outcomes: ``accepted``; ``duplicate`` (the same content for the same file again, or nothing
new); ``corrected`` (a re-sent file with the same name and other content); ``rejected``
(nothing usable; the reasons say why). Files with problems are also copied, with their reasons,
to the quarantine folder for people to look at.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from giamsat.core.events import hub as events
from giamsat.environment.ingest_records import Pending, reasons_json
from giamsat.environment.schema import relay_queue
from giamsat.environment.tt10 import INFO, WARNING, Problem

if TYPE_CHECKING:
    from giamsat.environment.ingest import Ingestor

log = logging.getLogger(__name__)


def decide(p: Pending) -> None:
    res = p.result
    if res.outcome != "received":
        return
    res.observations = p.inserted
    if p.correction_of is not None:
        res.outcome = "corrected" if p.inserted else "duplicate"
        if p.inserted:
            res.problems.append(
                Problem(
                    "correction",
                    f"replaces values of file {p.correction_of}; the old values are kept as revisions",
                    None,
                    INFO,
                )
            )
        return
    if p.conflicting:
        res.problems.append(
            Problem(
                "conflicts_stored",
                f"{p.conflicting} value(s) differ from values already stored from another file; the stored ones were kept",
                None,
                WARNING,
            )
        )
    if p.inserted == 0 and p.conflicting == 0:
        res.outcome = "duplicate"
        res.problems.append(Problem("duplicate", "every value was already stored", None, INFO))
        return
    if p.unchanged:
        res.problems.append(
            Problem("already_stored", f"{p.unchanged} value(s) were already stored", None, INFO)
        )
    res.outcome = "accepted"


def record_outcomes(ing: Ingestor, conn: Connection, pendings: list[Pending], now: int) -> None:
    ing.store.execute_many(
        conn,
        "UPDATE archive.received_files SET outcome = ?, processed_at = ?, reasons = ?, observations = ?, "
        "station_id = ?, name_ts = ?, misplaced = ?, supersedes_id = ? WHERE id = ?",
        [
            (
                p.result.outcome,
                now,
                reasons_json(p.result.problems),
                p.result.observations,
                p.station.id if p.station else None,
                p.name_ts,
                p.misplaced,
                p.correction_of if p.result.outcome == "corrected" else None,
                p.record.id,
            )
            for p in pendings
        ],
    )
    relay = redacted(ing.settings.relay_url)
    accepted = [p.record.id for p in pendings if p.result.outcome in ("accepted", "corrected")]
    if relay and accepted:
        conn.execute(
            relay_queue.insert(),
            [
                {"file_id": fid, "target": relay, "attempts": 0, "next_attempt_at": now}
                for fid in accepted
            ],
        )


def publish(pendings: list[Pending]) -> None:
    """Live events for the web and notifiers: each file's outcome, each station's new values."""
    if not events.has_listeners("env"):
        return
    for p in pendings:
        res = p.result
        events.publish(
            "env.file",
            {
                "file_id": res.file_id,
                "name": res.name,
                "outcome": res.outcome,
                "station": res.station_code,
                "observations": res.observations,
            },
        )
        if p.station is not None and res.outcome in ("accepted", "corrected") and p.sids:
            values = [
                {"parameter": code, "ts": ts, "value": value, "status": status}
                for code, ts, value, status in zip(p.codes, p.ts, p.values, p.statuses, strict=True)
            ]
            events.publish("env.observations", {"station": p.station.code, "values": values})


def quarantine(ing: Ingestor, pendings: list[Pending]) -> None:
    """Keep a readable copy of every problem file, with its reasons, for people to look at."""
    for p in pendings:
        if not p.result.quarantined:
            continue
        day = time.strftime("%Y%m%d", time.gmtime(p.record.received_at))
        folder = ing.quarantine_dir / day
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{p.record.id}_{Path(p.record.name).name}"
            (folder / stem).write_bytes(p.record.content)
            (folder / f"{stem}.reasons.json").write_text(
                json.dumps(
                    {
                        "file_id": p.record.id,
                        "name": p.record.name,
                        "outcome": p.result.outcome,
                        "reasons": [x.as_dict() for x in p.result.problems],
                    },
                    ensure_ascii=False,
                    indent=1,
                ),
                "utf-8",
            )
        except OSError:
            log.exception("could not write quarantine copy of file %s", p.record.id)


def redacted(url: str) -> str:
    """The relay target as shown in the queue: never the password."""
    if not url:
        return ""
    from giamsat.environment.relay import Upstream

    return Upstream.parse(url).redacted
