"""The flags page (paging, filters, bulk accept/fix, Korean labels) and assigning operators by facility name."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.facilities.choices import FlagReason
from app.facilities.models import FacilityFlag
from tests.factories import login, make_user

GANGNAM, MAPO = "11680", "11440"


@pytest.fixture
def admin(client, db):
    user = make_user(db.session, "admin")
    login(client, user)
    return user


def _flag(db, facility, reason="district_mismatch", status="open"):
    flag = FacilityFlag(facility_id=facility.id, reason=reason, detail="시험", status=status)
    db.session.add(flag)
    db.session.commit()
    return flag


def _names(html: str) -> list[str]:
    return re.findall(r"<strong>(시설 [^<]+)</strong>", html)


def test_flags_page_in_pages_of_fifty_keeping_the_filters(client, db, admin, make_facility):
    for n in range(55):
        _flag(db, make_facility(name=f"시설 {n:02d}", district_code=GANGNAM))
    first = client.get("/admin/flags?district=11680").get_data(as_text=True)
    assert len(_names(first)) == 50 and "55건 · 1/2쪽" in first
    assert "/admin/flags?page=2&amp;district=11680&amp;status=open" in first
    second = client.get("/admin/flags?district=11680&page=2").get_data(as_text=True)
    assert _names(second) == [f"시설 {n}" for n in range(50, 55)]
    assert client.get("/admin/flags?page=0").status_code == 400
    assert client.get("/admin/flags?page=x").status_code == 400


def test_flags_filter_by_reason_district_kind_and_status(client, db, admin, make_facility):
    _flag(db, make_facility(name="시설 강남 카페", kind="kids_cafe", district_code=GANGNAM))
    _flag(db, make_facility(name="시설 마포 카페", kind="kids_cafe", district_code=MAPO))
    _flag(db, make_facility(name="시설 마포 화장실", kind="family_restroom", district_code=MAPO), "outside_seoul")
    _flag(db, make_facility(name="시설 자치구 없음", district_code=None), "no_coordinates")
    _flag(db, make_facility(name="시설 수용됨", district_code=MAPO), status="accepted")

    def shown(query: str) -> set[str]:
        response = client.get("/admin/flags" + query)
        assert response.status_code == 200
        return set(_names(response.get_data(as_text=True)))

    assert shown("?district=11440") == {"시설 마포 카페", "시설 마포 화장실"}
    assert shown("?district=11440&kind=kids_cafe") == {"시설 마포 카페"}
    assert shown("?reason=outside_seoul") == {"시설 마포 화장실"}
    assert shown("?district=none") == {"시설 자치구 없음"}
    assert shown("?status=accepted") == {"시설 수용됨"}
    assert len(shown("?status=")) == 5
    for bad in ("?reason=nope", "?kind=zoo", "?status=done", "?district=<b>"):
        assert client.get("/admin/flags" + bad).status_code == 400, bad


def test_every_reason_and_status_reads_in_korean(client, db, admin, make_facility):
    for n, reason in enumerate(FlagReason):
        _flag(db, make_facility(name=f"시설 {n}"), reason.value)
    html = client.get("/admin/flags?status=").get_data(as_text=True)
    for reason in FlagReason:
        assert html.count(reason.label) >= 2, reason  # the filter menu and the row
    body = html[html.index('<ul class="flag-list">') :]
    assert not any(reason.value in re.sub(r'<[^>]*>|"[^"]*"', "", body) for reason in FlagReason)
    assert "확인 필요" in body and "open" not in re.sub(r"<[^>]*>", "", body)


def test_bulk_accept_and_bulk_district_fix_are_audited_one_by_one(client, db, admin, make_facility):
    flags = [_flag(db, make_facility(name=f"시설 {n}", district_code=GANGNAM)) for n in range(3)]
    other = _flag(db, make_facility(name="시설 그대로"))
    response = client.post(
        "/admin/flags/bulk?district=11680", data={"flag_ids": [str(flags[0].id), str(flags[1].id)], "action": "accept"}
    )
    assert response.status_code == 302 and "district=11680" in response.headers["Location"]
    db.session.expire_all()
    assert [db.session.get(FacilityFlag, f.id).status for f in flags] == ["accepted", "accepted", "open"]
    client.post("/admin/flags/bulk", data={"flag_ids": [str(flags[2].id)], "action": "district", "district_code": MAPO})
    db.session.expire_all()
    fixed = db.session.get(FacilityFlag, flags[2].id)
    assert fixed.status == "fixed" and fixed.facility.district_code == MAPO
    assert db.session.get(FacilityFlag, other.id).status == "open"
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["flag.accept", "flag.accept", "flag.fix"]


def test_bulk_refusals_change_nothing(client, db, admin, make_facility):
    flag = _flag(db, make_facility(name="시설 하나"))
    page = client.post("/admin/flags/bulk", data={"action": "accept"}, follow_redirects=True)
    assert "처리할 행을 하나 이상 고르세요" in page.get_data(as_text=True)
    page = client.post(
        "/admin/flags/bulk", data={"flag_ids": [str(flag.id)], "action": "district"}, follow_redirects=True
    )
    assert "바꿀 자치구를 고르세요" in page.get_data(as_text=True)
    client.post("/admin/flags/bulk", data={"flag_ids": [str(flag.id)], "action": "district", "district_code": "99999"})
    assert client.post("/admin/flags/bulk", data={"flag_ids": ["x"], "action": "accept"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(FacilityFlag, flag.id).status == "open"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_facility_search_finds_names_and_returns_text_as_json(client, db, admin, make_facility):
    make_facility(name="햇살 키즈카페", district_code=MAPO)
    make_facility(name="<b>햇살</b> 100%_놀이터")
    make_facility(name="달빛 어린이집")
    found = client.get("/admin/facilities/search?q=햇살").get_json()["results"]
    assert [r["name"] for r in found] == ["햇살 키즈카페", "<b>햇살</b> 100%_놀이터"]  # names starting with it first
    assert found[0]["district"] == "마포구" and found[0]["kind"] == "서울형 키즈카페"
    assert [r["name"] for r in client.get("/admin/facilities/search?q=100%_").get_json()["results"]] == [
        "<b>햇살</b> 100%_놀이터"
    ]
    percent = client.get("/admin/facilities/search?q=%25").get_json()["results"]
    assert [r["name"] for r in percent] == ["<b>햇살</b> 100%_놀이터"]  # % is a letter, not a wildcard
    assert client.get("/admin/facilities/search").get_json() == {"results": []}


def test_operator_is_assigned_by_typing_a_name(client, db, admin, make_facility):
    cafe = make_facility(name="햇살 키즈카페")
    make_facility(name="햇살 키즈카페 2호점")
    make_facility(name="달빛 어린이집")
    op = make_user(db.session, "operator")
    url = f"/admin/users/{op.id}/facilities"
    many = client.post(url, data={"facility_query": "햇살", "action": "assign"}, follow_redirects=True)
    assert "여러 곳입니다" in many.get_data(as_text=True)
    none = client.post(url, data={"facility_query": "별빛", "action": "assign"}, follow_redirects=True)
    assert "찾지 못했습니다" in none.get_data(as_text=True)
    client.post(url, data={"facility_query": "햇살 키즈카페", "action": "assign"})  # the exact name wins
    client.post(url, data={"facility_query": "달빛", "action": "assign"})  # the only match
    db.session.expire_all()
    assert sorted(f.name for f in db.session.get(User, op.id).facilities) == ["달빛 어린이집", cafe.name]
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'role="combobox"' in page and "시설 ID" not in page


def test_a_new_operator_gets_facilities_by_name(client, db, admin, make_facility):
    a, b = make_facility(name="햇살 키즈카페"), make_facility(name="달빛 어린이집")
    account = {"email": "new-op@example.com", "role": "operator", "password": "cafe-keeper-9"}
    response = client.post("/admin/users", data=account | {"facility_ids": [str(a.id)], "facilities": "달빛 어린이집"})
    assert response.status_code == 302
    op = db.session.scalar(select(User).where(User.email == "new-op@example.com"))
    assert sorted(f.id for f in op.facilities) == sorted([a.id, b.id])
