"""Login rate limit (Flask-Limiter): POST /login and POST /api/auth/token, per client IP and e-mail.

Storage comes from RATELIMIT_STORAGE_URI (default memory://; use redis://... with several
workers so they share counts). The limit is LOGIN_RATE_LIMIT (default 10/minute).
"""
from __future__ import annotations

from flask import Flask, abort, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

LIMITED_ENDPOINTS = ("auth.login", "api.api_token")
MESSAGE = "로그인 시도가 너무 많습니다. 1분쯤 기다린 뒤 다시 시도해 주세요."


def _login_key() -> str:
    """Client address plus the e-mail tried, so one attacker cannot lock out everyone behind a NAT."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return f"{get_remote_address()}|{email}"


def init_rate_limits(app: Flask) -> Limiter:
    """Bind a limiter to `app` and check the login limit before the login views run."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("LOGIN_RATE_LIMIT", "10/minute")
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])

    @app.before_request
    def limit_logins():
        if request.method != "POST" or request.endpoint not in LIMITED_ENDPOINTS:
            return None
        try:
            with limiter.limit(app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, scope="login"):
                pass
        except RateLimitExceeded:
            abort(429, description=MESSAGE)
        return None

    return limiter
