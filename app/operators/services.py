"""Operator rules for a day's sessions: roster, check-in, no-show, walk-in, block/reopen, capacity.

Every change writes an audit entry; services only flush, the request layer commits or rolls back.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from app.audit import record
from app.auth.models import Child, User, operator_facilities
from app.bookings import services as booking_services
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, BookingChild, NoShow, Slot
from app.bookings.policy import get_policy
from app.bookings.schedule import at_kst, closed_reason
from app.bookings.services import NO_SHOW_UNDO_HOURS, insert_booking, new_booking, take_places
from app.errors import DomainError
from app.facilities.choices import BOOKABLE_KINDS
from app.facilities.hours import when_label
from app.facilities.models import Facility
from app.operators.people import WALK_IN_DOMAIN, child_entries, guardian_view
from app.timeutil import KST
from app.validation import text_problem


class OperatorError(DomainError):
    """A refused operator change: stable `code`, Korean `message`, HTTP `status`, affected `slots`."""

    def __init__(self, code: str, message: str, status: int = 409, slots: list[dict] | None = None):
        super().__init__(code, message, status, **({"slots": slots} if slots else {}))
        self.slots = slots or []


def facilities_for(session: Session, user: User) -> list[Facility]:
    """The bookable facilities a user runs: admins all, operators those assigned."""
    query = select(Facility).where(Facility.kind.in_(BOOKABLE_KINDS)).order_by(Facility.name, Facility.id)
    if user.role != "admin":
        query = query.join(operator_facilities, operator_facilities.c.facility_id == Facility.id).where(
            operator_facilities.c.user_id == user.id
        )
    return list(session.scalars(query).all())


def slot_label(slot: Slot | Booking) -> str:
    """ "2026-11-24 (화) 09:30–11:30" in Seoul time (a slot's or a booking's times)."""
    return when_label(slot.starts_at, slot.ends_at)


def slot_brief(slot: Slot) -> dict:
    """A slot as listed in refusals and audit entries."""
    return {"id": slot.id, "when": slot_label(slot), "capacity": slot.capacity, "booked": slot.booked}


def slots_on(session: Session, facility_id: int, day: date) -> list[Slot]:
    """The facility's slots on a Seoul day, in time order."""
    start = at_kst(day, "00:00")
    same_day = (Slot.starts_at >= start) & (Slot.starts_at < start + timedelta(days=1))  # Seoul has no DST
    return list(session.scalars(select(Slot).where(Slot.facility_id == facility_id, same_day).order_by(Slot.starts_at)))


def day_under_way(session: Session, facility_id: int, now: datetime) -> date | None:
    """The Seoul day of the first session not yet ended that began before tomorrow: yesterday's late session still
    running after midnight keeps its own day, else today while a session is under way or to come."""
    tomorrow = at_kst(now.astimezone(KST).date() + timedelta(days=1), "00:00")
    starts = session.scalar(
        select(func.min(Slot.starts_at)).where(
            Slot.facility_id == facility_id, Slot.ends_at > now, Slot.starts_at < tomorrow
        )
    )
    return starts.astimezone(KST).date() if starts is not None else None


def next_day_with_slots(session: Session, facility_id: int, day: date) -> date | None:
    """The first Seoul day after `day` with a slot, for a roster that would otherwise be empty."""
    starts = session.scalar(
        select(func.min(Slot.starts_at)).where(
            Slot.facility_id == facility_id, Slot.starts_at >= at_kst(day + timedelta(days=1), "00:00")
        )
    )
    return starts.astimezone(KST).date() if starts is not None else None


def undoable_no_shows(session: Session, booking_ids: list[int], now: datetime) -> set[int]:
    """Which of these bookings are no-shows the operator can still take back."""
    return set(
        session.scalars(
            select(NoShow.booking_id)
            .join(Booking, Booking.id == NoShow.booking_id)
            .where(
                NoShow.booking_id.in_(booking_ids),
                NoShow.undone_at.is_(None),
                NoShow.marked_at >= now - timedelta(hours=NO_SHOW_UNDO_HOURS),
                Booking.status == BookingStatus.NO_SHOW,
            )
        ).all()
    )


def roster(session: Session, slot: Slot, now: datetime) -> list[dict]:
    """Everyone booked into a slot (multi-hour daycare bookings included): children, guardian, code, status."""
    policy = get_policy(session, slot.facility)
    day = slot.starts_at.astimezone(KST).date()
    bookings = session.scalars(
        select(Booking)
        .where(Booking.id.in_(select(BookingChild.booking_id).where(BookingChild.slot_id == slot.id)))
        .order_by(Booking.status == BookingStatus.CANCELLED, Booking.created_at, Booking.id)
        .options(selectinload(Booking.places).selectinload(BookingChild.child), selectinload(Booking.user))
    ).all()
    undoable = undoable_no_shows(session, [b.id for b in bookings if b.status == BookingStatus.NO_SHOW], now)
    return [
        {
            "id": b.id,
            "code": b.code,
            "status": b.status,
            "guardians": b.guardians,
            **guardian_view(b),  # masked: the real contact only through people.reveal_contact, logged
            "children": child_entries(b, slot, policy, day),
            "undoable": b.id in undoable,
        }
        for b in bookings
    ]


def check_in(session: Session, actor: User, booking: Booking, now: datetime) -> Booking:
    """Mark a confirmed booking as arrived."""
    if not booking_services.move_status(session, booking.id, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        raise OperatorError("not_confirmed", "확정 상태인 예약만 입장 처리할 수 있습니다")
    record(
        session,
        actor,
        "booking.check_in",
        "booking",
        booking.id,
        {"status": BookingStatus.CONFIRMED},
        {"status": BookingStatus.CHECKED_IN, "code": booking.code},
        now,
    )
    session.expire(booking)
    return booking


def no_show_preview(session: Session, booking: Booking, now: datetime) -> dict:
    """What marking this no-show now would do, for the operator to confirm: whether it is allowed yet, the ban's end
    and the guardian's other bookings it cancels (facility and time only: other facilities' details stay theirs)."""
    allowed_from = booking_services.no_show_allowed_from(session, booking)
    until, others = booking_services.no_show_window(session, booking, now)
    return {
        "allowed_from": allowed_from,
        "too_early": now < allowed_from,
        "banned_until": until,
        "cancels": [{"facility": b.facility.name, "when": slot_label(b)} for b in others],
    }


def no_show(session: Session, actor: User, booking: Booking, now: datetime) -> dict:
    """Mark a no-show (from the facility's delay after the start): the ban rule of app.bookings applies."""
    if booking.status != BookingStatus.CONFIRMED:
        raise OperatorError("not_confirmed", "확정 상태인 예약만 노쇼로 처리할 수 있습니다")
    cancelled = booking_services.mark_no_show(session, booking, now)
    user = session.get(User, booking.user_id)
    after = {
        "status": BookingStatus.NO_SHOW,
        "code": booking.code,
        "banned_until": user.banned_until,
        "cancelled_bookings": [b.code for b in cancelled],
    }
    record(session, actor, "booking.no_show", "booking", booking.id, {"status": BookingStatus.CONFIRMED}, after, now)
    return after


def undo_no_show(session: Session, actor: User, booking: Booking, now: datetime) -> dict:
    """Take a no-show back (app.bookings.services.undo_no_show) and audit exactly what was restored."""
    before = {"status": BookingStatus.NO_SHOW, "banned_until": session.get(User, booking.user_id).banned_until}
    result = booking_services.undo_no_show(session, booking, now)
    after = {
        "status": BookingStatus.CONFIRMED,
        "code": booking.code,
        "banned_until": result["banned_until"],
        "restored_bookings": [b.code for b in result["restored"]],
        "not_restored": [{"code": b.code, "reason": why} for b, why in result["not_restored"]],
    }
    record(session, actor, "booking.no_show_undo", "booking", booking.id, before, after, now)
    return after


def find_booking(session: Session, facility_id: int, code: str) -> Booking | None:
    """A facility's booking by its code as read out at the desk ("k7qd3mza", "K7QD-3MZA")."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(raw) != 8:
        return None
    return session.scalars(
        select(Booking).where(Booking.facility_id == facility_id, Booking.code == f"{raw[:4]}-{raw[4:]}")
    ).first()


def set_blocked(session: Session, actor: User, slot: Slot, blocked: bool, now: datetime) -> Slot:
    """Block a slot (no new bookings; existing ones stay) or reopen it."""
    before = slot.blocked
    slot.blocked = blocked
    _record_slot(session, actor, "slot.block" if blocked else "slot.reopen", slot, "blocked", before, blocked, now)
    return slot


def _record_slot(session: Session, actor: User, action: str, slot: Slot, field: str, before, after, now: datetime):
    record(session, actor, action, "slot", slot.id, {field: before}, {field: after, "when": slot_label(slot)}, now)


def set_capacity(session: Session, actor: User, slot: Slot, capacity: int, now: datetime) -> Slot:
    """Change one slot's capacity; below the places already booked (or held for lottery winners) is refused."""
    if capacity < 0:
        raise OperatorError("invalid_capacity", "정원은 0 이상이어야 합니다", 422)
    before = slot.capacity
    # Conditional: a booking landing between the read and this write cannot be squeezed out.
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.booked + Slot.held <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.expire(slot)
    if result.rowcount != 1:
        raise capacity_refusal([slot], capacity)
    _record_slot(session, actor, "slot.capacity", slot, "capacity", before, capacity, now)
    return slot


def held_note(slot: Slot) -> str:
    """ ", 추첨 당첨 n명" when the weekend lottery holds places of the slot for winners not yet confirmed."""
    return f", 추첨 당첨 {slot.held}명" if slot.held else ""


def capacity_refusal(slots: list[Slot], capacity: int) -> OperatorError:
    """The error for a capacity below what is booked, naming every affected slot."""
    listed = ", ".join(f"{slot_label(s)} 예약 {s.booked}명{held_note(s)}" for s in slots)
    return OperatorError(
        "capacity_below_booked",
        f"이미 예약된 인원보다 정원을 줄일 수 없습니다 (새 정원 {capacity}명): {listed}",
        409,
        [slot_brief(s) for s in slots],
    )


def walk_in_user(session: Session, facility: Facility) -> User:
    """The facility's locked placeholder account that holds walk-in (현장) bookings; nobody logs in as it."""
    email = f"walkin-{facility.id}@{WALK_IN_DOMAIN}"
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        user = User(
            email=email,
            name=f"현장 접수 · {facility.name}"[:100],
            role="parent",
            is_locked=True,
            password_hash="!" + secrets.token_hex(16),
        )  # "!" never matches a werkzeug hash
        session.add(user)
        session.flush()
    return user


def walk_in(
    session: Session, actor: User, slot: Slot, child_name: str, birth_date: date, guardians: int, now: datetime
) -> Booking:
    """Book a leftover place on the day for a family at the door; checked in at once."""
    name = (child_name or "").strip()
    if not name or len(name) > 50:
        raise OperatorError("invalid_name", "아이 이름을 1~50자로 입력해 주세요", 422)
    if problem := text_problem(name, "아이 이름", 50):
        raise OperatorError("invalid_name", problem, 422)
    if guardians < 0 or guardians > 4:
        raise OperatorError("invalid_guardians", "보호자 수는 0~4명입니다", 422)
    if slot.blocked or closed_reason(
        session, slot.facility_id, get_policy(session, slot.facility), slot.starts_at.astimezone(KST).date()
    ):
        raise OperatorError("closed", "예약을 받지 않는 회차입니다", 422)
    if now >= slot.ends_at:
        raise OperatorError("slot_past", "이미 끝난 회차입니다", 422)
    taken = take_places(session, slot.id, 1)
    session.expire(slot, ["booked"])
    if not taken:
        raise OperatorError("slot_full", "남은 자리가 없습니다")
    holder = walk_in_user(session, slot.facility)
    child = Child(parent_id=holder.id, name=name, birth_date=birth_date, created_at=now)
    session.add(child)
    session.flush()
    pending = new_booking(holder.id, [slot], [child.id], BookingStatus.CHECKED_IN, guardians, now)
    booking = insert_booking(session, pending, [child])
    record(
        session,
        actor,
        "booking.walk_in",
        "booking",
        booking.id,
        None,
        {"code": booking.code, "slot": slot_label(slot), "child": name, "guardians": guardians},
        now,
    )
    return booking
