"""E-mail over SMTP: implicit TLS (port 465), STARTTLS (587) or plain (a local relay).

One connection carries a whole batch, and is kept for 30 s (checked with NOOP) so the next
alert does not pay for a new TCP, TLS and login handshake. The Message-ID is derived from the outbox key, so a
message sent again after a crash in mid-send has the same id and mail systems can drop the
copy. STARTTLS that the server does not offer is an error, never a silent fall-back to clear
text. A server that cannot be reached makes the channel wait; the messages keep their attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import smtplib
import ssl
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from giamsat import __version__
from giamsat.config import Settings
from giamsat.core.notify.channels.base import describe
from giamsat.core.notify.outbox import Message, Outcome


def message_id(m: Message, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "giamsat.local"
    return f"<{hashlib.sha1(m.dedupe_key.encode()).hexdigest()}.{m.id}@{domain}>"


def build(m: Message, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = m.destination
    msg["Subject"] = m.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id(m, sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = m.language
    msg["X-Mailer"] = f"giamsat {__version__}"
    msg["X-Giamsat-Delivery"] = str(m.id)
    msg.set_content(m.body_text)
    if m.body_html:
        msg.add_alternative(m.body_html, subtype="html")
    return msg


KEEP_ALIVE_SECONDS = 30.0  # reuse a connection this long (servers drop idle ones after minutes)


class _Refused(Exception):
    def __init__(self, stage: str, code: int, reply: bytes) -> None:
        super().__init__(f"{stage} refused: {code} {reply.decode(errors='replace')}")
        self.code = code


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None  # kept between batches (see KEEP_ALIVE_SECONDS)
        self._used_at = 0.0

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host and self.settings.smtp_from)

    @property
    def missing(self) -> str:
        return "e-mail is not configured (smtp_host and smtp_from)"

    def _tls_context(self) -> ssl.SSLContext:
        s = self.settings
        context = ssl.create_default_context(cafile=s.smtp_ca_file or None)
        if not s.smtp_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        security = s.smtp_security.lower()
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"smtp_security {s.smtp_security!r} must be starttls, tls or none")
        if security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=self._tls_context(),
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            smtp.ehlo()
            if security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError(
                        "the server does not offer STARTTLS (set smtp_security = 'tls' or 'none')"
                    )
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    async def send_batch(self, messages: Sequence[Message]) -> list[Outcome]:
        return await asyncio.to_thread(self.send_sync, list(messages))

    def _session(self) -> smtplib.SMTP:
        """The kept connection if it is recent and still answers NOOP, else a new one."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            if time.monotonic() - self._used_at < KEEP_ALIVE_SECONDS:
                try:
                    if smtp.noop()[0] == 250:
                        return smtp
                except (OSError, smtplib.SMTPException):
                    pass
            _close(smtp)
        return self.connect()

    def send_sync(self, messages: list[Message]) -> list[Outcome]:
        sender = self.settings.smtp_from
        envelope_from = parseaddr(sender)[1] or sender
        started = time.perf_counter()
        try:
            smtp = self._session()
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            ms = (time.perf_counter() - started) * 1000
            reason = f"SMTP server {self.settings.smtp_host}:{self.settings.smtp_port} unavailable: {describe(exc)}"
            return [
                Outcome(m.id, "waiting", reason, duration_ms=ms, log=i == 0)
                for i, m in enumerate(messages)
            ]
        outcomes: list[Outcome] = []
        for index, m in enumerate(messages):
            t0 = time.perf_counter()
            try:
                reply = self._send_one(smtp, m, sender, envelope_from)
                ms = (time.perf_counter() - t0) * 1000
                outcomes.append(Outcome(m.id, "sent", response=reply, duration_ms=ms))
            except _Refused as exc:
                ms = (time.perf_counter() - t0) * 1000
                status = "failed" if exc.code >= 500 else "retry"
                outcomes.append(Outcome(m.id, status, str(exc), duration_ms=ms))
                _reset(smtp)
            except (OSError, smtplib.SMTPException) as exc:  # connection lost mid-batch
                ms = (time.perf_counter() - t0) * 1000
                lost = f"SMTP connection lost: {describe(exc)}"
                outcomes.append(Outcome(m.id, "retry", lost, duration_ms=ms))
                reason = "not tried: the SMTP connection was lost"
                outcomes += [
                    Outcome(x.id, "waiting", reason, log=False) for x in messages[index + 1 :]
                ]
                _close(smtp)
                return outcomes
        self._smtp, self._used_at = smtp, time.monotonic()  # kept for the next alert
        return outcomes

    def _send_one(self, smtp: smtplib.SMTP, m: Message, sender: str, envelope_from: str) -> str:
        data = build(m, sender).as_bytes(policy=SMTP)
        code, reply = smtp.mail(envelope_from)
        if code != 250:
            raise _Refused("sender", code, reply)
        code, reply = smtp.rcpt(m.destination)
        if code not in (250, 251):
            raise _Refused("recipient", code, reply)
        code, reply = smtp.data(data)
        if code != 250:
            raise _Refused("message", code, reply)
        return f"{code} {reply.decode(errors='replace')}"[:500]

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            await asyncio.to_thread(_close, smtp)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.rset()
