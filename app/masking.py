"""Personal data as staff screens, exports of the roster and the notification outbox show it: masked the way Korean
services do (김*용, k***@example.com, 010-****-1234). One module, so every surface masks the same way."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D")


def mask_name(name: str | None) -> str:
    """김용호 → 김*호, 김용 → 김*, 남궁민수 → 남**수; a single character stays (nothing to hide behind)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_email(email: str | None) -> str:
    """kim@example.com → k***@example.com (the domain tells staff which mail to expect, not who it is)."""
    email = (email or "").strip()
    local, at, domain = email.partition("@")
    if not at:
        return mask_name(email)
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str:
    """010-1234-5678 → 010-****-5678; shorter numbers keep only their last four digits."""
    digits = _DIGITS.sub("", phone or "")
    if not digits:
        return ""
    if len(digits) >= 10:
        return f"{digits[:3]}-****-{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_contact(contact: str | None) -> str:
    """An e-mail address or a phone number, whichever it is."""
    return mask_email(contact) if "@" in (contact or "") else mask_phone(contact)
