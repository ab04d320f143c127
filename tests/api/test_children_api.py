"""Children API: add, list, and nobody sees another parent's children."""

from datetime import date, timedelta

from app.auth.models import Child
from app.auth.services import register_parent
from app.auth.tokens import issue_token
from app.timeutil import utcnow


def _bearer(db, email):
    user = register_parent(db.session, email, "child-pass-1", "부모")
    raw, _ = issue_token(db.session, user, utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}, user


def test_add_and_list_own_children(client, db):
    mine, _ = _bearer(db, "a@example.com")
    theirs, _ = _bearer(db, "b@example.com")
    r = client.post("/api/children", json={"name": " 하늘 ", "birth_date": "2021-05-05", "consent": True}, headers=mine)
    assert r.status_code == 201
    child = r.get_json()
    assert child["name"] == "하늘" and child["birth_date"] == "2021-05-05"
    client.post("/api/children", json={"name": "바다", "birth_date": "2019-01-02", "consent": True}, headers=theirs)
    listed = client.get("/api/children", headers=mine).get_json()["items"]
    assert [c["name"] for c in listed] == ["하늘"]
    assert client.get(f"/api/children/{child['id']}", headers=mine).status_code == 200
    other = client.get(f"/api/children/{child['id']}", headers=theirs)
    assert other.status_code == 404 and other.get_json()["error"] == "not_found"


def test_child_validation(client, db):
    mine, _ = _bearer(db, "a@example.com")
    today = date.today()
    cases = [
        ({"name": "", "birth_date": "2021-05-05"}, "invalid_name"),
        ({"name": "가" * 51, "birth_date": "2021-05-05"}, "invalid_name"),
        ({"name": 7, "birth_date": "2021-05-05"}, "invalid_name"),
        ({"name": "하늘", "birth_date": "05/05/2021"}, "invalid_birth_date"),
        ({"name": "하늘", "birth_date": 20210505}, "invalid_birth_date"),
        ({"name": "하늘", "birth_date": (today + timedelta(days=2)).isoformat()}, "invalid_birth_date"),
        ({"name": "하늘", "birth_date": today.replace(year=today.year - 14).isoformat()}, "invalid_birth_date"),
    ]
    for body, code in cases:
        r = client.post("/api/children", json=body, headers=mine)
        assert r.status_code == 422 and r.get_json()["error"] == code, body
    assert db.session.query(Child).count() == 0
    assert (
        client.post(
            "/api/children", json={"name": "막내", "birth_date": today.isoformat(), "consent": True}, headers=mine
        ).status_code
        == 201
    )
    assert client.post("/api/children", json=["x"], headers=mine).status_code == 400


def test_children_need_a_token(client, db):
    assert client.get("/api/children").status_code == 401
    r = client.post("/api/children", json={"name": "하늘", "birth_date": "2021-05-05"})
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
