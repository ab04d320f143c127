"""Password-reset links: signed (itsdangerous), expiring (PASSWORD_RESET_MINUTES) and single-use.

The token carries the user id and a digest of the current password hash: setting a new password changes the hash,
so the link (and every other link issued before) stops working once used.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from app.auth.models import User

SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    """A reset token for the user's current password."""
    return _serializer().dumps({"u": user.id, "h": _fingerprint(user)})


def reset_link(user: User) -> str:
    """The absolute link the reset e-mail carries."""
    return f"{current_app.config['SITE_URL'].rstrip('/')}/password/reset/{make_token(user)}"


def user_for_token(session: Session, token: str) -> User | None:
    """The user a live token belongs to, or None (bad signature, expired, already used, locked account)."""
    max_age = current_app.config["PASSWORD_RESET_MINUTES"] * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(User, data["u"])
    if user is None or user.is_locked or data.get("h") != _fingerprint(user):
        return None
    return user
