"""Weight on the wire: compressed responses (Flask-Compress) and cache lifetimes for versioned assets.

Every asset URL the app writes carries `?v=` and the first hex digits of the file's SHA-256 (static files
through `url_for("static", …)`, the npm files through `app.maps.assets.vendor_url`). A request whose `v`
matches the file on disk may be cached for a year, unchanged (`immutable`): a new file gets a new URL.
Any other request for the same file (no `v`, an old one) gets a short lifetime and revalidates by ETag.

Flask-Compress is bound with its own hook switched off (COMPRESS_REGISTER = False): one hook here decides,
in order, (1) read a file response into memory so it is compressed whole (gzip or brotli, with a length and
an ETag) rather than streamed, (2) leave alone what must not be compressed — see `breach_exposed` — and
streamed responses such as the CSV exports (COMPRESS_STREAMS = False), (3) compress, and let Flask-Compress
answer a matching If-None-Match with 304, (4) set the asset's cache lifetime.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from werkzeug.security import safe_join

VERSION_LENGTH = 12  # hex digits of SHA-256: a new file's URL never collides with an old one in practice


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:VERSION_LENGTH]


def asset_version(path: Path | str | None) -> str | None:
    """The version of the file at `path` (a hash of its bytes), or None when there is no such file."""
    if path is None:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def set_asset_lifetime(response: Response, versioned: bool) -> Response:
    """A year and `immutable` for a URL naming the file's current version, else ASSET_UNVERSIONED_MAX_AGE."""
    config = current_app.config
    cache = response.cache_control
    cache.no_cache = None
    cache.public = True
    cache.max_age = config["ASSET_MAX_AGE"] if versioned else config["ASSET_UNVERSIONED_MAX_AGE"]
    cache.immutable = versioned
    response.headers.pop("Expires", None)  # Cache-Control decides; an Expires from send_file would disagree
    return response


def requested_version_is(path: Path | str | None) -> bool:
    """Whether this request's `v` names the current version of the file at `path`."""
    version = asset_version(path)
    return version is not None and request.args.get("v") == version


def _static_path(app: Flask, filename: str) -> str | None:
    return safe_join(app.static_folder, filename) if app.static_folder else None


def _read_whole(response: Response) -> None:
    """Replace a file response's stream by its bytes (assets are small), closing the file at once."""
    stream = response.response
    try:
        data = b"".join(stream)
    finally:
        getattr(stream, "close", lambda: None)()
    response.direct_passthrough = False
    response.set_data(data)


def breach_exposed(response: Response) -> bool:
    """Whether compressing this response could leak its CSRF token (BREACH): the page carries a token and may
    echo what the request sent (a query string or a form). Such pages go out uncompressed (docs/deploy.md)."""
    if "csrf_token" not in g:  # Flask-WTF keeps the token it wrote into the page on g
        return False
    return bool(request.query_string) or request.method not in ("GET", "HEAD")


def init_delivery(app: Flask) -> None:
    """Version static URLs and install the compression and caching hook; call after binding `compress`."""
    from app.extensions import compress

    @app.url_defaults
    def _version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = asset_version(_static_path(app, values["filename"]))
            if version:
                values["v"] = version

    mimetypes = set(app.config["COMPRESS_MIMETYPES"])

    @app.after_request
    def _compress_and_cache(response: Response) -> Response:
        if response.direct_passthrough and response.status_code == 200 and response.mimetype in mimetypes:
            _read_whole(response)  # a file (static or npm): compress it whole, not as a stream
        if not breach_exposed(response):
            response = compress.after_request(response)
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            set_asset_lifetime(response, requested_version_is(_static_path(app, filename)))
        return response
