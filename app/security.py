"""Security headers (Flask-Talisman) and HTTPS behind a reverse proxy (werkzeug ProxyFix).

Every response carries a Content-Security-Policy whose script-src is this site plus a fresh nonce per
request: templates write `<script nonce="{{ csp_nonce() }}">` for the maps' inline scripts, and nothing
else inline runs (no 'unsafe-inline', no other script hosts, no on* attributes). Pages may not be framed
by anyone (frame-ancestors 'none', X-Frame-Options DENY), except the coverage map that the admin page
frames itself. Secure cookies, HTTPS redirects and trusted X-Forwarded-* headers are each switched on by
configuration (README: SESSION_COOKIE_SECURE, NADEURI_FORCE_HTTPS, NADEURI_BEHIND_PROXY).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, request
from flask_talisman import DENY, SAMEORIGIN, Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from app.validation import forbidden_character

# Pages that our own pages show in an <iframe>: framing by this origin only.
SAME_ORIGIN_FRAMES = ("admin.coverage_map",)
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$")


def local_target(target: str | None, default: str) -> str:
    """`target` (a form's or link's `next`) if it is a path on this site, else `default`: no open redirects, and
    no control, bidi or surrogate characters that would break the Location header."""
    target = target or ""
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
        and forbidden_character(target) is None
    ):
        return target
    return default


def tile_source(tile_url: str) -> str | None:
    """The CSP source for a Leaflet tile URL template ("https://{s}.tile.x.org/{z}/…" → "https://*.tile.x.org")."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    host = re.sub(r"^\{[a-z]+\}\.", "*.", parts.netloc)
    if parts.scheme not in ("http", "https") or not _HOST.match(host):
        raise ValueError(f"MAP_TILE_URL must be an http(s) URL with a plain host name, not {tile_url!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> dict[str, str]:
    """The policy for every page; the tile server (if any) is the only other host, and for images only."""
    images = ["'self'", "data:"] + ([tile_source(tile_url)] if tile_url else [])
    return {
        "default-src": "'self'",
        "script-src": "'self'",  # + 'nonce-…' per request (content_security_policy_nonce_in)
        # Leaflet and Folium position map panes and size the map with style attributes and <style> elements
        # in their markup, and a few templates set a legend swatch colour inline: styles cannot run code.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": " ".join(images),
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


class _Talisman(Talisman):
    """Talisman with same-origin framing for SAME_ORIGIN_FRAMES (its per-view decorator cannot take a
    policy that depends on the app's configuration)."""

    def _get_local_options(self):
        options = dict(super()._get_local_options())
        if request.endpoint in SAME_ORIGIN_FRAMES:
            policy = {**self.content_security_policy, "frame-ancestors": "'self'"}
            options.update(frame_options=SAMEORIGIN, content_security_policy=policy)
        return options


def with_script_nonces(html: str) -> str:
    """Give every <script> of a page we generated whole (Folium's standalone maps) this request's nonce."""
    nonce = getattr(request, "csp_nonce", "")
    return re.sub(r"<script(?=[\s>])", f'<script nonce="{nonce}"', html)


def init_security(app: Flask) -> None:
    """Install the headers and, when configured, ProxyFix. Call first, so every response gets a nonce."""
    hops = int(app.config.get("NADEURI_BEHIND_PROXY") or 0)
    if hops:
        # Trust X-Forwarded-For/-Proto/-Host from that many proxies: the client's address (rate limits),
        # https URLs and Secure cookies then work behind the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    # One instance per app: Talisman keeps its app and policy on the instance.
    app.extensions["talisman"] = _Talisman(
        app,
        force_https=bool(app.config.get("NADEURI_FORCE_HTTPS")),
        session_cookie_secure=secure,
        frame_options=DENY,
        content_security_policy=content_security_policy(app.config.get("MAP_TILE_URL", "")),
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
    )
