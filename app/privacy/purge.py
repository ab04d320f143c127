"""The personal-data purge (`flask purge-personal-data`, and the daily job): retention periods enforced.

- bookings that ended more than BOOKING_RETENTION_MONTHS ago stop naming the guardian and the children (the
  visit still counts in the facility's statistics), and walk-in children no booking names any more are deleted;
- accounts deleted more than DELETED_ACCOUNT_ERASE_DAYS ago are erased, row and all;
- personal-data access-log entries older than ACCESS_LOG_RETENTION_MONTHS are deleted;
- notification outbox messages written more than BOOKING_RETENTION_MONTHS ago are deleted (they name the booking
  and where it was sent).

"Older than" is strict: something exactly at the limit stays until the next run. Each run adds a
PersonalDataPurge row with its counts; the caller's unit of work commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from app.audit.access import delete_accesses_before
from app.auth.models import Child, User
from app.bookings.models import Booking, BookingChild
from app.database import unit_of_work
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.operators.people import WALK_IN_DOMAIN
from app.privacy.models import PersonalDataPurge
from app.privacy.retention import Retention
from app.timeutil import utcnow

_QUIET = {"synchronize_session": False}


def anonymise_bookings(session: Session, cutoff: datetime) -> int:
    """Bookings that ended before `cutoff` lose their guardian and children; how many still named someone."""
    old = select(Booking.id).where(Booking.ends_at < cutoff).scalar_subquery()
    session.execute(
        update(BookingChild)
        .where(BookingChild.booking_id.in_(old), BookingChild.child_id.is_not(None))
        .values(child_id=None)
        .execution_options(**_QUIET)
    )
    named = update(Booking).where(Booking.ends_at < cutoff, Booking.user_id.is_not(None)).values(user_id=None)
    return session.execute(named.execution_options(**_QUIET)).rowcount


def delete_unbooked_walk_ins(session: Session) -> int:
    """Walk-in children (the desk's placeholder accounts) that no booking names any more: nothing keeps them."""
    desk = select(User.id).where(User.email.endswith(WALK_IN_DOMAIN)).scalar_subquery()
    booked = exists().where(BookingChild.child_id == Child.id)
    gone = delete(Child).where(Child.parent_id.in_(desk), ~booked)
    return session.execute(gone.execution_options(**_QUIET)).rowcount


def delete_old_notifications(session: Session, cutoff: datetime) -> int:
    """Outbox messages written before `cutoff` (sent or given up long ago): how many went."""
    old = delete(OutboxMessage).where(OutboxMessage.created_at < cutoff)
    return session.execute(old.execution_options(**_QUIET)).rowcount


def erase_deleted_accounts(session: Session, cutoff: datetime) -> int:
    """Accounts deleted before `cutoff`: their bookings are unlinked, then the row (tokens with it) is removed."""
    ids = list(session.scalars(select(User.id).where(User.deleted_at < cutoff)))
    if not ids:
        return 0
    children = select(Child.id).where(Child.parent_id.in_(ids)).scalar_subquery()
    session.execute(
        update(BookingChild)
        .where(BookingChild.child_id.in_(children))
        .values(child_id=None)
        .execution_options(**_QUIET)
    )
    session.execute(update(Booking).where(Booking.user_id.in_(ids)).values(user_id=None).execution_options(**_QUIET))
    session.execute(delete(Child).where(Child.parent_id.in_(ids)).execution_options(**_QUIET))
    session.execute(delete(User).where(User.id.in_(ids)).execution_options(**_QUIET))
    return len(ids)


def purge_personal_data(session: Session, now: datetime, retention: Retention | None = None) -> dict[str, int]:
    """Run the purge as of `now` (settings from the app's config unless given); the counts it recorded."""
    retention = retention or Retention.from_config()
    counts = {
        "bookings_anonymised": anonymise_bookings(session, retention.bookings_cutoff(now)),
        "accounts_erased": erase_deleted_accounts(session, retention.accounts_cutoff(now)),
        "access_log_deleted": delete_accesses_before(session, retention.access_log_cutoff(now)),
        "notifications_deleted": delete_old_notifications(session, retention.bookings_cutoff(now)),
    }
    counts["walk_in_children_deleted"] = delete_unbooked_walk_ins(session)
    session.add(PersonalDataPurge(ran_at=now, **counts))
    session.flush()
    session.expire_all()  # the bulk statements bypassed the identity map
    return counts


def daily_purge() -> dict[str, int]:
    """The daily job (app/__init__.py registers it): the purge as of now, in its own unit of work."""
    with unit_of_work():
        return purge_personal_data(db.session, utcnow())


def recent_purges(session: Session, limit: int = 20) -> list[PersonalDataPurge]:
    """The latest runs, newest first (the admin page)."""
    return list(
        session.scalars(
            select(PersonalDataPurge)
            .order_by(PersonalDataPurge.ran_at.desc(), PersonalDataPurge.id.desc())
            .limit(limit)
        )
    )
