"""The outbox (every message, one row per event, booking and channel) and each parent's notification settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.notifications.choices import Channel, OutboxStatus
from app.timeutil import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """A message to send, written in the same transaction as the change it tells about; the worker sends it.

    `key` (event:booking:channel, or event:user:nonce without a booking) is unique: the same event never makes two
    rows, and a worker claims a row with a conditional UPDATE before sending, so a doubled job never sends twice.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (
        CheckConstraint(OutboxStatus.check_sql("status"), name="ck_notification_outbox_status"),
        CheckConstraint(Channel.check_sql("channel"), name="ck_notification_outbox_channel"),
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    # Masked (k***@example.com, 010-****-1234): the outbox is read by admins; the address is looked up when sending.
    recipient: Mapped[str] = mapped_column(String(254), default="")
    # What the text is made of (facility, time, code, reason …), frozen at the event; no secrets (a reset link is
    # signed when it is sent).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which transport took it: smtp, solapi, or dev (recorded only).
    provider: Mapped[str | None] = mapped_column(String(10))
    last_error: Mapped[str | None] = mapped_column(String(500))


class NotificationSettings(db.Model):
    """A parent's choices; no row means the defaults (e-mail on, 알림톡 off, reminders on, no phone)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    kakao: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
