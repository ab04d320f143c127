"""The finder API: nearest first, filters, paging and clear 400s."""

from datetime import datetime

import pytest

from app.timeutil import KST

CITY_HALL = (37.5663, 126.9779)


def _get(client, **params):
    return client.get("/api/facilities", query_string=params)


def test_nearest_first_within_radius(client, make_facility):
    far = make_facility(name="먼 곳", lat=37.5750, lon=126.9779)  # ~970 m north
    near = make_facility(name="가까운 곳", lat=37.5670, lon=126.9779)  # ~80 m
    make_facility(name="반경 밖", lat=37.6000, lon=126.9779)  # ~3.7 km
    r = _get(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=1000)
    assert r.status_code == 200
    body = r.get_json()
    assert [i["id"] for i in body["items"]] == [near.id, far.id]
    assert body["total"] == 2
    assert 60 < body["items"][0]["distance_m"] < 100
    assert set(body["items"][0]) >= {"id", "kind", "name", "address", "district", "lat", "lon", "distance_m"}


def test_kind_age_amenity_and_district_filters(client, make_facility):
    cafe = make_facility(kind="kids_cafe", age_min=4, age_max=10)
    make_facility(kind="kids_cafe", age_min=0, age_max=3)
    toilet = make_facility(kind="family_restroom", diaper_table=True, lat=37.5665)
    make_facility(kind="family_restroom", diaper_table=False, lat=37.5666)
    other_district = make_facility(kind="kids_ok_zone", district_code="11110")
    base = dict(lat=CITY_HALL[0], lon=CITY_HALL[1])
    ids = lambda **p: {i["id"] for i in _get(client, **base, **p).get_json()["items"]}  # noqa: E731
    assert cafe.id in ids(kind="kids_cafe", age=5)
    assert len(ids(kind="kids_cafe", age=5)) == 1
    assert ids(amenity="diaper_table") == {toilet.id}
    assert ids(kind="kids_ok_zone,family_restroom", district="종로구") == {other_district.id}
    assert ids(kind=["kids_ok_zone", "family_restroom"], district="11140") == {toilet.id, toilet.id + 1}


def test_open_at_uses_hours_days_and_public_holidays(client, make_facility):
    weekday_only = make_facility(opens_at="09:00", closes_at="18:00", open_days=0b0011111, closed_on_holidays=True)
    always = make_facility(always_open=True)
    make_facility()  # hours unknown: never claimed open
    base = dict(lat=CITY_HALL[0], lon=CITY_HALL[1])

    def open_ids(moment: datetime):
        return {i["id"] for i in _get(client, **base, open_at=moment.isoformat()).get_json()["items"]}

    assert open_ids(datetime(2026, 11, 24, 10, 0, tzinfo=KST)) == {weekday_only.id, always.id}  # Tuesday
    assert open_ids(datetime(2026, 11, 24, 19, 0, tzinfo=KST)) == {always.id}
    assert open_ids(datetime(2026, 11, 28, 10, 0, tzinfo=KST)) == {always.id}  # Saturday
    assert open_ids(datetime(2026, 12, 25, 10, 0, tzinfo=KST)) == {always.id}  # Christmas, a Friday


def test_paging(client, make_facility):
    made = [make_facility(lat=37.5663 + i * 0.0005) for i in range(5)]
    body = _get(client, lat=CITY_HALL[0], lon=CITY_HALL[1], limit=2, offset=2).get_json()
    assert body["total"] == 5
    assert [i["id"] for i in body["items"]] == [made[2].id, made[3].id]


def test_search_by_district_without_a_point(client, make_facility):
    inside = make_facility(district_code="11680", lat=37.5172, lon=127.0473)
    make_facility(district_code="11140")
    body = _get(client, district="강남구").get_json()
    assert [i["id"] for i in body["items"]] == [inside.id]


@pytest.mark.parametrize(
    "params, fragment",
    [
        (dict(lat="abc", lon=126.97), "lat"),
        (dict(lat=37.56, lon="nan"), "lon"),
        (dict(lat=95, lon=126.97), "lat"),
        (dict(lat=37.56, lon=126.97, radius_m=50_000), "radius_m"),
        (dict(lat=37.56, lon=126.97, radius_m=0), "radius_m"),
        (dict(lat=37.56, lon=126.97, limit=1000), "limit"),
        (dict(lat=37.56, lon=126.97, offset=-1), "offset"),
        (dict(lat=37.56, lon=126.97, kind="zoo"), "kind"),
        (dict(lat=37.56, lon=126.97, amenity="pool"), "amenity"),
        (dict(lat=37.56, lon=126.97, age=-2), "age"),
        (dict(lat=37.56, lon=126.97, open_at="tomorrow"), "open_at"),
        (dict(lat=37.56, lon=126.97, district="부산구"), "district"),
        (dict(lat=37.56), "lon"),
        ({}, "district"),
    ],
)
def test_bad_input_is_a_400_with_a_message(client, params, fragment):
    r = _get(client, **params)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] == "invalid_parameter"
    assert fragment in body["message"]


def test_swapped_and_outside_seoul_points(client):
    r = _get(client, lat=126.9779, lon=37.5663)
    assert r.status_code == 400 and r.get_json()["error"] == "swapped_coordinates"
    r = _get(client, lat=35.1796, lon=129.0756)  # Busan
    assert r.status_code == 400 and r.get_json()["error"] == "outside_seoul"


def test_facility_detail_and_404(client, make_facility):
    f = make_facility(name="<b>이름</b>", opens_at="09:00", closes_at="18:00")
    body = client.get(f"/api/facilities/{f.id}").get_json()
    assert body["name"] == "<b>이름</b>" and body["kind"] == "kids_cafe" and body["district_name"] == "중구"
    r = client.get("/api/facilities/999999")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_districts_with_counts_and_point_lookup(client, make_facility):
    make_facility(kind="kids_cafe", district_code="11140")
    make_facility(kind="family_restroom", district_code="11140")
    items = client.get("/api/districts").get_json()["items"]
    assert len(items) == 25
    jung = next(d for d in items if d["code"] == "11140")
    assert jung["name"] == "중구" and jung["counts"] == {"kids_cafe": 1, "family_restroom": 1}
    assert client.get("/api/districts/at", query_string=dict(lat=37.5172, lon=127.0473)).get_json()["name"] == "강남구"
    assert client.get("/api/districts/at", query_string=dict(lat=35.18, lon=129.07)).status_code == 404
