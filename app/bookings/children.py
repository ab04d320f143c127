"""Children as bookings see them: who may come to a session (and why not), and removal guarded by bookings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Child, User
from app.bookings.choices import ACTIVE_STATUSES
from app.bookings.models import Booking, BookingChild, BookingPolicy, Slot
from app.bookings.policy import age_on
from app.bookings.rules import BookingError, age_text, check_ages, check_child_conflicts, kst_day


def age_label(policy: BookingPolicy, child: Child, slot: Slot) -> str:
    """The child's age on the session's day in the facility's unit: "연나이 5세" or "38개월"."""
    return age_text(policy, age_on(policy, child.birth_date, kst_day(slot.starts_at)))


def child_choices(
    session: Session, policy: BookingPolicy, facility, slot: Slot, children: list[Child], hours: int, held
) -> list[dict]:
    """Each child with their age and, if the engine would refuse them for this session, why (before submitting).

    `held` is services._held for these children: the same rules (age, one visit a day, duplicates, hour caps)
    that book() applies, asked one child at a time.
    """
    day = kst_day(slot.starts_at)
    choices = []
    for child in children:
        why = None
        try:
            check_ages(policy, facility, [child], day)
            check_child_conflicts(
                policy,
                facility.kind,
                {slot.id},
                slot.starts_at,
                slot.ends_at,
                hours,
                held,
                {child.id: child.name},
            )
        except BookingError as refused:
            why = refused.message.removeprefix(f"{child.name}: ")
        choices.append({"child": child, "age": age_label(policy, child, slot), "why": why})
    return choices


def upcoming_codes(session: Session, child_id: int, now: datetime) -> list[str]:
    """Codes of the child's active bookings that have not ended yet."""
    return list(
        session.scalars(
            select(Booking.code)
            .join(BookingChild, BookingChild.booking_id == Booking.id)
            .where(
                BookingChild.child_id == child_id,
                BookingChild.active,
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.ends_at > now,
            )
            .distinct()
            .order_by(Booking.code)
        )
    )


def remove_child(session: Session, parent: User, child_id: int, now: datetime) -> Child:
    """Delete one of the parent's children, refused (409 child_has_bookings) while they have bookings to come.

    The child's row is locked first, as book() locks it, so a booking cannot slip in between check and delete.
    Past bookings keep their booking but lose this child's name (the parent asked for it to be forgotten).
    """
    child = session.scalar(
        select(Child).where(Child.id == child_id, Child.parent_id == parent.id).with_for_update(of=Child)
    )
    if child is None:
        raise BookingError("not_found", "아이를 찾을 수 없습니다", 404)
    codes = upcoming_codes(session, child.id, now)
    if codes:
        raise BookingError(
            "child_has_bookings",
            f"{child.name}: 다가오는 예약({', '.join(codes)})이 있어 삭제할 수 없습니다. 예약을 먼저 취소해 주세요",
        )
    session.delete(child)
    session.flush()
    return child
