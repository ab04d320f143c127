"""API authentication: bearer tokens (only their SHA-256 is stored) or the page session.

Use ``@api_login_required`` on an API view and ``current_api_user()`` inside it. A request with an
``Authorization: Bearer ...`` header is judged by the token alone; without one, a logged-in browser
session is accepted, and then unsafe methods must carry a CSRF token (X-CSRFToken header), because
the /api blueprint is exempt from the global CSRF check that bearer clients cannot satisfy.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth.models import ApiToken, User
from app.timeutil import utcnow

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_lifetime() -> timedelta:
    """How long a new token lives (config API_TOKEN_DAYS)."""
    return timedelta(days=current_app.config["API_TOKEN_DAYS"])


def issue_token(session: Session, user: User, now: datetime, lifetime: timedelta | None = None) -> tuple[str, ApiToken]:
    """Create a token for `user`; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, token_hash=hash_token(raw), created_at=now, expires_at=now + (lifetime or token_lifetime())
    )
    session.add(token)
    session.flush()
    return raw, token


# Token and owner as plain columns (no entity loaded), built once: the bearer check of every API request.
_TOKEN_OWNER_ID = (
    select(User.__table__.c.id, User.__table__.c.is_locked, ApiToken.__table__.c.expires_at)
    .join_from(ApiToken.__table__, User.__table__, User.__table__.c.id == ApiToken.__table__.c.user_id)
    .where(ApiToken.__table__.c.token_hash == bindparam("token_hash"))
)


def user_id_for_token(session: Session, raw: str, now: datetime) -> int | None:
    """The id of the unlocked owner of a valid, unexpired token, or None (the User is not loaded)."""
    if not raw:
        return None
    row = session.connection().execute(_TOKEN_OWNER_ID, {"token_hash": hash_token(raw)}).first()
    if row is None or row.expires_at <= now or row.is_locked:
        return None
    return row.id


def _unauthorized(message: str):
    response = jsonify(error="unauthorized", message=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="nadeuri"'
    return response


def revoke_token(session: Session, raw: str) -> bool:
    """Delete the token (an API client's log-out); False if it was not there."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None:
        return False
    session.delete(token)
    session.flush()
    return True


def bearer_token() -> str | None:
    """The request's bearer token: None without an Authorization header, "" for another scheme."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        return None
    return value.strip() if scheme.lower() == "bearer" else ""


def _authenticate():
    """Set g.api_user or return an error response."""
    from app.extensions import csrf, db

    raw = bearer_token()
    if raw is not None:
        user_id = user_id_for_token(db.session, raw, utcnow())
        if user_id is None:
            return _unauthorized("토큰이 없거나 만료되었거나 올바르지 않습니다. 다시 로그인해 토큰을 받으세요")
        g.api_user_id, g.api_user = user_id, None  # the User is loaded when a view first asks (current_api_user)
        return None
    if current_user.is_authenticated and not current_user.is_locked:
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # raises CSRFError (400) without a valid X-CSRFToken
        g.api_user = current_user._get_current_object()
        g.api_user_id = g.api_user.id
        return None
    return _unauthorized("로그인이 필요합니다. Authorization: Bearer <토큰> 헤더를 보내 주세요")


def api_login_required(view):
    """Reject the request with 401 JSON unless a valid token or session identifies an unlocked user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        error = _authenticate()
        if error is not None:
            return error
        return view(*args, **kwargs)

    return wrapper


def current_api_user() -> User:
    """The user authenticated by ``api_login_required`` for this request (loaded on first use)."""
    user = g.get("api_user")
    if user is None:
        from app.extensions import db

        user = g.api_user = db.session.get(User, g.api_user_id)
        if user is None:  # the account went away since the token check: as if the token had
            abort(401)
    return user


def current_api_user_id() -> int:
    """The id of the user authenticated by ``api_login_required``, without loading the User."""
    return g.api_user_id
