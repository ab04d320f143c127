"""The weekend lottery's entries: which sessions it allocates, each weekend's cycle, entering and withdrawing,
claiming or declining a won or offered place."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import Child, User
from app.bookings.models import Booking, BookingPolicy, Slot
from app.bookings.policy import CYCLE_FIELDS, KIND_DEFAULTS, cycle_minutes, get_policy, is_lottery_session
from app.bookings.rules import BookingError, check_ages, check_ban, check_child_conflicts, check_counts, kst_day
from app.bookings.schedule import closed_reason
from app.bookings.services import book, held_by
from app.facilities.choices import FacilityKind
from app.lottery.draw import MAX_CHOICES, commitment, new_ref, new_secret
from app.lottery.models import LotteryDraw, LotteryEntry
from app.lottery.offers import CLAIMABLE, move_entry, release_entry
from app.timeutil import KST


class LotteryError(BookingError):
    """A refused entry or withdrawal (the booking rules' own codes come as BookingError)."""


STATUS = {
    "lottery_closed": 409,
    "duplicate_entry": 409,
    "not_entered": 409,
    "not_claimable": 409,
    "claim_expired": 409,
}


def refuse(code: str, message: str) -> LotteryError:
    return LotteryError(code, message, STATUS.get(code, 422))


def weekend_of(day: date) -> date:
    """The Saturday of a day's calendar week (Mon–Sun): the weekend whose draw allocates it."""
    return day - timedelta(days=day.weekday()) + timedelta(days=5)


def cycle_times(policy: BookingPolicy, weekend: date) -> dict[str, datetime]:
    """A policy's cycle for a weekend, in Seoul time: {"lottery_opens": …, …, "lottery_claim_by": …}."""
    monday = datetime.combine(weekend - timedelta(days=5), time(0), KST)
    return {name: monday + timedelta(minutes=cycle_minutes(getattr(policy, name))) for name in CYCLE_FIELDS}


def city_cycle(session: Session, weekend: date) -> dict[str, datetime]:
    """The one city-wide draw's times: opens with the earliest facility, closes and draws after the latest."""
    policies = session.scalars(select(BookingPolicy).where(BookingPolicy.allocation == "lottery_weekends")).all()
    cycles = [cycle_times(p, weekend) for p in policies] or [
        cycle_times(BookingPolicy(**KIND_DEFAULTS[FacilityKind.KIDS_CAFE]), weekend)
    ]
    return {
        "lottery_opens": min(c["lottery_opens"] for c in cycles),
        "lottery_closes": max(c["lottery_closes"] for c in cycles),
        "lottery_draw": max(c["lottery_draw"] for c in cycles),
    }


def ensure_draw(session: Session, weekend: date, now: datetime) -> tuple[LotteryDraw, bool]:
    """The weekend's draw row, created with its secret and published commitment if missing (race-safe).

    Returns (draw, whether this call created it).
    """
    draw = session.scalar(select(LotteryDraw).where(LotteryDraw.weekend == weekend))
    if draw is not None:
        return draw, False
    secret = new_secret()
    try:
        with session.begin_nested():
            draw = LotteryDraw(weekend=weekend, secret=secret, commitment=commitment(secret), status="open")
            draw.created_at = now
            session.add(draw)
            session.flush()
    except IntegrityError:  # another process created it first: theirs is the published one
        return session.scalar(select(LotteryDraw).where(LotteryDraw.weekend == weekend)), False
    return draw, True


def _lock_open_draw(session: Session, weekend: date, now: datetime) -> LotteryDraw:
    """The weekend's draw, locked so the close waits for this entry (or this entry sees the close)."""
    draw_id = ensure_draw(session, weekend, now)[0].id
    draw = session.scalar(
        select(LotteryDraw).where(LotteryDraw.id == draw_id).with_for_update().execution_options(populate_existing=True)
    )
    if draw.status != "open":
        raise refuse("lottery_closed", "이번 주말 추첨 신청이 마감되었습니다")
    return draw


def _check_open(policy: BookingPolicy, weekend: date, now: datetime) -> None:
    times = cycle_times(policy, weekend)
    if not times["lottery_opens"] <= now < times["lottery_closes"]:
        opens, closes = times["lottery_opens"], times["lottery_closes"]
        span = f"{opens:%m월 %d일 %H:%M} ~ {closes:%m월 %d일 %H:%M}"
        raise refuse("lottery_closed", f"추첨 신청 기간이 아닙니다 ({span})")


def lottery_slots(session: Session, slot_ids: list) -> tuple[list[tuple[Slot, BookingPolicy]], date]:
    """The ranked choices as (slot, policy), checked: 1–3 distinct lottery sessions of one weekend."""
    if not isinstance(slot_ids, list) or not slot_ids or len(slot_ids) > MAX_CHOICES:
        raise refuse("too_many_choices", f"희망 회차는 1개에서 {MAX_CHOICES}개까지 고를 수 있습니다")
    if len(set(slot_ids)) != len(slot_ids):
        raise refuse("too_many_choices", "같은 회차를 두 번 고를 수 없습니다")
    chosen = []
    for slot_id in slot_ids:
        slot = session.get(Slot, slot_id)
        if slot is None:
            raise BookingError("not_found", "예약 시간을 찾을 수 없습니다")
        policy = get_policy(session, slot.facility)
        if not is_lottery_session(policy, slot.starts_at):
            raise refuse("not_lottery", "추첨으로 배정하는 회차가 아닙니다 (선착순 예약을 이용해 주세요)")
        chosen.append((slot, policy))
    weekends = {weekend_of(kst_day(slot.starts_at)) for slot, _ in chosen}
    if len(weekends) > 1:
        raise refuse("different_weekends", "한 번의 신청에는 같은 주말의 회차만 고를 수 있습니다")
    return chosen, weekends.pop()


def _check_booking_rules(session: Session, user: User, chosen, child_ids: list[int], guardians: int, now) -> None:
    """The booking rules that hold already at entry time, with the booking's own codes."""
    children = list(session.scalars(select(Child).where(Child.id.in_(child_ids)).order_by(Child.id)).all())
    if len(children) != len(child_ids) or any(c.parent_id != user.id for c in children):
        raise BookingError("invalid_children", "등록된 내 아이만 신청할 수 있습니다")
    check_ban(user.banned_until, now)
    for slot, policy in chosen:
        check_counts(policy, len(child_ids), guardians)
        if slot.starts_at <= now:
            raise BookingError("slot_past", "이미 시작했거나 지난 시간입니다")
        day = kst_day(slot.starts_at)
        reason = "예약을 받지 않는 시간" if slot.blocked else closed_reason(session, slot.facility_id, policy, day)
        if reason is not None:
            raise BookingError("closed", f"이 날은 휴관입니다 ({reason})")
        check_ages(policy, slot.facility, children, kst_day(slot.starts_at))
        check_child_conflicts(
            policy,
            slot.facility.kind,
            {slot.id},
            slot.starts_at,
            slot.ends_at,
            1,
            held_by(session, child_ids, slot.starts_at),
            {c.id: c.name for c in children},
        )


def enter(session: Session, user: User, slot_ids: list, child_ids: list, guardians: int, now: datetime):
    """Enter a household for a weekend with 1–3 ranked sessions, or raise LotteryError / BookingError."""
    chosen, weekend = lottery_slots(session, slot_ids)
    for _, policy in chosen:
        _check_open(policy, weekend, now)
    child_ids = sorted(set(child_ids))
    if not child_ids:
        raise BookingError("invalid_children", "신청할 아이를 한 명 이상 선택해 주세요")
    _check_booking_rules(session, user, chosen, child_ids, guardians, now)
    _lock_open_draw(session, weekend, now)
    if _active_entry(session, user.id, weekend) is not None:
        raise refuse("duplicate_entry", "이 주말에는 이미 추첨 신청을 했습니다 (가구당 한 번)")
    entry = LotteryEntry(
        ref=new_ref(),
        user_id=user.id,
        weekend=weekend,
        slot_ids=list(slot_ids),
        child_ids=child_ids,
        places=len(child_ids),
        guardians=guardians,
        status="entered",
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:  # the unique index: a second entry of the household raced this one
        raise refuse("duplicate_entry", "이 주말에는 이미 추첨 신청을 했습니다 (가구당 한 번)") from None
    return entry


def _active_entry(session: Session, user_id: int, weekend: date) -> LotteryEntry | None:
    return session.scalar(
        select(LotteryEntry).where(
            LotteryEntry.user_id == user_id, LotteryEntry.weekend == weekend, LotteryEntry.status != "withdrawn"
        )
    )


def entry_of(session: Session, user: User, entry_id: int) -> LotteryEntry:
    """The user's own entry; another household's is not found (404)."""
    entry = session.get(LotteryEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        raise BookingError("not_found", "추첨 신청을 찾을 수 없습니다")
    return entry


def withdraw(session: Session, user: User, entry_id: int, now: datetime) -> LotteryEntry:
    """Withdraw an entry while every chosen session's window is still open."""
    entry = entry_of(session, user, entry_id)
    if entry.status != "entered":
        raise refuse("not_entered", "이미 취소했거나 추첨이 끝난 신청입니다")
    chosen, weekend = lottery_slots(session, entry.slot_ids)
    for _, policy in chosen:
        _check_open(policy, weekend, now)
    _lock_open_draw(session, weekend, now)
    entry.status, entry.withdrawn_at = "withdrawn", now
    session.flush()
    return entry


def entries_of(session: Session, user: User) -> list[LotteryEntry]:
    """A household's entries, latest weekend first."""
    return list(
        session.scalars(
            select(LotteryEntry)
            .where(LotteryEntry.user_id == user.id)
            .order_by(LotteryEntry.weekend.desc(), LotteryEntry.id.desc())
        ).all()
    )


def _claimable(session: Session, user: User, entry_id: int, now: datetime) -> LotteryEntry:
    """The user's won or offered entry before its deadline, or LotteryError (not_found, not_claimable, expired)."""
    entry = entry_of(session, user, entry_id)
    if entry.status not in CLAIMABLE:
        raise refuse("not_claimable", "당첨되었거나 제안받은 자리만 확정하거나 거절할 수 있습니다")
    if now >= entry.claim_by:
        raise refuse("claim_expired", f"확정 기한({entry.claim_by.astimezone(KST):%m월 %d일 %H:%M})이 지났습니다")
    return entry


def _move_before_deadline(session: Session, entry: LotteryEntry, after: str, now: datetime, **values) -> None:
    """The entry's conditional move out of won/offered: a lapse or a second click racing this one loses or wins."""
    if not move_entry(session, entry, after, LotteryEntry.claim_by > now, **values):
        raise refuse("not_claimable", "이미 확정·거절했거나 기한이 지난 자리입니다")


def claim(session: Session, user: User, entry_id: int, now: datetime) -> Booking:
    """Claim a won place (before claim_by) or an offered one (before the offer expires): a confirmed booking of the
    entry's children in that session, every booking rule checked again (app.bookings.services.book) except the
    lottery-only refusal and the opening window; the places move from held to booked in one conditional UPDATE.

    Raises LotteryError (not_found 404, not_claimable / claim_expired 409) or the booking rules' BookingError;
    the caller rolls back on either.
    """
    entry = _claimable(session, user, entry_id, now)
    slot_id, child_ids, guardians = entry.won_slot_id, list(entry.child_ids), entry.guardians
    _move_before_deadline(session, entry, "claimed", now)  # first: the entry's row is locked until the commit
    booking = book(session, user, slot_id, child_ids, guardians, now=now, via_lottery=True)
    entry.booking_id = booking.id
    session.flush()
    return booking


def decline(session: Session, user: User, entry_id: int, now: datetime) -> LotteryEntry:
    """Give back a won or offered place before its deadline; it is offered to the reserve list at the next run."""
    entry = _claimable(session, user, entry_id, now)
    _move_before_deadline(session, entry, "declined", now)
    release_entry(session, entry, "declined", now)
    return entry


def reserve_position(entry: LotteryEntry) -> int | None:
    """The entry's place on a reserve list: of the session it was offered, else of its first-ranked reserve one."""
    reserve = entry.reserve or {}
    for slot_id in ([entry.won_slot_id] if entry.won_slot_id is not None else []) + list(entry.slot_ids):
        if str(slot_id) in reserve:
            return int(reserve[str(slot_id)])
    return None


def offer_expires_at(entry: LotteryEntry) -> datetime | None:
    """When an offered place stops being held for the entry (its claim_by); None unless offered."""
    return entry.claim_by if entry.status == "offered" else None
