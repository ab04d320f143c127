"""GET /api/availability: live places per facility for the finder's cards and popups; bounded, public, cacheable."""

from __future__ import annotations

import json

import pytest
import time_machine

from app.api.availability import MAX_IDS
from tests.factories import NOW, ONE_CHILD, kst, login, make_slot, make_user, place_booking

URL = "/api/availability"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ask(client, ids: str, status: int = 200) -> dict:
    r = client.get(URL, query_string={"facility_ids": ids})
    assert r.status_code == status, r.get_json()
    return r.get_json()


def test_shape_state_and_text_per_facility(client, db, make_facility):
    cafe, daycare, empty = make_facility(), make_facility(kind="hourly_daycare"), make_facility()
    make_slot(db.session, cafe, kst(2026, 11, 24, 10), capacity=12)
    make_slot(db.session, daycare, kst(2026, 11, 24, 9), capacity=3)
    make_slot(db.session, daycare, kst(2026, 11, 23, 9), capacity=3)  # already started: not the next
    body = ask(client, f"{daycare.id},{cafe.id},{empty.id}")
    assert body == {
        "items": [
            {
                "id": daycare.id,
                "state": "open",
                "left": 3,
                "starts_at": "2026-11-24T09:00:00+09:00",
                "text": "다음 회차 11/24(화) 09:00 · 잔여 3석",
            },
            {
                "id": cafe.id,
                "state": "open",
                "left": 12,
                "starts_at": "2026-11-24T10:00:00+09:00",
                "text": "다음 회차 11/24(화) 10:00 · 잔여 12석",
            },
        ]
    }  # in the order asked; a facility with no session soon is left out, as the page then says 예정된 회차 없음


def test_full_is_마감_with_0_and_a_later_free_session_is_the_next_bookable(client, db, make_facility):
    parent = make_user(db.session, children=ONE_CHILD)
    full, later = make_facility(), make_facility()
    place_booking(db.session, parent, make_slot(db.session, full, kst(2026, 11, 24, 10), capacity=1))
    place_booking(db.session, parent, make_slot(db.session, later, kst(2026, 11, 24, 10), capacity=1))
    make_slot(db.session, later, kst(2026, 11, 25, 14), capacity=4)
    items = {i["id"]: i for i in ask(client, f"{full.id},{later.id}")["items"]}
    assert items[full.id] == {
        "id": full.id,
        "state": "full",
        "left": 0,
        "starts_at": "2026-11-24T10:00:00+09:00",
        "text": "다음 회차 11/24(화) 10:00 · 마감",
    }
    assert items[later.id]["state"] == "open" and items[later.id]["left"] == 4
    assert items[later.id]["starts_at"] == "2026-11-25T14:00:00+09:00"
    assert items[later.id]["text"].endswith("다음 빈 회차 11/25(수) 14:00 잔여 4석")


def test_unknown_and_duplicate_ids(client, db, make_facility):
    cafe = make_facility()
    make_slot(db.session, cafe, kst(2026, 11, 24, 10))
    body = ask(client, f"{cafe.id}, {cafe.id},999999,{2**31 - 1}")
    assert [i["id"] for i in body["items"]] == [cafe.id]
    assert ask(client, "999999") == {"items": []}


def test_200_ids_answered_201_refused(client, db, make_facility):
    cafe = make_facility()
    make_slot(db.session, cafe, kst(2026, 11, 24, 10))
    ids = [cafe.id] + list(range(10_000, 10_000 + MAX_IDS - 1))
    assert len(ask(client, ",".join(map(str, ids)))["items"]) == 1
    body = ask(client, ",".join(map(str, ids + [20_000])), 400)
    assert body["error"] == "invalid_parameter" and "최대 200개" in body["message"]
    r = client.get(f"{URL}?facility_ids={cafe.id}&facility_ids=5")  # repeated works as comma-separated
    assert r.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?facility_ids=",
        "?facility_ids=,,",
        "?facility_ids=abc",
        "?facility_ids=1,x",
        "?facility_ids=0",
        "?facility_ids=-3",
        "?facility_ids=1.5",
        f"?facility_ids={2**31}",
        "?facility_ids=" + "9" * 5000,
        "?facility_ids=" + ",".join(["1"] * 201),
        "?facility_ids=%EF%BC%91",  # a full-width digit: not an id
    ],
)
def test_bad_input_is_400_in_korean(client, query):
    r = client.get(URL + query)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] == "invalid_parameter" and body["message"].startswith("facility_ids: ")
    assert any("\uac00" <= ch <= "\ud7a3" for ch in body["message"])


def test_public_cacheable_and_no_personal_data(client, db, make_facility):
    parent = make_user(db.session, children=ONE_CHILD, email="parent@example.com", name="김하늘")
    cafe = make_facility()
    slot = make_slot(db.session, cafe, kst(2026, 11, 24, 10), capacity=2)
    booking = place_booking(db.session, parent, slot)
    r = client.get(URL, query_string={"facility_ids": str(cafe.id)})
    assert r.status_code == 200
    assert r.cache_control.public and 0 < r.cache_control.max_age <= 10
    assert "Set-Cookie" not in r.headers
    text = json.dumps(r.get_json(), ensure_ascii=False)
    for secret in ("parent@example.com", "김하늘", "하늘", booking.code, "user", "booking", "child"):
        assert secret not in text
    assert set(r.get_json()["items"][0]) == {"id", "state", "left", "starts_at", "text"}
    login(client, parent)  # a signed-in parent gets the very same answer
    assert client.get(URL, query_string={"facility_ids": str(cafe.id)}).get_json() == r.get_json()


def test_signed_in_answer_sets_no_cookie_a_cache_could_keep(client, db, make_facility):
    parent = make_user(db.session, children=ONE_CHILD)
    login(client, parent)
    r = client.get(URL, query_string={"facility_ids": str(make_facility().id)})
    assert r.status_code == 200 and "Set-Cookie" not in r.headers, r.headers


def test_blocked_and_far_sessions_are_not_the_next(client, db, make_facility):
    cafe, far = make_facility(), make_facility()
    make_slot(db.session, cafe, kst(2026, 11, 24, 10), blocked=True)
    make_slot(db.session, cafe, kst(2026, 11, 24, 14), capacity=5)
    make_slot(db.session, far, kst(2026, 12, 20, 10))  # beyond the 21-day horizon
    items = ask(client, f"{cafe.id},{far.id}")["items"]
    assert [(i["id"], i["starts_at"], i["left"]) for i in items] == [(cafe.id, "2026-11-24T14:00:00+09:00", 5)]
