"""Serving under faults: the health check, engine options that survive a database restart, and 503s.

A load balancer asks ``GET /healthz`` which app servers can take traffic: 200 when the database
answers ``SELECT 1``, 503 with a JSON reason when it does not. While PostgreSQL is down every
route answers 503 with a Korean message (JSON under /api/, a plain page otherwise), never a 500;
when it comes back the app recovers by itself, because each pooled connection is checked before it
is handed out and the ones the restart killed are replaced (app/database.py, ``_check_alive``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

bp = Blueprint("serving", __name__)

UNAVAILABLE_MESSAGE = "데이터베이스에 연결할 수 없어 잠시 서비스를 이용할 수 없습니다. 잠시 뒤에 다시 시도해 주세요."
RETRY_AFTER_SECONDS = 10
PG_CONNECT_TIMEOUT_SECONDS = 5
# Errors that mean "the database cannot be reached or used right now" (connection refused or lost,
# server restarting, SQLite file unopenable, lock timeouts, every pooled connection busy): the request
# may succeed later, so 503 rather than 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def apply_engine_options(app: Flask) -> None:
    """Bound PostgreSQL connection attempts; call before db.init_app (pooled connections are checked before use by
    app.database.configure_engine)."""
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return
    # A copy: the dict may be the Config class attribute shared by every app in the process.
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_SECONDS)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def database_problem() -> str | None:
    """None when the database answers SELECT 1, else the error's class name (no URLs or passwords)."""
    from app.extensions import db

    try:
        db.session.execute(text("SELECT 1"))  # the request's own session: ended at teardown like any other
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning(
            "health check: database unavailable: %s: %s",
            error.__class__.__name__,
            str(getattr(error, "orig", None) or error)[:300],
        )
        return (getattr(error, "orig", None) or error).__class__.__name__
    return None


@bp.get("/healthz")
def healthz():
    problem = database_problem()
    if problem is None:
        return jsonify(status="ok")
    response = jsonify(status="unavailable", reason="database", error=problem, message=UNAVAILABLE_MESSAGE)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def database_unavailable(error: Exception):
    """Answer a lost or refused database connection with 503, after rolling the session back."""
    from app.extensions import db

    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone; the session is discarded at teardown anyway
        db.session.invalidate()
    # The driver's message (e.g. "connection refused", "database is locked"), not SQLAlchemy's, which
    # carries the statement's parameters.
    current_app.logger.warning(
        "database unavailable during %s %s: %s: %s",
        request.method,
        request.path,
        error.__class__.__name__,
        str(getattr(error, "orig", None) or error)[:300],
    )
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = jsonify(error="database_unavailable", message=UNAVAILABLE_MESSAGE)
        response.status_code = 503
    else:
        # Not base.html: its navigation and demo banner query the database that just failed.
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        response = current_app.response_class(page.render(message=UNAVAILABLE_MESSAGE), 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_serving(app: Flask) -> None:
    """Register the health check and the 503 handler for database outages."""
    app.register_blueprint(bp)
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)
