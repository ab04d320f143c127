"""Admin uploads are previewed (nothing written), then applied exactly as previewed in one transaction, or discarded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import g
from sqlalchemy import func, select

from app.admin.uploads import purge_expired
from app.audit.models import AuditEntry
from app.facilities.models import Facility, FacilityFlag
from tests.admin.uploading import csv_bytes, toilets, token_of, upload, upload_and_apply
from tests.factories import login, make_user
from tests.imports import synth
from tests.support import counted, writes

CAFES = [
    synth.kids_cafe(1, synth.CITY_HALL, "중구"),
    synth.kids_cafe(2, synth.MAPO_OFFICE, "마포구"),
    synth.kids_cafe(3, synth.SONGPA_OFFICE, "송파구"),
]


@pytest.fixture(autouse=True)
def staging(app, tmp_path):
    app.config["ADMIN_UPLOAD_DIR"] = str(tmp_path / "staging")
    return tmp_path / "staging"


@pytest.fixture
def admin(client, db):
    user = make_user(db.session, "admin")
    login(client, user)
    return user


def _as(client):
    """`client` for the next request: the test's app context keeps Flask-Login's user in `g` across clients."""
    g.pop("_login_user", None)
    return client


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _state(db) -> list[tuple]:
    facilities = db.session.execute(select(Facility.source_id, Facility.name, Facility.updated_at)).all()
    flags = db.session.execute(select(FacilityFlag.facility_id, FacilityFlag.reason, FacilityFlag.status)).all()
    return sorted(map(tuple, facilities)) + sorted(map(tuple, flags))


def _cafes(rows=CAFES) -> tuple[str, bytes]:
    return ("키즈카페 <목록>.csv", csv_bytes(synth.KIDS_CAFE_COLUMNS, rows))


def test_preview_writes_nothing_and_shows_each_file_in_korean(client, db, admin, staging):
    with counted(db.engine) as seen:
        response = upload(client, _cafes(), ("화장실.csv", toilets()))
        token = token_of(response)
        page = client.get(f"/admin/import/{token}")
    assert writes(seen) == [] and _count(db, Facility) == 0 and _count(db, AuditEntry) == 0
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "키즈카페 &lt;목록&gt;.csv" in html and "화장실.csv" in html  # the admin's own names, escaped
    assert "다른 주소의 시설과 같은 좌표(임시 좌표 의심) <strong>3</strong>곳" in html  # flags in Korean, per file
    assert "placeholder_coordinates" not in html
    assert f"/admin/import/{token}/apply" in html and f"/admin/import/{token}/discard" in html
    assert (staging / token / "files").is_dir()


def test_apply_does_exactly_what_the_preview_showed_and_audits(client, db, admin, staging):
    upload_and_apply(client, _cafes())
    changed = [CAFES[0], dict(CAFES[1], name="바뀐 이름"), synth.kids_cafe(4, synth.GANGNAM_OFFICE, "강남구")]
    token = token_of(upload(client, _cafes(changed)))
    manifest_outcome = client.get(f"/admin/import/{token}").get_data(as_text=True)
    assert "<dt>새로 추가</dt><dd>1</dd>" in manifest_outcome and "<dt>갱신</dt><dd>1</dd>" in manifest_outcome
    response = client.post(f"/admin/import/{token}/apply")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/import")
    assert _count(db, Facility) == 4 and _count(db, FacilityFlag) == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import.upload")).all()[-1]
    (file,) = entry.after["files"]
    assert entry.actor_id == admin.id and file["file"] == "키즈카페 <목록>.csv"
    assert (file["new"], file["updated"], file["unchanged"], file["missing"]) == (1, 1, 1, 1)
    assert not (staging / token).exists()
    assert client.post(f"/admin/import/{token}/apply").status_code == 404  # applied once, then gone


def test_a_partial_upload_flags_nothing_and_a_complete_list_flags_absent_rows(client, db, admin):
    upload_and_apply(client, _cafes())
    partial = upload(client, _cafes(CAFES[:1]))
    page = client.get(f"/admin/import/{token_of(partial)}").get_data(as_text=True)
    assert "일부 목록으로 올렸습니다" in page and "(표시 안 함)" in page
    client.post(f"/admin/import/{token_of(partial)}/apply")
    assert _count(db, FacilityFlag) == 0
    complete = upload(client, _cafes(CAFES[:1]), complete=True)
    page = client.get(f"/admin/import/{token_of(complete)}").get_data(as_text=True)
    assert "전체 목록으로 올렸습니다" in page and "파일에 없는 2곳에는" in page
    assert _count(db, FacilityFlag) == 0  # still only a preview
    client.post(f"/admin/import/{token_of(complete)}/apply")
    flagged = db.session.scalars(select(Facility.source_id).join(FacilityFlag)).all()
    assert sorted(flagged) == ["kc_002", "kc_003"]
    assert set(db.session.scalars(select(FacilityFlag.reason))) == {"not_in_source"}


def test_apply_is_refused_whole_when_the_database_changed_since_the_preview(client, db, admin):
    first = token_of(upload(client, _cafes()))
    second = token_of(upload(client, _cafes(CAFES[:2])))
    client.post(f"/admin/import/{first}/apply")
    before = _state(db)
    response = client.post(f"/admin/import/{second}/apply")  # previewed as 2 new; now it would be 2 unchanged
    assert response.status_code == 409 and "다시 미리보기" in response.get_data(as_text=True)
    assert _state(db) == before and _count(db, AuditEntry) == 1


def test_a_file_changed_after_the_preview_is_refused(client, db, admin, staging):
    token = token_of(upload(client, _cafes()))
    (path,) = (staging / token / "files").iterdir()
    path.write_bytes(path.read_bytes().replace("테스트 키즈카페 1".encode(), "다른 키즈카페 1".encode()))
    response = client.post(f"/admin/import/{token}/apply")
    assert response.status_code == 409 and "파일이 바뀌었습니다" in response.get_data(as_text=True)
    assert _count(db, Facility) == 0


def test_discard_forgets_the_files_and_writes_nothing(client, db, admin, staging):
    token = token_of(upload(client, _cafes()))
    with counted(db.engine) as seen:
        assert client.post(f"/admin/import/{token}/discard").status_code == 302
    assert writes(seen) == [] and not (staging / token).exists()
    assert client.get(f"/admin/import/{token}").status_code == 404


def test_unknown_expired_and_other_peoples_tokens_are_4xx(app, client, db, admin):
    assert client.get("/admin/import/" + "A" * 32).status_code == 404
    assert client.get("/admin/import/..%2F..%2Fetc").status_code == 404
    assert client.post("/admin/import/" + "A" * 32 + "/apply").status_code == 404
    token = token_of(upload(client, _cafes()))
    other = app.test_client()
    login(_as(other), make_user(db.session, "admin"))
    assert _as(other).get(f"/admin/import/{token}").status_code == 404  # another admin's preview
    assert other.post(f"/admin/import/{token}/apply").status_code == 404
    _as(client)
    minutes = app.config["ADMIN_UPLOAD_PREVIEW_MINUTES"]
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=minutes + 1), tick=False):
        expired = client.post(f"/admin/import/{token}/apply")
    assert expired.status_code == 410 and "시간이 지났습니다" in expired.get_data(as_text=True)
    assert _count(db, Facility) == 0


@pytest.mark.parametrize("role", ["parent", "operator"])
def test_non_admins_get_403_on_every_step(app, client, db, role):
    admin_client = app.test_client()
    login(admin_client, make_user(db.session, "admin"))
    token = token_of(upload(admin_client, _cafes()))
    login(_as(client), make_user(db.session, role))
    assert upload(client, _cafes()).status_code == 403
    for method, path in [("get", ""), ("post", "/apply"), ("post", "/discard")]:
        assert getattr(client, method)(f"/admin/import/{token}{path}").status_code == 403
    assert _count(db, Facility) == 0


def test_a_folder_still_being_staged_elsewhere_is_not_swept(app, staging):
    """Another app server sharing the folder may be writing its files before its manifest: the sweep leaves it for the
    preview's lifetime and removes it once that has passed without a manifest."""
    in_progress = staging / ("B" * 32) / "files"
    in_progress.mkdir(parents=True)
    minutes = app.config["ADMIN_UPLOAD_PREVIEW_MINUTES"]
    assert purge_expired(datetime.now(UTC)) == 0 and in_progress.exists()
    assert purge_expired(datetime.now(UTC) + timedelta(minutes=minutes + 1)) == 1 and not in_progress.parent.exists()
