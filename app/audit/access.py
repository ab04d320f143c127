"""The personal-data access log: recording a reveal, and reading the log (admins; a parent's own export)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from app.audit.models import PersonalDataAccess


def record_access(
    session: Session, actor, subject_id: int, facility_id: int | None, booking_code: str | None, reason: str, now
) -> PersonalDataAccess:
    """Log that `actor` saw `subject_id`'s contact, and why; flush (the caller's unit of work commits)."""
    entry = PersonalDataAccess(
        actor_id=actor.id,
        subject_id=subject_id,
        facility_id=facility_id,
        booking_code=booking_code,
        reason=reason,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def access_entries(session: Session, limit: int, offset: int = 0) -> tuple[list[PersonalDataAccess], int]:
    """Entries newest first with their people and facility loaded, and how many there are in all."""
    total = session.scalar(select(func.count(PersonalDataAccess.id))) or 0
    rows = session.scalars(
        select(PersonalDataAccess)
        .options(
            selectinload(PersonalDataAccess.actor),
            selectinload(PersonalDataAccess.subject),
            selectinload(PersonalDataAccess.facility),
        )
        .order_by(PersonalDataAccess.created_at.desc(), PersonalDataAccess.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def accesses_of(session: Session, subject_id: int) -> list[PersonalDataAccess]:
    """Every logged access to one person's contact, oldest first."""
    return list(
        session.scalars(
            select(PersonalDataAccess)
            .where(PersonalDataAccess.subject_id == subject_id)
            .options(selectinload(PersonalDataAccess.actor), selectinload(PersonalDataAccess.facility))
            .order_by(PersonalDataAccess.created_at, PersonalDataAccess.id)
        )
    )


def delete_accesses_before(session: Session, cutoff: datetime) -> int:
    """Delete entries older than `cutoff` (their retention is over); how many went."""
    result = session.execute(
        delete(PersonalDataAccess)
        .where(PersonalDataAccess.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
