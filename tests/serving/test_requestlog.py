"""One JSON log line per request: id, route, status, duration; coordinates rounded, secrets never written."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.tokens import issue_token
from app.requestlog import JsonFormatter, sanitised_query
from app.timeutil import utcnow
from tests.factories import login
from tests.serving.rush import make_rush_data

LOGGER = "nadeuri.request"


@pytest.fixture
def lines(caplog):
    """The request log records of the test, each with its JSON line as formatted in production."""
    caplog.set_level(logging.INFO, logger=LOGGER)

    def read() -> list[dict]:
        records = [r for r in caplog.records if r.name == LOGGER]
        out = []
        for record in records:
            text = JsonFormatter().format(record)
            assert "\n" not in text  # one line per request
            out.append(json.loads(text))
        return out

    return read


def test_one_line_with_route_status_duration_and_a_request_id(client, lines, make_facility):
    facility = make_facility()
    r = client.get(f"/api/facilities/{facility.id}")
    assert r.status_code == 200
    (line,) = lines()
    assert line["route"] == "/api/facilities/<id:facility_id>" and line["path"] == f"/api/facilities/{facility.id}"
    assert line["method"] == "GET" and line["status"] == 200 and line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 60_000
    assert line["remote_addr"] == "127.0.0.1" and line["logger"] == LOGGER
    assert len(line["request_id"]) == 32 and r.headers["X-Request-ID"] == line["request_id"]
    assert "query" not in line


def test_a_sane_client_request_id_is_kept_and_a_hostile_one_replaced(client, lines):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-4f2a:9.1_x"})
    assert kept.headers["X-Request-ID"] == "lb-4f2a:9.1_x"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'a" injected=1 ' + "x" * 300})
    assert replaced.headers["X-Request-ID"] != "" and "injected" not in replaced.headers["X-Request-ID"]
    first, second = lines()
    assert first["request_id"] == "lb-4f2a:9.1_x" and first["route"] == "/healthz"
    assert second["request_id"] == replaced.headers["X-Request-ID"]


def test_unknown_paths_and_refusals_are_logged_too(client, lines):
    assert client.get("/no/such/page").status_code == 404
    assert client.post("/api/bookings", json={}).status_code == 401
    missing, refused = lines()
    assert missing["status"] == 404 and missing["route"] is None and missing["path"] == "/no/such/page"
    assert refused["status"] == 401 and refused["route"] == "/api/bookings" and refused["method"] == "POST"


def test_coordinates_are_rounded_to_three_decimals(client, lines):
    client.get(
        "/api/facilities",
        query_string={
            "lat": "37.5663214",
            "lon": "126.9779692",
            "radius": "1500",
            "bbox": "126.97123,37.56456,127.01987,37.59999",
        },
    )
    (line,) = lines()
    query = line["query"]
    assert "lat=37.566&" in query and "lon=126.978&" in query and "radius=1500" in query
    assert "bbox=126.971%2C37.565%2C127.020%2C37.600" in query
    for precise in ("5663214", "9779692", "97123", "56456", "01987", "59999"):
        assert precise not in json.dumps(line)


def test_tokens_and_passwords_never_reach_the_log(client, db, lines):
    make_rush_data(db.session, parents=1, capacities=[])
    user = db.session.scalars(select(User)).one()
    raw, _ = issue_token(db.session, user, utcnow())
    db.session.commit()
    r = client.get(
        "/api/bookings",
        headers={"Authorization": f"Bearer {raw}"},
        query_string={
            "token": "qs-secret-1",
            "access_token": "qs-secret-2",
            "password": "qs-secret-3",
            "csrf_token": "qs-secret-4",
            "date": "2026-11-24",
        },
    )
    assert r.status_code == 200
    login(client, user, "form-secret-5", expect=None)  # a wrong password: it must not be logged either
    text = "\n".join(json.dumps(line) for line in lines())
    assert raw not in text and "Bearer" not in text and "Authorization" not in text
    for n in range(1, 6):
        assert f"secret-{n}" not in text
    assert "date=2026-11-24" in text  # harmless parameters stay, for debugging


def test_sanitised_query_bounds_every_value():
    from werkzeug.datastructures import MultiDict

    query = sanitised_query(MultiDict([("q", "가" * 5000), ("API_KEY", "k"), ("near", "-37.12345,x")]))
    assert len(query) <= 1000 and "API_KEY" not in query and "near" not in query  # cut at 1000 characters
    assert sanitised_query(MultiDict([("near", "-37.12345,x")])) == "near=-37.123%2Cx"


def test_json_formatter_writes_one_line_with_the_extra_fields():
    record = logging.makeLogRecord(
        {"name": LOGGER, "levelname": "INFO", "msg": "GET %s", "args": ("/x\n",), "status": 200, "route": "/x"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x\n" and line["status"] == 200 and line["route"] == "/x"
    assert set(line) == {"time", "level", "logger", "message", "status", "route"}
