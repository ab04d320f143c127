"""JSON errors for the API: a stable code and a Korean message."""
from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    """An error answered as JSON: {"error": code, "message": ...}."""

    def __init__(self, code: str, message: str, status: int = 400, **extra):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra


def register(bp) -> None:
    @bp.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return jsonify(error=error.code, message=error.message, **error.extra), error.status


from app.api import bp as _bp  # noqa: E402

register(_bp)
