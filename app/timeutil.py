"""Time helpers: everything is stored in UTC and shown in Asia/Seoul."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

KST = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_kst(value: datetime) -> datetime:
    """A timezone-aware datetime shown in Seoul time."""
    return value.astimezone(KST)


def kst_iso(value: datetime | None) -> str | None:
    """A moment as the API writes it (ISO 8601 in Seoul time, "+09:00"), or None."""
    return None if value is None else value.astimezone(KST).isoformat()


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
