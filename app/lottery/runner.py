"""`flask run-lottery`: publish each weekend's commitment, close its entries, run its draw, lapse unclaimed wins and
offers, offer the freed places to the reserve lists (app/lottery/offers.py) — each step once.

Every step is claimed with a conditional UPDATE (the draw row's status open → closed → drawn; an entry's or a freed
place's status), so several processes may run this at the same moment: only the one whose UPDATE changed the row
does the step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.bookings.models import BookingPolicy, Slot
from app.bookings.policy import get_policy
from app.bookings.rules import kst_day
from app.database import unit_of_work
from app.lottery.draw import Entry, digest, run_draw
from app.lottery.models import LotteryDraw, LotteryEntry
from app.lottery.offers import lapse_due, offer_freed
from app.lottery.services import city_cycle, cycle_times, ensure_draw, weekend_of
from app.notifications import notify
from app.notifications.messages import entry_facts
from app.timeutil import KST


def _claim(session: Session, draw_id: int, before: str, after: str, **values) -> bool:
    """Move a draw from `before` to `after`; True only for the one caller whose UPDATE changed it."""
    result = session.execute(
        update(LotteryDraw)
        .where(LotteryDraw.id == draw_id, LotteryDraw.status == before)
        .values(status=after, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _entered(session: Session, weekend) -> list[LotteryEntry]:
    return list(
        session.scalars(
            select(LotteryEntry)
            .where(LotteryEntry.weekend == weekend, LotteryEntry.status == "entered")
            .order_by(LotteryEntry.ref)
        ).all()
    )


def open_draw(session: Session, now: datetime) -> bool:
    """When this week's entries open (and a facility uses the lottery), create the draw with its commitment."""
    weekend = weekend_of(now.astimezone(KST).date())
    if not session.scalar(select(exists().where(BookingPolicy.allocation == "lottery_weekends"))):
        return False
    cycle = city_cycle(session, weekend)
    if not cycle["lottery_opens"] <= now < cycle["lottery_closes"]:
        return False
    return ensure_draw(session, weekend, now)[1]


def close_draw(session: Session, draw: LotteryDraw, now: datetime) -> bool:
    """At the close: fix the entries, publish their refs and digest."""
    if now < city_cycle(session, draw.weekend)["lottery_closes"]:
        return False
    if not _claim(session, draw.id, "open", "closed", closed_at=now):
        return False
    refs = [e.ref for e in _entered(session, draw.weekend)]
    session.execute(update(LotteryDraw).where(LotteryDraw.id == draw.id).values(refs=refs, digest=digest(refs)))
    return True


def capacities(session: Session, slot_ids: set[int]) -> dict[int, int]:
    """Places left in each chosen session at the draw (blocked or started sessions have none)."""
    slots = session.scalars(select(Slot).where(Slot.id.in_(slot_ids))).all() if slot_ids else []
    return {s.id: 0 if s.blocked else s.remaining for s in slots}


def do_draw(session: Session, draw: LotteryDraw, now: datetime) -> bool:
    """At the draw time: run the published algorithm, set every entry won / reserve / lost and tell each household;
    the won places are held on their sessions until claimed."""
    if now < city_cycle(session, draw.weekend)["lottery_draw"]:
        return False
    if not _claim(session, draw.id, "closed", "drawn", drawn_at=now):
        return False
    session.refresh(draw)
    entries = [e for e in _entered(session, draw.weekend) if e.ref in set(draw.refs or [])]
    places = capacities(session, {s for e in entries for s in e.slot_ids})
    record = run_draw(draw.secret, [Entry(e.ref, tuple(e.slot_ids), e.places) for e in entries], places)
    draw.seed, draw.record = record.seed, record.to_json()
    by_ref = {e.ref: e for e in entries}
    held: dict[int, int] = {}
    for result in record.results:
        entry = by_ref[result.ref]
        if result.won_slot_id is not None:
            slot = session.get(Slot, result.won_slot_id)
            policy = get_policy(session, slot.facility)
            entry.status, entry.won_slot_id = "won", slot.id
            entry.claim_by = cycle_times(policy, weekend_of(kst_day(slot.starts_at)))["lottery_claim_by"]
            held[slot.id] = held.get(slot.id, 0) + entry.places
            facts = entry_facts(slot, deadline=entry.claim_by)
        elif result.reserve:
            entry.status, entry.reserve = "reserve", {str(s): p for s, p in result.reserve}
            first, position = result.reserve[0]
            facts = entry_facts(session.get(Slot, first), position=position)
        else:
            entry.status = "lost"
            facts = entry_facts(session.get(Slot, entry.slot_ids[0]))
        session.flush()
        notify(session, session.get(User, entry.user_id), f"lottery_{entry.status}", now=now, entry=entry, **facts)
    for slot_id, places in sorted(held.items()):
        session.execute(
            update(Slot)
            .where(Slot.id == slot_id)
            .values(held=Slot.held + places)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return True


def run_lottery(session: Session, now: datetime) -> list[str]:
    """Every lottery step that is due, each in its own transaction; returns what was done (for the log)."""
    done = []
    with unit_of_work(session):
        if open_draw(session, now):
            done.append(f"opened {weekend_of(now.astimezone(KST).date())}")
    # Draws still open or closed, newest first; older weekends too, in case the job did not run for a while.
    since = now.astimezone(KST).date() - timedelta(days=35)
    with unit_of_work(session):  # ended at once: on SQLite even a read holds the write lock (BEGIN IMMEDIATE)
        pending = session.scalars(
            select(LotteryDraw.id).where(LotteryDraw.status.in_(("open", "closed")), LotteryDraw.weekend >= since)
        ).all()
    for draw_id in pending:
        for step, name in ((close_draw, "closed"), (do_draw, "drawn")):
            with unit_of_work(session):
                draw = session.get(LotteryDraw, draw_id)
                if step(session, draw, now):
                    done.append(f"{name} {draw.weekend}")
    return done + lapse_due(session, now) + offer_freed(session, now)
