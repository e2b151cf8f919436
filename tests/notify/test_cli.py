"""``giamsat notify …``: subscribe, list, test, status, log, retry, unsubscribe."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.config import Settings
from giamsat.core.notify import outbox
from giamsat.core.store import Store
from tests.notify.conftest import outbox_rows, setup_network

runner = CliRunner()


def run(settings: Settings, *args: str):
    result = runner.invoke(app, ["--db", settings.db_url, "--home", str(settings.home), *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result, lines


def test_notify_commands(store: Store, settings: Settings) -> None:
    setup_network(store)
    result, [made] = run(settings, "notify", "subscribe", "--channel", "email", "--user", "hanoi",
                         "--scope", "station=HN_NMA_NT01,HN_QT_KK01", "--rule", "exceedance",
                         "--quiet", "22:00-06:00", "--min-severity", "major")  # fmt: skip
    assert result.exit_code == 0, result.output
    result, [hook] = run(settings, "notify", "subscribe", "--channel", "webhook",
                         "--address", "https://hooks.example.vn/x", "--domain", "maritime")  # fmt: skip
    assert len(hook["secret"]) >= 32
    result, listed = run(settings, "notify", "subscriptions")
    by_id = {s["id"]: s for s in listed}
    assert by_id[made["subscription"]]["scope_values"] == ["HN_NMA_NT01", "HN_QT_KK01"]
    assert by_id[made["subscription"]]["quiet_start"] == "22:00"
    assert by_id[hook["subscription"]]["has_secret"] is True
    assert all("secret" not in s for s in listed)
    # clear errors for bad input
    result, _ = run(settings, "notify", "subscribe", "--channel", "email", "--user", "nobody")
    assert result.exit_code == 2 and "no user 'nobody'" in result.output
    result, _ = run(settings, "notify", "subscribe", "--channel", "email", "--role", "operator",
                    "--quiet", "22:00")  # fmt: skip
    assert result.exit_code == 2 and "quiet_end" in result.output
    # a test message, its place in the log, and a retry after a failure
    result, [queued] = run(settings, "notify", "test", str(made["subscription"]))
    [test_id] = queued["queued"]
    outbox.record(store, [outbox.Outcome(test_id, "failed", "550 no such user")], max_attempts=3,
                  retry_base=1, retry_max=1)  # fmt: skip
    result, [status] = run(settings, "notify", "status")
    assert status == {"outbox": {"email": {"failed": 1}}}
    result, log = run(settings, "notify", "log", "--state", "failed")
    assert [(e["id"], e["last_error"], e["kind"]) for e in log] == [
        (test_id, "550 no such user", "test")
    ]
    result, [retried] = run(settings, "notify", "retry")
    assert retried == {"retried": 1}
    assert outbox_rows(store)[0]["state"] == "pending"
    result, [gone] = run(settings, "notify", "unsubscribe", str(hook["subscription"]))
    assert gone == {"deleted": hook["subscription"]}
    result, _ = run(settings, "notify", "unsubscribe", str(hook["subscription"]))
    assert result.exit_code == 2


def test_purge_keeps_what_is_not_finished(store: Store, settings: Settings) -> None:
    from datetime import UTC, datetime, timedelta

    from giamsat.core.notify.router import Router
    from tests.notify.conftest import aton_alert, subscribe

    ids = setup_network(store)
    subscribe(store, channel="email", user_id=ids["operator"])
    subscribe(store, channel="sms", user_id=ids["operator"])
    aton_alert(store)
    Router(store, settings).route_pending()
    email, sms = outbox_rows(store)
    outbox.record(store, [outbox.Outcome(email["id"], "sent")], max_attempts=3, retry_base=1,
                  retry_max=1)  # fmt: skip
    _, [none] = run(settings, "notify", "purge", "--older-than-days", "1")
    assert none == {"deleted": 0}  # nothing is a day old yet
    later = datetime.now(UTC) + timedelta(days=3)
    assert outbox.purge(store, 1, now=later) == 1
    assert [r["id"] for r in outbox_rows(store)] == [sms["id"]]  # still pending: kept
