"""The next session of many facilities at once, for the finder's cards and popups (one query per page).

A session's own state (마감, 지난 회차, 오픈 시각 …) for the booking pages is app.bookings.availability.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from operator import itemgetter

from sqlalchemy import ARRAY, Integer, bindparam, func, select, true, union_all
from sqlalchemy.orm import Session

from app.bookings.models import SessionTemplate, Slot
from app.facilities.choices import WEEKDAY_LABELS
from app.facilities.models import Facility
from app.timeutil import KST

# Far enough for a weekly opening schedule; a session further away is "no session soon".
HORIZON_DAYS = 21


def _upcoming(facility_id):
    """A facility's sessions from :now to :until that are not blocked, first first (the index's order)."""
    return (
        select(Slot.facility_id, Slot.starts_at, Slot.capacity, Slot.booked, Slot.held)
        .where(
            Slot.facility_id == facility_id,
            Slot.starts_at > bindparam("now"),
            Slot.starts_at < bindparam("until"),
            Slot.blocked.is_(False),
        )
        .order_by(Slot.starts_at)
        .limit(1)
    )


def _with_places(first):
    """The same look-up for the first session with places left."""
    return first.where(Slot.booked + Slot.held < Slot.capacity)


def _sqlite_picked():
    """SQLite: the ids expanded (one parameter each) into a CTE both correlated look-ups read; then the rows by id.

    The ids are bound once (the CTE): 200 ids bound twice cost more than the query plans.
    """
    wanted = select(Facility.id.label("id")).where(Facility.id.in_(bindparam("ids", expanding=True))).cte("wanted")
    first = _upcoming(wanted.c.id).with_only_columns(Slot.id)
    picked = union_all(
        select(first.scalar_subquery().correlate(wanted)).select_from(wanted),
        select(_with_places(first).scalar_subquery().correlate(wanted)).select_from(wanted),
    )
    return select(Slot.facility_id, Slot.starts_at, Slot.capacity, Slot.booked, Slot.held).where(Slot.id.in_(picked))


def _pg_picked():
    """PostgreSQL: the ids as ONE int[] parameter, unnested and joined LATERAL to each look-up's row.

    200 bound parameters made psycopg parse and bind a long statement per request, and the look-ups by id after the
    correlated ones doubled the index reads: with the benchmark's data this plans in
    ~0.3 ms and runs in ~2 ms, the CTE form in ~1 + 5 ms (EXPLAIN ANALYZE, 200 ids, docs/benchmarks.md).
    """
    wanted = func.unnest(bindparam("ids", type_=ARRAY(Integer))).table_valued("id").render_derived(name="wanted")
    looked_up = []
    for name, lookup in (("first", _upcoming(wanted.c.id)), ("first_free", _with_places(_upcoming(wanted.c.id)))):
        row = lookup.lateral(name)
        looked_up.append(
            select(row.c.facility_id, row.c.starts_at, row.c.capacity, row.c.booked, row.c.held).select_from(
                wanted.join(row, true())
            )
        )
    return union_all(*looked_up)


# Built once (bound :ids, :now, :until), so a request neither builds nor compiles the statement.
_PICKED = {"sqlite": _sqlite_picked(), "postgresql": _pg_picked()}


def next_sessions(session: Session, facility_ids: list[int], now: datetime) -> dict[int, dict]:
    """Per facility: its next session (time, places left or 마감) and, when that is full, the next one with places.

    One statement for all the facilities, built once per dialect (_PICKED). Per facility two look-ups walk the
    (facility_id, starts_at) unique index from `now`: the first session, and the first with places (a few full
    sessions in). A window
    over every session in the horizon read ~25,000 rows for a 200-facility page (50 ms); this reads ~400.
    """
    if not facility_ids:
        return {}
    ids = sorted(set(facility_ids))
    params = {"now": now, "until": now + timedelta(days=HORIZON_DAYS)}
    statement = _PICKED["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    rows = session.connection().execute(statement, {**params, "ids": ids}).all()
    out: dict[int, dict] = {}
    # Rows as plain tuples (facility, start, capacity, booked, held): identical pairs are one session met twice.
    for facility_id, starts_at, capacity, booked, held in sorted(rows, key=itemgetter(0, 1)):
        left = max(capacity - booked - held, 0)
        entry = out.get(facility_id)
        if entry is None:
            local = starts_at.astimezone(KST)
            out[facility_id] = {
                "next": {"starts_at": local.isoformat(), "left": left},
                "text": _session_text(local, left),
            }
        elif left and not entry["next"]["left"] and "free" not in entry:
            local = starts_at.astimezone(KST)
            entry["free"] = {"starts_at": local.isoformat(), "left": left}
            entry["text"] += f" · 다음 빈 회차 {_when(local)} 잔여 {left}석"
    return out


def when_text(starts_at: datetime) -> str:
    """ "12/3(수) 09:30" in Seoul time."""
    return _when(starts_at.astimezone(KST))


def session_text(starts_at: datetime, left: int) -> str:
    """ "다음 회차 12/3(수) 09:30 · 잔여 12석" or "… · 마감"."""
    return _session_text(starts_at.astimezone(KST), left)


def _when(local: datetime) -> str:
    """when_text of a time already in Seoul time (a page's 400 sessions: no conversions twice)."""
    return f"{local.month}/{local.day}({WEEKDAY_LABELS[local.weekday()]}) {local.hour:02d}:{local.minute:02d}"


def _session_text(local: datetime, left: int) -> str:
    return f"다음 회차 {_when(local)} · " + (f"잔여 {left}석" if left else "마감")


def session_hours(session: Session, facility_id: int) -> dict[int, tuple[str, str]]:
    """Per weekday (0 = Monday) the first session's start and the last one's end, from the session templates."""
    rows = session.execute(
        select(SessionTemplate.weekday, func.min(SessionTemplate.starts), func.max(SessionTemplate.ends))
        .where(SessionTemplate.facility_id == facility_id)
        .group_by(SessionTemplate.weekday)
    ).all()
    return {weekday: (starts, ends) for weekday, starts, ends in rows}
