"""SMS through an HTTP gateway described by settings, so common providers fit without code:
``sms_url`` and ``sms_body`` are templates with placeholders, ``sms_method``,
``sms_headers`` and ``sms_content_type`` say how to call it, and ``sms_success_match`` (a
regex) catches gateways that answer 200 to a refused message.

Placeholders: ``{to}`` (as stored), ``{to_e164}`` (+84912345678), ``{to_national}``
(0912345678), ``{text}``, ``{sender}``, ``{id}`` (the delivery id, for gateways that
de-duplicate) and ``{subject}``. Each is escaped for where it stands: URL-encoded in the URL
and in form bodies, JSON-escaped in JSON bodies (write them inside quotes), as-is in text.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import quote, quote_plus

import httpx

from giamsat.config import Settings
from giamsat.core.notify.channels.base import classify_http, describe
from giamsat.core.notify.outbox import Message, Outcome

PLACEHOLDER = re.compile(r"\{(to|to_e164|to_national|text|sender|id|subject)\}")
COUNTRY = "84"  # Viet Nam: national numbers start with 0


def e164(number: str, country: str = COUNTRY) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    if digits.startswith("+"):
        return digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return f"+{country}{digits[1:]}"
    if digits.startswith(country) and len(digits) > 9:
        return "+" + digits
    return digits


def national(number: str, country: str = COUNTRY) -> str:
    full = e164(number, country)
    return "0" + full[1 + len(country) :] if full.startswith(f"+{country}") else full


def strip_diacritics(text: str) -> str:
    """Vietnamese without tone marks (đ → d): fits GSM 7-bit, 160 characters per SMS."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return plain.replace("–", "-").replace("—", "-").replace("·", "-").replace("…", "...")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def fill(template: str, values: dict[str, str], escape: Callable[[str], str]) -> str:
    return PLACEHOLDER.sub(lambda m: escape(values[m.group(1)]), template)


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def body_escaper(content_type: str) -> Callable[[str], str]:
    kind = content_type.split(";")[0].strip().lower()
    if kind.endswith("json"):
        return _json_escape
    if kind == "application/x-www-form-urlencoded":
        return lambda v: quote_plus(v, safe="")
    return lambda v: v


class SmsChannel:
    name = "sms"

    def __init__(self, settings: Settings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient(timeout=settings.sms_timeout_seconds)
        self._own_client = client is None
        self._success = (
            re.compile(settings.sms_success_match) if settings.sms_success_match else None
        )

    @property
    def configured(self) -> bool:
        return bool(self.settings.sms_url)

    @property
    def missing(self) -> str:
        return "SMS is not configured (sms_url)"

    def text_of(self, m: Message) -> str:
        text = m.body_text
        if self.settings.sms_ascii:
            text = strip_diacritics(text)
        limit = self.settings.sms_max_chars
        return shorten(text, limit) if limit > 0 else text

    def request(self, m: Message) -> httpx.Request:
        s = self.settings
        values = {
            "to": m.destination,
            "to_e164": e164(m.destination),
            "to_national": national(m.destination),
            "text": self.text_of(m),
            "sender": s.sms_sender,
            "id": str(m.id),
            "subject": m.subject,
        }
        url = fill(s.sms_url, values, lambda v: quote(v, safe=""))
        method = s.sms_method.upper()
        headers = {"User-Agent": "giamsat", **s.sms_headers}
        content = None
        if method not in ("GET", "DELETE") and s.sms_body:
            content = fill(s.sms_body, values, body_escaper(s.sms_content_type)).encode()
            headers.setdefault("Content-Type", s.sms_content_type)
        return self.client.build_request(method, url, headers=headers, content=content)

    async def send_batch(self, messages: Sequence[Message]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for index, m in enumerate(messages):
            started = time.perf_counter()
            try:
                response = await self.client.send(self.request(m))
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                ms = (time.perf_counter() - started) * 1000
                reason = f"SMS gateway unreachable: {describe(exc)}"
                outcomes += [
                    Outcome(x.id, "waiting", reason, duration_ms=ms, log=i == 0)
                    for i, x in enumerate(messages[index:])
                ]
                break
            except httpx.HTTPError as exc:  # sent, but no usable answer: try again later
                ms = (time.perf_counter() - started) * 1000
                outcomes.append(Outcome(m.id, "retry", describe(exc), duration_ms=ms))
                continue
            ms = (time.perf_counter() - started) * 1000
            outcome = classify_http(m.id, response, ms)
            if (
                outcome.status == "sent"
                and self._success
                and not self._success.search(response.text)
            ):
                outcome = Outcome(
                    m.id,
                    "retry",
                    f"gateway reply does not match sms_success_match: {outcome.response}",
                    duration_ms=ms,
                )
            outcomes.append(outcome)
        return outcomes

    async def close(self) -> None:
        if self._own_client:
            await self.client.aclose()
