"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.geo.spatial import is_managed

from conftest import database_url


def _fresh_app(tmp_path):
    url = database_url()
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(config)
    if url.startswith("postgresql"):
        with app.app_context(), db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return app


def _include(obj, name, type_, reflected, compare_to):
    return not is_managed(name) and name != "spatial_ref_sys"


def test_upgrade_matches_models_and_downgrade_cleans_up(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == []
        assert {"facilities", "districts", "users"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = {t for t in inspect(conn).get_table_names() if t not in ("alembic_version", "spatial_ref_sys")}
        assert left == set()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.engine.dispose()
