"""Nadeuri (나들이): find and book family facilities in Seoul.

The packages stack in one order; each imports only from the layers below it (tests/test_layers.py checks every
import, function-level ones included, and that no modules import each other in a loop). Bottom up:

1. core modules: config, validation, timeutil, extensions, database, limits, security, serving, requestlog, jsonio,
   backup, masking (how personal data is shown masked), routing (route modules record onto ``Routes``), errors
   (``DomainError``), params (query/body parsing), jobs (the huey job queue: tasks and periodic jobs that
   ``flask notify-worker`` runs)
2. geo: spatial index, districts, kids-café walking coverage (reads tables by name, no models from above)
3. facilities: models, search parsing and search, places, district outlines, opening hours
4. maps: draws Folium maps from service results
5. imports, audit (the change log and the personal-data access log)
6. auth
7. notifications: outbox, channels (e-mail, 알림톡/SMS, development), messages, settings, password reset
8. bookings (calls ``notify`` where a booking changes; reminders)
9. lottery: the weekend lottery: entries, the verifiable draw (``flask run-lottery``, every minute as a job) and
   the hold for offers of freed places (above bookings, which a claimed win will create)
10. operators
11. privacy: the privacy policy page, a parent's export and account deletion, the personal-data purge (uses the
   booking services to release places; the access log it reads lives in audit, where operators write it)
12. admin
13. finder (the search and facility pages, blueprint "facilities"), api
14. models (aggregates every package's models for SQLAlchemy and Alembic), migrations
15. this module: the app factory

Each package with pages makes its blueprint in its ``__init__.py``, which imports its route modules at the top.
"""

from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask, jsonify, render_template, request

from app.config import BASE_DIR, Config, check_secret_key


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application; nothing touches the database at import time."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    check_secret_key(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from app.jsonio import init_json

    init_json(app)  # JSON answers through orjson

    register_extensions(app)
    register_jobs(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_context(app)
    register_serving(app)
    if not app.testing:
        # Everything loaded so far (Flask, SQLAlchemy, geopandas, …) lives as long as the process: keep it out
        # of the garbage collector's full passes, which otherwise cost ~150 ms on every few large requests.
        gc.freeze()
    return app


def register_extensions(app: Flask) -> None:
    from app import (
        limits,
        models,  # noqa: F401  (all models known to SQLAlchemy and Alembic)
    )
    from app.database import configure_engine
    from app.delivery import init_delivery
    from app.extensions import compress, csrf, db, login_manager, mail, migrate
    from app.security import init_security
    from app.serving import apply_engine_options
    from app.validation import IdConverter

    init_security(app)  # first: every response, errors included, gets the headers and its script nonce
    app.url_map.converters["id"] = IdConverter  # <id:…> in routes: 1 … ID_MAX, else 404
    limits.register(app)  # before CSRF: the body limit applies before anything parses the body
    apply_engine_options(app)  # before init_app: the engine is built from these options
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)
    mail.init_app(app)  # reads MAIL_*; only the worker sends (app/notifications/channels.py)
    init_delivery(app)  # gzip/brotli and asset cache lifetimes (one after_request hook)
    from app.auth import init_login

    init_login(login_manager)
    from app.auth.ratelimit import init_rate_limits

    init_rate_limits(app)
    with app.app_context():
        configure_engine(db.engine)


def register_jobs(app: Flask) -> None:
    """The job queue and every task and periodic job the worker runs (one line each)."""
    from app.bookings.reminders import booking_reminders
    from app.jobs import init_jobs
    from app.lottery.commands import lottery_tick
    from app.notifications import tasks
    from app.notifications.services import init_outbox_hooks
    from app.privacy.purge import daily_purge

    init_outbox_hooks()  # outbox rows are enqueued after their transaction commits
    jobs = init_jobs(app)
    jobs.task(tasks.deliver)
    jobs.task(tasks.request_password_reset)
    jobs.periodic(tasks.sweep_outbox, minute="*/5")
    jobs.periodic(booking_reminders, hour=18)  # 18:00 Seoul time, the day before
    jobs.periodic(daily_purge, hour=4, minute=10)  # retention periods, once a day while the city sleeps
    jobs.periodic(lottery_tick, minute="*")  # the weekend lottery's commitment, close and draw, each once


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.bookings import bp as bookings_bp
    from app.finder import bp as facilities_bp
    from app.lottery import bp as lottery_bp
    from app.maps import bp as maps_bp
    from app.notifications import bp as notifications_bp
    from app.operators import bp as operators_bp
    from app.privacy import bp as privacy_bp

    app.register_blueprint(facilities_bp)
    app.register_blueprint(maps_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(lottery_bp)
    app.register_blueprint(operators_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    # Bearer clients cannot send CSRF tokens; app.auth.tokens checks CSRF for session-authenticated API calls.
    from app.extensions import csrf

    csrf.exempt(api_bp)


def register_errorhandlers(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    from app.limits import describe

    def handle(error):
        code = getattr(error, "code", 500) or 500
        if wants_json():
            return jsonify(error=f"http_{code}", message=describe(error)), code
        if hasattr(error, "description"):
            error.description = describe(error)  # Werkzeug's English defaults become Korean
        template = "errors/404.html" if code == 404 else "errors/error.html"
        return render_template(template, error=error, code=code), code

    for code in (400, 401, 403, 404, 405, 409, 413, 422, 429, 500):
        app.register_error_handler(code, handle)


def register_commands(app: Flask) -> None:
    from app.bookings.commands import register as register_booking_commands
    from app.geo.commands import register as register_coverage_commands
    from app.imports.commands import register as register_import_commands

    register_import_commands(app)
    register_booking_commands(app)
    register_coverage_commands(app)
    from app.admin.commands import register as register_admin_commands

    register_admin_commands(app)
    from app.backup import register as register_backup_commands

    register_backup_commands(app)
    from app.privacy.commands import register as register_privacy_commands

    register_privacy_commands(app)
    from app.lottery.commands import register as register_lottery_commands

    register_lottery_commands(app)


def register_context(app: Flask) -> None:
    from app.bookings.choices import BookingStatus
    from app.facilities.choices import FacilityKind, FlagReason
    from app.facilities.services import data_is_demo

    # The choices themselves, so templates compare with members and show their labels (app/choices.py).
    app.jinja_env.globals.update(BookingStatus=BookingStatus, FacilityKind=FacilityKind, FlagReason=FlagReason)

    @app.context_processor
    def inject_globals():
        return {"data_is_demo": data_is_demo(), "KIND_LABELS": FacilityKind.labels()}


def register_serving(app: Flask) -> None:
    """Health check, 503 for database outages, one JSON log line per request."""
    from app.requestlog import init_request_log
    from app.serving import init_serving

    init_serving(app)
    init_request_log(app)
