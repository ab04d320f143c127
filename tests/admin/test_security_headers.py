"""Security headers on every page (walking every GET route, as the role matrix does), HTTPS behind a proxy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.security import content_security_policy, tile_source
from tests.admin.route_access import get_urls
from tests.factories import make_user
from tests.support import database_url, make_app

JS_TYPES = ("", "text/javascript", "module", "application/javascript")


class _Scripts(HTMLParser):
    """Inline executable <script> elements (their nonce) and on* handler attributes in a page."""

    def __init__(self):
        super().__init__()
        self.inline_nonces: list[str | None] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        if tag == "script" and "src" not in attrs and (attrs.get("type") or "").lower() in JS_TYPES:
            self.inline_nonces.append(attrs.get("nonce"))


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def check_page(url: str, response) -> list[str]:
    """Everything wrong with one response's headers and inline scripts."""
    problems = []
    csp = policy(response)
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("Referrer-Policy") != "strict-origin-when-cross-origin":
        problems.append("no Referrer-Policy")
    nonce = re.search(r"'nonce-([^']+)'", csp.get("script-src", ""))
    if (
        not nonce
        or "'unsafe-inline'" in csp["script-src"]
        or set(csp["script-src"].split()) - {"'self'", f"'nonce-{nonce.group(1)}'"}
    ):
        problems.append(f"script-src {csp.get('script-src')!r}")
    framing = "'self'" if url.startswith("/admin/coverage/map") else "'none'"
    if csp.get("frame-ancestors") != framing or csp.get("object-src") != "'none'":
        problems.append(f"frame-ancestors {csp.get('frame-ancestors')!r}")
    if response.mimetype == "text/html":
        scripts = _Scripts()
        scripts.feed(response.get_data(as_text=True))
        if any(n != nonce.group(1) for n in scripts.inline_nonces) if nonce else scripts.inline_nonces:
            problems.append(f"inline scripts with nonces {scripts.inline_nonces}")
        if scripts.handlers:
            problems.append(f"handler attributes {scripts.handlers}")
    return [f"GET {url} ({response.status_code}): {p}" for p in problems]


@pytest.mark.parametrize("role", ["anonymous", "parent", "admin"])
def test_every_page_carries_the_headers_and_nonces(app, world, role, role_client):
    client = role_client
    wrong, pages, inline = [], 0, 0
    for _rule, url in get_urls(app, world[1]):
        response = client.get(url)
        wrong += check_page(url, response)
        if response.mimetype == "text/html":
            pages += 1
            inline += response.get_data(as_text=True).count("nonce=")
        response.close()
    for url in ("/no-such-page", "/facilities/999999"):  # error pages too
        wrong += check_page(url, client.get(url))
    assert not wrong, "\n".join(wrong)
    assert pages >= (18 if role == "admin" else 5)  # 20 HTML pages for an admin when written
    assert inline >= 2  # the finder's and the facility page's map scripts were among them


def test_the_checker_catches_a_missing_nonce_and_a_handler(app, client):
    page = client.get("/")
    page.set_data(page.get_data(as_text=True).replace("</body>", '<script>x()</script><b onclick="y()"></b></body>'))
    problems = " ".join(check_page("/", page))
    assert "inline scripts" in problems and "handler attributes" in problems


@pytest.mark.parametrize(
    "url, source",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.kr:8443/{z}/{x}/{y}.png", "https://*.tile.example.kr:8443"),
    ],
)
def test_tile_host_is_allowed_for_images_only(url, source):
    assert tile_source(url) == source
    csp = content_security_policy(url)
    assert csp["img-src"] == f"'self' data: {source}"
    assert all(source not in value for key, value in csp.items() if key != "img-src")
    assert "https" not in " ".join(content_security_policy("").values())


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x.org; script-src *", "https://x y.org/{z}"])
def test_tile_setting_that_would_bend_the_policy_is_refused(url):
    with pytest.raises(ValueError):
        tile_source(url)


@pytest.fixture
def proxied():
    """An app configured for HTTPS behind one reverse proxy (no app context held: each request gets its own `g`)."""
    import app.config as config
    from app.extensions import db

    names = ("NADEURI_BEHIND_PROXY", "SESSION_COOKIE_SECURE", "NADEURI_FORCE_HTTPS")
    saved = {name: getattr(config.TestConfig, name) for name in names}
    for name, value in zip(names, (1, True, True)):
        setattr(config.TestConfig, name, value)
    try:
        app = make_app(database_url())
    finally:
        for name, value in saved.items():
            setattr(config.TestConfig, name, value)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_proxy_cookies_are_secure_and_the_client_address_is_the_forwarded_one(proxied):
    from app.extensions import db

    app = proxied
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "1/minute"
    with app.app_context():
        email = make_user(db.session, "parent").email
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https"}
    plain = client.get("/login")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    ok = client.post(
        "/login", data={"email": email, "password": "sunny-day-1"}, headers={**https, "X-Forwarded-For": "198.51.100.1"}
    )
    assert ok.status_code == 302
    cookie = next(h for h in ok.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert "max-age" in client.get("/", headers=https).headers.get("Strict-Transport-Security", "")
    fresh = app.test_client()
    tries = [
        fresh.post(
            "/login",
            data={"email": "x@example.com", "password": "guess-pass-1"},
            headers={**https, "X-Forwarded-For": address},
        ).status_code
        for address in ("198.51.100.2", "198.51.100.2", "198.51.100.3")
    ]
    assert tries == [401, 429, 401]  # counted per forwarded client address, not per proxy
