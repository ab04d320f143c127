"""Rate limits on logins and sign-ups (Flask-Limiter), shared by every worker and app server through Redis.

Counters live where RATELIMIT_STORAGE_URI points (config: that variable, else REDIS_URL, else memory://,
which counts per process only). Each POST to a limited endpoint is counted against, in order:

- every login POST from one address, whatever the account (LOGIN_ADDRESS_RATE_LIMIT, 30/minute): one
  address guessing one password across many accounts (password spraying) meets 429;
- login POSTs for one e-mail from one address (LOGIN_RATE_LIMIT, 10/minute): guessing one account's
  password meets 429 without locking out everyone else behind the same NAT;
- sign-ups from one address (REGISTER_RATE_LIMIT), on the page and the API alike;
- password-reset requests from one address (PASSWORD_RESET_RATE_LIMIT): nobody mails a stranger fifty links.

The moving-window strategy counts any 60 seconds, not calendar minutes: with fixed windows an address
could send twice the limit across a window edge. If Redis stops answering, each process falls back to
counting in memory (logged) and goes back to Redis when it answers again: logins keep working.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

LOGIN_ENDPOINTS = ("auth.login", "api.api_token")
REGISTER_ENDPOINTS = ("auth.register", "api.api_register")
RESET_ENDPOINTS = ("notifications.forgot_password",)
MESSAGE = "로그인 시도가 너무 많습니다. 1분쯤 기다린 뒤 다시 시도해 주세요."
ADDRESS_MESSAGE = "이 주소에서 로그인 시도가 너무 많습니다. 1분쯤 기다린 뒤 다시 시도해 주세요."
REGISTER_MESSAGE = "가입 요청이 너무 많습니다. 잠시 뒤 다시 시도해 주세요."
RESET_MESSAGE = "비밀번호 재설정 요청이 너무 많습니다. 잠시 뒤 다시 시도해 주세요."


def _login_key() -> str:
    """Client address plus the e-mail tried, so one attacker cannot lock out everyone behind a NAT."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return f"{get_remote_address()}|{email}"


def _setting(name: str):
    """A limit read from the config at request time (tests and operators may change it)."""
    return lambda: current_app.config[name]


LIMITED_ENDPOINTS = frozenset(LOGIN_ENDPOINTS + REGISTER_ENDPOINTS + RESET_ENDPOINTS)
# Config keys that would give Flask-Limiter limits of its own, on every request: its check must then run everywhere.
_GLOBAL_LIMIT_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def _check_only_where_limited(app: Flask, limiter: Limiter) -> None:
    """Run Flask-Limiter's own per-request check only where a limit can apply.

    Every limit here is a shared limit taken in ``limit_accounts`` (POSTs to LIMITED_ENDPOINTS); no view is
    decorated and no default, application or meta limit is configured, so on any other request the check finds
    nothing to count, yet costs every API call (the 09:00 rush, searches) a walk over the limit managers."""
    if any(app.config.get(name) for name in _GLOBAL_LIMIT_SETTINGS):
        return
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit

    def check_where_limited():
        if request.method == "POST" and request.endpoint in LIMITED_ENDPOINTS:
            return check()
        return None

    hooks[hooks.index(check)] = check_where_limited


def init_rate_limits(app: Flask) -> Limiter:
    """Bind a limiter to `app` and check the account limits before the login and sign-up views run."""
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    _check_only_where_limited(app, limiter)

    @app.before_request
    def limit_accounts():
        if request.method != "POST":
            return None
        # Each `with` below is its own limit (Flask-Limiter tells them apart by their line); shared limits count
        # the page and the API endpoint together.
        try:
            if request.endpoint in LOGIN_ENDPOINTS:
                message = ADDRESS_MESSAGE
                with limiter.shared_limit(_setting("LOGIN_ADDRESS_RATE_LIMIT"), scope="login-address"):
                    pass
                message = MESSAGE
                with limiter.shared_limit(_setting("LOGIN_RATE_LIMIT"), scope="login", key_func=_login_key):
                    pass
            elif request.endpoint in REGISTER_ENDPOINTS:
                message = REGISTER_MESSAGE
                with limiter.shared_limit(_setting("REGISTER_RATE_LIMIT"), scope="register"):
                    pass
            elif request.endpoint in RESET_ENDPOINTS:
                message = RESET_MESSAGE
                with limiter.shared_limit(_setting("PASSWORD_RESET_RATE_LIMIT"), scope="password-reset"):
                    pass
        except RateLimitExceeded:
            abort(429, description=message)
        return None

    return limiter
