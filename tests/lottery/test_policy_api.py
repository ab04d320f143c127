"""GET|PATCH /api/operator/facilities/<id>/policy: every setting as JSON, the settings page's validation."""

from __future__ import annotations

import pytest

from app.bookings.models import BookingPolicy
from tests.factories import bearer, make_user


@pytest.fixture
def staff(db, cafe):
    return {
        "operator": make_user(db.session, "operator", facilities=[cafe]),
        "other_operator": make_user(db.session, "operator"),
        "admin": make_user(db.session, "admin"),
        "parent": make_user(db.session),
    }


def _url(facility) -> str:
    return f"/api/operator/facilities/{facility.id}/policy"


def test_every_setting_as_json_with_the_lottery_defaults(client, db, cafe, staff):
    answer = client.get(_url(cafe), headers=bearer(db.session, staff["operator"]))
    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == {c.name for c in BookingPolicy.__table__.columns} - {"facility_id", "updated_at"}
    assert (body["allocation"], body["lottery_opens"], body["lottery_closes"]) == (
        "first_come",
        "TUE 09:00",
        "WED 23:59",
    )
    assert (body["lottery_draw"], body["lottery_claim_by"]) == ("THU 10:00", "FRI 12:00")


@pytest.mark.parametrize(
    ("role", "status"), [("operator", 200), ("admin", 200), ("other_operator", 403), ("parent", 403)]
)
def test_only_its_operators_and_admins(client, db, cafe, staff, role, status):
    headers = bearer(db.session, staff[role])
    assert client.get(_url(cafe), headers=headers).status_code == status
    assert client.patch(_url(cafe), json={"allocation": "lottery_weekends"}, headers=headers).status_code == status
    assert client.get(_url(cafe)).status_code == 401


def test_patch_saves_and_audits(client, db, cafe, staff):
    headers = bearer(db.session, staff["operator"])
    change = {"allocation": "lottery_weekends", "lottery_opens": "mon 10:00", "lottery_claim_by": "THU 18:00"}
    answer = client.patch(_url(cafe), json=change, headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["allocation"], body["lottery_opens"], body["lottery_claim_by"]) == (
        "lottery_weekends",
        "MON 10:00",
        "THU 18:00",
    )
    db.session.expire_all()
    assert db.session.get(BookingPolicy, cafe.id).lottery_opens == "MON 10:00"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"allocation": "raffle"}, 422, "invalid_form"),
        ({"lottery_opens": "TUE 9:00"}, 422, "invalid_form"),
        ({"lottery_opens": "THU 09:00"}, 422, "invalid_form"),  # after the close
        ({"lottery_claim_by": "SAT 09:00"}, 422, "invalid_form"),  # past Friday
        ({"lottery_draw": "WED 23:59"}, 422, "invalid_form"),  # not after the close
        ({"days_ahead": 91}, 422, "invalid_form"),
        ({"days_ahead": True}, 422, "invalid_form"),
        ({"max_children": 3}, 422, "read_only"),
        ({"colour": "red"}, 400, "invalid_body"),
    ],
)
def test_patch_validates_as_the_settings_page(client, db, cafe, staff, change, status, code):
    answer = client.patch(_url(cafe), json=change, headers=bearer(db.session, staff["admin"]))
    assert (answer.status_code, answer.get_json()["error"]) == (status, code)
    assert db.session.get(BookingPolicy, cafe.id) is None  # nothing stored


def test_unknown_facility_is_404(client, db, staff):
    assert (
        client.get("/api/operator/facilities/999999/policy", headers=bearer(db.session, staff["admin"])).status_code
        == 404
    )
