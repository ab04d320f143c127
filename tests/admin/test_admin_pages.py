"""Admin console pages: upload, flags, accounts, audit log; each change is audited."""

import io

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.facilities.models import Facility, FacilityFlag
from tests.factories import login, make_user
from tests.imports import synth


def _csv(columns, rows) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buf.getvalue().encode("utf-8")


def _admin(client, db):
    admin = make_user(db.session, "admin")
    login(client, admin)
    return admin


def _upload(client, *files):
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def _toilets() -> bytes:
    return _csv(
        synth.TOILET_COLUMNS,
        [
            # Three rows on one point in three districts: placeholder_coordinates.
            synth.toilet(1, synth.CITY_HALL, "마포구"),
            synth.toilet(2, synth.CITY_HALL, "강남구"),
            synth.toilet(3, synth.CITY_HALL, "송파구"),
            synth.toilet(4, synth.GANGNAM_OFFICE, "송파구"),  # district_mismatch
            synth.toilet(5, synth.MAPO_OFFICE, "마포구"),
        ],
    )


def test_upload_shows_the_cli_report_and_audits(client, db):
    admin = _admin(client, db)
    cafes = _csv(
        synth.KIDS_CAFE_COLUMNS,
        [synth.kids_cafe(1, synth.CITY_HALL, "중구"), synth.kids_cafe(2, synth.MAPO_OFFICE, "마포구")],
    )
    response = _upload(client, ("cafés <1>.csv", cafes), ("화장실.csv", _toilets()))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert db.session.scalar(select(func.count(Facility.id))) == 7
    assert "cafés &lt;1&gt;.csv" in html and "placeholder_coordinates" in html
    assert "화장실.csv [가족화장실·기저귀교환대, utf-8]: read 5, new 5, updated 0, unchanged 0, skipped 0" in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import.upload"))
    assert entry.actor_id == admin.id and {f["new"] for f in entry.after["files"]} == {2, 5}
    again = _upload(client, ("화장실.csv", _toilets())).get_data(as_text=True)
    assert "unchanged 5" in again


def test_malformed_upload_names_file_row_column_and_writes_nothing(client, db):
    _admin(client, db)
    rows = [synth.kids_cafe(1, synth.CITY_HALL, "중구"), synth.kids_cafe(2, synth.MAPO_OFFICE, "마포구", lat="37.5x")]
    response = _upload(client, ("a_toilets.csv", _toilets()), ("b_cafes.csv", _csv(synth.KIDS_CAFE_COLUMNS, rows)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "b_cafes.csv, line 3, column &#39;lat&#39;" in html and "nadeuri-upload" not in html
    assert db.session.scalar(select(func.count(Facility.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_upload_refuses_other_files_and_too_large(app, client, db):
    _admin(client, db)
    assert _upload(client, ("notes.txt", b"hello")).status_code == 422
    app.config["ADMIN_UPLOAD_MAX_BYTES"] = 1000
    assert _upload(client, ("big.csv", b"x" * 5000)).status_code == 413


def _flagged(client, db):
    _upload(client, ("toilets.csv", _toilets()))
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
    a, b = make_facility(), make_facility()
    response = client.post(
        "/admin/users",
        data={
            "email": "op@example.com",
            "name": "운영",
            "role": "operator",
            "password": "cafe-keeper-9",
            "facilities": f"{a.id}",
        },
    )
    assert response.status_code == 302
    op = db.session.scalar(select(User).where(User.email == "op@example.com"))
    assert [f.id for f in op.facilities] == [a.id]
    bad = client.post(
        "/admin/users",
        data={"email": "op2@example.com", "role": "operator", "password": "cafe-keeper-9", "facilities": "99999"},
    )
    assert bad.status_code == 422 and "99999" in bad.get_data(as_text=True)
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
