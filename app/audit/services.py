"""Writing and reading audit entries; services only flush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    """Dates, decimals and tuples turned into JSON-safe values, recursively."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def record(
    session: Session, actor, action: str, target_type: str, target_id, before: Any, after: Any, now: datetime
) -> AuditEntry:
    """Add an audit entry for a change made by `actor` (a User or None) and flush."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=_jsonable(before),
        after=_jsonable(after),
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass
class AuditFilter:
    """Filters for the audit log view; empty values mean 'any'."""

    action: str = ""
    target_type: str = ""
    actor_id: int | None = None
    target_id: str = ""


def _filtered(query: Select, filters: AuditFilter) -> Select:
    if filters.action:
        query = query.where(AuditEntry.action.startswith(filters.action))
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.target_id:
        query = query.where(AuditEntry.target_id == filters.target_id)
    return query


def list_entries(
    session: Session, filters: AuditFilter, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """Matching entries newest first, and how many match in all."""
    total = session.scalar(_filtered(select(func.count(AuditEntry.id)), filters)) or 0
    rows = session.scalars(
        _filtered(select(AuditEntry), filters)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def known_actions(session: Session) -> list[str]:
    """Every action name recorded so far, for the filter menu."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
