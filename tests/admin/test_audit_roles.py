"""Audit entries and the role decorators."""

from datetime import date, timedelta

import pytest
from flask import Blueprint

from app.audit import record
from app.audit.services import AuditFilter, list_entries
from app.auth.roles import api_roles_required, can_manage_facility, roles_required
from app.auth.tokens import api_login_required
from tests.factories import NOW, login, make_user


def test_record_flushes_json_and_lists_newest_first(db):
    admin = make_user(db.session, "admin")
    first = record(db.session, admin, "slot.capacity", "slot", 7, {"capacity": 10}, {"capacity": 8}, NOW)
    assert first.id is not None  # flushed
    record(
        db.session, None, "facility.fix", "facility", "3", {"day": date(2026, 1, 2)}, None, NOW + timedelta(minutes=1)
    )
    db.session.commit()
    rows, total = list_entries(db.session, AuditFilter())
    assert total == 2 and [r.action for r in rows] == ["facility.fix", "slot.capacity"]
    assert rows[0].before == {"day": "2026-01-02"} and rows[0].actor is None
    assert rows[1].after == {"capacity": 8} and rows[1].actor.email == admin.email
    assert rows[1].created_at == NOW
    only, count = list_entries(db.session, AuditFilter(action="slot"))
    assert count == 1 and only[0].target_id == "7"


def test_can_manage_facility(db, make_facility):
    mine, other = make_facility(), make_facility()
    operator = make_user(db.session, "operator", facilities=[mine])
    admin = make_user(db.session, "admin")
    parent = make_user(db.session, "parent")
    assert can_manage_facility(operator, mine.id) and not can_manage_facility(operator, other.id)
    assert can_manage_facility(admin, other.id)
    assert not can_manage_facility(parent, mine.id) and not can_manage_facility(None, mine.id)
    operator.is_locked = True
    assert not can_manage_facility(operator, mine.id)


def test_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError):
        roles_required("superuser")
    with pytest.raises(ValueError):
        api_roles_required()


@pytest.fixture
def probe_client(app, db):
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/page")
    @roles_required("operator", "admin")
    def page():
        return "ok"

    @bp.get("/api/probe")
    @api_login_required
    @api_roles_required("admin")
    def api():
        return {"ok": True}

    app.register_blueprint(bp)  # before the first request, so Flask allows it
    return app.test_client()


def test_decorators_statuses(probe_client, db):
    assert probe_client.get("/probe/page").status_code == 302
    assert "/login" in probe_client.get("/probe/page").headers["Location"]
    assert probe_client.get("/api/probe").status_code == 401
    parent = make_user(db.session, "parent")
    login(probe_client, parent)
    assert probe_client.get("/probe/page").status_code == 403
    response = probe_client.get("/api/probe")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    probe_client.post("/logout")
    login(probe_client, make_user(db.session, "operator"))
    assert probe_client.get("/probe/page").data == b"ok"
    assert probe_client.get("/api/probe").status_code == 403
    probe_client.post("/logout")
    login(probe_client, make_user(db.session, "admin"))
    assert probe_client.get("/api/probe").get_json() == {"ok": True}
