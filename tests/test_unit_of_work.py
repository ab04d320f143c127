"""One unit of work per write: it commits the change with its audit entry, or on any exception leaves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.admin.services import AdminError
from app.audit import record
from app.audit.models import AuditEntry
from app.auth.models import User
from app.bookings.models import Slot
from app.database import unit_of_work
from app.operators.services import OperatorError
from app.timeutil import utcnow
from tests.factories import bearer, kst, make_slot, make_user

PASSWORD = "unit-of-work-1"


def _audit_count(db) -> int:
    db.session.rollback()  # read what was committed, not what this session still holds
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_unit_commits_on_success_and_leaves_nothing_on_failure(db):
    user = make_user(db.session, "admin", email="admin@example.com", password=PASSWORD, name="admin")
    with pytest.raises(RuntimeError):
        with unit_of_work():
            user.name = "바뀐 이름"
            record(db.session, user, "user.rename", "user", user.id, None, {"name": "바뀐 이름"}, utcnow())
            raise RuntimeError("the change after the audit entry fails")
    assert _audit_count(db) == 0
    assert db.session.get(User, user.id).name == "admin"
    with unit_of_work():
        record(db.session, user, "user.rename", "user", user.id, None, {"name": "admin"}, utcnow())
    assert _audit_count(db) == 1


def _fail_after_audit(monkeypatch, module: str, error: Exception):
    """Make `module`'s audit call write its entry and then fail, as a later step of the change would."""

    def record_then_fail(*args, **kwargs):
        record(*args, **kwargs)
        raise error

    monkeypatch.setattr(f"{module}.record", record_then_fail)


def test_page_refusal_after_the_audit_entry_leaves_nothing(client, db, monkeypatch):
    admin = make_user(db.session, "admin", email="admin@example.com", password=PASSWORD, name="admin")
    other = make_user(db.session, "parent", email="other@example.com", password=PASSWORD, name="parent")
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    _fail_after_audit(monkeypatch, "app.admin.services", AdminError("기록 뒤에 실패 (시험)", status=409))
    shown = client.post(f"/admin/users/{other.id}/lock", data={"locked": "1"}, follow_redirects=True)
    assert "기록 뒤에 실패 (시험)" in shown.get_data(as_text=True)
    assert _audit_count(db) == 0
    assert db.session.get(User, other.id).is_locked is False
    monkeypatch.undo()
    client.post(f"/admin/users/{other.id}/lock", data={"locked": "1"})
    assert _audit_count(db) == 1 and db.session.get(User, other.id).is_locked is True


def test_api_refusal_after_the_audit_entry_leaves_nothing(client, db, make_facility, monkeypatch):
    admin = make_user(db.session, "admin", email="admin@example.com", password=PASSWORD, name="admin")
    slot = make_slot(db.session, make_facility(kind="kids_cafe"), kst(2030, 1, 7))
    headers = bearer(db.session, admin)
    _fail_after_audit(monkeypatch, "app.operators.services", OperatorError("late_failure", "기록 뒤에 실패", 409))
    answer = client.patch(f"/api/operator/slots/{slot.id}", json={"capacity": 3}, headers=headers)
    assert (answer.status_code, answer.get_json()["error"]) == (409, "late_failure")
    assert _audit_count(db) == 0
    assert db.session.get(Slot, slot.id).capacity == 10
