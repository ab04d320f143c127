"""The bulk insert of new facilities stores exactly what SQLAlchemy's insert() stores, defaults included."""

from datetime import UTC, datetime

from sqlalchemy import insert, text

from app.facilities.models import Facility
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
