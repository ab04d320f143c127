"""Notification channels and outbox statuses with their Korean labels."""

from __future__ import annotations

from app.choices import Choices


class Channel(Choices):
    """What a parent chooses to be told through (the transport behind each: app/notifications/channels.py)."""

    EMAIL = "email", "이메일"
    KAKAO = "kakao", "카카오 알림톡(문자 대체 발송)"


class OutboxStatus(Choices):
    """Where a message stands: waiting (or waiting to retry), being sent by one worker, sent, given up."""

    PENDING = "pending", "보낼 예정"
    SENDING = "sending", "보내는 중"
    SENT = "sent", "보냄"
    FAILED = "failed", "실패"
