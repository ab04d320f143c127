"""Record keeping: the audit log (who changed what, before and after, when) and the personal-data access log
(access.py: who saw whose contact, when and why)."""

from app.audit.services import record  # noqa: E402,F401
