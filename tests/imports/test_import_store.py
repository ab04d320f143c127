"""The bulk insert of new facilities stores exactly what SQLAlchemy's insert() stores, defaults included."""

from datetime import UTC, datetime

from sqlalchemy import insert, text

from app.facilities.models import Facility
from app.geo import spatial
from app.imports.store import _insert_many

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _row(source_id: str, **extra) -> dict:
    return {
        "kind": "kids_cafe",
        "source": "seoul_kids_cafes",
        "source_id": source_id,
        "source_hash": "h",
        "name": "키즈카페",
        "address": None,
        "lat": 37.51245,
        "lon": 126.92731,
        "open_days": 126,
        "opens_at": "09:30",
        "always_open": False,
        "parking": False,
        "details": {"age": "4 ~ 10세", "open_saturday": True, "x": [1, "둘", None]},
        "is_demo": False,
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }


def _stored(db) -> dict[str, tuple]:
    rows = db.session.execute(text("SELECT * FROM facilities ORDER BY id")).mappings().all()
    return {r["source_id"]: tuple(v for k, v in r.items() if k not in ("id", "source_id")) for r in rows}


def test_bulk_insert_stores_what_insert_stores(db):
    later = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    db.session.execute(insert(Facility.__table__), [_row("a1"), _row("a2", parking=True, created_at=later, details={})])
    _insert_many(db.session, [_row("b1"), _row("b2", parking=True, created_at=later, details={})])
    db.session.commit()
    stored = _stored(db)
    assert stored["b1"] == stored["a1"]
    assert stored["b2"] == stored["a2"]
    got = {f.source_id: f for f in db.session.query(Facility)}
    assert got["b2"].parking is True and got["b1"].diaper_table is False and got["b1"].details["x"] == [1, "둘", None]


def _rtree_of(db, source_ids) -> dict[str, tuple]:
    """The R*Tree entry of each facility, by source id (without the facility id)."""
    rows = db.session.execute(
        text(
            "SELECT f.source_id, r.min_lat, r.max_lat, r.min_lon, r.max_lon FROM facility_rtree r"
            " JOIN facilities f ON f.id = r.id"
        )
    )
    return {sid: tuple(entry) for sid, *entry in rows if sid in source_ids}


def _kinds_and_blanks(prefix: str) -> list[dict]:
    kinds = ["kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"]
    blank = {3, 10, 17, 24, 28}
    return [
        _row(
            f"{prefix}{i}",
            kind=kinds[i % 4],
            lat=None if i in blank else 37.5 + i / 1000,
            lon=None if i in blank else 126.9 + i / 997,
        )
        for i in range(30)
    ]


def test_bulk_insert_fills_the_rtree_as_the_trigger_does(db, monkeypatch):
    """Many new rows: the R*Tree is filled after the rows, with the entries the insert trigger gives, and the
    trigger is back as it was; a rollback takes the rows and leaves the trigger."""
    from app.imports import store

    if db.engine.dialect.name != "sqlite":
        return
    trigger_sql = "SELECT sql FROM sqlite_master WHERE name = 'facility_rtree_insert'"
    trigger = db.session.execute(text(trigger_sql)).scalar()
    _insert_many(db.session, _kinds_and_blanks("t"))  # fewer than BULK_INDEX_ROWS: the trigger
    next_id = db.session.execute(text("SELECT max(id) + 1 FROM facilities")).scalar()
    # A stale entry under the id the next row gets: the trigger's INSERT OR REPLACE would overwrite it.
    db.session.execute(text("INSERT INTO facility_rtree VALUES (:id, 1, 1, 1, 1)"), {"id": next_id})
    monkeypatch.setattr(store, "BULK_INDEX_ROWS", 2)
    _insert_many(db.session, _kinds_and_blanks("b"))
    db.session.commit()
    by_trigger = _rtree_of(db, {f"t{i}" for i in range(30)})
    bulk = _rtree_of(db, {f"b{i}" for i in range(30)})
    assert len(bulk) == 30 - 5 and {"b" + k[1:]: v for k, v in by_trigger.items()} == bulk
    total = db.session.execute(text("SELECT count(*) FROM facility_rtree")).scalar()
    assert total == len(by_trigger) + len(bulk)
    assert db.session.execute(text(trigger_sql)).scalar() == trigger
    _insert_many(db.session, _kinds_and_blanks("r"))
    db.session.rollback()
    assert db.session.execute(text(trigger_sql)).scalar() == trigger
    assert db.session.execute(text("SELECT count(*) FROM facility_rtree")).scalar() == total
    db.session.execute(insert(Facility.__table__), [_row("after", lat=37.6)])
    assert abs(_rtree_of(db, {"after"})["after"][0] - 37.6) < 1e-5  # the R*Tree stores 32-bit floats


def _restrooms(prefix: str) -> list[dict]:
    """Restrooms on a few names and addresses (blank ones too), some unlocated: many twins, of each other and of
    rows inserted before."""
    names, addresses = ["역 화장실", "공원 화장실"], ["1층", "2층", "", None]
    return [
        _row(
            f"{prefix}{i}",
            kind="family_restroom" if i % 5 else "kids_cafe",
            name=names[i % 2],
            address=addresses[i // 2 % 4],
            lat=None if i % 7 == 3 else 37.5 + i / 1000,
            lon=None if i % 7 == 3 else 126.9 + i / 997,
        )
        for i in range(24)
    ]


def test_bulk_fill_bands_restroom_twins_as_the_triggers_do(db, monkeypatch):
    """Rows added with the insert trigger dropped get the triggers' bands, and rows already stored that gain a twin
    among them move to the twins' band: the same entries as inserting every row through the trigger."""
    from app.imports import store
    from tests.support import expected_rtree_bands, rtree_bands

    if db.engine.dialect.name != "sqlite":
        return
    twin_band = spatial.BANDS[spatial.TWIN_RESTROOMS]

    def insert_all(bulk_rows: int) -> dict[str, tuple]:
        monkeypatch.setattr(store, "BULK_INDEX_ROWS", 10**9)
        _insert_many(db.session, _restrooms("t")[:12])  # through the trigger
        monkeypatch.setattr(store, "BULK_INDEX_ROWS", bulk_rows)
        _insert_many(db.session, _restrooms("t")[12:] + _restrooms("b"))
        db.session.commit()
        conn = db.session.connection()
        assert rtree_bands(conn) == expected_rtree_bands(conn)
        entries = _rtree_of(db, {r["source_id"] for r in _restrooms("t") + _restrooms("b")})
        db.session.execute(text("DELETE FROM facilities"))
        db.session.commit()
        assert db.session.execute(text("SELECT count(*) FROM facility_rtree")).scalar() == 0
        return entries

    bulk = insert_all(2)
    assert sum(1 for e in bulk.values() if e[0] > twin_band * spatial.KIND_BAND_DEG - 90) > 10
    assert bulk == insert_all(10**9)
