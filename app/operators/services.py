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
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, BookingChild, Slot
from app.bookings.policy import age_on, get_policy
from app.bookings.schedule import at_kst, closed_reason
from app.bookings.services import mark_no_show, new_code
from app.errors import DomainError
from app.facilities.choices import BOOKABLE_KINDS, WEEKDAY_LABELS
from app.facilities.models import Facility
from app.timeutil import KST
from app.validation import text_problem

WALK_IN_DOMAIN = "walkin.nadeuri.invalid"


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


def slot_label(slot: Slot) -> str:
    """ "2026-11-24 (화) 09:30–11:30" in Seoul time."""
    s, e = slot.starts_at.astimezone(KST), slot.ends_at.astimezone(KST)
    return f"{s:%Y-%m-%d} ({WEEKDAY_LABELS[s.weekday()]}) {s:%H:%M}–{e:%H:%M}"


def slot_brief(slot: Slot) -> dict:
    """A slot as listed in refusals and audit entries."""
    return {"id": slot.id, "when": slot_label(slot), "capacity": slot.capacity, "booked": slot.booked}


def slots_on(session: Session, facility_id: int, day: date) -> list[Slot]:
    """The facility's slots on a Seoul day, in time order."""
    return list(
        session.scalars(
            select(Slot)
            .where(
                Slot.facility_id == facility_id,
                Slot.starts_at >= at_kst(day, "00:00"),
                Slot.starts_at < at_kst(day + timedelta(days=1), "00:00"),
            )
            .order_by(Slot.starts_at)
        ).all()
    )


def next_day_with_slots(session: Session, facility_id: int, day: date) -> date | None:
    """The first Seoul day after `day` with a slot, for a roster that would otherwise be empty."""
    starts = session.scalar(
        select(func.min(Slot.starts_at)).where(
            Slot.facility_id == facility_id, Slot.starts_at >= at_kst(day + timedelta(days=1), "00:00")
        )
    )
    return starts.astimezone(KST).date() if starts is not None else None


def roster(session: Session, slot: Slot) -> list[dict]:
    """Everyone booked into a slot (multi-hour daycare bookings included): children, guardian, code, status."""
    policy = get_policy(session, slot.facility)
    day = slot.starts_at.astimezone(KST).date()
    bookings = session.scalars(
        select(Booking)
        .where(Booking.id.in_(select(BookingChild.booking_id).where(BookingChild.slot_id == slot.id)))
        .order_by(Booking.status == BookingStatus.CANCELLED, Booking.created_at, Booking.id)
        .options(selectinload(Booking.places).selectinload(BookingChild.child), selectinload(Booking.user))
    ).all()
    unit = "세" if policy.age_basis == "korean_year" else "개월"
    return [
        {
            "id": b.id,
            "code": b.code,
            "status": b.status,
            "guardians": b.guardians,
            "guardian": b.user.name,
            "contact": "" if b.user.email.endswith(WALK_IN_DOMAIN) else b.user.email,
            "walk_in": b.user.email.endswith(WALK_IN_DOMAIN),
            "children": [{"name": c.name, "age": age_on(policy, c.birth_date, day), "unit": unit} for c in b.children],
        }
        for b in bookings
    ]


def _facility_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise OperatorError("not_found", "예약을 찾을 수 없습니다", 404)
    return booking


def check_in(session: Session, actor: User, booking: Booking, now: datetime) -> Booking:
    """Mark a confirmed booking as arrived."""
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.CONFIRMED)
        .values(status=BookingStatus.CHECKED_IN)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
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


def no_show(session: Session, actor: User, booking: Booking, now: datetime) -> dict:
    """Mark a no-show once the session has started: the ban rule of app.bookings applies."""
    if now < booking.starts_at:
        raise OperatorError("not_started", "노쇼는 이용 시작 시각 이후에 처리할 수 있습니다", 422)
    if booking.status != BookingStatus.CONFIRMED:
        raise OperatorError("not_confirmed", "확정 상태인 예약만 노쇼로 처리할 수 있습니다")
    cancelled = mark_no_show(session, booking, now)
    user = session.get(User, booking.user_id)
    after = {
        "status": BookingStatus.NO_SHOW,
        "code": booking.code,
        "banned_until": user.banned_until,
        "cancelled_bookings": [b.code for b in cancelled],
    }
    record(session, actor, "booking.no_show", "booking", booking.id, {"status": BookingStatus.CONFIRMED}, after, now)
    return after


def set_blocked(session: Session, actor: User, slot: Slot, blocked: bool, now: datetime) -> Slot:
    """Block a slot (no new bookings; existing ones stay) or reopen it."""
    before = slot.blocked
    slot.blocked = blocked
    record(
        session,
        actor,
        "slot.block" if blocked else "slot.reopen",
        "slot",
        slot.id,
        {"blocked": before},
        {"blocked": blocked, "when": slot_label(slot)},
        now,
    )
    return slot


def set_capacity(session: Session, actor: User, slot: Slot, capacity: int, now: datetime) -> Slot:
    """Change one slot's capacity; below the places already booked is refused, listing the slot."""
    if capacity < 0:
        raise OperatorError("invalid_capacity", "정원은 0 이상이어야 합니다", 422)
    before = slot.capacity
    # Conditional: a booking landing between the read and this write cannot be squeezed out.
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.booked <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.expire(slot)
    if result.rowcount != 1:
        raise capacity_refusal([slot], capacity)
    record(
        session,
        actor,
        "slot.capacity",
        "slot",
        slot.id,
        {"capacity": before},
        {"capacity": capacity, "when": slot_label(slot)},
        now,
    )
    return slot


def capacity_refusal(slots: list[Slot], capacity: int) -> OperatorError:
    """The error for a capacity below what is booked, naming every affected slot."""
    listed = ", ".join(f"{slot_label(s)} 예약 {s.booked}명" for s in slots)
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
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.booked + 1 <= Slot.capacity, Slot.blocked.is_(False))
        .values(booked=Slot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(slot, ["booked"])
    if result.rowcount != 1:
        raise OperatorError("slot_full", "남은 자리가 없습니다")
    holder = walk_in_user(session, slot.facility)
    child = Child(parent_id=holder.id, name=name, birth_date=birth_date, created_at=now)
    session.add(child)
    session.flush()
    booking = Booking(
        code=new_code(),
        user_id=holder.id,
        slot_id=slot.id,
        facility_id=slot.facility_id,
        status=BookingStatus.CHECKED_IN,
        guardians=guardians,
        hours=1,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        created_at=now,
    )
    booking.places = [BookingChild(slot_id=slot.id, child_id=child.id, active=True)]
    session.add(booking)
    session.flush()
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
