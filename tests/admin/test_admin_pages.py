"""Admin console pages: upload, flags, accounts, audit log; each change is audited."""

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.facilities.models import FacilityFlag
from tests.admin.uploading import toilets, upload_and_apply
from tests.factories import login, make_user
from tests.imports import synth


def _admin(client, db):
    admin = make_user(db.session, "admin")
    login(client, admin)
    return admin


def _flagged(client, db):
    upload_and_apply(client, ("toilets.csv", toilets()))
    return list(db.session.scalars(select(FacilityFlag).order_by(FacilityFlag.id)))


def test_flags_filter_fix_and_accept_are_audited(client, db):
    admin = _admin(client, db)
    flags = _flagged(client, db)
    placeholder = next(f for f in flags if f.reason == "placeholder_coordinates")
    mismatch = next(f for f in flags if f.reason == "district_mismatch")
    page = client.get("/admin/flags?reason=district_mismatch").get_data(as_text=True)
    assert "district_mismatch" in page and "테스트 화장실 4" in page and "테스트 화장실 1" not in page
    assert "표기된 자치구와 좌표의 자치구가 다름" in page  # the reason in words, not only its code
    response = client.post(
        f"/admin/flags/{placeholder.id}/fix", data={"lat": "37.5663", "lon": "126.9016", "district_code": "11440"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    fixed = db.session.get(FacilityFlag, placeholder.id)
    assert fixed.status == "fixed" and (fixed.facility.lat, fixed.facility.lon) == (37.5663, 126.9016)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "flag.fix"))
    assert entry.actor_id == admin.id and entry.before["lat"] == synth.CITY_HALL[0] and entry.after["lon"] == 126.9016
    assert client.post(f"/admin/flags/{mismatch.id}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(FacilityFlag, mismatch.id).status == "accepted"
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "flag.accept")).after["flag_status"]
        == "accepted"
    )
    open_page = client.get("/admin/flags?status=open").get_data(as_text=True)
    assert (
        f"/admin/flags/{mismatch.id}/accept" not in open_page and f"/admin/flags/{placeholder.id}/fix" not in open_page
    )


def test_flag_fix_refuses_coordinates_outside_seoul(client, db):
    _admin(client, db)
    flag = next(f for f in _flagged(client, db) if f.reason == "placeholder_coordinates")
    client.post(f"/admin/flags/{flag.id}/fix", data={"lat": "35.1", "lon": "129.0"})
    db.session.expire_all()
    assert db.session.get(FacilityFlag, flag.id).status == "open"
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "flag.fix")) == 0


def test_create_operator_assign_unassign_and_audit(client, db, make_facility):
    admin = _admin(client, db)
    a, b = make_facility(name="햇살 키즈카페"), make_facility(name="달빛 어린이집")
    response = client.post(
        "/admin/users",
        data={
            "email": "op@example.com",
            "name": "운영",
            "role": "operator",
            "password": "cafe-keeper-9",
            "facility_ids": [str(a.id)],
        },
    )
    assert response.status_code == 302
    op = db.session.scalar(select(User).where(User.email == "op@example.com"))
    assert [f.id for f in op.facilities] == [a.id]
    bad = client.post(
        "/admin/users",
        data={"email": "op2@example.com", "role": "operator", "password": "cafe-keeper-9", "facilities": "없는 카페"},
    )
    assert bad.status_code == 422 and "‘없는 카페’ 이름의 시설을 찾지 못했습니다" in bad.get_data(as_text=True)
    client.post(f"/admin/users/{op.id}/facilities", data={"facility_id": str(b.id), "action": "assign"})
    client.post(f"/admin/users/{op.id}/facilities", data={"facility_id": str(a.id), "action": "unassign"})
    db.session.expire_all()
    assert [f.id for f in db.session.get(User, op.id).facilities] == [b.id]
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["user.create", "operator.assign", "operator.unassign"]
    assert all(e.actor_id == admin.id for e in db.session.scalars(select(AuditEntry)))


def test_admin_cannot_lock_self_and_lock_is_audited(client, db):
    admin = _admin(client, db)
    client.post(f"/admin/users/{admin.id}/lock", data={"locked": "1"})
    db.session.expire_all()
    assert not db.session.get(User, admin.id).is_locked
    parent = make_user(db.session, "parent")
    client.post(f"/admin/users/{parent.id}/lock", data={"locked": "1"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.lock"))
    assert entry.before["is_locked"] is False and entry.after["is_locked"] is True and entry.target_id == str(parent.id)


def test_audit_page_filters_newest_first_and_escapes(client, db):
    _admin(client, db)
    evil = make_user(db.session, "parent", email="x<script>@example.com")
    other = make_user(db.session, "parent")
    client.post(f"/admin/users/{evil.id}/lock", data={"locked": "1"})
    client.post(f"/admin/users/{other.id}/lock", data={"locked": "1"})
    client.post(f"/admin/users/{other.id}/lock", data={"locked": "0"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.index("<code>user.unlock</code>") < html.index("<code>user.lock</code>")
    assert "<script>@" not in html and "x&lt;script&gt;@example.com" in html
    only = client.get("/admin/audit?action=user.unlock").get_data(as_text=True)
    assert "1건" in only and other.email in only
