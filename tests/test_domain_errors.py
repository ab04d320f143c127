"""One domain error: raised in a service, the API answers its JSON and status, the page shows its message.

Each row replaces one real service function with one that raises, then drives the real API route and
the real page route that call it; nothing else about the routes is stubbed.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.admin.services import AdminError
from app.auth.services import AccountError
from app.bookings.rules import STATUS, BookingError
from app.errors import DomainError
from app.operators.forms import FormError
from app.operators.services import OperatorError
from app.timeutil import KST, utcnow
from app.validation import InvalidValue
from tests.factories import bearer, kst, login, make_child, make_slot, make_user

PASSWORD = "domain-error-1"


@pytest.fixture
def world(client, db, make_facility):
    """A parent (logged in on the pages, with a token for the API), a child and an open future slot."""
    parent = make_user(db.session, "parent", email="parent@example.com", password=PASSWORD, name="parent")
    child = make_child(db.session, parent, date(2022, 5, 1), "하늘")
    facility = make_facility(kind="kids_cafe", age_min=0, age_max=10)
    start = (utcnow() + timedelta(days=2)).astimezone(KST).replace(hour=10, minute=0, second=0, microsecond=0)
    slot = make_slot(db.session, facility, start)
    login(client, parent, PASSWORD)
    return {"bearer": bearer(db.session, parent), "slot": slot.id, "child": child.id}


ACCOUNT = AccountError("invalid_name", "이름에 쓸 수 없는 글자가 있습니다 (시험)", 422, "name")
FULL = BookingError("slot_full", "남은 자리가 없습니다 (시험)")

CASES = [
    pytest.param(
        "app.auth.services.add_child",
        ACCOUNT,
        lambda w: ("/api/children", {"name": "하늘", "birth_date": "2022-05-01", "consent": True}),
        lambda w: ("/children", {"name": "하늘", "birth_date": "2022-05-01", "consent": "y"}),
        {"error": "invalid_name", "message": ACCOUNT.message, "parameter": "name"},
        422,
        id="account-add-child",
    ),
    pytest.param(
        "app.bookings.services.book",
        FULL,
        lambda w: ("/api/bookings", {"slot_id": w["slot"], "child_ids": [w["child"]]}),
        lambda w: (f"/bookings/new?slot={w['slot']}", {"child": str(w["child"]), "guardians": "1", "hours": "1"}),
        {"error": "slot_full", "message": FULL.message},
        STATUS["slot_full"],
        id="booking-slot-full",
    ),
]


@pytest.mark.parametrize("target, error, api, page, body, status", CASES)
def test_service_error_answers_api_json_and_page_message(
    client, world, monkeypatch, target, error, api, page, body, status
):
    def refuse(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(target, refuse)
    path, payload = api(world)
    answer = client.post(path, json=payload, headers=world["bearer"])
    assert (answer.status_code, answer.get_json()) == (status, body)
    path, form = page(world)
    shown = client.post(path, data=form)
    assert shown.status_code == status
    assert error.message in shown.get_data(as_text=True)


def test_operator_error_keeps_its_slots_in_the_json(client, db, make_facility, monkeypatch):
    """Extra members (the slots a capacity cut would hit) ride along in the one handler's answer."""
    admin = make_user(db.session, "admin", email="admin@example.com", password=PASSWORD, name="admin")
    slot = make_slot(db.session, make_facility(kind="kids_cafe"), kst(2030, 1, 7))
    slots = [{"id": slot.id, "when": "2030-01-07 (월) 10:00–12:00", "booked": 5}]

    def refuse(*_args, **_kwargs):
        raise OperatorError("capacity_below_booked", "예약 인원보다 적게 줄일 수 없습니다", 409, slots)

    monkeypatch.setattr("app.operators.services.set_capacity", refuse)
    answer = client.patch(f"/api/operator/slots/{slot.id}", json={"capacity": 1}, headers=bearer(db.session, admin))
    assert answer.status_code == 409
    assert answer.get_json() == {
        "error": "capacity_below_booked",
        "message": "예약 인원보다 적게 줄일 수 없습니다",
        "slots": slots,
    }


def test_admin_refusal_is_flashed_on_the_page(client, db, monkeypatch):
    admin = make_user(db.session, "admin", email="admin@example.com", password=PASSWORD, name="admin")
    other = make_user(db.session, "parent", email="other@example.com", password=PASSWORD, name="parent")
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302

    def refuse(*_args, **_kwargs):
        raise AdminError("이 계정은 지금 잠글 수 없습니다 (시험)", status=409)

    monkeypatch.setattr("app.admin.services.set_locked", refuse)
    shown = client.post(f"/admin/users/{other.id}/lock", data={"locked": "1"}, follow_redirects=True)
    assert shown.status_code == 200
    assert "이 계정은 지금 잠글 수 없습니다 (시험)" in shown.get_data(as_text=True)


@pytest.mark.parametrize(
    "error, code, status, field",
    [
        (BookingError("daily_cap", "하루 4시간까지"), "daily_cap", 409, None),
        (BookingError("banned", "노쇼"), "banned", 422, None),
        (AccountError("email_taken", "이미 가입된 이메일", 409, "email"), "email_taken", 409, "email"),
        (AdminError("없는 시설 ID: 9", "facilities"), "admin_refused", 422, "facilities"),
        (OperatorError("not_confirmed", "확정 상태만"), "not_confirmed", 409, None),
        (FormError("정원: 숫자를 입력해 주세요"), "invalid_form", 422, None),
        (InvalidValue("page: 정수를 입력해 주세요", "page"), "invalid_parameter", 400, "page"),
        (InvalidValue("page: 1 이상", "page", 422), "out_of_range", 422, "page"),
    ],
)
def test_every_feature_error_is_one_domain_error(error, code, status, field):
    assert isinstance(error, DomainError)
    assert (error.code, error.status, error.field) == (code, status, field)
