"""One domain error for every feature: a stable `code`, a Korean `message`, an HTTP `status`, an optional `field`.

Services raise a subclass (BookingError, AccountError, AdminError, OperatorError, FormError, InvalidValue,
ApiError, ImportDataError …); the API answers it as JSON in one handler (app/api/__init__.py) and pages show it
with one helper (`refuse` below). This module sits at the bottom: it imports nothing from the app.
"""

from __future__ import annotations

from flask import flash


class DomainError(Exception):
    """A refused action: `code` is stable, `message` is for people (Korean), `status` is the HTTP answer.

    `field` names the form field or request parameter at fault; `extra` holds further JSON members the
    API sends with the error (for example the slots a capacity change would cut).
    """

    code = "invalid_request"
    status = 400

    def __init__(self, code: str | None, message: str, status: int | None = None, field: str | None = None, **extra):
        super().__init__(message)
        self.code = code or type(self).code
        self.message = message
        self.status = status or type(self).status
        self.field = field
        self.extra = extra

    def to_json(self) -> dict:
        """The API's error body: {"error": code, "message": ..., "parameter"?: field, ...extra}."""
        body = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["parameter"] = self.field
        body.update(self.extra)
        return body


def refuse(error: DomainError, form=None, default_field: str | None = None) -> int:
    """Show a refusal on a page: on the form's field when there is one, else as a flashed message; its status."""
    name = error.field or default_field
    field = getattr(form, name, None) if form is not None and name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
    return error.status


class ApiError(DomainError):
    """An error only the API raises (bad parameters, not found); `parameter` names the request field."""

    def __init__(self, code: str, message: str, status: int = 400, parameter: str | None = None, **extra):
        super().__init__(code, message, status, parameter, **extra)
