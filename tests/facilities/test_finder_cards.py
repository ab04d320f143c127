"""What a parent decides on: 동 search, places to visit first, cards and popups, facility pages."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app.bookings.upcoming import next_sessions
from app.timeutil import KST
from tests.facilities.test_finder_pages import CITY_HALL, layers, listed_ids, page
from tests.factories import make_slot
from tests.support import write_dong_file

MANGWON = (37.5565, 126.9050)


@pytest.fixture
def dongs(app, tmp_path):
    write_dong_file(tmp_path)
    app.config["NADEURI_DATA_DIR"] = str(tmp_path)


def _soon(hours: int) -> datetime:
    return (datetime.now(KST) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


def test_dong_search_lands_on_its_results(client, dongs, make_facility):
    near = make_facility(name="망원 키즈카페", district_code="11440", lat=MANGWON[0], lon=MANGWON[1])
    make_facility(name="시청 키즈카페")
    for q in ("망원동", "마포구 망원동", "망원1동"):
        html = page(client, q=q)
        assert listed_ids(html) == [near.id], q
    html = page(client, q="합정동")
    assert "마포구 합정동 반경" in html and listed_ids(html) == [near.id]
    # The form lands on the results (no scroll back to the top): its action ends in #results.
    assert re.search(r'<form class="search-form"[^>]+action="/#results"', html) and 'id="results"' in html
    assert "마포구 합정동에서 가까운 순" in html


def test_demo_mode_without_a_dong_file_still_searches(client, app, tmp_path, make_facility):
    app.config["NADEURI_DATA_DIR"] = str(tmp_path / "none")
    html = page(client, 400, q="망원동")
    assert "찾지 못했습니다" in html and "동(예: 합정동)" in html


def test_places_to_visit_first_restrooms_a_layer_merged_once(client, make_facility):
    cafe = make_facility(name="키즈카페", lat=37.5680)
    first = make_facility(name="시청역 화장실", kind="family_restroom", lat=37.5664, address="세종대로 101")
    make_facility(name="시청역 화장실", kind="family_restroom", lat=37.5665, address="세종대로 101")  # listed twice
    other = make_facility(name="시청역 화장실", kind="family_restroom", lat=37.5666, address="세종대로 99")
    html = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1])
    assert listed_ids(html) == [cafe.id]
    toggle = re.search(r'<a class="layer-toggle" href="([^"]+)"', html).group(1)
    assert "kind=family_restroom" in toggle.replace("&amp;", "&")
    with_restrooms = client.get(toggle.replace("&amp;", "&")).get_data(as_text=True)
    assert listed_ids(with_restrooms) == [first.id, other.id, cafe.id]
    assert 'class="layer-toggle is-on"' in with_restrooms
    api = client.get("/api/facilities", query_string={"lat": CITY_HALL[0], "lon": CITY_HALL[1]}).get_json()
    assert [i["id"] for i in api["items"]] == [first.id, other.id, cafe.id] and api["total"] == 3


def test_kinds_and_amenities_without_data_are_not_offered(client, make_facility):
    make_facility(name="키즈카페", parking=True)
    html = page(client)
    assert 'value="kids_cafe"' in html and 'value="kids_ok_zone"' not in html and 'value="family_restroom"' not in html
    assert 'value="parking"' in html and 'value="kids_menu"' not in html and "layer-toggle" not in html


def test_cards_and_popups_carry_next_session_ages_fee_and_actions(client, db, make_facility):
    cafe = make_facility(name="회차 카페", age_min=3, age_max=9, phone="02-120-1234")
    full = make_slot(db.session, cafe, _soon(24), capacity=10)
    full.booked = 10
    make_slot(db.session, cafe, _soon(27), capacity=10)
    db.session.commit()
    idle = make_facility(name="회차 없는 어린이집", kind="hourly_daycare", lat=37.5670)
    html = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1])
    assert "마감 · 다음 빈 회차" in html and "잔여 10석" in html and "예정된 회차 없음" in html
    assert "이용 3~9세" in html and "아동 1회 2,000~5,000원" in html and "시간당 2,000원" in html
    assert f'href="/facilities/{cafe.id}#slots"' in html and 'href="tel:02-120-1234"' in html
    assert layers(html)["kids_cafe"][0][0] == cafe.id and layers(html)["hourly_daycare"][0][0] == idle.id
    # A popup's card, fetched when it opens: the same facts, its distance from the search's centre.
    card = client.get(f"/facilities/{cafe.id}/card?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}").get_json()
    assert card["phone"] == "02-120-1234" and "마감" in card["session"] and card["full"] is False
    assert card["ages"] == "3~9세" and card["fee"].startswith("아동") and card["distance"] == "0m"
    idle_card = client.get(f"/facilities/{idle.id}/card").get_json()
    assert idle_card["session"] == "예정된 회차 없음" and idle_card["distance"] == ""


def test_next_sessions_of_a_page_take_one_query(app, db, make_facility):
    cafes = [make_facility(name=f"카페 {i}") for i in range(5)]
    for i, cafe in enumerate(cafes):
        for h in (24, 26, 28):
            slot = make_slot(db.session, cafe, _soon(h))
            slot.booked = slot.capacity if i % 2 else 0
    db.session.commit()
    ids = [c.id for c in cafes]
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        found = next_sessions(db.session, ids, datetime.now(KST))
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(statements) == 1
    assert found[ids[0]]["next"]["left"] == 10 and "free" not in found[ids[0]]
    assert found[ids[1]]["text"].endswith("마감")  # every session full: no free one to point to


def test_district_search_says_where_distances_come_from(client, make_facility):
    make_facility(name="강남 키즈카페", district_code="11680", lat=37.4980, lon=127.0276)
    assert "강남구 중심에서 가까운 순" in page(client, district="11680")


def test_facility_page_actions_notes_hours_and_nearby_restrooms(client, db, make_facility):
    from app.bookings.models import SessionTemplate

    cafe = make_facility(
        name="시청 키즈카페",
        phone="02-120-0000",
        opens_at="09:30",
        closes_at="17:30",
        details={
            "feature_summary": "놀이돌봄서비스 운영 · 미끄럼방지 양말 필수",
            "parking_info": "- 주차비 최초 30분 무료",
            "cafe_type": "일반형 키즈카페",
            "reserve_url": "https://umppa.seoul.go.kr/reserve",
            "detail_url": "https://umppa.seoul.go.kr/view",
            "image_url": "https://umppa.seoul.go.kr/a.jpg",
        },
    )
    for weekday in range(7):
        db.session.add(SessionTemplate(facility_id=cafe.id, weekday=weekday, starts="10:00", ends="12:00"))
        db.session.add(SessionTemplate(facility_id=cafe.id, weekday=weekday, starts="13:00", ends="15:00"))
    restroom = make_facility(
        name="시청 화장실",
        kind="family_restroom",
        lat=37.5670,
        details={"accessible_toilets": "기저귀교환대1유아용보호의자1비상벨7", "toilet_type": "공공개방"},
        hours_text="정시(09:00~18:00)",
        opens_at="09:00",
        closes_at="18:00",
    )
    db.session.commit()
    html = client.get(f"/facilities/{cafe.id}").get_data(as_text=True)
    assert "미끄럼방지 양말 필수</li>" in html and "주차비 최초 30분 무료" in html and "일반형 키즈카페" in html
    assert "10:00–15:00" in html and "(예약 회차 기준)" in html and "09:30–17:30" not in html
    assert 'href="tel:02-120-0000"' in html and "https://map.kakao.com/link/to/" in html and "map.naver.com" in html
    assert "umppa.seoul.go.kr/reserve" not in html and "공식 예약 페이지" not in html
    assert "여기서 한 예약이 이 시설의 예약" in html and 'href="https://umppa.seoul.go.kr/a.jpg"' in html
    assert "가까운 가족화장실" in html and f'href="/facilities/{restroom.id}"' in html
    toilet = client.get(f"/facilities/{restroom.id}").get_data(as_text=True)
    assert "기저귀교환대 1, 유아용보호의자 1, 비상벨 7" in toilet and "공공개방" in toilet
    assert "원문" not in toilet and "카카오 길찾기" in toilet and "가까운 가족화장실" not in toilet


def test_gesture_handling_is_served_by_the_app(client):
    r = client.get("/vendor/leaflet-gesture-handling/dist/leaflet-gesture-handling.min.js")
    data = r.data
    r.close()  # a streamed file
    assert r.status_code == 200 and b"gestureHandling" in data
    html = client.get("/").get_data(as_text=True)
    assert "/vendor/leaflet-gesture-handling/dist/leaflet-gesture-handling.min.js" in html
    assert "gestureHandling: NadeuriMap.wantsGestureHandling()" in html
