"""JSON errors for the API: a stable code and a Korean message."""
from __future__ import annotations

from flask import jsonify

from app.errors import DomainError


class ApiError(DomainError):
    """An error only the API raises (bad parameters, not found); `parameter` names the request field."""

    def __init__(self, code: str, message: str, status: int = 400, parameter: str | None = None, **extra):
        super().__init__(code, message, status, parameter, **extra)


def register(bp) -> None:
    """Answer every domain error raised under /api as JSON: the one place API refusals become responses."""

    @bp.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return jsonify(error.to_json()), error.status


from app.api import bp as _bp  # noqa: E402

register(_bp)
