"""The search page's lean ranking (app.finder.points) finds, orders and counts exactly what services.search does."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.facilities import services
from app.facilities.services import SearchQuery
from app.finder.points import items_for, rank
from app.timeutil import KST

CITY_HALL = (37.5663, 126.9779)
ALL_KINDS = ["kids_cafe", "kids_ok_zone", "hourly_daycare", "family_restroom"]
TODAY = date(2030, 1, 7)  # a Monday


@pytest.fixture
def crowd(make_facility):
    """Facilities of every kind around City Hall: ties, restrooms listed twice, ages, amenities, hours, far ones."""
    made = []
    for i in range(40):
        kind = ALL_KINDS[i % 4]
        made.append(
            make_facility(
                kind=kind,
                name=f"시설 {i % 7}",
                address=f"세종대로 {i % 5}",
                lat=CITY_HALL[0] + (i % 9) * 0.002,  # ties in distance, broken by id
                lon=CITY_HALL[1] + (i % 3) * 0.003,
                district_code="11140" if i % 2 else "11110",
                age_min=i % 4 or None,
                age_max=(i % 4 + 5) if i % 3 else None,
                parking=bool(i % 2),
                opens_at="09:00" if i % 5 else "20:00",
                closes_at="18:00" if i % 5 else "22:00",
            )
        )
    for lat in (37.5670, 37.5668, 37.5690):  # one restroom listed three times: the nearest is kept
        make_facility(kind="family_restroom", name="시청역 화장실", address="세종대로 101", lat=lat)
    make_facility(name="멀리", lat=37.70, lon=127.10)
    make_facility(name="좌표 없음", lat=None, lon=None)
    return made


QUERIES = [
    SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=20_000),
    SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=1_000, kinds=ALL_KINDS),
    SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=900, kinds=["family_restroom", "kids_cafe"], age=2),
    SearchQuery(
        lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=5_000, kinds=["kids_cafe", "kids_ok_zone"], amenities=["parking"]
    ),
    SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=5_000, open_at=datetime(2030, 1, 7, 21, 0, tzinfo=KST)),
    SearchQuery(district="11140", kinds=ALL_KINDS),
    SearchQuery(district="11110"),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_ranking_matches_the_search(db, crowd, query):
    conn = db.session.connection()
    query.limit = 10_000
    expected = services.search(conn, query, today=TODAY)
    ranked = rank(conn, query)
    assert expected.total > 0
    assert ranked.markers.id.tolist() == [i["id"] for i in expected.items]
    assert len(ranked) == expected.total and ranked.center == expected.center
    assert ranked.distance_m.round(1).tolist() == pytest.approx([i["distance_m"] for i in expected.items], abs=0.11)
    assert ranked.markers.name.tolist() == [i["name"] for i in expected.items]
    assert set(ranked.markers.kind.tolist()) <= set(query.kinds or ALL_KINDS)
    assert ranked.markers.name.tolist().count("시청역 화장실") <= 1


def test_a_list_page_is_the_searchs_page(db, crowd):
    conn = db.session.connection()
    query = SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=20_000, kinds=ALL_KINDS, limit=10, offset=10)
    expected = services.search(conn, query, today=TODAY).items
    listed = items_for(conn, rank(conn, query).page(10, 20), TODAY)
    for item in expected:
        item["distance_m"] = pytest.approx(item["distance_m"], abs=0.06)
    assert listed == expected
    assert items_for(conn, [(10**9, None)], TODAY) == []  # an id that is gone is left out


def test_nothing_found(db, crowd):
    ranked = rank(db.session.connection(), SearchQuery(lat=35.1, lon=129.0, radius_m=500))
    assert len(ranked) == 0 and ranked.page(0, 50) == []
