"""How operator surfaces show the people behind a booking: guardians masked (app/masking.py), children by name
unless their data was deleted, and a guardian's contact revealed only as a logged action with a reason."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from app.audit.access import record_access
from app.auth.models import User
from app.bookings.models import Booking, BookingPolicy, Slot
from app.bookings.policy import age_on
from app.errors import DomainError
from app.masking import mask_email, mask_name
from app.validation import text_problem

WALK_IN_DOMAIN = "walkin.nadeuri.invalid"
REASON_MAX_LENGTH = 200
ERASED_GUARDIAN = "익명 처리됨"
DELETED_GUARDIAN = "탈퇴한 회원"
ERASED_CHILD = "(삭제됨)"


class RevealError(DomainError):
    """A refused reveal: no reason given, or nobody to reveal (walk-in, anonymised or deleted account)."""

    status = 422


def is_walk_in(user: User | None) -> bool:
    return user is not None and user.email.endswith(WALK_IN_DOMAIN)


def revealable(booking: Booking) -> bool:
    """A real, live account stands behind the booking, so there is a contact to reveal."""
    user = booking.user
    return user is not None and user.deleted_at is None and not is_walk_in(user)


def guardian_view(booking: Booking) -> dict:
    """The guardian as staff see them: masked name and e-mail; walk-ins by their desk label; the erased as such."""
    user = booking.user
    if user is None:
        return {"guardian": ERASED_GUARDIAN, "contact": "", "walk_in": False, "revealable": False}
    if is_walk_in(user):
        return {"guardian": user.name, "contact": "", "walk_in": True, "revealable": False}
    if user.deleted_at is not None:
        return {"guardian": DELETED_GUARDIAN, "contact": "", "walk_in": False, "revealable": False}
    return {"guardian": mask_name(user.name), "contact": mask_email(user.email), "walk_in": False, "revealable": True}


def child_entries(booking: Booking, slot: Slot, policy: BookingPolicy, day: date) -> list[dict]:
    """The booking's children with their age on `day`; a place whose child was erased shows only that it was."""
    unit = "세" if policy.age_basis == "korean_year" else "개월"
    named = [{"name": c.name, "age": age_on(policy, c.birth_date, day), "unit": unit} for c in booking.children]
    erased = sum(1 for p in booking.places if p.child_id is None and p.slot_id == slot.id)
    return named + [{"name": ERASED_CHILD, "age": None, "unit": ""}] * erased


def reveal_contact(session: Session, actor: User, booking: Booking, reason: str | None, now: datetime) -> dict:
    """The guardian's real name and e-mail, logged in the personal-data access log with the actor's reason.

    The caller has checked that `actor` manages the booking's facility.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RevealError("reason_required", "연락처를 보는 이유를 적어 주세요", field="reason")
    if problem := text_problem(reason, "이유", REASON_MAX_LENGTH):
        raise RevealError("invalid_reason", problem, field="reason")
    if not revealable(booking):
        raise RevealError("no_contact", "이 예약에는 볼 수 있는 연락처가 없습니다 (현장 접수·탈퇴·익명 처리)", 409)
    record_access(session, actor, booking.user_id, booking.facility_id, booking.code, reason, now)
    return {"code": booking.code, "guardian": booking.user.name, "contact": booking.user.email}
