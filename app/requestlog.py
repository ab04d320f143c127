"""Structured request logs: one JSON line per request on the ``nadeuri.request`` logger.

Fields: request_id (the client's X-Request-ID when it is sane, else a new one; echoed in the
response header), method, route (the URL rule, e.g. ``/api/bookings/<id:booking_id>``), path
(without the query string), query (sanitised), status, duration_ms, remote_addr.

Privacy: the Authorization header and request bodies are never logged; query parameters that
carry secrets (token, password, csrf, ...) are dropped, and every decimal number in the query
string is rounded to 3 places (about 100 m), so a parent's position is not kept to the metre.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Flask, Response, g, request, request_started

logger = logging.getLogger("nadeuri.request")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_SECRET_PARAM = re.compile(r"token|passw|secret|csrf|session|auth|api_?key|signature", re.IGNORECASE)
_PRECISE_NUMBER = re.compile(r"\d+\.\d{4,}")
MAX_VALUE_CHARS = 200
MAX_QUERY_CHARS = 1000
# Attributes every LogRecord has; anything else on a record came from `extra=` and is a field.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS})
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _round_numbers(value: str) -> str:
    return _PRECISE_NUMBER.sub(lambda m: f"{float(m.group()):.3f}", value)


def sanitised_query(args) -> str:
    """The query string without secret parameters, with numbers rounded to 3 decimals, bounded in length."""
    kept = [
        (key[:MAX_VALUE_CHARS], _round_numbers(value[:MAX_VALUE_CHARS]))
        for key, value in args.items(multi=True)
        if not _SECRET_PARAM.search(key)
    ]
    return urlencode(kept)[:MAX_QUERY_CHARS]


def request_id_from(header_value: str | None) -> str:
    """The client's request id when it is short and plain, else a fresh one."""
    if header_value and _SANE_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def _started(app: Flask, **_extra) -> None:
    # request_started fires before every before_request hook, so a request the rate limiter or
    # CSRF check turns away is timed and identified too.
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def _log_request(response: Response) -> Response:
    req = request._get_current_object()  # one context lookup instead of one per field
    started = g.get("request_started")
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    fields = {
        "request_id": request_id,
        "method": req.method,
        "route": req.url_rule.rule if req.url_rule is not None else None,
        "path": _round_numbers(req.path[:MAX_QUERY_CHARS]),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "remote_addr": req.remote_addr,
    }
    if req.args:
        fields["query"] = sanitised_query(req.args)
    if logger.isEnabledFor(logging.INFO):
        # logger.info() without its walk up the call stack for the caller's file and line: the same record.
        args = (req.method, fields["route"] or fields["path"], response.status_code)
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, 0, "%s %s %s", args, None, "_log_request", fields
        )
        logger.handle(record)
    return response


def init_request_log(app: Flask) -> None:
    """Log every request of `app`; outside tests the lines go to stderr as JSON."""
    request_started.connect(_started, app)
    app.after_request(_log_request)
    if app.testing or logger.handlers:
        return  # tests read records through caplog; a second app in one process adds no second handler
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # exactly one line, even when something configures the root logger
