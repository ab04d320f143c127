"""Request limits: body sizes answered with 413 before anything parses the body, NUL refused everywhere (400),
and Korean words for HTTP errors.

Why a before_request of its own, registered ahead of CSRFProtect: CSRF reads ``request.form`` first, so a
limit set later (inside a view or a blueprint hook) would never be the one that applies. Here the limit for
the endpoint is set on the request (Flask ≥ 3.1) and a declared Content-Length above it is refused at once;
a body without Content-Length (chunked) is cut off by Werkzeug's stream at the same limit.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

# Endpoints that take big files, and the config key of their own limit.
UPLOAD_ENDPOINTS = {"admin.upload": "ADMIN_UPLOAD_MAX_BYTES"}

HTTP_MESSAGES = {
    400: "요청을 이해할 수 없습니다. 입력값을 확인해 주세요.",
    401: "로그인이 필요합니다.",
    403: "이 기능을 사용할 권한이 없습니다.",
    404: "찾는 페이지나 항목이 없습니다.",
    405: "이 주소에서는 쓸 수 없는 요청 방식입니다.",
    409: "다른 변경과 충돌했습니다. 다시 시도해 주세요.",
    413: "요청 본문이 너무 큽니다.",
    422: "입력값을 처리할 수 없습니다.",
    429: "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
    500: "서버 오류가 났습니다. 잠시 후 다시 시도해 주세요.",
}


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def body_limit() -> int | None:
    """The body limit for this request's endpoint, in bytes (None: no limit)."""
    key = UPLOAD_ENDPOINTS.get(request.endpoint or "")
    return current_app.config.get(key) if key else current_app.config.get("MAX_CONTENT_LENGTH")


def too_large_message(limit: int | None) -> str:
    """ "요청 본문이 너무 큽니다 (최대 1 MB)."""
    return HTTP_MESSAGES[413] if not limit else f"요청 본문이 너무 큽니다 (최대 {_megabytes(limit)})."


def describe(error: HTTPException) -> str:
    """A Korean message for an HTTP error: its own description when the app wrote one, else a default."""
    code = error.code or 500
    if code == 413:
        return (
            error.description
            if error.description != RequestEntityTooLarge.description
            else too_large_message(body_limit() if request else None)
        )
    own = error.description and error.description != type(error).description
    return error.description if own else HTTP_MESSAGES.get(code, HTTP_MESSAGES[400])


def check_body_size() -> None:
    """before_request: set this endpoint's limit and refuse a declared body above it (413)."""
    limit = body_limit()
    request.max_content_length = limit
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(description=too_large_message(limit))


def refuse_nul() -> None:
    """before_request: NUL is no text anyone types and PostgreSQL cannot store or compare it (a 500): refuse it."""
    values = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.items(multi=True))  # within the body limit just set; files are not read
    if any("\x00" in key or "\x00" in value for key, value in values):
        raise BadRequest(description="입력값에 쓸 수 없는 NUL 문자(U+0000)가 있습니다.")


def register(app: Flask) -> None:
    """Install the body and NUL checks; call before CSRFProtect.init_app so they run first."""
    app.before_request(check_body_size)
    app.before_request(refuse_nul)
