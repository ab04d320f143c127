"""A parent's notification settings: channels, reminders, an optional phone number (shown masked)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import DomainError
from app.masking import mask_phone
from app.notifications.choices import Channel
from app.notifications.models import NotificationSettings

_NOT_DIGITS = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"^01[016789]\d{7,8}$")


class SettingsError(DomainError):
    """A refused settings change (422)."""

    status = 422


def normalise_phone(raw: str | None) -> str | None:
    """010-1234-5678, 01012345678 → "01012345678"; empty → None; anything else raises SettingsError."""
    text = _NOT_DIGITS.sub("", (raw or "").strip())
    if not text:
        return None
    if not _MOBILE.match(text):
        raise SettingsError("invalid_phone", "휴대전화 번호를 010-1234-5678 형식으로 입력해 주세요", field="phone")
    return text


def settings_json(prefs: NotificationSettings, offered: list[str]) -> dict:
    """The settings as the API and the page show them (the phone masked)."""
    return {
        "channels": {c: bool(getattr(prefs, c)) for c in offered},
        "reminders": bool(prefs.reminders),
        "phone": mask_phone(prefs.phone) or None,
    }


def save_settings(
    session: Session,
    user: User,
    current: NotificationSettings,
    now: datetime,
    channels: dict[str, bool] | None = None,
    reminders: bool | None = None,
    phone: str | None = None,
    clear_phone: bool = False,
) -> NotificationSettings:
    """Change what was given (None keeps it); a blank phone field keeps the number unless `clear_phone`."""
    prefs = session.get(NotificationSettings, user.id)
    if prefs is None:
        prefs = NotificationSettings(user_id=user.id, email=current.email, kakao=current.kakao, reminders=True)
        session.add(prefs)
    for name, on in (channels or {}).items():
        setattr(prefs, Channel(name).value, bool(on))
    if reminders is not None:
        prefs.reminders = reminders
    if clear_phone:
        prefs.phone = None
    elif phone:
        prefs.phone = normalise_phone(phone)
    if prefs.kakao and not prefs.phone:
        raise SettingsError("phone_required", "알림톡을 받으려면 휴대전화 번호를 입력해 주세요", field="phone")
    prefs.updated_at = now
    session.flush()
    return prefs
