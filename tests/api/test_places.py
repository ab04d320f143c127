"""/api/places: district names, address parts and facility names, best first; no geocoder."""

import pytest


def places(client, q, **params):
    r = client.get("/api/places", query_string={"q": q, **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


@pytest.mark.parametrize("q", ["강남구", "강남", "서울 강남구", "서울특별시 강남구"])
def test_district_names_come_first(client, q):
    items = places(client, q)
    assert items[0]["type"] == "district" and items[0]["district"] == "11680" and items[0]["label"] == "서울 강남구"
    assert 37.45 < items[0]["lat"] < 37.53 and 127.0 < items[0]["lon"] < 127.12


def test_short_district_name_matches_exactly(client):
    items = places(client, "중구")
    assert [i["district"] for i in items if i["type"] == "district"] == ["11140"]


def test_road_name_groups_facilities_into_one_centre(client, make_facility):
    make_facility(address="서울특별시 중구 세종대로 110", lat=37.5660, lon=126.9780)
    make_facility(address="서울특별시 중구 세종대로 124", lat=37.5680, lon=126.9770)
    make_facility(address="서울특별시 종로구 세종대로 175", district_code="11110", lat=37.5720, lon=126.9768)
    make_facility(address="서울특별시 중구 을지로 1", lat=37.5660, lon=126.9800)
    items = places(client, "세종대로")
    assert [(i["label"], i["count"]) for i in items] == [("중구 세종대로", 2), ("종로구 세종대로", 1)]
    assert items[0]["lat"] == pytest.approx(37.5670) and items[0]["lon"] == pytest.approx(126.9775)
    assert items[0]["district"] == "11140"


def test_facility_names(client, make_facility):
    exact = make_facility(name="서울형 키즈카페 시청점", address="서울특별시 중구 세종대로 110")
    other = make_facility(name="서울형 키즈카페 시청점 별관", address="서울특별시 중구 무교로 1", lat=37.5680)
    make_facility(name="다른 곳", lat=None, lon=None)  # unlocated: no centre to offer
    items = places(client, "키즈카페 시청점")
    assert [(i["type"], i["facility_id"]) for i in items] == [("facility", exact.id), ("facility", other.id)]
    items = places(client, "서울형 키즈카페 시청점")
    assert items[0]["facility_id"] == exact.id and items[0]["lat"] == exact.lat
    assert places(client, "다른 곳") == []


def test_wildcards_are_text_and_nothing_matches_nothing(client, make_facility):
    make_facility(name="가족화장실", address="서울특별시 중구 세종대로 110")
    assert places(client, "%") == [] and places(client, "_") == []
    assert places(client, "없는장소이름") == []


def test_limit(client, make_facility):
    for i in range(6):
        make_facility(name=f"놀이터 {i}", address=f"서울특별시 중구 {i}번길 {i}", lat=37.566 + i * 1e-3)
    assert len(places(client, "놀이터", limit=3)) == 3


@pytest.mark.parametrize(
    "params, fragment",
    [({}, "q"), ({"q": "  "}, "q"), ({"q": "가" * 101}, "100자"), ({"q": "강남", "limit": 0}, "limit")],
)
def test_bad_queries_are_400(client, params, fragment):
    r = client.get("/api/places", query_string=params)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] == "invalid_parameter" and fragment in body["message"]


def test_documented_in_openapi(client):
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/places" in spec["paths"] and "Place" in spec["components"]["schemas"]


@pytest.fixture
def dongs(app, tmp_path):
    from tests.support import write_dong_file

    write_dong_file(tmp_path)
    app.config["NADEURI_DATA_DIR"] = str(tmp_path)


@pytest.mark.parametrize("q", ["합정동", "마포구 합정동", "서울특별시 마포구 합정동", "합정"])
def test_dong_names_resolve_to_the_dong_centre(client, dongs, q):
    first = places(client, q)[0]
    assert (first["type"], first["label"], first["district"]) == ("dong", "마포구 합정동", "11440")
    assert first["lat"] == pytest.approx(37.549) and first["lon"] == pytest.approx(126.911)


def test_numbered_dongs_offer_the_whole_and_each_part(client, dongs):
    items = places(client, "망원동")
    assert [i["label"] for i in items[:3]] == ["마포구 망원동", "마포구 망원1동", "마포구 망원2동"]
    assert items[0]["detail"] == "행정동 · 망원1동·망원2동"


def test_legal_dongs_come_from_facility_addresses(client, dongs, make_facility):
    make_facility(
        address="서울특별시 마포구 월드컵북로 416 2층(상암동, 사옥)", district_code="11440", lat=37.58, lon=126.89
    )
    make_facility(
        address="서울특별시 마포구 월드컵로 1",
        district_code="11440",
        lat=37.57,
        lon=126.88,
        details={"jibun_address": "서울특별시 마포구 상암동 1600"},
    )
    first = places(client, "상암동")[0]
    assert (first["type"], first["label"], first["detail"]) == ("dong", "마포구 상암동", "법정동")
    assert first["lat"] == pytest.approx(37.575) and first["lon"] == pytest.approx(126.885)


def test_without_a_dong_file_places_still_answer(client, app, tmp_path, make_facility):
    app.config["NADEURI_DATA_DIR"] = str(tmp_path / "none")  # demo mode: no data folder
    make_facility(name="합정 키즈카페", address="서울특별시 마포구 양화로 1")
    assert [i["type"] for i in places(client, "합정")] == ["facility"]
    assert places(client, "망원동") == []
