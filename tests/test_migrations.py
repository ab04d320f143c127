"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL, from their own SQL."""

import ast
import logging
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.facilities import services
from app.facilities.models import Facility
from app.geo import spatial
from app.geo.spatial import is_managed
from tests.support import database_url

VERSIONS = Path(__file__).resolve().parents[1] / "app" / "migrations" / "versions"
# The one piece of live app code a migration may use: a column type whose DDL is DateTime(timezone=True).
ALLOWED_APP_NAMES = {"app.timeutil.UTCDateTime"}


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


def _spatial_objects(conn) -> list[tuple]:
    """The spatial index's definition as the database reports it (whitespace and IF NOT EXISTS aside)."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT column_name, udt_name, generation_expression FROM information_schema.columns"
            " WHERE table_name = 'facilities' AND column_name = 'geog'"
            " UNION ALL SELECT indexname, '', indexdef FROM pg_indexes WHERE indexname = 'ix_facilities_geog'"
        ).all()
    else:
        rows = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'facility_rtree%' ORDER BY name"
        ).all()
    return sorted(tuple(" ".join(str(v).replace("IF NOT EXISTS ", "").split()) for v in row) for row in rows)


def _located(kind: str) -> Facility:
    return Facility(
        kind=kind,
        source="migration",
        source_id=kind,
        source_hash="x",
        name=kind,
        lat=37.5663,
        lon=126.9779,
        open_days=0b1111111,
        details={},
    )


def test_upgrade_matches_models_and_downgrade_cleans_up(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade(revision="0006_session_generation")
        # Rows written under the old spatial layout must be found under the new one.
        db.session.add_all([_located("hourly_daycare"), _located("family_restroom")])
        db.session.commit()
        upgrade()
        # Alembic's logging set-up must leave the app's own loggers on (the request log, for one).
        assert not logging.getLogger("nadeuri.request").disabled
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
            migrated_spatial = _spatial_objects(conn)
            q = services.SearchQuery(lat=37.5663, lon=126.9779, radius_m=100, kinds=["hourly_daycare"])
            assert [i["kind"] for i in services.search(conn, q).items] == ["hourly_daycare"]
        assert diff == []
        assert {"facilities", "districts", "users"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = {t for t in inspect(conn).get_table_names() if t not in ("alembic_version", "spatial_ref_sys")}
            assert _spatial_objects(conn) == []
        assert left == set()
        # The spatial index the migrations built is the one the live code (and the test database) uses.
        db.create_all()
        with db.engine.begin() as conn:
            spatial.install(conn)
        with db.engine.connect() as conn:
            assert migrated_spatial and _spatial_objects(conn) == migrated_spatial
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.engine.dispose()


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _live_code_used(source: str) -> list[str]:
    """The app modules and names a migration's source uses beyond the allowed column type."""

    def allowed(name: str, exact: bool = False) -> bool:
        return name in ALLOWED_APP_NAMES or (not exact and any(a.startswith(name + ".") for a in ALLOWED_APP_NAMES))

    used = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            used += [a.name for a in node.names if a.name.split(".")[0] == "app" and not allowed(a.name)]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "app":
            used += [f"{node.module}.{a.name}" for a in node.names if not allowed(f"{node.module}.{a.name}", True)]
        elif isinstance(node, ast.Attribute):
            name = _dotted(node)
            if name and name.split(".")[0] == "app" and not allowed(name):
                used.append(name)
    return used


def test_migrations_carry_their_own_sql():
    """History must not change when app code does: a migration uses no app code but the column type."""
    assert _live_code_used("from app.geo import spatial\nspatial.install(op.get_bind())") == ["app.geo.spatial"]
    assert _live_code_used("import app.timeutil\napp.timeutil.utcnow()") == ["app.timeutil.utcnow"]
    assert _live_code_used("from app.timeutil import UTCDateTime, utcnow") == ["app.timeutil.utcnow"]
    files = sorted(VERSIONS.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        assert _live_code_used(path.read_text(encoding="utf-8")) == [], path.name


def _restroom(n: int, name: str, address: str | None, kind: str = "family_restroom", **extra) -> Facility:
    return Facility(
        kind=kind,
        source="migration",
        source_id=f"wc{n}",
        source_hash="x",
        name=name,
        address=address,
        lat=37.5663 + n / 10_000,
        lon=126.9779,
        open_days=0b1111111,
        details={},
        **extra,
    )


def test_restroom_twins_migration_rebands_stored_rows(tmp_path):
    """0016 moves stored restrooms listed twice to the twins' band and its downgrade moves them back, with the
    triggers of each side; on PostgreSQL both ways leave the schema as it was."""
    from tests.support import expected_rtree_bands, rtree_bands

    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade(revision="0015_choice_indexes")
        db.session.add_all(
            [
                _restroom(1, "역 화장실", "지하 1층"),
                _restroom(2, "역 화장실", "지하 1층"),
                _restroom(3, "역 화장실", "지하 2층"),
                _restroom(4, "역 화장실", "지하 1층", kind="kids_cafe"),
                _restroom(5, "공원 화장실", None),
                _restroom(6, "공원 화장실", None),
            ]
        )
        db.session.commit()
        sqlite = db.engine.dialect.name == "sqlite"
        layout = "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'facility_rtree%' ORDER BY name"
        with db.engine.connect() as conn:
            before = conn.exec_driver_sql(layout).all() if sqlite else _spatial_objects(conn)
            bands_0015 = rtree_bands(conn) if sqlite else None
        twin, alone = spatial.BANDS[spatial.TWIN_RESTROOMS], spatial.KIND_BANDS["family_restroom"]
        ids = dict(db.session.execute(select(Facility.source_id, Facility.id)).all())
        db.session.remove()
        for _ in range(2):  # up, down, and up again
            upgrade(revision="0016_restroom_twins")
            with db.engine.connect() as conn:
                if sqlite:
                    bands = rtree_bands(conn)
                    assert bands == expected_rtree_bands(conn)
                    assert [bands[ids[f"wc{n}"]] for n in range(1, 7)] == [twin, twin, alone, 0, alone, alone]
                    assert "facility_rtree_restroom_key" in {r[1] for r in conn.exec_driver_sql(layout)}
                else:
                    assert _spatial_objects(conn) == before
                q = services.SearchQuery(lat=37.5663, lon=126.9779, radius_m=500, kinds=["family_restroom"])
                got = services.search(conn, q)
                assert [i["id"] for i in got.items] == [ids[f"wc{n}"] for n in (1, 3, 5, 6)]
                assert got.total == 4
            downgrade(revision="0015_choice_indexes")
            with db.engine.connect() as conn:
                if sqlite:
                    assert conn.exec_driver_sql(layout).all() == before
                    assert rtree_bands(conn) == bands_0015
                    assert set(bands_0015.values()) == {alone, 0}
                else:
                    assert _spatial_objects(conn) == before
        downgrade(revision="base")
        if not sqlite:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.engine.dispose()
