"""An error answered with a stable code and a Korean message (the API turns it into JSON)."""
from __future__ import annotations


class ApiError(Exception):
    """An error answered as JSON: {"error": code, "message": ...}."""

    def __init__(self, code: str, message: str, status: int = 400, **extra):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra
