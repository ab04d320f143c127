"""Lottery figures for pages outside the lottery: a session's cycle and entry count for GET /api/facilities/<id>/slots,
and per-session entries and results for the operators' roster.

Read only, and counts only: nothing here names a household (not even a ref). One query reads a weekend's entries
(their JSON `slot_ids` are counted in Python, the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bookings.models import BookingPolicy, Slot
from app.bookings.policy import is_lottery_session, lottery_allocates
from app.bookings.rules import kst_day
from app.lottery.draw import MAX_CHOICES
from app.lottery.models import LotteryDraw, LotteryEntry
from app.lottery.services import cycle_times, weekend_of
from app.timeutil import KST, kst_iso

FIRST_COME, LOTTERY = "first_come", "lottery"
# The public names of a session's cycle (the slots API) for the policy's fields.
CYCLE_NAMES = {"lottery_opens": "opens_at", "lottery_closes": "closes_at", "lottery_draw": "draw_at"}
CYCLE_NAMES["lottery_claim_by"] = "claim_by"


def _entries(session: Session, weekends: set[date], *columns) -> list:
    """The active (not withdrawn) entries of these weekends: the given columns, one query."""
    if not weekends:
        return []
    return session.execute(
        select(LotteryEntry.slot_ids, *columns).where(
            LotteryEntry.weekend.in_(sorted(weekends)), LotteryEntry.status != "withdrawn"
        )
    ).all()


def choice_counts(rows) -> dict[int, list[int]]:
    """Per slot id: how many entries chose it 1st, 2nd, 3rd."""
    counts: dict[int, list[int]] = {}
    for row in rows:
        for rank, slot_id in enumerate(row.slot_ids[:MAX_CHOICES]):
            counts.setdefault(int(slot_id), [0] * MAX_CHOICES)[rank] += 1
    return counts


def add_allocation(session: Session, policy: BookingPolicy, items: list[dict], now: datetime) -> list[dict]:
    """Slot items (app.bookings.services.slot_item) with `allocation` and, before the cut-off, `lottery`.

    `allocation` is how the places are handed out now: a lottery session goes first-come LOTTERY_OFFERS_STOP
    before it starts, and from then on it has no `lottery` object. One query for the entry counts of all items.
    """
    starts = {item["id"]: datetime.fromisoformat(item["starts_at"]) for item in items}
    drawn = {slot_id: at for slot_id, at in starts.items() if lottery_allocates(policy, at, now)}
    weekends = {slot_id: weekend_of(kst_day(at)) for slot_id, at in drawn.items()}
    counts = choice_counts(_entries(session, set(weekends.values())))
    for item in items:
        weekend = weekends.get(item["id"])
        item["allocation"] = FIRST_COME if weekend is None else LOTTERY
        if weekend is not None:
            times = cycle_times(policy, weekend)
            item["lottery"] = {
                **{CYCLE_NAMES[name]: kst_iso(at) for name, at in times.items()},
                "entries": sum(counts.get(item["id"], ())),
            }
    return items


def roster_lottery(session: Session, policy: BookingPolicy, slots: list[Slot], now: datetime) -> dict[int, dict]:
    """Per lottery session of a roster: entries by rank and, once drawn, the results (counts, offer expiries).

    Winners and reserve lists come from the draw's public record (what the draw decided); claimed, waiting,
    offered, declined and lapsed from the entries' current status (an offer is an entry `offered` the freed
    place, `won_slot_id`, until `claim_by`). Two queries for the whole roster.
    """
    lottery = [s for s in slots if is_lottery_session(policy, s.starts_at)]
    if not lottery:
        return {}
    weekends = {weekend_of(kst_day(s.starts_at)) for s in lottery}
    rows = _entries(
        session, weekends, LotteryEntry.status, LotteryEntry.won_slot_id, LotteryEntry.places, LotteryEntry.claim_by
    )
    draws = {
        d.weekend: d
        for d in session.scalars(
            select(LotteryDraw).where(LotteryDraw.weekend.in_(sorted(weekends)), LotteryDraw.status == "drawn")
        )
    }
    counts = choice_counts(rows)
    out = {}
    for slot in lottery:
        weekend = weekend_of(kst_day(slot.starts_at))
        cycle = cycle_times(policy, weekend)
        figures = {
            "choices": counts.get(slot.id, [0] * MAX_CHOICES),
            "draw_at": cycle["lottery_draw"].astimezone(KST),
            "claim_by": cycle["lottery_claim_by"].astimezone(KST),
            "first_come": not lottery_allocates(policy, slot.starts_at, now),
            "drawn": weekend in draws,
        }
        if weekend in draws:
            figures.update(_results(draws[weekend].record or {}, [r for r in rows if r.won_slot_id == slot.id], slot))
        out[slot.id] = figures
    return out


def _results(record: dict, held: list, slot: Slot) -> dict:
    """A drawn session's results: from the record (won, reserve) and its entries' status now."""
    places = {e["ref"]: e["places"] for e in record.get("entries", [])}
    won = [r["ref"] for r in record.get("results", []) if r.get("won_slot_id") == slot.id]
    reserve = sum(1 for r in record.get("results", []) if str(slot.id) in (r.get("reserve") or {}))
    status = Counter(r.status for r in held)
    return {
        "won": len(won),
        "won_places": sum(places.get(ref, 0) for ref in won),
        "claimed": status["claimed"],
        "claimed_places": sum(r.places for r in held if r.status == "claimed"),
        "waiting": status["won"],
        "reserve": reserve,
        "offers": sorted(r.claim_by.astimezone(KST) for r in held if r.status == "offered" and r.claim_by),
        "declined": status["declined"],
        "lapsed": status["lapsed"],
    }
