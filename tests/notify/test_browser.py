"""The pop-up in Debian's Chromium (headless, Playwright): an AtoN low-voltage alert raised
through ``core.alerts`` while the operator has the UI open shows a card, plays the alert sound
and raises a browser notification; acknowledging from the card acknowledges the alert. The
notification pages (subscriptions, delivery log, contact) work in both languages."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from giamsat.core.store.schema import alerts
from giamsat.web.app import STATIC
from tests.notify.conftest import PASSWORD, aton_alert, setup_network, subscribe
from tests.service_util import RunningService

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/setup-system.sh (apt-get install chromium)"
        )
    if not (STATIC / "index.html").is_file():
        pytest.fail("the UI is not built: run `make setup`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.wait_for_selector("body[data-ready='login']")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='home']")


def test_aton_alert_pops_up_with_sound_and_a_browser_notification(browser, store, settings) -> None:
    ids = setup_network(store)
    subscribe(store, channel="web", role="operator", domain="maritime")
    backend = "pg" if not store.is_sqlite else "sqlite"
    with RunningService(replace(settings, notify_poll_seconds=0.3), store, web_enabled=True) as svc:
        base = f"http://127.0.0.1:{svc.service.web_port}"
        context = browser.new_context(permissions=["notifications"], service_workers="block")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, base, "operator")
        page.goto(base + "/notifications?tab=contact")
        page.wait_for_selector("body[data-ready='notifications']")
        assert page.locator("[data-permission]").inner_text() == "Đã bật"
        page.wait_for_function("document.querySelector('.live-dot.up') !== null")
        alert_id = aton_alert(store, mmsi="992351001", value=10.2, time="2024-03-15T03:55:00Z")
        card = page.wait_for_selector(".gs-popup", timeout=15000)
        text = card.inner_text()
        assert "Báo hiệu điện áp thấp" in text and "Nghiêm trọng" in text
        assert "Phao số 0 Hải Phòng (992351001)" in text and "10,2 V" in text
        assert page.evaluate("window.__giamsatSounds") >= 1
        assert page.evaluate("window.__giamsatNotifications") >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"notify-popup-{backend}.png"))
        card.query_selector("button.primary").click()  # Xác nhận / acknowledge
        page.wait_for_selector(".gs-popup", state="detached")
        with store.engine.connect() as conn:
            row = conn.execute(
                select(alerts.c.state, alerts.c.acknowledged_by).where(alerts.c.id == alert_id)
            ).one()
        assert tuple(row) == ("acknowledged", "operator")
        # the delivery log shows the pop-up as sent
        page.goto(base + "/notifications?tab=log")
        page.wait_for_selector("body[data-ready='notifications']")
        assert page.locator("table[data-table=deliveries] [data-state=sent]").count() == 1
        # a pop-up that came while the page was closed shows when it opens again
        page.close()
        aton_alert(store, mmsi="992351002", severity="critical", value=9.0)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        page.wait_for_selector("body[data-ready='home']")
        card = page.wait_for_selector(".gs-popup", timeout=15000)
        assert "992351002" in card.inner_text() and "Khẩn cấp" in card.inner_text()
        context.close()
    assert errors == []
    assert ids["operator"]


def test_subscription_form_and_english(browser, store, settings) -> None:
    setup_network(store)
    with RunningService(settings, store, web_enabled=True) as svc:
        base = f"http://127.0.0.1:{svc.service.web_port}"
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, base, "hanoi")
        page.goto(base + "/notifications")
        page.wait_for_selector("body[data-ready='notifications']")
        page.click("text=Thêm")
        form = page.locator("form[data-form=subscription]")
        form.locator("input").first.fill("Vượt COD ban đêm")
        page.check("input[value=exceedance]")  # "Vượt quy chuẩn"
        page.fill("input[type=time] >> nth=0", "22:00")
        page.fill("input[type=time] >> nth=1", "06:00")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("table[data-table=subscriptions] >> text=Vượt COD ban đêm")
        row = page.locator(
            "table[data-table=subscriptions] tr", has_text="Vượt COD ban đêm"
        ).inner_text()
        assert "Vượt quy chuẩn" in row and "22:00–06:00" in row and "Tôi" in row
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "notify-subscriptions.png"))
        page.click("text=English")  # the page is drawn again in English
        page.wait_for_selector("body[data-ready='notifications'] >> text=Subscriptions")
        page.goto(base + "/notifications?tab=log")
        page.wait_for_selector("body[data-ready='notifications']")
        assert "Delivery log" in page.inner_text("main")
        page.evaluate("localStorage.setItem('lang','vi')")
        context.close()
    assert errors == []
