"""My messages and settings (API and page), and the admins' failures page."""

from __future__ import annotations

from sqlalchemy import select

from app.database import unit_of_work
from app.notifications.models import NotificationSettings, OutboxMessage
from app.notifications.services import notify
from tests.factories import bearer, login, make_user, place_booking


def test_my_notifications_lists_only_my_own(db, client, parent, slot):
    other = make_user(db.session, children=(("바다", slot.starts_at.date()),))
    mine, theirs = place_booking(db.session, parent, slot), place_booking(db.session, other, slot)
    with unit_of_work():
        notify(db.session, parent, "booking_confirmed", mine)
        notify(db.session, other, "booking_confirmed", theirs)
    items = client.get("/api/me/notifications", headers=bearer(db.session, parent)).get_json()["items"]
    assert [(i["booking_id"], i["recipient"], i["status"]) for i in items] == [(mine.id, "m***@example.com", "pending")]
    assert client.get("/api/me/notifications").status_code == 401


def test_settings_api_masks_the_phone_and_refuses_what_cannot_work(app, db, client, parent):
    app.config["NOTIFY_CHANNELS"] = "email,kakao"
    headers = bearer(db.session, parent)
    got = client.get("/api/me/notification-settings", headers=headers).get_json()
    assert got == {"channels": {"email": True, "kakao": False}, "reminders": True, "phone": None}
    refused = client.put("/api/me/notification-settings", json={"channels": {"kakao": True}}, headers=headers)
    assert (refused.status_code, refused.get_json()["error"]) == (422, "phone_required")
    for body, code in (
        ({"channels": {"fax": True}}, "invalid_channels"),
        ({"phone": "123"}, "invalid_phone"),
        ({"reminders": "no"}, "invalid_value"),
    ):
        answer = client.put("/api/me/notification-settings", json=body, headers=headers)
        assert (answer.status_code, answer.get_json()["error"]) == (422, code)
    saved = client.put(
        "/api/me/notification-settings",
        json={"channels": {"kakao": True, "email": False}, "reminders": False, "phone": "010-1234-5678"},
        headers=headers,
    ).get_json()
    assert saved == {"channels": {"email": False, "kakao": True}, "reminders": False, "phone": "010-****-5678"}
    assert db.session.get(NotificationSettings, parent.id).phone == "01012345678"


def test_settings_page_saves_and_shows_the_phone_masked(app, db, client, parent):
    app.config["NOTIFY_CHANNELS"] = "email,kakao"
    login(client, parent)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "이용 전날 18시에 미리 알림 받기" in page and "카카오 알림톡" in page
    refused = client.post("/settings/notifications", data={"email": "y", "kakao": "y", "phone": "02-12"})
    assert refused.status_code == 422 and "010-1234-5678 형식" in refused.get_data(as_text=True)
    client.post("/settings/notifications", data={"kakao": "y", "phone": "01055556666"})
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "010-****-6666" in page and "01055556666" not in page
    prefs = db.session.get(NotificationSettings, parent.id)
    assert (prefs.email, prefs.kakao, prefs.reminders) == (False, True, False)


def test_admins_see_failures_and_can_retry(db, client, jobs, parent, slot):
    booking = place_booking(db.session, parent, slot)
    with unit_of_work():
        notify(db.session, parent, "booking_confirmed", booking)
    row = db.session.scalars(select(OutboxMessage)).one()
    row.status, row.attempts, row.last_error = "failed", 6, "SMTPServerDisconnected: <script>x</script>"
    db.session.commit()
    jobs.huey.flush()
    login(client, make_user(db.session, role="admin"))
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert "m***@example.com" in page and "&lt;script&gt;" in page and "mom@example.com" not in page
    assert 'href="/admin/notifications"' in client.get("/admin/").get_data(as_text=True)
    assert client.post(f"/admin/notifications/{row.id}/retry").status_code == 302
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0) and jobs.huey.pending_count() == 1
