"""The live event hub: async subscribers, thread-safe publishing, topic filters."""

from __future__ import annotations

import asyncio
import threading

from giamsat.core.events import EventHub


def test_subscribers_get_their_topics_from_any_thread() -> None:
    hub = EventHub()

    async def main() -> list[dict]:
        alerts = hub.subscribe({"alert"})
        env = hub.subscribe({"env"})
        thread = threading.Thread(
            target=lambda: [hub.publish("env.file", {"n": 1}), hub.publish("alert", {"n": 2})]
        )
        thread.start()
        thread.join()
        got = [await alerts.get(timeout=2), await env.get(timeout=2)]
        assert alerts.queue.empty() and env.queue.empty()
        alerts.close()
        env.close()
        return got

    got = asyncio.run(main())
    assert got == [{"topic": "alert", "n": 2}, {"topic": "env.file", "n": 1}]
    assert hub.subscriber_count == 0


def test_callbacks_and_failing_listeners_do_not_break_publishing() -> None:
    hub = EventHub()
    seen: list[str] = []

    def broken(event: dict) -> None:
        raise RuntimeError("listener bug")

    hub.add_callback(broken)
    hub.add_callback(lambda e: seen.append(e["topic"]), {"env"})
    hub.publish("env.observations", {})
    hub.publish("ais.vessel", {})
    assert seen == ["env.observations"]
