"""Database and CI helpers shared by the fixtures and by tests that build their own app.

A plain module (imported as `tests.support`), so no test imports a conftest.py by name.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import StaticPool

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
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


def process_database_url(kind: str, tmp_path) -> str:
    """A database several OS processes can share: a SQLite file under `tmp_path`, or PostgreSQL."""
    return f"sqlite:///{tmp_path / 'race.sqlite3'}" if kind == "sqlite" else postgres_url()


def run_processes(target, args_per_process: list[tuple]) -> Counter:
    """One spawned process per args tuple, `target(*args, barrier, results)`, released together by the barrier;
    the Counter of everything they put on `results`."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(args_per_process)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for args in args_per_process]
    for p in procs:
        p.start()
    outcomes = Counter()
    for _ in procs:
        outcomes.update(results.get(timeout=120))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return outcomes


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


def audits(session, action: str):
    """The audit entries recorded for `action`, oldest first."""
    from app.audit.models import AuditEntry

    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@contextmanager
def app_in_context(url: str):
    """`make_app(url)` inside its app context; on the way out, the session and the engine's connections go."""
    app = make_app(url)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


# Three 마포구 행정동 as squares near their real places (admdongkor layout), for 동 searches without the real file.
SAMPLE_DONGS = {  # name: (south-west lat, lon), 0.006° squares
    "합정동": (37.546, 126.908),
    "망원1동": (37.553, 126.899),
    "망원2동": (37.553, 126.905),
}


def write_dong_file(folder) -> None:
    """Write SAMPLE_DONGS as the 행정동 boundary file the app reads from NADEURI_DATA_DIR."""
    import json
    from pathlib import Path

    from app.geo.cafe_coverage import DONG_FILE

    features = []
    for i, (name, (lat, lon)) in enumerate(SAMPLE_DONGS.items()):
        ring = [[lon, lat], [lon + 0.006, lat], [lon + 0.006, lat + 0.006], [lon, lat + 0.006], [lon, lat]]
        props = {"adm_nm": f"서울특별시 마포구 {name}", "adm_cd2": f"11440{i:05d}", "sgg": "11440", "sggnm": "마포구"}
        features.append(
            {"type": "Feature", "properties": props, "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}}
        )
    data = {"type": "FeatureCollection", "features": features}
    (Path(folder) / DONG_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@contextmanager
def counted(engine):
    """Count the SQL statements sent to the database while the block runs."""
    from sqlalchemy import event

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def writes(statements: list[str]) -> list[str]:
    """The INSERT/UPDATE/DELETE statements among those `counted` saw."""
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def rtree_bands(conn) -> dict[int, int | None]:
    """SQLite: the R*Tree's entries as id → band (the entry's latitude offset from its facility's, in bands; None
    for an entry without a facility or away from its facility's position)."""
    rows = conn.exec_driver_sql(
        "SELECT r.id, r.min_lat - f.lat, r.min_lon - f.lon FROM facility_rtree r LEFT JOIN facilities f ON f.id = r.id"
    ).all()
    out = {}
    for i, dlat, dlon in rows:
        band = None if dlat is None else round(dlat / spatial.KIND_BAND_DEG)
        off = dlat is None or abs(dlat - band * spatial.KIND_BAND_DEG) > 1e-4 or abs(dlon) > 1e-4
        out[i] = None if off else band
    return out


def expected_rtree_bands(conn) -> dict[int, int]:
    """What the R*Tree should hold, worked out in Python from `facilities`: id → band for every located row, kind's
    band, restrooms sharing name and address (services._one_per_restroom's key) with another located one in the
    twins' band."""
    rows = conn.exec_driver_sql("SELECT id, kind, name, address FROM facilities WHERE lat IS NOT NULL").all()
    key = {i: (name, address or f"#{i}") for i, kind, name, address in rows if kind == spatial.RESTROOM}
    groups = Counter(key.values())
    bands = {}
    for i, kind, _, _ in rows:
        twin = i in key and groups[key[i]] > 1
        bands[i] = spatial.BANDS[spatial.TWIN_RESTROOMS] if twin else spatial.KIND_BANDS.get(kind, 4)
    return bands
