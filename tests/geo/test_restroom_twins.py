"""SQLite: restrooms listed twice (same name and address) sit in a band of their own in the R*Tree.

The triggers keep it: a row arriving, changing (name, address, kind, position) or leaving moves the other rows of
its old and new key between the restroom band and the twins' band. After every change the tree must equal what
Python works out from `facilities` (tests.support.expected_rtree_bands).
"""

import random

import pytest
from sqlalchemy import insert, text

from app.facilities.models import Facility
from app.geo import spatial
from tests.support import app_in_context, expected_rtree_bands, rtree_bands

TWIN = spatial.BANDS[spatial.TWIN_RESTROOMS]
ALONE = spatial.KIND_BANDS["family_restroom"]
KINDS = list(spatial.KIND_BANDS)


@pytest.fixture
def app():
    """SQLite whatever TEST_DATABASE_URL names: the R*Tree is SQLite's (PostGIS counts twins in SQL), so these tests
    run, on SQLite, in both of CI's passes instead of skipping in the PostgreSQL one."""
    with app_in_context("sqlite://") as app:
        yield app


def bands(db) -> dict[int, int | None]:
    conn = db.session.connection()
    got = rtree_bands(conn)
    assert got == expected_rtree_bands(conn)
    return got


def test_twin_band_is_after_the_kinds_and_their_else_band():
    assert TWIN == len(spatial.KIND_BANDS) + 1 and TWIN not in spatial.KIND_BANDS.values()


def test_twins_move_between_bands_on_every_change(db, make_facility):
    station = dict(kind="family_restroom", name="강남역 화장실", address="강남대로 지하 396")
    a = make_facility(**station)
    assert bands(db)[a.id] == ALONE
    b = make_facility(**station, lat=37.5664)
    assert bands(db)[a.id] == bands(db)[b.id] == TWIN
    # An unlocated row is not in the tree and makes no twin.
    far = make_facility(**{**station, "address": "강남대로 지하 1"}, lat=None, lon=None)
    assert far.id not in bands(db)

    for column, other in (("name", "역삼역 화장실"), ("address", "강남대로 지하 397"), ("kind", "kids_cafe")):
        setattr(b, column, other)
        db.session.commit()
        got = bands(db)
        assert got[a.id] == ALONE and got[b.id] == (0 if column == "kind" else ALONE), column
        setattr(b, column, station[column])
        db.session.commit()
        assert bands(db)[a.id] == bands(db)[b.id] == TWIN, column

    # Position: unlocated leaves the tree (its twin is alone), located again comes back as a twin.
    b.lat = b.lon = None
    db.session.commit()
    assert b.id not in bands(db) and bands(db)[a.id] == ALONE
    b.lat, b.lon = 37.5670, 126.9790
    db.session.commit()
    assert bands(db)[b.id] == TWIN
    # Moving into another key (address) makes a twin there and leaves the old key alone.
    far.lat, far.lon, far.address = 37.6, 127.0, station["address"]
    db.session.commit()
    assert {bands(db)[i] for i in (a.id, b.id, far.id)} == {TWIN}
    far.address = "강남대로 지하 1"
    db.session.commit()
    got = bands(db)
    assert got[far.id] == ALONE and got[a.id] == got[b.id] == TWIN

    # Leaving: the last twin is alone again.
    db.session.delete(b)
    db.session.commit()
    assert bands(db)[a.id] == ALONE


def test_without_an_address_the_key_is_the_id(db, make_facility):
    """services._one_per_restroom keys (name, address or '#id'): blank addresses never pair, '#<id>' does."""
    blank = make_facility(kind="family_restroom", name="공중화장실", address="")
    none = make_facility(kind="family_restroom", name="공중화장실", address=None)
    assert bands(db)[blank.id] == bands(db)[none.id] == ALONE
    hashed = make_facility(kind="family_restroom", name="공중화장실", address=f"#{none.id}")
    assert bands(db)[none.id] == bands(db)[hashed.id] == TWIN and bands(db)[blank.id] == ALONE


def test_random_edits_keep_every_band(db):
    """Inserts, updates of one or several columns (watched or not) and deletes, at random, on a few keys."""
    rnd = random.Random(21)
    names, addresses = ["화장실 가", "화장실 나"], ["1층", "2층", "", None]
    conn = db.session.connection()

    def values() -> dict:
        located = rnd.random() < 0.85
        return {
            "kind": rnd.choice(KINDS + ["family_restroom"] * 4),
            "name": rnd.choice(names),
            "address": rnd.choice(addresses),
            "lat": 37.5 + rnd.random() / 10 if located else None,
            "lon": 127.0 + rnd.random() / 10 if located else None,
        }

    ids: list[int] = []
    for step in range(400):
        op = rnd.random()
        if op < 0.3 or len(ids) < 3:
            row = {**values(), "source": "test", "source_id": f"r{step}", "source_hash": "x", "details": {}}
            fid = conn.execute(insert(Facility.__table__).values(row).returning(Facility.id)).scalar()
            ids.append(fid)
        elif op < 0.85:
            v = values()
            columns = rnd.sample(["kind", "name", "address", "position", "phone"], rnd.randint(1, 3))
            sets = [f"{c} = :{c}" for c in columns if c not in ("position", "phone")]
            if "position" in columns:
                sets.append("lat = :lat, lon = :lon")
            if "phone" in columns:
                sets.append("phone = '02-000-0000'")
            conn.execute(text(f"UPDATE facilities SET {', '.join(sets)} WHERE id = :id"), {**v, "id": rnd.choice(ids)})
        else:
            fid = ids.pop(rnd.randrange(len(ids)))
            conn.execute(text("DELETE FROM facilities WHERE id = :id"), {"id": fid})
        assert rtree_bands(conn) == expected_rtree_bands(conn), step
    assert TWIN in rtree_bands(conn).values() and ALONE in rtree_bands(conn).values()
