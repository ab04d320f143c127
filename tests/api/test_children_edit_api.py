"""Children API: duplicate_child, PATCH and DELETE /api/children/<id> (own children only; not while booked)."""

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.auth.models import Child
from app.auth.tokens import issue_token
from app.timeutil import utcnow
from tests.factories import make_slot, make_user, place_booking, set_policy


def _bearer(db, user):
    raw, _ = issue_token(db.session, user, utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def mom(db):
    return make_user(db.session, children=(("하늘", date(2021, 5, 5)),))


def test_the_same_child_twice_is_409_duplicate_child(client, db, mom):
    headers = _bearer(db, mom)
    again = client.post(
        "/api/children", json={"name": " 하늘 ", "birth_date": "2021-05-05", "consent": True}, headers=headers
    )
    assert again.status_code == 409 and again.get_json()["error"] == "duplicate_child"
    assert "이미 등록" in again.get_json()["message"]
    twin = client.post(
        "/api/children", json={"name": "하늘", "birth_date": "2022-05-05", "consent": True}, headers=headers
    )
    assert twin.status_code == 201  # another birth date is another child
    other = make_user(db.session)  # another parent may have a 하늘 born the same day
    assert client.post(
        "/api/children", json={"name": "하늘", "birth_date": "2021-05-05", "consent": True}, headers=_bearer(db, other)
    )
    assert db.session.query(Child).filter_by(parent_id=mom.id).count() == 2


def test_the_database_refuses_a_duplicate_too(db, mom):
    db.session.add(Child(parent_id=mom.id, name="하늘", birth_date=date(2021, 5, 5)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_patch_changes_what_is_sent(client, db, mom):
    headers = _bearer(db, mom)
    kid = mom.children[0]
    r = client.patch(f"/api/children/{kid.id}", json={"name": "하늘이"}, headers=headers)
    assert r.status_code == 200 and r.get_json() == {"id": kid.id, "name": "하늘이", "birth_date": "2021-05-05"}
    r = client.patch(f"/api/children/{kid.id}", json={"birth_date": "2021-06-06"}, headers=headers)
    assert r.get_json()["birth_date"] == "2021-06-06" and r.get_json()["name"] == "하늘이"
    future = (date.today() + timedelta(days=3)).isoformat()
    for body, code in (
        ({"name": ""}, "invalid_name"),
        ({"name": 5}, "invalid_name"),
        ({"birth_date": "06/06/2021"}, "invalid_birth_date"),
        ({"birth_date": future}, "invalid_birth_date"),
    ):
        bad = client.patch(f"/api/children/{kid.id}", json=body, headers=headers)
        assert bad.status_code == 422 and bad.get_json()["error"] == code, body


def test_patch_into_a_sibling_is_a_duplicate(client, db, mom):
    headers = _bearer(db, mom)
    sibling = client.post(
        "/api/children", json={"name": "바다", "birth_date": "2023-01-01", "consent": True}, headers=headers
    )
    r = client.patch(
        f"/api/children/{sibling.get_json()['id']}", json={"name": "하늘", "birth_date": "2021-05-05"}, headers=headers
    )
    assert r.status_code == 409 and r.get_json()["error"] == "duplicate_child"


def test_another_parents_child_is_404_for_patch_and_delete(client, db, mom):
    kid = mom.children[0]
    theirs = _bearer(db, make_user(db.session))
    for response in (
        client.patch(f"/api/children/{kid.id}", json={"name": "남의 아이"}, headers=theirs),
        client.delete(f"/api/children/{kid.id}", headers=theirs),
    ):
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    db.session.expire_all()
    assert db.session.get(Child, kid.id).name == "하늘"
    assert client.delete(f"/api/children/{kid.id}").status_code == 401


def test_delete_refused_while_a_booking_is_to_come(client, db, mom, make_facility):
    headers = _bearer(db, mom)
    kid = mom.children[0]
    cafe = make_facility(kind="kids_cafe", age_min=0, age_max=12)
    set_policy(db.session, cafe, closed_on_holidays=False)
    past = place_booking(db.session, mom, make_slot(db.session, cafe, utcnow() - timedelta(days=3)))
    upcoming = place_booking(db.session, mom, make_slot(db.session, cafe, utcnow() + timedelta(days=3)))
    r = client.delete(f"/api/children/{kid.id}", headers=headers)
    assert r.status_code == 409 and r.get_json()["error"] == "child_has_bookings"
    assert upcoming.code in r.get_json()["message"] and past.code not in r.get_json()["message"]
    assert db.session.get(Child, kid.id) is not None
    cancelled = client.post(f"/api/bookings/{upcoming.id}/cancel", headers=headers)
    assert cancelled.status_code == 200
    gone = client.delete(f"/api/children/{kid.id}", headers=headers)
    assert gone.status_code == 204
    db.session.expire_all()
    assert db.session.get(Child, kid.id) is None
    assert client.get(f"/api/children/{kid.id}", headers=headers).status_code == 404
