"""The work bus between receivers and workers, with JetStream semantics in both modes.

publish → durable consumer → ack, redelivery of what was not acked. Two back ends:

- :class:`EmbeddedBus` (default): an in-process queue. Durability comes from the store — the
  work items (received files) are rows whose state says whether they were processed, and
  whoever starts a consumer first re-publishes what is pending — so a restart loses nothing.
- :class:`NatsBus`: NATS JetStream (a file-backed stream, durable pull consumers, message ids
  for de-duplication, redelivery after ``ack_wait``), so several workers can share the load.

Handlers must be idempotent (they are: every write uses natural keys).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

STREAM = "GIAMSAT"
SUBJECT_PREFIX = "giamsat."


@dataclass
class Message:
    subject: str
    data: bytes
    deliveries: int = 1
    _ack: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)
    _nak: Callable[[float], Awaitable[None]] | None = field(default=None, repr=False)

    async def ack(self) -> None:
        if self._ack is not None:
            await self._ack()

    async def nak(self, delay: float = 1.0) -> None:
        if self._nak is not None:
            await self._nak(delay)


Handler = Callable[[list[Message]], Awaitable[None]]


class Bus(Protocol):
    async def start(self) -> None: ...

    async def publish(self, subject: str, data: bytes, msg_id: str | None = None) -> None: ...

    async def consume(self, subject: str, durable: str, handler: Handler, batch: int = 500) -> None:
        """Run until cancelled: hand batches of messages to ``handler``, which acks them."""
        ...

    async def close(self) -> None: ...


class EmbeddedBus:
    """In-process queues; un-acked messages are redelivered after a delay."""

    def __init__(self, redeliver_after: float = 5.0) -> None:
        self._queues: dict[str, asyncio.Queue[Message]] = {}
        self.redeliver_after = redeliver_after

    async def start(self) -> None:
        return None

    def _queue(self, subject: str) -> asyncio.Queue[Message]:
        return self._queues.setdefault(subject, asyncio.Queue())

    async def publish(self, subject: str, data: bytes, msg_id: str | None = None) -> None:
        self._queue(subject).put_nowait(Message(subject, data))

    def publish_threadsafe(
        self, loop: asyncio.AbstractEventLoop, subject: str, data: bytes
    ) -> None:
        loop.call_soon_threadsafe(self._queue(subject).put_nowait, Message(subject, data))

    async def consume(self, subject: str, durable: str, handler: Handler, batch: int = 500) -> None:
        queue = self._queue(subject)
        while True:
            first = await queue.get()
            messages = [first]
            while len(messages) < batch and not queue.empty():
                messages.append(queue.get_nowait())
            for m in messages:
                self._arm(queue, m)
            try:
                await handler(messages)
            except Exception:
                log.exception(
                    "handler failed on %d message(s) of %s; redelivering", len(messages), subject
                )
                for m in messages:
                    await m.nak(self.redeliver_after)

    def _arm(self, queue: asyncio.Queue[Message], message: Message) -> None:
        state = {"done": False}

        async def ack() -> None:
            state["done"] = True

        async def nak(delay: float) -> None:
            if state["done"]:
                return
            state["done"] = True
            retry = Message(message.subject, message.data, message.deliveries + 1)
            asyncio.get_running_loop().call_later(delay, queue.put_nowait, retry)

        message._ack, message._nak = ack, nak

    async def close(self) -> None:
        self._queues.clear()


class NatsBus:
    """NATS JetStream: one file-backed stream for ``giamsat.>``, durable pull consumers."""

    def __init__(
        self, url: str, stream: str = STREAM, prefix: str = SUBJECT_PREFIX, ack_wait: float = 30.0
    ) -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self.ack_wait = ack_wait
        self._nc: Any = None
        self._js: Any = None

    async def start(self) -> None:
        import nats
        from nats.js.api import StreamConfig

        self._nc = await nats.connect(self.url, max_reconnect_attempts=-1, reconnect_time_wait=1)
        self._js = self._nc.jetstream()
        config = StreamConfig(
            name=self.stream, subjects=[f"{self.prefix}>"], duplicate_window=120.0
        )
        try:
            await self._js.add_stream(config)
        except Exception:  # exists with another config: keep it
            await self._js.update_stream(config)

    async def publish(self, subject: str, data: bytes, msg_id: str | None = None) -> None:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        await self._js.publish(self.prefix + subject, data, headers=headers)

    async def consume(self, subject: str, durable: str, handler: Handler, batch: int = 500) -> None:
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import ConsumerConfig

        sub = await self._js.pull_subscribe(
            self.prefix + subject,
            durable=re.sub(r"[^A-Za-z0-9_-]", "_", durable),  # JetStream names allow no dots
            config=ConsumerConfig(ack_wait=self.ack_wait, max_ack_pending=20_000),
        )
        while True:
            try:
                raw = await sub.fetch(batch, timeout=1.0)
            except NatsTimeout:
                continue
            messages = [
                Message(
                    m.subject[len(self.prefix) :],
                    m.data,
                    m.metadata.num_delivered,
                    m.ack,
                    (lambda d, m=m: m.nak(delay=d)),
                )
                for m in raw
            ]
            try:
                await handler(messages)
            except Exception:
                log.exception(
                    "handler failed on %d message(s); they will be redelivered", len(messages)
                )
                for m in messages:
                    with contextlib.suppress(Exception):
                        await m.nak(1.0)

    async def close(self) -> None:
        if self._nc is not None:
            await self._nc.drain()
            self._nc = None


def make_bus(kind: str, nats_url: str, stream: str = STREAM) -> EmbeddedBus | NatsBus:
    if kind == "nats":
        return NatsBus(nats_url, stream=stream, prefix=f"{stream.lower()}.")
    if kind == "embedded":
        return EmbeddedBus()
    raise ValueError(f"bus {kind!r}: embedded or nats")
