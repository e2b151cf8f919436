"""Column types that behave the same on SQLite and PostgreSQL.

High-volume time columns (observations, rollups, file log, tracks) are plain integers of Unix
seconds UTC: 4 bytes in SQLite, portable arithmetic in SQL, cheap to bucket with numpy.
Low-volume timestamps use :class:`UtcDateTime` (timestamptz on PostgreSQL, ISO text on SQLite)
and always come back timezone-aware.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

Epoch = BigInteger


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime; naive input is rejected so local time never sneaks in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UtcDateTime needs an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(TypeDecorator[Any]):
    """JSON kept as text on both back ends (portable, and compact for small documents)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return (
            None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def utcnow() -> datetime:
    return datetime.now(UTC)
