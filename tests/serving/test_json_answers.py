"""JSON answers (app/jsonio.py): orjson writes what Flask's standard-library provider wrote, as UTF-8."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import jsonify
from flask.json.provider import DefaultJSONProvider

from app.facilities.choices import FacilityKind


@dataclass
class _Point:
    lat: float
    lon: float


def _probe(app, name: str, value):
    app.add_url_rule(f"/probe/{name}", f"probe_{name}", lambda: jsonify(value))
    return app.test_client().get(f"/probe/{name}")


def test_korean_text_is_utf8_and_keys_are_sorted(app):
    response = _probe(app, "text", {"name": "나들이 키즈카페", "b": 2, "a": [1.5, None, True]})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_data()
    assert "나들이 키즈카페".encode() in body  # not \uXXXX escapes
    assert body.index(b'"a"') < body.index(b'"b"') < body.index(b'"name"')
    assert response.get_json() == {"name": "나들이 키즈카페", "b": 2, "a": [1.5, None, True]}


def test_values_the_standard_provider_converted_come_out_the_same(app):
    value = {
        "day": date(2026, 12, 7),
        "at": datetime(2026, 12, 7, 9, 30),
        "fee": Decimal("3000.50"),
        "kind": FacilityKind.KIDS_CAFE,
        "point": _Point(37.5, 127.0),
        "counts": {1: 2},
    }
    expected = json.loads(DefaultJSONProvider(app).dumps(value))  # Flask's own provider
    assert _probe(app, "values", value).get_json() == expected
    assert expected["day"] == "Mon, 07 Dec 2026 00:00:00 GMT" and expected["kind"] == "kids_cafe"


def test_what_orjson_refuses_is_still_answered(app):
    huge = 2**70  # beyond orjson's 64-bit integers: the standard library writes it
    response = _probe(app, "huge", {"n": huge})
    assert response.status_code == 200 and response.get_json() == {"n": huge}


def test_api_answers_through_orjson(client, make_facility):
    make_facility(name="한강 키즈카페")
    response = client.get("/api/facilities?lat=37.5665&lon=126.978&radius_m=20000")
    assert response.status_code == 200
    assert "한강 키즈카페".encode() in response.get_data()
