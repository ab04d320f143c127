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
from flask.sessions import SecureCookieSessionInterface
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


def _policy_pieces(policy: dict, nonce_in) -> tuple[str, ...]:
    """Talisman's policy text split where this request's nonce goes ("…script-src 'self' 'nonce-" | "'; …")."""
    text, pieces = "", []
    for i, (section, content) in enumerate(policy.items()):
        text += ("; " if i else "") + f"{section} {content if isinstance(content, str) else ' '.join(content)}"
        if section in nonce_in:
            pieces.append(text + " 'nonce-")
            text = "'"
    return (*pieces, text)


class _Talisman(Talisman):
    """Talisman with same-origin framing for SAME_ORIGIN_FRAMES (its per-view decorator cannot take a
    policy that depends on the app's configuration).

    The same headers, made with less work per request: the options of a request are worked out once (Talisman
    asks for them four times), and the policy is written from its parts with one look-up of the nonce."""

    _policy_pieces: dict = {}

    def _get_local_options(self):
        req = request._get_current_object()
        options = req.__dict__.get("_talisman_options")
        if options is None:
            options = dict(super()._get_local_options())
            if req.endpoint in SAME_ORIGIN_FRAMES:
                policy = {**self.content_security_policy, "frame-ancestors": "'self'"}
                options.update(frame_options=SAMEORIGIN, content_security_policy=policy)
            req._talisman_options = options
        return options

    def _parse_policy(self, policy):
        if not isinstance(policy, dict):
            return super()._parse_policy(policy)
        nonce = getattr(request._get_current_object(), "csp_nonce", None)
        nonce_in = self._get_local_options()["content_security_policy_nonce_in"]
        try:
            key = (tuple(policy.items()), tuple(nonce_in), nonce is not None)
            pieces = self._policy_pieces.get(key)
        except TypeError:  # a list among the values: not kept, written in full
            key, pieces = None, None
        if pieces is None:
            pieces = _policy_pieces(policy, nonce_in if nonce is not None else ())
            if key is not None:
                self._policy_pieces[key] = pieces
        return pieces[0] if len(pieces) == 1 else nonce.join(pieces)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key rather than on every
    request, and none made at all for a request without a session cookie (an API client's)."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()), self.salt)
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


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
    app.session_interface = CookieSessions()
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
