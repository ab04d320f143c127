"""Audit log: who changed what, before and after, when."""

from app.audit.services import record  # noqa: E402,F401
