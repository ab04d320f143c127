"""Shared fixtures: a fresh app and database per test, factories, and database/browser helpers.

The database is SQLite in memory unless TEST_DATABASE_URL names another (CI runs the suite a
second time on PostgreSQL + PostGIS). Tests marked `postgres` or `browser` need those; off CI
they skip with the reason, in CI they fail instead.
"""
from __future__ import annotations

import itertools
import os
import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.facilities.models import WEEKDAYS_ALL, Facility
from app.geo import spatial
from app.imports.districts import load_districts

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/nadeuri_test"


def need(reason: str):
    """Skip off CI, fail in CI: CI must run every test."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "sqlite://")


def postgres_url() -> str:
    """A reachable PostgreSQL + PostGIS URL for tests, or skip/fail."""
    url = database_url()
    if not url.startswith("postgresql"):
        url = os.environ.get("PG_TEST_URL", DEFAULT_PG_URL)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            conn.commit()
        engine.dispose()
    except Exception as exc:  # any connection or extension failure means "no PostgreSQL here"
        need(f"PostgreSQL + PostGIS not reachable at {url}: {exc.__class__.__name__}")
    return url


def make_app(url: str):
    """An app bound to `url` with all tables created and the spatial index installed."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    if url == "sqlite://":
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    app = create_app(config)
    with app.app_context():
        with _db.engine.begin() as conn:
            spatial.uninstall(conn)
        _db.drop_all()
        _db.create_all()
        with _db.engine.begin() as conn:
            spatial.install(conn)
        load_districts(_db.session)
        _db.session.commit()
    return app


@pytest.fixture
def app():
    app = make_app(database_url())
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


_ids = itertools.count(1)


@pytest.fixture
def make_facility(db):
    """Create a facility with sensible defaults; keyword arguments override any column."""

    def make(**kw) -> Facility:
        n = next(_ids)
        values = dict(
            kind="kids_cafe", source="test", source_id=f"t{n}", source_hash="x", name=f"시설 {n}",
            address="서울특별시 중구 세종대로 110", lat=37.5663, lon=126.9779, district_code="11140",
            open_days=WEEKDAYS_ALL, details={},
        )
        values.update(kw)
        facility = Facility(**values)
        db.session.add(facility)
        db.session.commit()
        return facility

    return make


@pytest.fixture
def chromium_path() -> str:
    """The Debian Chromium binary for browser tests."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        need("Chromium not installed (apt-get install -y chromium fonts-nanum)")
    return path
