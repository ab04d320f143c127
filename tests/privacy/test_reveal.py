"""Revealing a guardian's contact: a reason is required, exactly one access-log row, only the facility's staff."""

from __future__ import annotations

from app.audit.models import PersonalDataAccess
from tests.factories import bearer, login


def _log(db) -> list[PersonalDataAccess]:
    db.session.expire_all()
    return db.session.query(PersonalDataAccess).all()


def test_reveal_on_the_roster_page_writes_one_row_with_the_reason(client, db, world):
    login(client, world["operator"])
    booking = world["booking"]
    roster = client.get(f"/operator/facilities/{world['cafe'].id}/roster?date={world['day']}").get_data(as_text=True)
    assert f'action="/operator/bookings/{booking.id}/contact"' in roster
    refused = client.post(f"/operator/bookings/{booking.id}/contact", data={"reason": "  "})
    assert refused.status_code == 422 and "kim@example.com" not in refused.get_data(as_text=True)
    assert _log(db) == []
    shown = client.post(f"/operator/bookings/{booking.id}/contact", data={"reason": "분실물 연락"})
    assert shown.status_code == 200 and "kim@example.com" in shown.get_data(as_text=True)
    [entry] = _log(db)
    assert (entry.actor_id, entry.subject_id, entry.facility_id) == (
        world["operator"].id,
        world["parent"].id,
        world["cafe"].id,
    )
    assert (entry.reason, entry.booking_code) == ("분실물 연락", booking.code) and entry.created_at is not None


def test_reveal_api_and_refusals(client, db, world):
    url = f"/api/operator/bookings/{world['booking'].id}/contact"
    mine, theirs = bearer(db.session, world["operator"]), bearer(db.session, world["stranger"])
    assert client.post(url, json={"reason": "분실물"}, headers=theirs).status_code == 403
    assert client.post(url, json={}, headers=mine).get_json()["error"] == "reason_required"
    assert client.post(url, json={"reason": 7}, headers=mine).status_code == 422
    assert _log(db) == []
    r = client.post(url, json={"reason": "분실물"}, headers=mine)
    assert r.status_code == 200 and r.get_json() == {
        "code": world["booking"].code,
        "guardian": "김용호",
        "contact": "kim@example.com",
    }
    assert len(_log(db)) == 1
    assert client.post(url, json={"reason": "확인"}, headers=bearer(db.session, world["admin"])).status_code == 200
    assert len(_log(db)) == 2


def test_another_facilitys_operator_cannot_reveal_on_the_page(client, db, world):
    login(client, world["stranger"])
    assert client.post(f"/operator/bookings/{world['booking'].id}/contact", data={"reason": "x"}).status_code == 403
    assert _log(db) == []


def test_admin_reads_the_access_log_and_the_parent_sees_it_in_the_export(client, db, world):
    login(client, world["operator"])
    client.post(f"/operator/bookings/{world['booking'].id}/contact", data={"reason": "<b>분실물</b>"})
    client.post("/logout")
    login(client, world["admin"])
    page = client.get("/admin/personal-data").get_data(as_text=True)
    assert world["operator"].email in page and "김*호" in page and "&lt;b&gt;분실물&lt;/b&gt;" in page
    assert "kim@example.com" not in page and 'href="/admin/personal-data"' in page  # masked even here; in the menu
    client.post("/logout")
    login(client, world["parent"])
    [seen] = client.get("/api/me/export").get_json()["contact_accesses"]
    assert (seen["facility"], seen["reason"]) == ("시청점", "<b>분실물</b>")
    assert seen["booking_code"] == world["booking"].code
