"""Sending channels: e-mail (SMTP), SMS (HTTP gateway), webhooks. The web pop-up channel needs
no network: it is the user's inbox plus the live hub (see ``outbox.deliver_web``)."""

from __future__ import annotations

from giamsat.config import Settings
from giamsat.core.notify.channels.base import Channel
from giamsat.core.notify.channels.email import EmailChannel
from giamsat.core.notify.channels.sms import SmsChannel
from giamsat.core.notify.channels.webhook import WebhookChannel

__all__ = ["Channel", "EmailChannel", "SmsChannel", "WebhookChannel", "build_channels"]


def build_channels(settings: Settings) -> dict[str, Channel]:
    return {
        "email": EmailChannel(settings),
        "sms": SmsChannel(settings),
        "webhook": WebhookChannel(settings),
    }
