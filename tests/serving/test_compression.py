"""Weight on a phone: brotli/gzip for HTML, JS, CSS and JSON, and year-long caching only for versioned asset URLs.

Compression must not break what surrounds it: the CSP nonce, /healthz, downloads (CSV, .ics), streamed
responses, HEAD, 304s; and pages that carry a CSRF token and may echo the request are never compressed (BREACH).
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, timedelta

import brotli
import pytest
from flask import Response

from app.delivery import asset_version
from app.timeutil import KST, utcnow
from tests.factories import login, make_slot, make_user, place_booking

YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda body: body}


def _get(client, url: str, encoding: str | None = None, **headers):
    """GET `url` asking for `encoding` (None: no Accept-Encoding); the response and its raw bytes."""
    if encoding:
        headers["Accept-Encoding"] = encoding
    response = client.get(url, headers=headers)
    body = response.get_data()
    response.close()  # files are streamed from disk: close them or the test leaks a handle
    return response, body


def _asset_urls(client) -> dict[str, str]:
    """The versioned asset URLs the search page writes, by file name (finder.js, leaflet.js, app.css, …)."""
    _, page = _get(client, "/")
    urls = re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page.decode())
    return {url.split("?")[0].rsplit("/", 1)[1]: url.replace("&amp;", "&") for url in urls}


@pytest.fixture
def urls(client, make_facility) -> dict[str, str]:
    for n in range(30):  # a result list long enough for the JSON answer to be worth compressing
        make_facility(name=f"놀이터 {n}", lat=37.5663 + n / 10_000)
    return {
        "html": "/",
        "js": _asset_urls(client)["finder.js"],
        "json": "/api/facilities?lat=37.5665&lon=126.978&radius=2000",
    }


@pytest.mark.parametrize("kind", ["html", "js", "json"])
@pytest.mark.parametrize("encoding", ["br", "gzip", None])
def test_html_js_and_json_come_in_the_encoding_asked_for_and_smaller(client, urls, kind, encoding):
    plain, identity = _get(client, urls[kind])
    response, body = _get(client, urls[kind], encoding)
    assert response.status_code == 200 and plain.headers.get("Content-Encoding") is None
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(body)
    if kind != "html":  # a page carries a fresh CSP nonce each time: compare sizes only
        assert DECODE[encoding](body) == identity
    if encoding:
        assert len(body) < len(identity) / 2, (len(body), len(identity))


def test_leaflet_and_css_are_compressed(client):
    assets = _asset_urls(client)
    for name in ("leaflet.js", "leaflet.css", "app.css"):
        plain, identity = _get(client, assets[name])
        response, body = _get(client, assets[name], "br, gzip")
        assert response.headers["Content-Encoding"] == "br" and brotli.decompress(body) == identity
        assert len(body) < len(identity) / 2
    assert len(identity) > 5_000 and plain.headers.get("Content-Encoding") is None


@pytest.mark.parametrize("name", ["finder.js", "app.css", "leaflet.js", "leaflet.css"])
def test_versioned_asset_urls_are_cached_a_year_and_others_briefly(client, name):
    url = _asset_urls(client)[name]
    assert re.search(r"\?v=[0-9a-f]{12}$", url), url
    response, _ = _get(client, url, "br")
    assert response.headers["Cache-Control"] == YEAR and "Expires" not in response.headers
    bare = url.split("?")[0]
    for unversioned in (bare, bare + "?v=000000000000"):  # no version, or one that is not the file's
        response, _ = _get(client, unversioned, "br")
        assert response.status_code == 200 and response.headers["Cache-Control"] == SHORT


def test_a_changed_file_gets_a_new_version(tmp_path):
    asset = tmp_path / "a.js"
    asset.write_text("let a = 1;")
    first = asset_version(asset)
    asset.write_text("let a = 2;")
    assert first and asset_version(asset) not in (None, first)
    assert asset_version(tmp_path / "missing.js") is None


@pytest.mark.parametrize("encoding", ["br", None])
def test_a_revalidation_with_the_etag_answers_304(client, encoding):
    url = _asset_urls(client)["leaflet.js"]
    first, _ = _get(client, url, encoding)
    etag = first.headers["ETag"]
    assert etag.endswith(':br"') if encoding else ":" not in etag
    again, body = _get(client, url, encoding, **{"If-None-Match": etag})
    assert again.status_code == 304 and body == b"" and again.headers["Cache-Control"] == YEAR


def test_head_announces_the_compressed_length_without_a_body(client):
    url = _asset_urls(client)["leaflet.js"]
    get, body = _get(client, url, "gzip")
    head = client.head(url, headers={"Accept-Encoding": "gzip"})
    head.close()
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Encoding"] == "gzip" and int(head.headers["Content-Length"]) == len(body)
    assert head.headers["Cache-Control"] == get.headers["Cache-Control"] == YEAR


def test_the_csp_nonce_in_a_compressed_page_matches_its_header(client):
    response, body = _get(client, "/", "br")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = brotli.decompress(body).decode()
    scripts = re.findall(r'<script nonce="([^"]+)"', page)
    assert scripts and set(scripts) == {nonce}


def test_healthz_still_answers_plain_json(client):
    for encoding in ("br", "gzip", None):
        response, body = _get(client, "/healthz", encoding)
        assert response.status_code == 200 and json.loads(body) == {"status": "ok"}


def test_downloads_and_streams_are_not_compressed(app, client, db, make_facility):
    @app.get("/test-stream")
    def stream():
        return Response(
            (json.dumps({"n": n, "pad": "가" * 50}) + "\n" for n in range(100)), mimetype="application/json"
        )

    cafe = make_facility()
    slot = make_slot(db.session, cafe, (utcnow() + timedelta(days=2)).astimezone(KST))
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)),))
    booking = place_booking(db.session, parent, slot)
    operator = make_user(db.session, "operator", [cafe])
    day = slot.starts_at.astimezone(KST).date().isoformat()
    login(client, parent)
    ics, _ = _get(client, f"/bookings/{booking.id}.ics", "br, gzip")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and "Content-Encoding" not in ics.headers
    streamed = client.get("/test-stream", headers={"Accept-Encoding": "br, gzip"})
    assert streamed.is_streamed and "Content-Encoding" not in streamed.headers
    assert len(streamed.get_data(as_text=True).splitlines()) == 100
    client.post("/logout")
    login(client, operator)
    csv, body = _get(client, f"/operator/facilities/{cafe.id}/roster.csv?date={day}", "br, gzip")
    assert csv.status_code == 200 and "Content-Encoding" not in csv.headers and booking.code in body.decode("utf-8-sig")


def test_pages_with_a_csrf_token_that_may_echo_the_request_are_not_compressed(app, client, db):
    """BREACH: a secret and attacker-chosen text in one compressed body leak the secret through its size."""
    app.config["WTF_CSRF_ENABLED"] = True
    parent = make_user(db.session)
    anonymous_search, _ = _get(client, "/?lat=37.5665&lon=126.978", "br")
    assert anonymous_search.headers["Content-Encoding"] == "br"  # no token in the page
    page, body = _get(client, "/login", "br")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', brotli.decompress(body).decode()).group(1)
    assert page.headers["Content-Encoding"] == "br"  # a token, but nothing of the request's in the page
    refused = client.post(
        "/login",
        data={"email": parent.email, "password": "wrong-" * 100, "csrf_token": token},
        headers={"Accept-Encoding": "br"},
    )
    assert refused.status_code in (200, 401, 422) and "Content-Encoding" not in refused.headers
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, parent)
    search, body = _get(client, "/?lat=37.5665&lon=126.978", "br")  # the header's logout form carries a token
    assert 'name="csrf_token"' in body.decode() and "Content-Encoding" not in search.headers
    plain, _ = _get(client, "/", "br")
    assert plain.headers["Content-Encoding"] == "br"
