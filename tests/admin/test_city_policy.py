"""The no-show ban's length is a city-wide rule that only admins change, with an audit entry."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.bookings.policy import city_policy
from tests.factories import login, make_user


def test_admin_sets_the_ban_length_within_bounds(client, db):
    admin = make_user(db.session, "admin")
    login(client, admin)
    page = client.get("/admin/rules")
    assert page.status_code == 200 and "노쇼 예약 제한" in page.get_data(as_text=True)
    assert 'value="30"' in page.get_data(as_text=True)

    too_long = client.post("/admin/rules", data={"no_show_ban_days": "365"})
    assert too_long.status_code == 422 and "90일 사이로" in too_long.get_data(as_text=True)
    assert city_policy(db.session).no_show_ban_days == 30

    saved = client.post("/admin/rules", data={"no_show_ban_days": "14"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert city_policy(db.session).no_show_ban_days == 14
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "city_policy.update")).all()
    assert (entry.before, entry.after, entry.actor_id) == ({"no_show_ban_days": 30}, {"no_show_ban_days": 14}, admin.id)


def test_operators_cannot_change_the_ban_length(client, db):
    login(client, make_user(db.session, "operator"))
    assert client.post("/admin/rules", data={"no_show_ban_days": "365"}).status_code == 403
    assert city_policy(db.session).no_show_ban_days == 30
