"""A parent's own personal data: download it all (export) and delete the account (anonymised at once).

Deleting cancels the bookings still to come through the booking engine (their places return to open booking),
removes the children (past places stay counted for the facility, without a name), replaces the name and e-mail,
revokes every API token and session, and leaves a locked row that the purge erases after DELETED_ACCOUNT_ERASE_DAYS.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from app.audit import record
from app.audit.access import accesses_of
from app.auth.models import ApiToken, Child, User
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, BookingChild
from app.bookings.services import after_cancel, release_places
from app.errors import DomainError
from app.masking import mask_name
from app.notifications.models import NotificationSettings, OutboxMessage
from app.operators.people import DELETED_GUARDIAN
from app.timeutil import kst_iso

DELETED_DOMAIN = "deleted.nadeuri.invalid"
CANCEL_REASON = "회원 탈퇴"


class PrivacyError(DomainError):
    """A refused account deletion: not a parent's account, or the password does not match."""

    status = 403


def export_data(session: Session, user: User, now: datetime) -> dict:
    """Everything kept about `user`: account, children (with consent), bookings, and who saw their contact."""
    bookings = session.scalars(
        select(Booking)
        .where(Booking.user_id == user.id)
        .options(selectinload(Booking.facility), selectinload(Booking.places).selectinload(BookingChild.child))
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    children = session.scalars(select(Child).where(Child.parent_id == user.id).order_by(Child.id)).all()
    return {
        "exported_at": kst_iso(now),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "created_at": kst_iso(user.created_at),
            "banned_until": kst_iso(user.banned_until),
        },
        "children": [
            {
                "id": c.id,
                "name": c.name,
                "birth_date": c.birth_date.isoformat(),
                "created_at": kst_iso(c.created_at),
                "consent_at": kst_iso(c.consent_at),
                "consent_version": c.consent_version,
            }
            for c in children
        ],
        "bookings": [
            {
                "code": b.code,
                "facility": b.facility.name,
                "status": b.status,
                "starts_at": kst_iso(b.starts_at),
                "ends_at": kst_iso(b.ends_at),
                "guardians": b.guardians,
                "children": [c.name for c in b.children],
                "created_at": kst_iso(b.created_at),
                "cancelled_at": kst_iso(b.cancelled_at),
                "cancel_reason": b.cancel_reason,
            }
            for b in bookings
        ],
        "contact_accesses": [
            {
                "at": kst_iso(a.created_at),
                "facility": a.facility.name if a.facility else None,
                "by": mask_name(a.actor.name) if a.actor else None,
                "booking_code": a.booking_code,
                "reason": a.reason,
            }
            for a in accesses_of(session, user.id)
        ],
        "notification_settings": _settings_of(session, user.id),
        "notifications": [
            {
                "event": m.event,
                "channel": m.channel,
                "recipient": m.recipient,
                "status": m.status,
                "created_at": kst_iso(m.created_at),
                "sent_at": kst_iso(m.sent_at),
            }
            for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
            )
        ],
    }


def _settings_of(session: Session, user_id: int) -> dict | None:
    settings = session.get(NotificationSettings, user_id)
    if settings is None:
        return None
    return {"email": settings.email, "kakao": settings.kakao, "reminders": settings.reminders, "phone": settings.phone}


def delete_account(session: Session, user: User, password: str | None, now: datetime) -> list[str]:
    """Delete a parent's own account after checking the password; the codes of the bookings it cancelled."""
    if user.role != "parent":
        raise PrivacyError("parents_only", "보호자 계정만 직접 탈퇴할 수 있습니다. 관리자에게 문의해 주세요")
    if not isinstance(password, str) or not user.check_password(password):
        raise PrivacyError("wrong_password", "비밀번호가 맞지 않습니다", field="password")
    # The children's rows are what book() locks: taking them first means no booking slips in while we cancel.
    child_ids = list(
        session.scalars(select(Child.id).where(Child.parent_id == user.id).with_for_update().order_by(Child.id))
    )
    upcoming = session.scalars(
        select(Booking)
        .where(Booking.user_id == user.id, Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > now)
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    cancelled = [b for b in upcoming if release_places(session, b, BookingStatus.CANCELLED, now, CANCEL_REASON)]
    for booking in cancelled:
        after_cancel(session, booking, now)  # a lottery place goes back to the reserve list
    codes = [b.code for b in cancelled]
    if child_ids:
        session.execute(
            update(BookingChild)
            .where(BookingChild.child_id.in_(child_ids))
            .values(child_id=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(Child).where(Child.id.in_(child_ids)).execution_options(synchronize_session=False))
    for table in (ApiToken, NotificationSettings, OutboxMessage):  # tokens, phone number, where messages went
        session.execute(delete(table).where(table.user_id == user.id).execution_options(synchronize_session=False))
    user.name = DELETED_GUARDIAN
    user.email = f"deleted-{user.id}@{DELETED_DOMAIN}"
    user.password_hash = "!" + secrets.token_hex(16)  # "!" never matches a werkzeug hash
    user.is_locked = True
    user.deleted_at = now
    user.end_sessions()
    record(session, user, "account.delete", "user", user.id, None, {"cancelled": len(cancelled)}, now)
    session.flush()
    session.expire_all()
    return codes
