"""Freed lottery places: wins and offers that lapse, places given back, offers to the reserve in drawn order.

A won or offered place stays in `Slot.held` until it is claimed (held → booked) or freed. A freed place is one
`LotteryRelease` row (waiting), offered whole to the first reserve entry of that session that fits (rows → offered,
entry reserve → offered with a hold from draw.offer_hold), or, when offers have stopped (2 h before the session) or
nobody is left on the reserve list, given to first-come (rows → first_come, held decreases).

Every step is a conditional UPDATE in its own transaction (run_lottery), so with several processes running the
lottery at once each lapse, offer and hand-over to first-come happens exactly once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.bookings.models import Slot
from app.bookings.policy import LOTTERY_OFFERS_STOP
from app.database import unit_of_work
from app.lottery.draw import offer_hold
from app.lottery.models import LotteryEntry, LotteryRelease
from app.notifications import notify
from app.notifications.messages import entry_facts

CLAIMABLE = ("won", "offered")  # an entry holding places until it claims or declines (by claim_by)


class _Raced(Exception):
    """Another process took the rows or the entry first: this transaction is rolled back and the step re-read."""


def move_entry(session: Session, entry: LotteryEntry, after: str, *conditions, **values) -> bool:
    """Move an entry from the status it was read in to `after` (and `values`) if it still is, and `conditions`
    hold; True only for the one caller whose UPDATE changed it. The entry is expired, so it reads the new row."""
    moved = session.execute(
        update(LotteryEntry)
        .where(LotteryEntry.id == entry.id, LotteryEntry.status == entry.status, *conditions)
        .values(status=after, **values)
        .execution_options(synchronize_session=False)
    )
    session.expire(entry)
    return moved.rowcount == 1


def release(session: Session, slot_id: int, weekend, source: str, places: int, now: datetime) -> None:
    """Record `places` freed places of a session (waiting for an offer); `source` names the event, once."""
    session.add_all(
        LotteryRelease(slot_id=slot_id, weekend=weekend, source=f"{source}:{unit}", status="waiting", created_at=now)
        for unit in range(places)
    )
    session.flush()


def release_entry(session: Session, entry: LotteryEntry, why: str, now: datetime) -> None:
    """A declined or lapsed win or offer frees the entry's places in its session (still held, now waiting)."""
    release(session, entry.won_slot_id, entry.weekend, f"entry:{entry.id}:{why}", entry.places, now)


def release_cancelled_booking(session: Session, booking, now: datetime) -> None:
    """bookings.services.CANCEL_HOOKS: a claimed lottery booking cancelled while offers still run goes back to the
    lottery (held again, and offered to the session's reserve list); later, its places are simply first-come."""
    entry = session.scalar(select(LotteryEntry).where(LotteryEntry.booking_id == booking.id))
    if entry is None or now >= booking.starts_at - LOTTERY_OFFERS_STOP:
        return
    n = len(booking.child_ids)
    held = session.execute(
        update(Slot)
        .where(Slot.id == booking.slot_id, Slot.booked + Slot.held + n <= Slot.capacity)
        .values(held=Slot.held + n)
        .execution_options(synchronize_session=False)
    )
    if held.rowcount == 1:
        release(session, booking.slot_id, entry.weekend, f"booking:{booking.id}:cancelled", n, now)


def _tell(session: Session, entry: LotteryEntry, event: str, slot: Slot, now: datetime, **facts) -> None:
    notify(session, session.get(User, entry.user_id), event, now=now, entry=entry, **entry_facts(slot, **facts))


def lapse_due(session: Session, now: datetime) -> list[str]:
    """Wins and offers not claimed by their deadline lapse; their places wait for the next offer."""
    with unit_of_work(session):  # ended at once: on SQLite even a read holds the write lock
        due = session.scalars(
            select(LotteryEntry.id)
            .where(LotteryEntry.status.in_(CLAIMABLE), LotteryEntry.claim_by <= now)
            .order_by(LotteryEntry.id)
        ).all()
    done = []
    for entry_id in due:
        with unit_of_work(session):
            entry = session.get(LotteryEntry, entry_id, populate_existing=True)
            deadline = entry.claim_by
            if entry.status in CLAIMABLE and move_entry(session, entry, "lapsed", LotteryEntry.claim_by <= now):
                release_entry(session, entry, "lapsed", now)
                _tell(session, entry, "lottery_lapsed", session.get(Slot, entry.won_slot_id), now, deadline=deadline)
                done.append(f"lapsed entry {entry_id}")
    return done


def _reserve_of(session: Session, slot: Slot, weekend) -> list[LotteryEntry]:
    """The session's reserve list still waiting, in drawn order (households with a win or offer are not here)."""
    key = str(slot.id)
    waiting = session.scalars(
        select(LotteryEntry).where(LotteryEntry.weekend == weekend, LotteryEntry.status == "reserve")
    ).all()
    return sorted((e for e in waiting if key in (e.reserve or {})), key=lambda e: e.reserve[key])


def _first_come(session: Session, slot_id: int) -> int:
    """Give every waiting place of the session to first-come (it leaves held); how many."""
    moved = session.execute(
        update(LotteryRelease)
        .where(LotteryRelease.slot_id == slot_id, LotteryRelease.status == "waiting")
        .values(status="first_come")
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        session.execute(
            update(Slot)
            .where(Slot.id == slot_id, Slot.held >= moved)
            .values(held=Slot.held - moved)
            .execution_options(synchronize_session=False)
        )
    return moved


def _offer_next(session: Session, slot_id: int, now: datetime) -> str | None:
    """One step for a session's waiting places: an offer to the first reserve entry that fits, or first-come.

    None when there is nothing (more) to do now: no waiting place, or every entry left on the list needs more
    places than are waiting (they wait for more to be freed, or for the cut-off).
    """
    waiting = session.scalars(
        select(LotteryRelease)
        .where(LotteryRelease.slot_id == slot_id, LotteryRelease.status == "waiting")
        .order_by(LotteryRelease.id)
    ).all()
    if not waiting:
        return None
    slot = session.get(Slot, slot_id)
    hold = offer_hold(now, slot.starts_at)
    reserve = _reserve_of(session, slot, waiting[0].weekend) if hold is not None else []
    if not reserve:
        moved = _first_come(session, slot_id)
        return f"first-come {moved} in slot {slot_id}" if moved else None
    fitting = [e for e in reserve if e.places <= len(waiting)]
    if not fitting:
        return None
    entry = fitting[0]
    rows = [r.id for r in waiting[: entry.places]]
    taken = session.execute(
        update(LotteryRelease)
        .where(LotteryRelease.id.in_(rows), LotteryRelease.status == "waiting")
        .values(status="offered", entry_id=entry.id, offered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != len(rows) or not move_entry(session, entry, "offered", won_slot_id=slot_id, claim_by=now + hold):
        raise _Raced
    _tell(session, entry, "lottery_offer", slot, now, deadline=now + hold)
    return f"offered slot {slot_id} to entry {entry.id}"


def offer_freed(session: Session, now: datetime) -> list[str]:
    """Offer every waiting freed place (or give it to first-come), each offer in its own transaction."""
    with unit_of_work(session):
        slot_ids = session.scalars(
            select(LotteryRelease.slot_id).where(LotteryRelease.status == "waiting").distinct()
        ).all()
    done = []
    for slot_id in sorted(slot_ids):
        while True:
            try:
                with unit_of_work(session):
                    step = _offer_next(session, slot_id, now)
            except _Raced:
                continue  # rolled back: read the rows again
            if step is None:
                break
            done.append(step)
    return done
