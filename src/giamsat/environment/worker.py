"""The ingest worker: consumes "file received" messages from the bus and processes the files.

Runs the same on the embedded bus and on NATS JetStream. At start it re-publishes files that
were received but never processed (a crash between the two), so the store really is the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from giamsat.core.bus import EmbeddedBus, Message, NatsBus
from giamsat.environment.ingest import FileResult, Ingestor

log = logging.getLogger(__name__)

SUBJECT = "env.file.received"
DURABLE = "ingest"


class IngestWorker:
    def __init__(self, bus: EmbeddedBus | NatsBus, ingestor: Ingestor) -> None:
        self.bus = bus
        self.ingestor = ingestor
        self.processed = 0
        self.last_results: list[FileResult] = []

    async def publish(self, file_ids: Sequence[int]) -> None:
        for fid in file_ids:
            await self.bus.publish(SUBJECT, str(fid).encode(), msg_id=f"file-{fid}")

    async def run(self, batch: int = 500) -> None:
        pending = await asyncio.to_thread(self.ingestor.pending)
        if pending:
            log.info("re-queueing %d received file(s) not processed yet", len(pending))
            await self.publish(pending)
        await self.bus.consume(SUBJECT, DURABLE, self._handle, batch=batch)

    async def _handle(self, messages: list[Message]) -> None:
        ids = sorted({int(m.data) for m in messages})
        results = await asyncio.to_thread(self.ingestor.process, ids)
        self.processed += len(results)
        self.last_results = results
        for m in messages:
            await m.ack()
