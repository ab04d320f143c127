"""What the public sees of the lottery outside its own pages: the slots API's `allocation` and `lottery` (cycle and
entry count), and the live state 추첨 in GET /api/availability and on the search page's cards (#12)."""

from __future__ import annotations

import time_machine

from app.bookings.models import Slot
from app.extensions import db as _db
from app.lottery.services import enter, withdraw
from tests.factories import kst, make_child, make_slot, make_user, set_policy
from tests.lottery.conftest import OPEN
from tests.support import counted

CYCLE = {
    "opens_at": "2027-01-05T09:00:00+09:00",
    "closes_at": "2027-01-06T23:59:00+09:00",
    "draw_at": "2027-01-07T10:00:00+09:00",
    "claim_by": "2027-01-08T12:00:00+09:00",
}


def _slots(client, facility_id: int, day: str) -> dict[int, dict]:
    r = client.get(f"/api/facilities/{facility_id}/slots", query_string={"date": day})
    assert r.status_code == 200, r.get_json()
    return {item["id"]: item for item in r.get_json()["items"]}


def _enter(db, slot_ids: list[int]):
    parent = make_user(db.session)
    child = make_child(db.session, parent)
    with time_machine.travel(OPEN, tick=False):
        entry = enter(db.session, parent, slot_ids, [child.id], 1, OPEN)
        db.session.commit()
    return parent, entry


def _availability(client, *ids) -> dict[int, dict]:
    r = client.get("/api/availability", query_string={"facility_ids": ",".join(map(str, ids))})
    assert r.status_code == 200, r.get_json()
    return {item["id"]: item for item in r.get_json()["items"]}


def test_slots_api_marks_lottery_sessions_with_their_cycle(client, db, sessions, make_facility):
    plain = make_facility(kind="kids_cafe")
    plain_sat = make_slot(db.session, plain, kst(2027, 1, 9, 10)).id
    with time_machine.travel(OPEN, tick=False):
        first_come = _slots(client, plain.id, "2027-01-09")[plain_sat]
        saturday = _slots(client, _facility_of(db, sessions["sat10"]), "2027-01-09")
        friday = _slots(client, _facility_of(db, sessions["fri10"]), "2027-01-08")
    assert first_come["allocation"] == "first_come" and "lottery" not in first_come
    assert {saturday[sessions[n]]["allocation"] for n in ("sat10", "sat14")} == {"lottery"}
    assert saturday[sessions["sat10"]]["lottery"] == {**CYCLE, "entries": 0}
    weekday = friday[sessions["fri10"]]  # a weekday session of a lottery facility stays first-come
    assert weekday["allocation"] == "first_come" and "lottery" not in weekday


def _facility_of(db, slot_id: int) -> int:
    return db.session.get(Slot, slot_id).facility_id


def test_the_lottery_object_goes_at_the_first_come_cut_off_2h_before(client, db, sessions):
    cafe = _facility_of(db, sessions["sat10"])
    with time_machine.travel(kst(2027, 1, 9, 7, 59), tick=False):
        before = _slots(client, cafe, "2027-01-09")
    with time_machine.travel(kst(2027, 1, 9, 8, 0), tick=False):
        at = _slots(client, cafe, "2027-01-09")
    assert before[sessions["sat10"]]["allocation"] == "lottery" and "lottery" in before[sessions["sat10"]]
    assert at[sessions["sat10"]]["allocation"] == "first_come" and "lottery" not in at[sessions["sat10"]]
    assert at[sessions["sat14"]]["allocation"] == "lottery"  # 14:00: still 6 h away


def test_entries_count_active_entries_per_session_in_one_query(client, db, sessions):
    _enter(db, [sessions["sat10"], sessions["sun10"]])
    _enter(db, [sessions["sat14"], sessions["sat10"]])
    gone, entry = _enter(db, [sessions["sat10"]])
    with time_machine.travel(OPEN, tick=False):
        withdraw(db.session, gone, entry.id, OPEN)
        db.session.commit()
        cafe = _facility_of(db, sessions["sat10"])
        with counted(_db.engine) as statements:
            items = _slots(client, cafe, "2027-01-09")
        sunday = _slots(client, cafe, "2027-01-10")
    assert items[sessions["sat10"]]["lottery"]["entries"] == 2  # 1st and 2nd choices; the withdrawn one is out
    assert items[sessions["sat14"]]["lottery"]["entries"] == 1
    assert sunday[sessions["sun10"]]["lottery"]["entries"] == 1
    assert sum("lottery_entries" in s for s in statements) == 1


def test_openapi_documents_allocation_and_the_lottery_state(client):
    spec = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    slot = spec["Slot"]["properties"]
    assert slot["allocation"]["enum"] == ["first_come", "lottery"]
    assert set(slot["lottery"]["required"]) == {"opens_at", "closes_at", "draw_at", "claim_by", "entries"}
    assert "lottery" in spec["Availability"]["properties"]["state"]["enum"]


def _weekend_only_cafe(db, make_facility, **columns):
    cafe = make_facility(kind="kids_cafe", age_min=0, age_max=10, closed_on_holidays=False, **columns)
    set_policy(db.session, cafe, allocation="lottery_weekends")
    make_slot(db.session, cafe, kst(2027, 1, 9, 10), capacity=6)
    make_slot(db.session, cafe, kst(2027, 1, 10, 10), capacity=6)
    db.session.commit()
    return cafe


def test_availability_says_추첨_until_the_cut_off(client, db, make_facility, sessions):
    lottery = _weekend_only_cafe(db, make_facility)
    plain = make_facility(kind="kids_cafe")
    make_slot(db.session, plain, kst(2027, 1, 9, 10), capacity=5)
    weekday_first = _facility_of(db, sessions["fri10"])  # a lottery café whose next session is on Friday
    with time_machine.travel(OPEN, tick=False):
        found = _availability(client, lottery.id, plain.id, weekday_first)
    assert found[lottery.id] == {
        "id": lottery.id,
        "state": "lottery",
        "left": 6,
        "starts_at": "2027-01-09T10:00:00+09:00",
        "text": "추첨 · 1/9(토) 10:00",
    }
    assert found[plain.id]["state"] == "open" and found[plain.id]["text"] == "다음 회차 1/9(토) 10:00 · 잔여 5석"
    assert found[weekday_first]["state"] == "open"
    with time_machine.travel(kst(2027, 1, 9, 7, 59), tick=False):
        assert _availability(client, lottery.id)[lottery.id]["state"] == "lottery"
    with time_machine.travel(kst(2027, 1, 9, 8, 0), tick=False):  # what is left goes first-come
        now = _availability(client, lottery.id)[lottery.id]
    assert now["state"] == "open" and now["text"] == "다음 회차 1/9(토) 10:00 · 잔여 6석"


def test_search_card_and_map_row_say_추첨(client, db, make_facility):
    lottery = _weekend_only_cafe(db, make_facility, name="추첨 키즈카페")
    with time_machine.travel(OPEN, tick=False):
        html = client.get("/", query_string={"lat": 37.5663, "lon": 126.9779}).get_data(as_text=True)
        # The map's popup shows its facility's card, fetched when it opens (#13: the page carries only markers).
        popup = client.get(f"/facilities/{lottery.id}/card").get_json()
    card = f'<p class="result-session is-lottery" data-facility="{lottery.id}">추첨 · 1/9(토) 10:00</p>'
    assert card in html
    assert popup["session"] == "추첨 · 1/9(토) 10:00" and popup["lottery"] is True and popup["full"] is False


def test_the_facility_page_says_추첨_as_its_card_does(client, db, make_facility):
    lottery = _weekend_only_cafe(db, make_facility, name="추첨 키즈카페")
    with time_machine.travel(OPEN, tick=False):
        html = client.get(f"/facilities/{lottery.id}").get_data(as_text=True)
    assert "추첨 · 1/9(토) 10:00" in html and "잔여 6석" not in html
