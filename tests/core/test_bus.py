"""The bus on both back ends: publish, durable consume, ack, redelivery; NATS de-duplication."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from giamsat.core.bus import EmbeddedBus, Message, NatsBus

NATS_URL = "nats://127.0.0.1:4222"


async def _exercise(bus: EmbeddedBus | NatsBus, subject: str) -> tuple[list[bytes], int]:
    await bus.start()
    for i in range(5):
        await bus.publish(subject, str(i).encode(), msg_id=f"{subject}-{i}")
    await bus.publish(subject, b"4", msg_id=f"{subject}-4")  # the same message again
    done: list[bytes] = []
    failed_once: set[bytes] = set()
    deliveries = 0

    async def handler(messages: list[Message]) -> None:
        nonlocal deliveries
        for m in messages:
            deliveries += 1
            if m.data == b"2" and m.data not in failed_once:
                failed_once.add(m.data)
                await m.nak(0.1)  # a worker that could not finish: redelivered
                continue
            done.append(m.data)
            await m.ack()

    task = asyncio.create_task(bus.consume(subject, f"durable-{subject}", handler))
    for _ in range(100):
        if sorted(set(done)) == [b"0", b"1", b"2", b"3", b"4"]:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    task.cancel()
    await bus.close()
    return done, deliveries


def test_embedded_bus_redelivers_what_was_not_acked() -> None:
    done, _ = asyncio.run(_exercise(EmbeddedBus(), "t.embedded"))
    assert sorted(done) == [
        b"0",
        b"1",
        b"2",
        b"3",
        b"4",
        b"4",
    ]  # no dedupe in memory: handlers are idempotent


def test_nats_jetstream_redelivers_and_deduplicates() -> None:
    token = secrets.token_hex(4)
    bus = NatsBus(NATS_URL, stream=f"TEST_{token.upper()}", prefix=f"test{token}.")
    try:
        done, deliveries = asyncio.run(asyncio.wait_for(_exercise(bus, "t.nats"), 30))
    except OSError as exc:  # pragma: no cover - the environment must provide NATS
        pytest.fail(f"NATS JetStream is not reachable at {NATS_URL}: {exc}")
    finally:
        asyncio.run(_delete_stream(bus.stream))
    assert sorted(done) == [
        b"0",
        b"1",
        b"2",
        b"3",
        b"4",
    ]  # the duplicate publish was dropped by msg id
    assert deliveries == 6  # one redelivery of the nak'ed message


async def _delete_stream(name: str) -> None:
    import nats

    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_stream(name)
    except Exception:
        pass
    finally:
        await nc.close()
