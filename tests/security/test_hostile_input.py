"""Hostile input against pages and the API: every case is a specific 4xx with a Korean message, and writes nothing."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from app.validation import spreadsheet_cell

HUGE = "99999999999999999999"  # past 2^64
BIG = 2**63  # one past the largest id
SNEAKY = {"ESC": "하\x1b[31m늘", "RLO": "하\u202e늘", "ZWSP": "하\u200b늘", "BEL": "하\x07늘"}
NUL = "하\x00늘"  # refused before any view: PostgreSQL can neither store nor compare it


@dataclass(frozen=True)
class Ref:
    """An id of the world (`ids[name]`), filled in when the case runs."""

    name: str


SLOT, CHILD = Ref("slot_id"), Ref("child_id")
TEN_MB = "x" * 10_000_000
CHILD_BORN = {"birth_date": "2021-05-01"}
SIGN_UP = {"email": "new@example.com", "password": "sunny-day-2"}
SIGN_UP_PAGE = {**SIGN_UP, "password2": "sunny-day-2"}
BIG_SIGN_UP = {"email": "big@example.com", "name": "큰", "password": TEN_MB}


@dataclass
class Case:
    request: str  # "role METHOD url"; the url may name the world's ids as {slot_id}, …
    status: int
    message: str
    kwargs: dict = field(default_factory=dict)  # for client.open; Ref values become the world's ids

    def open(self, client, ids: dict, headers: dict):
        _, method, url = self.request.split(" ", 2)
        return client.open(url.format(**ids), method=method, headers=headers, **_fill(self.kwargs, ids))


def _fill(value, ids: dict):
    """`value` with every Ref replaced by its id (as text inside a form)."""
    if isinstance(value, dict):
        form = "data" in value and isinstance(value["data"], dict)
        out = {k: _fill(v, ids) for k, v in value.items()}
        if form:
            out["data"] = {k: str(v) if isinstance(v, int) else v for k, v in out["data"].items()}
        return out
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return ids[value.name] if isinstance(value, Ref) else value


def _json(body) -> dict:
    return {"json": body}


def _raw(text: str) -> dict:
    return {"data": text.encode("utf-8"), "content_type": "application/json"}


def _form(**fields) -> dict:
    return {"data": fields}


# name: Case("who METHOD url", status, what the message says, request body)
CASES = {
    # ids past 64 bits, in paths and JSON fields
    "api facility id past 2^64": Case(f"anonymous GET /api/facilities/{HUGE}", 404, "없습니다"),
    "api slots of a facility past 2^64": Case(
        f"anonymous GET /api/facilities/{HUGE}/slots?date=2030-01-07", 404, "없습니다"
    ),
    "api booking id past 2^64": Case(f"parent GET /api/bookings/{HUGE}", 404, "없습니다"),
    "api slot_id 2^63": Case(
        "parent POST /api/bookings", 422, "slot_id", _json({"slot_id": BIG, "child_ids": [CHILD]})
    ),
    "api child_ids 2^63": Case(
        "parent POST /api/bookings", 422, "child_ids", _json({"slot_id": SLOT, "child_ids": [BIG]})
    ),
    "api slot_id a float": Case(
        "parent POST /api/bookings", 400, "정수", _json({"slot_id": 1.0, "child_ids": [CHILD]})
    ),
    "api slot_id a bool": Case(
        "parent POST /api/bookings", 400, "정수", _json({"slot_id": True, "child_ids": [CHILD]})
    ),
    "api guardians 2^63": Case(
        "parent POST /api/bookings", 422, "guardians", _json({"slot_id": SLOT, "child_ids": [CHILD], "guardians": BIG})
    ),
    "api capacity 2^63": Case(
        "operator PATCH /api/operator/slots/{slot_id}", 422, "capacity", _json({"capacity": BIG})
    ),
    "api capacity a billion": Case(
        "operator PATCH /api/operator/slots/{slot_id}", 422, "500 이하", _json({"capacity": 1_000_000_000})
    ),
    "api capacity a bool": Case("operator PATCH /api/operator/slots/{slot_id}", 400, "정수", _json({"capacity": True})),
    "api capacity a string": Case(
        "operator PATCH /api/operator/slots/{slot_id}", 400, "정수", _json({"capacity": "12"})
    ),
    "api offset past 2^64": Case(f"anonymous GET /api/facilities?lat=37.5665&lon=126.978&offset={HUGE}", 400, "offset"),
    # dates at the ends of the calendar
    "api slots date 0001-01-01": Case(
        "anonymous GET /api/facilities/{facility_id}/slots?date=0001-01-01", 400, "2000-01-01"
    ),
    "api slots date 9999-12-31": Case(
        "anonymous GET /api/facilities/{facility_id}/slots?date=9999-12-31", 400, "2100-12-31"
    ),
    "api open_at 0001-01-01T00:00": Case(
        "anonymous GET /api/facilities?lat=37.5665&lon=126.978&open_at=0001-01-01T00:00", 400, "open_at"
    ),
    "api open_at 9999-12-31T23:59": Case(
        "anonymous GET /api/facilities?lat=37.5665&lon=126.978&open_at=9999-12-31T23:59", 400, "open_at"
    ),
    "api child born 0001-01-01": Case(
        "parent POST /api/children", 422, "13세 이하", _json({"name": "하늘", "birth_date": "0001-01-01"})
    ),
    # broken JSON bodies
    "api lone surrogate": Case(
        "parent POST /api/children", 400, "서로게이트", _raw('{"name": "\\ud800", "birth_date": "2021-05-01"}')
    ),
    "api lone surrogate in a key": Case(
        "anonymous POST /api/auth/register", 400, "서로게이트", _raw('{"\\udfff": 1, "email": "a@example.com"}')
    ),
    "api deep nesting": Case("anonymous POST /api/auth/register", 400, "JSON", _raw("[" * 100_000)),
    "api deep nesting closed": Case(
        "anonymous POST /api/auth/token", 400, "중첩", _raw('{"a":' + "[" * 500 + "]" * 500 + "}")
    ),
    "api not an object": Case("parent POST /api/bookings", 400, "JSON 객체", _raw("[1, 2]")),
    "api not JSON": Case("parent POST /api/bookings", 400, "JSON", {"data": "slot_id=1"}),
    "api broken JSON": Case("parent POST /api/bookings", 400, "JSON 형식", _raw('{"slot_id": ')),
    # text with control, bidi and zero-width characters
    **{
        f"api child name with {k}": Case(
            "parent POST /api/children", 422, "쓸 수 없는 문자", _json({"name": v, **CHILD_BORN})
        )
        for k, v in SNEAKY.items()
    },
    "api child name with NUL": Case("parent POST /api/children", 400, "NUL", _json({"name": NUL, **CHILD_BORN})),
    "api places q with NUL": Case("anonymous GET /api/places?q=%00", 400, "NUL"),
    "api token e-mail with NUL": Case(
        "anonymous POST /api/auth/token", 400, "NUL", _json({"email": "parent@example.com\x00", "password": "x"})
    ),
    "api register name with RLO": Case(
        "anonymous POST /api/auth/register", 400, "쓸 수 없는 문자", _json({**SIGN_UP, "name": SNEAKY["RLO"]})
    ),
    # big bodies
    "api 10 MB password": Case("anonymous POST /api/auth/register", 413, "너무 큽니다", _json(BIG_SIGN_UP)),
    "page 10 MB password": Case("anonymous POST /register", 413, "너무 큽니다", _form(**BIG_SIGN_UP, password2=TEN_MB)),
    # pages: ids, dates, pages, text
    "page facility id past 2^64": Case(f"anonymous GET /facilities/{HUGE}", 404, "없습니다"),
    "page booking form slot past 2^64": Case(f"parent GET /bookings/new?slot={HUGE}", 404, "없습니다"),
    "page booking guardians past 2^64": Case(
        "parent POST /bookings/new?slot={slot_id}", 422, "숫자", _form(child=CHILD, guardians=HUGE)
    ),
    "page operator slot past 2^64": Case(
        f"operator POST /operator/slots/{HUGE}/capacity", 404, "없습니다", _form(capacity="3")
    ),
    "page capacity a billion": Case(
        "operator POST /operator/slots/{slot_id}/capacity", 303, "0~500", _form(capacity="1000000000")
    ),
    "page audit page past 2^64": Case(f"admin GET /admin/audit?page={HUGE}", 400, "page"),
    "page audit actor past 2^64": Case(f"admin GET /admin/audit?actor={HUGE}", 400, "actor"),
    "page roster date 0001-01-01": Case(
        "operator GET /operator/facilities/{facility_id}/roster?date=0001-01-01", 400, "2000-01-01"
    ),
    "page roster date 9999-12-31": Case(
        "operator GET /operator/facilities/{facility_id}/roster?date=9999-12-31", 400, "2100-12-31"
    ),
    "page roster csv date 9999-12-31": Case(
        "operator GET /operator/facilities/{facility_id}/roster.csv?date=9999-12-31", 400, "2100-12-31"
    ),
    "page utilisation start 9999-12-31": Case(
        "operator GET /operator/facilities/{facility_id}/utilisation?start=9999-12-31", 400, "2100-12-31"
    ),
    "page utilisation start 0001-01-01": Case(
        "operator GET /operator/facilities/{facility_id}/utilisation?start=0001-01-01&days=31", 400, "2000-01-01"
    ),
    "page closure ends 9999-12-31": Case(
        "operator POST /operator/facilities/{facility_id}/closures",
        303,
        "2100-12-31",
        _form(starts_on="2030-01-01", ends_on="9999-12-31"),
    ),
    **{
        f"page child name with {k}": Case("parent POST /children", 422, "쓸 수 없는 문자", _form(name=v, **CHILD_BORN))
        for k, v in SNEAKY.items()
    },
    "page child name with NUL": Case("parent POST /children", 400, "NUL", _form(name=NUL, **CHILD_BORN)),
    "page search q with NUL": Case("anonymous GET /?q=%00", 400, "NUL"),
    "page login e-mail with NUL": Case(
        "anonymous POST /login", 400, "NUL", _form(email="parent@example.com\x00", password="x")
    ),
    "page audit target with NUL": Case("admin GET /admin/audit?target_id=%00", 400, "NUL"),
    "page walk-in child name with RLO": Case(
        "operator POST /operator/slots/{slot_id}/walk-in",
        303,
        "쓸 수 없는 문자",
        _form(child_name=SNEAKY["RLO"], birth_year="2021", guardians="1"),
    ),
    "page register name with ESC": Case(
        "anonymous POST /register",
        422,
        "쓸 수 없는 문자",
        _form(**SIGN_UP_PAGE | {"email": "esc@example.com", "name": SNEAKY["ESC"]}),
    ),
}


def _client(app, world, tokens, role: str, api: bool, password: str):
    emails, _ = world
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        if api:
            headers["Authorization"] = f"Bearer {tokens[role]}"
        else:
            assert client.post("/login", data={"email": emails[role], "password": password}).status_code == 302
    return client, headers


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_gets_a_4xx_with_a_message_and_writes_nothing(app, world, tokens, password, row_counts, name):
    case = CASES[name]
    _, ids = world
    role = case.request.split(" ", 1)[0]
    api = " /api/" in case.request
    client, headers = _client(app, world, tokens, role, api, password)
    before = row_counts()
    response = case.open(client, ids, headers)
    assert response.status_code == case.status, response.get_data(as_text=True)[:500]
    if case.status == 303:  # a console form refused: Post/Redirect/Get back to its page, the message flashed there
        assert response.location.split("#")[0] != case.request.split(" ", 2)[2].format(**ids)
        response = client.get(response.location)
    if api:
        body = response.get_json()
        assert body["error"] and case.message in body["message"], body
    else:
        assert case.message in response.get_data(as_text=True)
    assert row_counts() == before


def test_a_streamed_body_without_length_is_cut_off_with_413(client, row_counts):
    """A chunked body (no Content-Length) beyond the 1 MB limit: Werkzeug's stream stops it, answered in Korean."""
    before = row_counts()
    body = json.dumps({"email": "s@example.com", "password": "y" * 2_000_000, "name": "흐름"}).encode()
    # The test client always computes a length: blank it, as a chunked request through gunicorn arrives.
    response = client.post(
        "/api/auth/register",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 413
    assert "너무 큽니다" in response.get_json()["message"]
    assert row_counts() == before


def _upload(client, name: str, payload: bytes):
    """POST one file to the admin upload, the multipart body built in memory (the test client would spool it to an
    unclosed temporary file when the app refuses to read it)."""
    stream, length, boundary = stream_encode_multipart(
        {"files": FileStorage(io.BytesIO(payload), filename=name)}, use_tempfile=False
    )
    return client.post(
        "/admin/import",
        input_stream=stream,
        content_length=length,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def _admin_client(app, world, password):
    emails, _ = world
    client = app.test_client()
    assert client.post("/login", data={"email": emails["admin"], "password": password}).status_code == 302
    return client


def test_the_upload_limit_applies_before_csrf_parses_the_form(app, world, password, row_counts, monkeypatch):
    """With CSRF on: above the upload's own limit → 413 at once; between 1 MB and that limit → CSRF's 400, not 413."""
    client = _admin_client(app, world, password)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "ADMIN_UPLOAD_MAX_BYTES", 3 * 1024 * 1024)
    before = row_counts()
    response = _upload(client, "big.csv", b"a,b\n" * 1_000_000)  # 4 MB
    assert response.status_code == 413
    assert "너무 큽니다 (최대 3 MB)" in response.get_data(as_text=True)
    response = _upload(client, "mid.csv", b"a,b\n" * 500_000)  # 2 MB: over the global 1 MB, under 3 MB
    assert response.status_code == 400  # the CSRF check read the form: the upload's limit, not the global one
    assert row_counts() == before


def test_binary_bytes_named_csv_are_refused_naming_the_file(app, world, password, row_counts):
    client = _admin_client(app, world, password)
    before = row_counts()
    response = _upload(client, "kids_cafes.csv", bytes(range(256)) * 64)
    assert response.status_code == 422
    assert "kids_cafes.csv: 텍스트 파일이 아닙니다" in response.get_data(as_text=True)
    assert row_counts() == before


def test_coverage_csv_neutralises_formulas(app, db, world, password):
    from app.facilities.models import District

    district = db.session.scalars(db.select(District).order_by(District.code)).first()
    district.name = "=1+2"  # the column holds 20 characters
    db.session.commit()
    client = _admin_client(app, world, password)
    text = client.get("/admin/coverage.csv").get_data().decode("utf-8-sig")
    assert ",'=1+2," in text and ",=1+2," not in text


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+82", "'+82"),
        ("-x", "'-x"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("하늘", "하늘"),
        (-3, -3),
        (None, ""),
    ],
)
def test_spreadsheet_cell(value, cell):
    assert spreadsheet_cell(value) == cell


def test_every_id_in_a_route_uses_the_bounded_converter(app):
    """A bare <int:…> would let 2^64 reach the database again."""
    bare = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert not bare, bare


def test_the_api_document_publishes_the_same_bounds(client):
    from app.validation import CAPACITY_MAX, DATE_MAX, ID_MAX

    spec = client.get("/api/openapi.json").get_json()
    facility_id = spec["paths"]["/api/facilities/{facility_id}"]["get"]["parameters"][0]["schema"]
    assert (facility_id["minimum"], facility_id["maximum"], facility_id["format"]) == (1, ID_MAX, "int32")
    patch = spec["paths"]["/api/operator/slots/{slot_id}"]["patch"]
    assert (
        patch["requestBody"]["content"]["application/json"]["schema"]["properties"]["capacity"]["maximum"]
        == CAPACITY_MAX
    )
    assert set(patch["responses"]) >= {"200", "400", "401", "403", "404", "413", "422"}
    date = spec["paths"]["/api/facilities/{facility_id}/slots"]["get"]["parameters"][1]["schema"]
    assert date["format"] == "date" and DATE_MAX.isoformat() in date["description"]
    child = spec["components"]["schemas"]["ChildRequest"]["properties"]["name"]
    assert child["maxLength"] == 50
