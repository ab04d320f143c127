"""Operator settings of a facility: session templates, daycare classes, closures and the booking policy.

Template and class changes are applied to future slots; a change that would put a slot's capacity
below what is already booked is refused as a whole, listing the slots (the caller rolls back).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, selectinload

from app.audit import record
from app.auth.models import User
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, BookingChild, BookingPolicy, Closure, DaycareClass, SessionTemplate, Slot
from app.bookings.policy import default_policy, get_policy
from app.bookings.schedule import at_kst, daycare_capacity, generate_slots
from app.bookings.services import release_places
from app.facilities.choices import WEEKDAY_LABELS
from app.facilities.models import Facility
from app.lottery.models import LotteryEntry
from app.notifications import notify
from app.operators.people import guardian_view
from app.operators.services import OperatorError, capacity_refusal, held_note, slot_label
from app.timeutil import KST
from app.validation import TEXT_MAX, text_problem

# The no-show ban's length is not here: it is city-wide (app.bookings.models.CityPolicy), set by admins.
POLICY_FIELDS = (
    "opening_mode",
    "days_ahead",
    "open_weekday",
    "open_time",
    "cancel_deadline_minutes",
    "no_show_after_minutes",
    "allocation",
    "lottery_opens",
    "lottery_closes",
    "lottery_draw",
    "lottery_claim_by",
)
WEEKS_GENERATED = 4


def _of_facility(session: Session, model, facility_id: int, *order) -> list:
    """A facility's rows of a settings table, in the given order."""
    return list(session.scalars(select(model).where(model.facility_id == facility_id).order_by(*order)).all())


def templates_of(session: Session, facility_id: int) -> list[SessionTemplate]:
    """The facility's weekly sessions, by weekday and start."""
    return _of_facility(session, SessionTemplate, facility_id, SessionTemplate.weekday, SessionTemplate.starts)


def _template_json(t: SessionTemplate) -> dict:
    return {
        "weekday": t.weekday,
        "starts": t.starts,
        "ends": t.ends,
        "capacity_individual": t.capacity_individual,
        "capacity_group": t.capacity_group,
    }


def _future_slots_of(session: Session, facility_id: int, weekday: int, starts: str, now: datetime) -> list[Slot]:
    """Future slots generated from a template (same Seoul weekday and start time)."""
    rows = session.scalars(
        select(Slot).where(Slot.facility_id == facility_id, Slot.starts_at > now).order_by(Slot.starts_at)
    ).all()
    return [
        s
        for s in rows
        if s.starts_at.astimezone(KST).weekday() == weekday and s.starts_at.astimezone(KST).strftime("%H:%M") == starts
    ]


def _apply_capacity(slots: list[Slot], capacity: int, group: int | None = None) -> None:
    """Set capacity on slots, or refuse listing those already booked (or held by the lottery) beyond it."""
    over = [s for s in slots if s.booked + s.held > capacity]
    if over:
        raise capacity_refusal(over, capacity)
    for s in slots:
        s.capacity = capacity
        if group is not None:
            s.capacity_group = group


def add_template(
    session: Session,
    actor: User,
    facility: Facility,
    weekday: int,
    starts: str,
    ends: str,
    capacity: int | None,
    group: int,
    today: date,
    now: datetime,
) -> SessionTemplate:
    """Add a weekly session and create its slots for the coming weeks."""
    if starts >= ends:
        raise OperatorError("invalid_time", "끝나는 시각은 시작 시각보다 늦어야 합니다", 422)
    clash = session.scalar(
        select(SessionTemplate.id).where(
            SessionTemplate.facility_id == facility.id,
            SessionTemplate.weekday == weekday,
            SessionTemplate.starts == starts,
        )
    )
    if clash is not None:
        raise OperatorError("duplicate", "같은 요일·시작 시각의 회차가 이미 있습니다", 409)
    existing = templates_of(session, facility.id)
    if not existing:
        # Without templates generate_slots would add the kind's defaults too: store the defaults first.
        from app.bookings.schedule import ensure_templates

        ensure_templates(session, facility, 20)
    values = dict(weekday=weekday, starts=starts, ends=ends, capacity_individual=capacity, capacity_group=group)
    template = SessionTemplate(facility_id=facility.id, **values)
    session.add(template)
    session.flush()
    created = generate_slots(session, today, weeks=WEEKS_GENERATED, facility_ids=[facility.id])
    record(
        session,
        actor,
        "template.add",
        "facility",
        facility.id,
        None,
        {**_template_json(template), "slots_created": created},
        now,
    )
    return template


def update_template(
    session: Session,
    actor: User,
    facility: Facility,
    template: SessionTemplate,
    capacity: int | None,
    group: int,
    now: datetime,
) -> SessionTemplate:
    """Change a session's capacities and apply them to its future slots (refused below booked)."""
    before = _template_json(template)
    template.capacity_individual, template.capacity_group = capacity, group
    slots = _future_slots_of(session, facility.id, template.weekday, template.starts, now)
    if capacity is None:
        capacity = daycare_capacity(session, facility.id, get_policy(session, facility))
    _apply_capacity(slots, capacity, group)
    session.flush()
    record(
        session,
        actor,
        "template.update",
        "facility",
        facility.id,
        before,
        {**_template_json(template), "slots_changed": len(slots)},
        now,
    )
    return template


def remove_template(session: Session, actor: User, facility: Facility, template: SessionTemplate, now: datetime) -> int:
    """Remove a weekly session: its future slots go (refused while any holds a booking). Returns slots removed."""
    slots = _future_slots_of(session, facility.id, template.weekday, template.starts, now)
    held = [s for s in slots if s.booked > 0 or s.held > 0]
    if held:
        listed = ", ".join(f"{slot_label(s)} 예약 {s.booked}명{held_note(s)}" for s in held)
        raise OperatorError(
            "slots_booked",
            f"예약이 있는 회차는 삭제할 수 없습니다. 먼저 예약을 정리해 주세요: {listed}",
            409,
            [{"id": s.id, "when": slot_label(s), "booked": s.booked} for s in held],
        )
    removed = 0
    for s in slots:
        if any(
            session.scalar(select(exists().where(column == s.id)))
            for column in (Booking.slot_id, BookingChild.slot_id, LotteryEntry.won_slot_id)
        ):
            s.blocked = True  # cancelled bookings or a lottery result point at it: keep the row, closed to booking
        else:
            session.delete(s)
            removed += 1
    before = _template_json(template)
    session.delete(template)
    session.flush()
    record(session, actor, "template.remove", "facility", facility.id, before, {"slots_removed": removed}, now)
    return removed


def week_grid(templates: list[SessionTemplate]) -> list[dict]:
    """The weekly sessions as grid rows, one per session time: {"starts", "ends", "days": {weekday: template}}."""
    rows: dict[tuple[str, str], dict] = {}
    for t in templates:
        rows.setdefault((t.starts, t.ends), {"starts": t.starts, "ends": t.ends, "days": {}})["days"][t.weekday] = t
    return [rows[k] for k in sorted(rows)]


def save_week(
    session: Session,
    actor: User,
    facility: Facility,
    wanted: dict[tuple[int, str, str], tuple[int | None, int]],
    confirmed: bool,
    today: date,
    now: datetime,
) -> dict:
    """Make the weekly sessions what the grid says: {(weekday, starts, ends): (individual, group capacity)}.

    Removals happen only when `confirmed`; otherwise nothing is written and they are returned to ask about.
    Returns {"removals": [labels], "added", "changed", "removed", "applied": bool}.
    """
    existing = {(t.weekday, t.starts, t.ends): t for t in templates_of(session, facility.id)}
    removals = [existing[k] for k in sorted(existing) if k not in wanted]
    labels = [f"{WEEKDAY_LABELS[t.weekday]} {t.starts}–{t.ends}" for t in removals]
    if removals and not confirmed:
        return {"removals": labels, "added": 0, "changed": 0, "removed": 0, "applied": False}
    for t in removals:
        remove_template(session, actor, facility, t, now)
    changed = 0
    for (weekday, starts, ends), (capacity, group) in sorted(wanted.items()):
        t = existing.get((weekday, starts, ends))
        if t is None:
            add_template(session, actor, facility, weekday, starts, ends, capacity, group, today, now)
        elif (t.capacity_individual, t.capacity_group) != (capacity, group):
            update_template(session, actor, facility, t, capacity, group, now)
            changed += 1
    added = len([k for k in wanted if k not in existing])
    return {"removals": labels, "added": added, "changed": changed, "removed": len(removals), "applied": True}


def classes_of(session: Session, facility_id: int) -> list[DaycareClass]:
    """The daycare's classes (반)."""
    return _of_facility(session, DaycareClass, facility_id, DaycareClass.age_years, DaycareClass.id)


def _reapply_daycare_capacity(session: Session, facility: Facility, now: datetime) -> int:
    """Hourly places follow the classes: apply to future class-derived slots, refused below booked."""
    capacity = daycare_capacity(session, facility.id, get_policy(session, facility))
    slots = []
    for t in templates_of(session, facility.id):
        if t.capacity_individual is None:
            slots += _future_slots_of(session, facility.id, t.weekday, t.starts, now)
    _apply_capacity(slots, capacity)
    return capacity


def save_class(
    session: Session,
    actor: User,
    facility: Facility,
    class_id: int | None,
    name: str,
    age_years: int,
    teachers: int,
    now: datetime,
) -> DaycareClass:
    """Add or change a class (name, youngest age, teachers on duty) and re-derive hourly places."""
    name = (name or "").strip()
    if not name or len(name) > 40 or age_years < 0 or age_years > 7 or teachers < 0 or teachers > 20:
        raise OperatorError("invalid_class", "반 이름(1~40자), 연령(0~7세), 교사 수(0~20명)를 확인해 주세요", 422)
    if problem := text_problem(name, "반 이름", 40):
        raise OperatorError("invalid_class", problem, 422)
    row = session.get(DaycareClass, class_id) if class_id else None
    if class_id and (row is None or row.facility_id != facility.id):
        raise OperatorError("not_found", "반을 찾을 수 없습니다", 404)
    before = None if row is None else {"name": row.name, "age_years": row.age_years, "teachers": row.teachers}
    if row is None:
        row = DaycareClass(facility_id=facility.id)
        session.add(row)
    row.name, row.age_years, row.teachers = name, age_years, teachers
    session.flush()
    capacity = _reapply_daycare_capacity(session, facility, now)
    record(
        session,
        actor,
        "class.save",
        "facility",
        facility.id,
        before,
        {"id": row.id, "name": name, "age_years": age_years, "teachers": teachers, "hourly_capacity": capacity},
        now,
    )
    return row


def remove_class(session: Session, actor: User, facility: Facility, class_id: int, now: datetime) -> None:
    """Remove a class and re-derive hourly places (refused if that drops below booked)."""
    row = session.get(DaycareClass, class_id)
    if row is None or row.facility_id != facility.id:
        raise OperatorError("not_found", "반을 찾을 수 없습니다", 404)
    before = {"id": row.id, "name": row.name, "age_years": row.age_years, "teachers": row.teachers}
    session.delete(row)
    session.flush()
    capacity = _reapply_daycare_capacity(session, facility, now)
    record(session, actor, "class.remove", "facility", facility.id, before, {"hourly_capacity": capacity}, now)


def closures_of(session: Session, facility_id: int) -> list[Closure]:
    """The facility's closures, latest first."""
    return list(
        session.scalars(
            select(Closure).where(Closure.facility_id == facility_id).order_by(Closure.starts_on.desc())
        ).all()
    )


def bookings_in(session: Session, facility_id: int, starts_on: date, ends_on: date) -> list[Booking]:
    """Confirmed bookings whose session falls in the closure's days."""
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.facility_id == facility_id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.starts_at >= at_kst(starts_on, "00:00"),
                Booking.starts_at < at_kst(ends_on + timedelta(days=1), "00:00"),
            )
            .order_by(Booking.starts_at, Booking.id)
            .options(selectinload(Booking.user), selectinload(Booking.places).selectinload(BookingChild.child))
        ).all()
    )


def affected_json(bookings: list[Booking]) -> list[dict]:
    """Who a closure touches: booking code, time, guardian and children."""
    return [
        {
            "id": b.id,
            "code": b.code,
            "user_id": b.user_id,
            "guardian": guardian_view(b)["guardian"],
            "when": slot_label(b.slot),
            "children": [c.name for c in b.children],
        }
        for b in bookings
    ]


def add_closure(
    session: Session,
    actor: User,
    facility: Facility,
    starts_on: date,
    ends_on: date,
    reason: str,
    confirmed: bool,
    now: datetime,
) -> tuple[Closure | None, list[dict]]:
    """Close days. Over confirmed bookings, nothing happens until `confirmed`; then they are cancelled.

    Returns (closure or None when confirmation is needed, the affected bookings).
    """
    if starts_on > ends_on:
        raise OperatorError("invalid_dates", "종료일은 시작일과 같거나 늦어야 합니다", 422)
    if problem := text_problem((reason or "").strip(), "사유", TEXT_MAX):
        raise OperatorError("invalid_reason", problem, 422)
    if (ends_on - starts_on).days > 366:
        raise OperatorError("invalid_dates", "휴관 기간은 1년 이내로 입력해 주세요", 422)
    affected_rows = bookings_in(session, facility.id, starts_on, ends_on)
    affected = affected_json(affected_rows)
    if affected and not confirmed:
        return None, affected
    for booking in affected_rows:
        why = f"휴관: {reason}" if reason else "휴관"
        if release_places(session, booking, BookingStatus.CANCELLED, now, why):
            notify(session, booking.user, "booking_cancelled", booking, now, reason=why)
    closure = Closure(facility_id=facility.id, starts_on=starts_on, ends_on=ends_on, reason=(reason or "")[:200])
    session.add(closure)
    session.flush()
    record(
        session,
        actor,
        "closure.add",
        "facility",
        facility.id,
        None,
        {
            "closure_id": closure.id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "reason": closure.reason,
            "cancelled_bookings": affected,
        },
        now,
    )
    return closure, affected


def remove_closure(
    session: Session, actor: User, facility: Facility, closure_id: int, today: date, now: datetime
) -> None:
    """Reopen closed days (cancelled bookings stay cancelled) and create their missing slots."""
    row = session.get(Closure, closure_id)
    if row is None or row.facility_id != facility.id:
        raise OperatorError("not_found", "휴관일을 찾을 수 없습니다", 404)
    before = {"starts_on": row.starts_on, "ends_on": row.ends_on, "reason": row.reason}
    session.execute(delete(Closure).where(Closure.id == row.id))
    generate_slots(session, today, weeks=WEEKS_GENERATED, facility_ids=[facility.id])
    record(session, actor, "closure.remove", "facility", facility.id, before, None, now)


def policy_json(policy: BookingPolicy) -> dict:
    """The operator-editable policy fields."""
    return {k: getattr(policy, k) for k in POLICY_FIELDS}


def save_policy(session: Session, actor: User, facility: Facility, values: dict, now: datetime) -> BookingPolicy:
    """Store the settings the page edits (POLICY_FIELDS): opening rule, deadlines, the weekend lottery."""
    policy = session.get(BookingPolicy, facility.id)
    if policy is None:
        policy = default_policy(facility.kind, facility.id)
        session.add(policy)
    before = policy_json(policy)
    for key in POLICY_FIELDS:
        setattr(policy, key, values[key])
    policy.updated_at = now
    session.flush()
    record(session, actor, "policy.update", "facility", facility.id, before, policy_json(policy), now)
    return policy
