"""Booking services: availability, book, cancel, no-show. Lock, then check, then create — in one transaction.

Services only flush; the caller commits, or rolls back on BookingError (the rollback is required: a booking refused
by its last statements, the database backstop or, on PostgreSQL, a session found full, has written rows).
"""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached

from app.auth.models import Child, User
from app.bookings.availability import closed_days, session_state, slot_item, slots_from
from app.bookings.choices import ACTIVE_STATUSES, BookingStatus
from app.bookings.models import Booking, BookingChild, BookingPolicy, Closure, NoShow, NoShowCancellation, Slot
from app.bookings.policy import city_policy, default_policy, get_policy, kind_defaults, lottery_allocates
from app.bookings.rules import (
    BookingError,
    Held,
    check_ages,
    check_ban,
    check_child_conflicts,
    check_counts,
    kst_day,
)
from app.bookings.schedule import at_kst, check_window, closed_reason
from app.facilities.choices import FacilityKind
from app.facilities.models import Facility
from app.notifications import notify
from app.notifications.services import settings_of, user_with_settings
from app.timeutil import KST

__all__ = [
    "BookingError",
    "slots_for_day",
    "slots_for_days",
    "book",
    "cancel",
    "bookings_of",
    "booking_of",
    "booking_ics",
    "mark_no_show",
    "undo_no_show",
    "backstop_error",
]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_code() -> str:
    """A short human booking code, e.g. "K7QD-3MZA"."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def slots_for_day(session: Session, facility_id: int, day: date, now: datetime) -> list[dict]:
    """The facility's slots on a Seoul day with what is left and whether they can be booked now."""
    return slots_for_days(session, facility_id, day, 1, now).get(day, [])


def slots_for_days(session: Session, facility_id: int, first: date, days: int, now: datetime) -> dict[date, list[dict]]:
    """Slots of `days` Seoul days from `first`, by day, in a fixed number of queries (one for all the slots)."""
    return slots_and_closures(session, facility_id, first, days, now)[0]


def slots_and_closures(
    session: Session, facility_id: int, first: date, days: int, now: datetime, policy: BookingPolicy | None = None
) -> tuple[dict[date, list[dict]], dict[date, str]]:
    """slots_for_days, and why each closed day among them is closed (the week view shows both).

    `policy`: the facility's, when the caller has read it already (one query fewer)."""
    facility = session.get(Facility, facility_id)
    if facility is None:
        return {}, {}
    last = first + timedelta(days=days - 1)
    policy = policy or get_policy(session, facility)
    closed = closed_days(session, facility, policy, first, days)
    slots = session.scalars(
        select(Slot)
        .where(
            Slot.facility_id == facility_id,
            Slot.starts_at >= at_kst(first, "00:00"),
            Slot.starts_at < at_kst(last + timedelta(days=1), "00:00"),
        )
        .order_by(Slot.starts_at)
    ).all()
    by_day: dict[date, list[dict]] = {first + timedelta(days=i): [] for i in range(days)}
    for s in slots:
        day = kst_day(s.starts_at)
        by_day[day].append(slot_item(s, session_state(policy, s, now, closed.get(day))))
    return by_day, closed


def _run_of_slots(session: Session, first: Slot, hours: int) -> list[Slot]:
    """`hours` back-to-back slots starting with `first`, or BookingError(closed)."""
    if hours == 1:
        return [first]
    run = slots_from(session, first, hours)
    contiguous = all(a.ends_at == b.starts_at for a, b in zip(run, run[1:]))
    if len(run) < hours or not contiguous or kst_day(run[-1].starts_at) != kst_day(first.starts_at):
        raise BookingError("closed", f"{hours}시간 연속으로 예약할 수 있는 시간이 없습니다")
    return list(run)


# Built once (a booking's statements are otherwise rebuilt on every attempt): the values are bound per call.
_LOCK_CHILDREN = (
    select(Child, User.banned_until)
    .join(User, User.id == Child.parent_id)
    .where(Child.id.in_(bindparam("child_ids", expanding=True)))
    .order_by(Child.id)
    .with_for_update(of=Child)
)


def _lock_children(session: Session, child_ids: list[int]) -> tuple[list[Child], datetime | None]:
    """Lock the children's rows in id order so every competing booking for them queues here.

    Also returns the parent's ban as read after the lock (a no-show takes the same locks).
    PostgreSQL: SELECT … FOR UPDATE OF children. SQLite: the whole database is already
    write-locked by BEGIN IMMEDIATE (app/database.py), and the clause is simply not rendered.
    """
    rows = session.execute(_LOCK_CHILDREN, {"child_ids": child_ids}).all()
    return [r[0] for r in rows], max((r[1] for r in rows if r[1] is not None), default=None)


def held_by(session: Session, child_ids: list[int], around: datetime) -> list[Held]:
    """Active bookings of these children in the calendar months around `around` (enough for every rule)."""
    day = kst_day(around)
    start = at_kst(day.replace(day=1), "00:00") - timedelta(days=1)
    end = at_kst((day.replace(day=28) + timedelta(days=4)).replace(day=1), "00:00") + timedelta(days=1)
    session.flush()  # as the ORM's autoflush would before its own statements (this one is Core)
    rows = session.execute(_HELD_BY, {"child_ids": list(child_ids), "start": start, "end": end}).all()
    return [Held(*row) for row in rows]


# The tables' columns, for the Core statements below (rows without the ORM's loading, which cost the held-bookings
# read under the children's lock half as much again); the statements are built once.
_booked, _places = Booking.__table__.c, BookingChild.__table__.c
_slots, _facilities, _policies = Slot.__table__.c, Facility.__table__.c, BookingPolicy.__table__.c
_HELD_BY = (
    select(
        _places.child_id,
        _booked.id,
        _booked.slot_id,
        _booked.facility_id,
        _facilities.kind,
        _booked.starts_at,
        _booked.ends_at,
        _booked.hours,
    )
    .join_from(BookingChild.__table__, Booking.__table__, _booked.id == _places.booking_id)
    .join(Facility.__table__, _facilities.id == _booked.facility_id)
    .where(
        _places.child_id.in_(bindparam("child_ids", expanding=True)),
        _places.active,
        _booked.status.in_(ACTIVE_STATUSES),
        _booked.starts_at >= bindparam("start"),
        _booked.starts_at < bindparam("end"),
    )
    .distinct()
)


# One round trip for the slot, its facility and policy, and the facility's closures on the slot's day (one row per
# closure, usually none), built once: what book() needs once the slot's own row has let the booking through
# (_SLOT_RULES, which also gives the day).
_SLOT_FACILITY_POLICY_CLOSURES = (
    select(Slot, Facility, BookingPolicy, Closure)
    .join(Facility, Facility.id == Slot.facility_id)
    .outerjoin(BookingPolicy, BookingPolicy.facility_id == Slot.facility_id)
    .outerjoin(
        Closure,
        and_(
            Closure.facility_id == Slot.facility_id,
            Closure.starts_on <= bindparam("day"),
            Closure.ends_on >= bindparam("day"),
        ),
    )
    .where(Slot.id == bindparam("slot_id"))
    .options(load_only(Facility.id, Facility.kind, Facility.name, Facility.age_min, Facility.age_max))
)


# The slot's row and the rules that need nothing else, as plain columns: a rush is mostly this read and a refusal
# (no entities loaded, nothing for the refusal's rollback to expire).
_SLOT_RULES = (
    select(
        _slots.starts_at,
        _slots.blocked,
        _slots.capacity,
        _slots.booked,
        _slots.held,
        _facilities.kind,
        _policies.facility_id.label("has_policy"),
        _policies.max_children,
        _policies.max_guardians,
        _policies.daily_cap_hours,
        _policies.allocation,
    )
    .join_from(Slot.__table__, Facility.__table__, _facilities.id == _slots.facility_id)
    .outerjoin(BookingPolicy.__table__, _policies.facility_id == _slots.facility_id)
    .where(_slots.id == bindparam("slot_id"))
)
_SLOT_RULES_POLICY = ("max_children", "max_guardians", "daily_cap_hours", "allocation")


def _check_slot_rules(row, n: int, guardians: int, hours: int, now: datetime, via_lottery: bool) -> int:
    """book()'s first refusals, in order, from the slot's row (_SLOT_RULES): counts, hours, past, closed,
    lottery-only, full. Returns the hours to book (1 but for hourly daycare)."""
    if row.has_policy is not None:
        policy = SimpleNamespace(**{name: getattr(row, name) for name in _SLOT_RULES_POLICY})
    else:
        defaults = kind_defaults(row.kind)
        policy = SimpleNamespace(**{name: defaults[name] for name in _SLOT_RULES_POLICY})
    check_counts(policy, n, guardians)
    if row.kind != FacilityKind.HOURLY_DAYCARE:
        hours = 1
    elif hours < 1:
        raise BookingError("invalid_hours", "이용 시간은 1시간 이상이어야 합니다")
    elif policy.daily_cap_hours is not None and hours > policy.daily_cap_hours:
        raise BookingError("daily_cap", f"하루 {policy.daily_cap_hours}시간까지 이용할 수 있습니다")
    if row.starts_at <= now:
        raise BookingError("slot_past", "이미 시작했거나 지난 시간입니다")
    if row.blocked:
        raise BookingError("closed", "예약을 받지 않는 시간입니다")
    if not via_lottery and lottery_allocates(policy, row.starts_at, now):
        raise BookingError("lottery_only", "주말 추첨으로 배정하는 회차입니다. 추첨 신청을 이용해 주세요")
    # Fail fast in a rush (before any lock or further read); the conditional UPDATE in book() is the real guard.
    if not via_lottery and max(row.capacity - row.booked - (row.held or 0), 0) < n:
        raise BookingError("slot_full", "남은 자리가 없습니다")
    return hours


def book(
    session: Session,
    user: User | int,
    slot_id: int,
    child_ids: list[int],
    guardians: int = 1,
    hours: int = 1,
    now: datetime | None = None,
    via_lottery: bool = False,
) -> Booking:
    """Book a slot (hourly daycare: `hours` consecutive slots) for the user's children, or raise BookingError.

    `user`: the parent, or their id (the API's bearer check reads no User: it is loaded only once the booking gets
    past the refusals that need nothing of it).

    `via_lottery`: a won or offered lottery place being claimed (app/lottery/services.claim). Every rule is checked
    the same but the lottery-only refusal and the opening window, and the places come from those the lottery
    holds on the slot (held → booked) instead of the free ones.
    """
    if now is None:
        raise ValueError("now is required")
    child_ids = sorted(set(child_ids))
    rules = session.connection().execute(_SLOT_RULES, {"slot_id": slot_id}).first()
    if rules is not None:
        hours = _check_slot_rules(rules, len(child_ids), guardians, hours, now, via_lottery)
    day = rules and kst_day(rules.starts_at)
    rows = rules and session.execute(_SLOT_FACILITY_POLICY_CLOSURES, {"slot_id": slot_id, "day": day}).all()
    if not rows:  # no such slot (or deleted since the first read)
        raise BookingError("not_found", "예약 시간을 찾을 수 없습니다")
    slot, facility, policy, _ = rows[0]
    policy = policy if policy is not None else default_policy(facility.kind, facility.id)
    closures = [r[3] for r in rows if r[3] is not None]
    if kst_day(slot.starts_at) != day:  # the session was moved to another day since the first read
        day, closures = kst_day(slot.starts_at), None
    reason = closed_reason(session, facility.id, policy, day, closures)
    if reason is not None:
        raise BookingError("closed", f"이 날은 휴관입니다 ({reason})")
    window = check_window(policy, slot.starts_at, now)
    if not window.ok and not via_lottery:
        raise BookingError("window_not_open", window.message)
    run = _run_of_slots(session, slot, hours)
    n = len(child_ids)
    if any(s.blocked for s in run):
        raise BookingError("closed", "예약을 받지 않는 시간입니다")
    if not via_lottery and any(s.remaining < n for s in run):
        raise BookingError("slot_full", "남은 자리가 없습니다")

    # Read before the children's lock: the notification settings are no booking rule (notify reads them otherwise).
    if isinstance(user, int):
        user, prefs = user_with_settings(session, user)
        if user is None:  # the account went away since the token check
            raise BookingError("invalid_children", "등록된 내 아이만 예약할 수 있습니다")
    else:
        prefs = settings_of(session, user)
    # Built before the children's lock too (nothing in it depends on what the lock guards).
    pending = new_booking(user.id, run, child_ids, BookingStatus.CONFIRMED, guardians, now)
    children, banned_until = _lock_children(session, child_ids)
    if len(children) != n or any(c.parent_id != user.id for c in children):
        raise BookingError("invalid_children", "등록된 내 아이만 예약할 수 있습니다")
    check_ban(banned_until, now)
    check_ages(policy, facility, children, day)
    starts_at, ends_at = run[0].starts_at, run[-1].ends_at
    check_child_conflicts(
        policy,
        facility.kind,
        {s.id for s in run},
        starts_at,
        ends_at,
        hours,
        held_by(session, child_ids, starts_at),
        {c.id: c.name for c in children},
    )
    # PostgreSQL, one slot: the places are taken by the transaction's last statement, so the slot's row stays locked
    # (and competing bookings of the session wait) only from there to the commit. SQLite's write lock is the whole
    # transaction's anyway: there the places are taken first, so a booking that finds the session full writes nothing.
    take_last = len(run) == 1 and session.get_bind().dialect.name == "postgresql"
    try:
        # Several hours: a savepoint undoes the earlier hours' counters if a later hour is full.
        with session.begin_nested() if len(run) > 1 else nullcontext():
            if not take_last:
                _take_run(session, run, n, via_lottery)
            booking = insert_booking(session, pending, children)
        notify(session, user, "booking_confirmed", booking, now, prefs=prefs)
        if take_last:
            _take_run(session, run, n, via_lottery)  # full: the caller's rollback undoes the rows written above
    except BaseException as exc:
        if pending in session:  # the caller rolls the rows back; a rollback forgets only objects it saw added
            session.expunge(pending)
        # A database backstop fired: say which rule it enforced.
        error = backstop_error(exc) if isinstance(exc, IntegrityError) else None
        if error is None:
            raise
        raise error from None
    finally:
        for s in run:
            session.expire(s, ["booked", "held"])
    return booking


def _take_run(session: Session, run: list[Slot], n: int, from_held: bool) -> None:
    """Take `n` places in every slot of the run (in id order), or raise BookingError(slot_full)."""
    for s in sorted(run, key=lambda s: s.id):
        if not take_places(session, s.id, n, from_held=from_held):
            raise BookingError("slot_full", "남은 자리가 없습니다")


def take_places(session: Session, slot_id: int, n: int, from_held: bool = False) -> bool:
    """The capacity guard: one conditional UPDATE takes `n` places of an open slot, or none (False).

    Free places are those neither booked nor held by the lottery; `from_held` takes `n` of the held ones instead
    (a lottery claim: held → booked in the same UPDATE).
    """
    session.flush()  # as the ORM's autoflush would before its own statements (this one is Core)
    result = session.execute(_TAKE_HELD if from_held else _TAKE_FREE, {"slot": slot_id, "n": n})
    return result.rowcount == 1


def _take(room, **values):
    # On the table, not the entity: a Core UPDATE (the ORM's bulk UPDATE path tripled its CPU under the lock). The
    # caller expires the slots' counters afterwards.
    where = (_slots.id == bindparam("slot"), room, _slots.blocked.is_(False))
    return update(Slot.__table__).where(*where).values(**values)


_TAKE_FREE = _take(
    _slots.booked + _slots.held + bindparam("n") <= _slots.capacity, booked=_slots.booked + bindparam("n")
)
_TAKE_HELD = _take(
    _slots.held >= bindparam("n"), booked=_slots.booked + bindparam("n"), held=_slots.held - bindparam("n")
)


def new_booking(
    user_id: int, run: list[Slot], child_ids: list[int], status: str, guardians: int, now: datetime
) -> Booking:
    """A booking of the consecutive slots `run` with a place in each for every child, not yet written
    (insert_booking writes it): built before any lock is taken."""
    booking = Booking(
        code=new_code(),
        user_id=user_id,
        slot_id=run[0].id,
        facility_id=run[0].facility_id,
        status=status,
        guardians=guardians,
        hours=len(run),
        starts_at=run[0].starts_at,
        ends_at=run[-1].ends_at,
        created_at=now,
        cancelled_at=None,
        cancel_reason=None,
    )
    booking.places = [BookingChild(slot_id=s.id, child_id=c, active=True) for s in run for c in child_ids]
    return booking


def insert_booking(session: Session, booking: Booking, children: list[Child]) -> Booking:
    """Write a booking from new_booking (the caller has taken its places: take_places) and make it part of the
    session as written: persistent with its places and their `children` (as the caller loaded them: the answer
    built after the commit reads no more), nothing left to flush. A rollback does not forget these objects as it
    forgets flushed ones: a caller that goes on with the session after one expunges the booking (book() does).

    Two INSERT … RETURNING id statements instead of the ORM's flush: a rush's booking held SQLite's write lock for
    3.0 ms of CPU with the flush, 1.9 ms with these (docs/benchmarks.md, issue #13 third round)."""
    connection = session.connection()
    booking.id = connection.execute(_INSERT_BOOKING, _column_values(booking, _BOOKING_COLUMNS)).scalar_one()
    places = booking.places
    for place in places:
        place.booking_id = booking.id
    ids = connection.execute(_INSERT_PLACES, [_column_values(p, _PLACE_COLUMNS) for p in places]).scalars().all()
    for place, place_id in zip(places, ids, strict=True):
        place.id = place_id
        make_transient_to_detached(place)
    make_transient_to_detached(booking)
    session.add(booking)
    by_id = {c.id: c for c in children}
    for place in places:
        set_committed_value(place, "child", by_id[place.child_id])
    return booking


def _column_values(obj, columns) -> dict:
    return {c.key: getattr(obj, c.key) for c in columns}


_BOOKING_COLUMNS = [c for c in Booking.__table__.c if c.key != "id"]
_PLACE_COLUMNS = [c for c in BookingChild.__table__.c if c.key != "id"]
_INSERT_BOOKING = insert(Booking.__table__).returning(Booking.__table__.c.id)
_INSERT_PLACES = insert(BookingChild.__table__).returning(BookingChild.__table__.c.id, sort_by_parameter_order=True)


def backstop_error(exc: IntegrityError) -> BookingError | None:
    """The refusal a violated constraint stands for, or None when it enforces no booking rule (a bug)."""
    # The counter's CHECK means the session filled up, the partial unique index a child booked twice.
    # PostgreSQL names the constraint; SQLite names a CHECK, but a unique index only by its columns.
    diag = getattr(exc.orig, "diag", None)
    violated = getattr(diag, "constraint_name", None) or str(exc.orig)
    if "ck_slots_booked" in violated:
        return BookingError("slot_full", "남은 자리가 없습니다")
    if "uq_booking_children_active" in violated or "booking_children.slot_id, booking_children.child_id" in violated:
        return BookingError("duplicate", "이미 예약된 아이가 있습니다")
    return None


def _set_places_active(session: Session, booking_id: int, active: bool) -> None:
    """A booking's children hold their places (active) or give them back."""
    places = update(BookingChild).where(BookingChild.booking_id == booking_id).values(active=active)
    session.execute(places.execution_options(synchronize_session=False))


def move_status(session: Session, booking_id: int, before: str, after: str) -> bool:
    """Move a booking from one status to the next, only if it is still in `before` (False otherwise)."""
    moved = update(Booking).where(Booking.id == booking_id, Booking.status == before).values(status=after)
    return session.execute(moved.execution_options(synchronize_session=False)).rowcount == 1


def release_places(session: Session, booking: Booking, status: str, now: datetime, reason: str | None = None) -> bool:
    """Move an active booking to `status` (with the `reason` the parent sees) and give its places back.

    False if it was no longer active.
    """
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.CONFIRMED)
        .values(
            status=status,
            cancelled_at=now if status == BookingStatus.CANCELLED else None,
            cancel_reason=reason[:200] if reason else None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    n = len(booking.child_ids)
    slot_ids = sorted({p.slot_id for p in booking.places})
    if status == BookingStatus.CANCELLED:
        _set_places_active(session, booking.id, False)
        session.execute(
            update(Slot)
            .where(Slot.id.in_(slot_ids))
            .values(booked=Slot.booked - n)
            .execution_options(synchronize_session=False)
        )
    session.expire(booking)
    for p in booking.places:
        session.expire(p)
    return True


# Called as hook(session, booking, now) after a booking is cancelled (by its parent, a no-show ban or the account's
# deletion), in the same transaction: a package above bookings adds itself here (the lottery puts a claimed place it
# allocated back to its reserve list). An operator's closure does not call them: the session itself is gone.
CANCEL_HOOKS: list = []


def after_cancel(session: Session, booking: Booking, now: datetime) -> None:
    """Run CANCEL_HOOKS for a booking just cancelled (its places given back by release_places)."""
    for hook in CANCEL_HOOKS:
        hook(session, booking, now)


def cancel(session: Session, user: User, booking_id: int, now: datetime) -> Booking:
    """Cancel the user's booking up to the deadline; the places return to open booking (or a CANCEL_HOOKS' use)."""
    booking = session.get(Booking, booking_id)
    if booking is None or booking.user_id != user.id:
        raise BookingError("not_found", "예약을 찾을 수 없습니다")
    policy = get_policy(session, booking.facility)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingError("not_cancellable", "이미 취소되었거나 이용한 예약입니다")
    deadline = booking.starts_at - timedelta(minutes=policy.cancel_deadline_minutes)
    if now > deadline:
        raise BookingError(
            "too_late_to_cancel",
            f"취소는 시작 {policy.cancel_deadline_minutes}분 전({deadline.astimezone(KST):%H:%M})까지입니다",
        )
    if not release_places(session, booking, BookingStatus.CANCELLED, now, "보호자 취소"):
        raise BookingError("not_cancellable", "이미 취소되었거나 이용한 예약입니다")
    notify(session, user, "booking_cancelled", booking, now, reason="보호자 취소")
    after_cancel(session, booking, now)
    session.flush()
    return booking


NO_SHOW_UNDO_HOURS = 24  # how long an operator can take a no-show back (a family that was there after all)


def no_show_allowed_from(session: Session, booking: Booking) -> datetime:
    """When a booking can first be marked a no-show: the facility's delay after its start."""
    return booking.starts_at + timedelta(minutes=get_policy(session, booking.facility).no_show_after_minutes)


def no_show_window(session: Session, booking: Booking, now: datetime) -> tuple[datetime, list[Booking]]:
    """The ban a no-show marked now would set, and the guardian's other bookings (any facility) it would cancel."""
    until = now + timedelta(days=city_policy(session).no_show_ban_days)
    others = session.scalars(
        select(Booking)
        .where(
            Booking.user_id == booking.user_id,
            Booking.id != booking.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.starts_at >= now,
            Booking.starts_at < until,
        )
        .order_by(Booking.starts_at, Booking.id)
        .options(selectinload(Booking.facility))
    ).all()
    return until, list(others)


def _ban_reason(until: datetime) -> str:
    return f"노쇼 이용 제한 ({until.astimezone(KST):%Y-%m-%d}까지)"


def mark_no_show(session: Session, booking: Booking, now: datetime) -> list[Booking]:
    """Record a no-show: ban the guardian and cancel their other bookings inside the ban. Returns those.

    Refused (too_early) before the facility's delay after the start; what it changed is kept in NoShow for undo.
    """
    allowed_from = no_show_allowed_from(session, booking)
    if now < allowed_from:
        raise BookingError(
            "too_early",
            f"노쇼는 시작 후 {allowed_from.astimezone(KST):%H:%M}부터 처리할 수 있습니다 (아직 오는 중일 수 있어요)",
        )
    user = session.get(User, booking.user_id)
    _lock_children(session, [c.id for c in user.children])  # the locks a concurrent booking waits on
    if not release_places(session, booking, BookingStatus.NO_SHOW, now):
        raise BookingError("not_cancellable", "확정 상태인 예약만 노쇼로 처리할 수 있습니다")
    until, others = no_show_window(session, booking, now)
    marked = NoShow(booking_id=booking.id, marked_at=now, banned_before=user.banned_until, banned_until=until)
    user.banned_until = max(until, user.banned_until or until)
    cancelled = [b for b in others if release_places(session, b, BookingStatus.CANCELLED, now, _ban_reason(until))]
    marked.cancelled = [NoShowCancellation(booking_id=b.id) for b in cancelled]
    session.add(marked)
    session.flush()
    notify(session, user, "no_show", booking, now, until=f"{until.astimezone(KST):%Y-%m-%d %H:%M}")
    for other in cancelled:
        notify(session, user, "booking_cancelled", other, now, reason=_ban_reason(until))
        after_cancel(session, other, now)
    return cancelled


class _NoRoom(Exception):
    pass


def _restore(session: Session, booking: Booking, reason: str, now: datetime) -> str | None:
    """Confirm a booking the no-show cancelled again, taking its places back; or say why it cannot be."""
    session.flush()  # the savepoint below rolls back and the expiry drops only what this booking changes
    if booking.status != BookingStatus.CANCELLED or booking.cancel_reason != reason:
        return "그 뒤 다른 이유로 바뀐 예약입니다"
    if booking.starts_at <= now:
        return "이미 지난 회차입니다"
    n = len(booking.child_ids)
    try:
        with session.begin_nested():
            for slot_id in sorted({p.slot_id for p in booking.places}):
                if not take_places(session, slot_id, n):
                    raise _NoRoom
            _set_places_active(session, booking.id, True)
            session.execute(
                update(Booking)
                .where(Booking.id == booking.id)
                .values(status=BookingStatus.CONFIRMED, cancelled_at=None, cancel_reason=None)
                .execution_options(synchronize_session=False)
            )
    except _NoRoom:
        return "남은 자리가 없습니다"
    except IntegrityError:
        return "같은 회차에 그 아이의 다른 예약이 있습니다"
    finally:
        session.expire_all()
    return None


def undo_no_show(session: Session, booking: Booking, now: datetime) -> dict:
    """Take back a no-show within NO_SHOW_UNDO_HOURS: the booking is confirmed again, the ban goes back to what it
    was, and the bookings it cancelled are restored where their session is still ahead and has room.

    Returns {"banned_until", "restored": [Booking], "not_restored": [(Booking, why)]}.
    """
    marked = session.scalars(
        select(NoShow).where(NoShow.booking_id == booking.id, NoShow.undone_at.is_(None)).order_by(NoShow.id.desc())
    ).first()
    if marked is None or booking.status != BookingStatus.NO_SHOW:
        raise BookingError("not_undoable", "되돌릴 노쇼 처리가 없습니다")
    if now - marked.marked_at > timedelta(hours=NO_SHOW_UNDO_HOURS):
        raise BookingError("undo_expired", f"노쇼 처리는 {NO_SHOW_UNDO_HOURS}시간 안에만 되돌릴 수 있습니다")
    user = session.get(User, booking.user_id)
    _lock_children(session, [c.id for c in user.children])
    if not move_status(session, booking.id, BookingStatus.NO_SHOW, BookingStatus.CONFIRMED):
        raise BookingError("not_undoable", "되돌릴 노쇼 처리가 없습니다")
    marked.undone_at = now
    # The ban is what it was before, unless another no-show (still standing) set a longer one.
    standing = session.scalars(
        select(NoShow.banned_until)
        .join(Booking, Booking.id == NoShow.booking_id)
        .where(Booking.user_id == user.id, NoShow.undone_at.is_(None), NoShow.id != marked.id)
    ).all()
    user.banned_until = max((b for b in (marked.banned_before, *standing) if b is not None), default=None)
    session.flush()
    reason, ban_until = _ban_reason(marked.banned_until), user.banned_until
    restored, not_restored = [], []
    for link in marked.cancelled:
        why = _restore(session, link.booking, reason, now)
        if why is None:
            restored.append(link.booking)
        else:
            not_restored.append((link.booking, why))
            if link.booking.cancel_reason == reason:
                link.booking.cancel_reason = f"노쇼 이용 제한 해제 · {why}"[:200]
    session.flush()
    return {"banned_until": ban_until, "restored": restored, "not_restored": not_restored}


def bookings_of(session: Session, user: User) -> list[Booking]:
    """The user's bookings, soonest first, with facility and children loaded."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.user_id == user.id)
            .order_by(Booking.starts_at, Booking.id)
            .options(selectinload(Booking.places).selectinload(BookingChild.child), selectinload(Booking.facility))
        ).all()
    )


def booking_ics(booking: Booking) -> str:
    """The booking as an iCalendar document with one event; a cancelled booking has none (409 cancelled)."""
    from app.bookings.ics import to_ics

    if booking.status == BookingStatus.CANCELLED:
        raise BookingError("cancelled", "취소된 예약은 캘린더에 넣을 수 없습니다")
    return to_ics(booking)


def booking_of(session: Session, user: User, booking_id: int) -> Booking | None:
    """The user's booking with this id, or None (also for another parent's booking)."""
    booking = session.get(Booking, booking_id)
    return booking if booking is not None and booking.user_id == user.id else None
