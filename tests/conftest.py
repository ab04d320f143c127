"""Fixtures for the whole suite: a fresh app and database per test, a client, and a facility factory.

The database is SQLite in memory unless TEST_DATABASE_URL names another (CI runs the suite a
second time on PostgreSQL + PostGIS). Tests marked `postgres` or `browser` need those; off CI
they skip with the reason, in CI they fail instead.

How the tests are laid out (one way for each thing):
- Fixtures live in `conftest.py`: this one for the whole suite (`app`, `db`, `client`, `make_facility`, ...), and
  one per directory for what only that directory uses (tests/bookings: `cafe`, `daycare`, `parent`; tests/admin:
  the role matrix's `world` and `role_client`; tests/security: a module-wide app and `world`; tests/browser:
  `chromium_path`). pytest finds them; nobody imports them.
- Everything else a test imports is a plain module, imported by its full path, never by bare name and never from a
  conftest: `tests.factories` (the one user factory `make_user` for every role, with facilities, lock, password
  and children; the one `login` helper; children, slots, policies, bookings), `tests.support` (database, CI and
  query helpers), and helpers kept next to the tests that use them (`tests.imports.synth`,
  `tests.security.hostile`, `tests.admin.route_access`, `tests.bookings.refusal`, `tests.serving.rush`,
  `tests.browser.browser_helpers`, `tests.mailbox` (the local SMTP server behind the `mailbox` fixture)).
"""

from __future__ import annotations

import pytest

from app.extensions import db as _db
from tests.factories import add_facility
from tests.support import app_in_context, database_url


@pytest.fixture
def app():
    with app_in_context(database_url()) as app:
        yield app


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_facility(db):
    """Create a facility (tests.factories.add_facility): keyword arguments override any column."""
    return lambda **columns: add_facility(db.session, **columns)


@pytest.fixture
def mailbox():
    """A local SMTP server (tests.mailbox); `box.use_for(app)` points the app's e-mail at it, `.messages` holds mail."""
    from tests.mailbox import smtp_server

    with smtp_server() as box:
        yield box
