"""What the lottery's pages show: the basket, each entry's stages on 내 예약, the lottery cells of a facility's week.

The basket (up to 3 ranked sessions, across facilities) lives in the signed Flask session, so it persists while a
parent browses and works without JavaScript; every change is checked with the entry's own rules
(services.lottery_slots), so the basket refuses what the entry would, with the same Korean message.

The facility page's week and 내 예약 are drawn by the booking pages, a layer below this package. They are not
taught about the lottery: `connect` adds the lottery's parts to their templates' context through Flask's
``before_render_template`` signal (the week's lottery cells, the household's entries).
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, before_render_template, request, url_for
from flask import session as web_session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.auth.services import children_of
from app.bookings.children import child_choices
from app.bookings.choices import SlotState
from app.bookings.models import Slot
from app.bookings.policy import get_policy, lottery_allocates
from app.bookings.rules import kst_day
from app.bookings.services import held_by
from app.extensions import db
from app.facilities.choices import WEEKDAY_LABELS
from app.facilities.hours import when_label
from app.facilities.models import Facility
from app.lottery.draw import MAX_CHOICES
from app.lottery.models import LotteryEntry
from app.lottery.services import cycle_times, entries_of, lottery_slots, reserve_position, weekend_of
from app.timeutil import KST, utcnow
from app.validation import InvalidValue, parse_date

BASKET_KEY = "lottery_basket"


# ---- words for moments -------------------------------------------------------------------------------------------


def moment_text(moment: datetime) -> str:
    """ "12/8 (화) 09:00" in Seoul time."""
    local = moment.astimezone(KST)
    return f"{local.month}/{local.day} ({WEEKDAY_LABELS[local.weekday()]}) {local:%H:%M}"


def long_moment_text(moment: datetime) -> str:
    """ "2026년 12월 11일 (금) 12:00" in Seoul time."""
    local = moment.astimezone(KST)
    return f"{local.year}년 {local.month}월 {local.day}일 ({WEEKDAY_LABELS[local.weekday()]}) {local:%H:%M}"


def left_text(until: datetime, now: datetime) -> str:
    """How long until `until`, in the words lottery.js also writes: "1일 3시간 남음", "25분 남음", "마감"."""
    minutes = int((until - now).total_seconds() // 60)
    if minutes <= 0:
        return "기한 지남"
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}일 {hours}시간 남음"
    if hours:
        return f"{hours}시간 {minutes}분 남음"
    return f"{minutes}분 남음"


def cycle_view(times: dict[str, datetime]) -> dict:
    """A weekend's cycle as the pages write it, with one sentence for a note."""
    view = {
        "opens": moment_text(times["lottery_opens"]),
        "closes": moment_text(times["lottery_closes"]),
        "draw": moment_text(times["lottery_draw"]),
        "claim_by": moment_text(times["lottery_claim_by"]) if "lottery_claim_by" in times else None,
    }
    text = f"신청 {view['opens']}–{view['closes']} · 추첨 {view['draw']}"
    view["text"] = text + (f" · 확정 {view['claim_by']}까지" if view["claim_by"] else "")
    return view


# ---- the basket --------------------------------------------------------------------------------------------------


def basket_ids() -> list[int]:
    """The slot ids in the basket, in ranked order."""
    raw = web_session.get(BASKET_KEY) or []
    return [i for i in raw if isinstance(i, int)][:MAX_CHOICES]


def save_basket(ids: list[int]) -> None:
    web_session[BASKET_KEY] = list(ids)


def add_to_basket(session: Session, slot_id: int) -> int:
    """Add a session at the lowest rank; the entry's rules refuse a 4th, a weekday or another weekend's session.

    Returns the session's rank (1-based). Raises LotteryError / BookingError with the entry's message.
    """
    ids = basket_ids()
    if slot_id not in ids:
        lottery_slots(session, ids + [slot_id])
        ids.append(slot_id)
        save_basket(ids)
    return ids.index(slot_id) + 1


def remove_from_basket(slot_id: int) -> None:
    save_basket([i for i in basket_ids() if i != slot_id])


def move_in_basket(slot_id: int, up: bool) -> None:
    """Swap a session with the one ranked above (up) or below it."""
    ids = basket_ids()
    if slot_id not in ids:
        return
    at = ids.index(slot_id)
    other = at - 1 if up else at + 1
    if 0 <= other < len(ids):
        ids[at], ids[other] = ids[other], ids[at]
        save_basket(ids)


def slots_by_id(session: Session, ids) -> dict[int, Slot]:
    ids = set(ids)
    if not ids:
        return {}
    query = select(Slot).where(Slot.id.in_(ids)).options(joinedload(Slot.facility))
    return {s.id: s for s in session.scalars(query)}


def basket_view(session: Session, now: datetime) -> dict:
    """The basket's sessions (gone or past ones dropped), their weekend's cycle, and for a parent the children."""
    ids = basket_ids()
    slots = slots_by_id(session, ids)
    kept = [i for i in ids if i in slots and slots[i].starts_at > now]
    if kept != ids:
        save_basket(kept)
    rows, policies = [], []
    for rank, slot_id in enumerate(kept, start=1):
        slot = slots[slot_id]
        policy = get_policy(session, slot.facility)
        policies.append(policy)
        rows.append(
            {"rank": rank, "slot": slot, "facility": slot.facility, "when": when_label(slot.starts_at, slot.ends_at)}
        )
    view = {"rows": rows, "max": MAX_CHOICES, "cycle": None, "children": [], "max_guardians": 1, "open": False}
    if not rows:
        return view
    weekend = weekend_of(kst_day(rows[0]["slot"].starts_at))
    cycles = [cycle_times(p, weekend) for p in policies]
    times = {
        "lottery_opens": max(c["lottery_opens"] for c in cycles),
        "lottery_closes": min(c["lottery_closes"] for c in cycles),
        "lottery_draw": max(c["lottery_draw"] for c in cycles),
        "lottery_claim_by": min(c["lottery_claim_by"] for c in cycles),
    }
    view.update(
        weekend=weekend,
        cycle=cycle_view(times),
        open=times["lottery_opens"] <= now < times["lottery_closes"],
        not_yet=now < times["lottery_opens"],
        max_guardians=min(p.max_guardians for p in policies),
        max_children=min(p.max_children for p in policies),
    )
    if current_user.is_authenticated:
        view["children"] = _child_rows(session, rows, policies)
    return view


def _child_rows(session: Session, rows: list[dict], policies) -> list[dict]:
    """Each child with the first reason any chosen session would refuse them (the booking form's rules)."""
    children = children_of(session, current_user)
    if not children:
        return []
    held = held_by(session, [c.id for c in children], rows[0]["slot"].starts_at)
    merged = []
    for child in children:
        age, why = None, None
        for row, policy in zip(rows, policies, strict=True):
            choice = child_choices(session, policy, row["facility"], row["slot"], [child], 1, held)[0]
            age = age or choice["age"]
            if choice["why"] and why is None:
                why = choice["why"] if len(rows) == 1 else f"{row['rank']}순위 {row['facility'].name}: {choice['why']}"
        merged.append({"child": child, "age": age, "why": why})
    return merged


# ---- a household's entries on 내 예약 -------------------------------------------------------------------------------

# What each status shows: the stage it is at (0 신청, 1 추첨, 2 당첨/예비, 3 확정) and, for an ended entry, why.
_STAGE_AT = {
    "entered": 0,
    "withdrawn": 0,
    "won": 2,
    "reserve": 2,
    "offered": 2,
    "lost": 2,
    "declined": 2,
    "lapsed": 2,
    "claimed": 3,
}
_ENDED = {
    "withdrawn": "신청을 취소했습니다.",
    "lost": "당첨되지 않았고 예비 순번도 없습니다.",
    "declined": "당첨된 자리를 포기했습니다.",
    "lapsed": "확정 기한이 지나 자리가 다음 예비 순번에게 넘어갔습니다.",
}
_RESULT_LABEL = {
    "won": "당첨",
    "offered": "자리 제안",
    "lost": "미당첨",
    "declined": "당첨 (포기)",
    "lapsed": "당첨 (기한 지남)",
}


def _reserve_rows(entry: LotteryEntry, slots: dict[int, Slot]) -> list[dict]:
    positions = {int(k): int(v) for k, v in (entry.reserve or {}).items()}
    return [
        {"rank": rank, "slot": slots.get(slot_id), "position": positions[slot_id]}
        for rank, slot_id in enumerate(entry.slot_ids, start=1)
        if slot_id in positions
    ]


def entry_view(session: Session, entry: LotteryEntry, slots: dict[int, Slot], now: datetime) -> dict:
    """An entry with its stages (an ordered list, the current one marked), deadline and the actions it allows."""
    status = entry.status
    at = _STAGE_AT.get(status, 0)
    reserve = _reserve_rows(entry, slots)
    position = reserve_position(entry)
    if status == "reserve" and position:
        result = f"예비 {position}번"
    elif status == "offered" and position:
        result = f"예비 {position}번 → 자리 제안"
    else:
        result = _RESULT_LABEL.get(status, "당첨 / 예비")
    times = None
    chosen = [slots[i] for i in entry.slot_ids if i in slots]
    if chosen:
        times = cycle_times(get_policy(session, chosen[0].facility), entry.weekend)
    draw_note = f"{moment_text(times['lottery_draw'])} 추첨" if times else "추첨"
    names = ["신청", draw_note if at == 0 else "추첨", result, "확정"]
    stages = [
        {"label": label, "state": "done" if i < at else ("current" if i == at else "todo")}
        for i, label in enumerate(names)
    ]
    deadline = entry.claim_by if status in ("won", "offered") and entry.claim_by else None
    won = slots.get(entry.won_slot_id) if entry.won_slot_id else None
    return {
        "entry": entry,
        "choices": [
            {"rank": rank, "slot": slots[i], "when": when_label(slots[i].starts_at, slots[i].ends_at)}
            for rank, i in enumerate(entry.slot_ids, start=1)
            if i in slots
        ],
        "stages": stages,
        "ended": _ENDED.get(status),
        "won": won and {"slot": won, "when": when_label(won.starts_at, won.ends_at)},
        "reserve": reserve,
        "deadline": deadline
        and {
            "iso": deadline.astimezone(KST).isoformat(),
            "text": long_moment_text(deadline),
            "left": left_text(deadline, now),
            "now": now.astimezone(KST).isoformat(),  # the countdown runs on the server's clock, not the phone's
        },
        "can_withdraw": status == "entered" and times is not None and now < times["lottery_closes"],
        "can_answer": status in ("won", "offered") and (deadline is None or now < deadline),
        "offer": status == "offered",
        "draw_url": url_for("lottery.draw_page", draw_weekend=entry.weekend.isoformat()),
        "weekend": f"{entry.weekend.month}/{entry.weekend.day} 주말",
    }


def entry_views(session: Session, user, now: datetime) -> list[dict]:
    entries = entries_of(session, user)
    slots = slots_by_id(session, {i for e in entries for i in [*e.slot_ids, e.won_slot_id] if i})
    return [entry_view(session, e, slots, now) for e in entries]


# ---- the lottery's cells in a facility's week ----------------------------------------------------------------------

_NOT_LOTTERY = {SlotState.PAST, SlotState.CLOSED, SlotState.BLOCKED}


def mark_week(session: Session, facility: Facility, week: dict, now: datetime) -> None:
    """Mark the week's lottery sessions (in place): "추첨", the weekend's cycle, and whether the basket takes them."""
    policy = week.get("policy") or get_policy(session, facility)
    if policy.allocation != "lottery_weekends":
        return
    basket = basket_ids()
    entered = set()  # weekends this household has entered already (one entry a weekend)
    if current_user.is_authenticated:
        entered = {e.weekend for e in entries_of(session, current_user) if e.status != "withdrawn"}
    back = url_for("facilities.detail", facility_id=facility.id, week=week["start"]) + "#slots"
    noted: set[date] = set()  # the cycle is written once per weekend, on its first lottery day
    for day in week["days"]:
        for item in day["slots"]:
            starts = datetime.fromisoformat(item["starts_at"])
            # Not the lottery's: finished or closed, a first-come session, or what the lottery left (first-come now).
            if item["state"] in _NOT_LOTTERY or not lottery_allocates(policy, starts, now):
                continue
            weekend = weekend_of(starts.date())
            times = cycle_times(policy, weekend)
            if now < times["lottery_opens"]:
                phase = f"{moment_text(times['lottery_opens'])} 신청 시작"
            elif now < times["lottery_closes"]:
                phase = "이 주말 신청 완료" if weekend in entered else None
            elif now < times["lottery_draw"]:
                phase = f"{moment_text(times['lottery_draw'])} 추첨"
            else:
                phase = "추첨 완료"
            rank = basket.index(item["id"]) + 1 if item["id"] in basket else None
            item["lottery"] = {"phase": phase, "rank": rank, "can_add": phase is None and rank is None, "back": back}
            if weekend not in noted:
                noted.add(weekend)
                day["lottery_note"] = cycle_view(times)["text"]
    week["lottery"] = {"basket": len(basket), "max": MAX_CHOICES}


def _facility_in_request() -> Facility | None:
    facility_id = (request.view_args or {}).get("facility_id")
    return db.session.get(Facility, facility_id) if facility_id else None


def _add_to_context(sender: Flask, template, context: dict, **_) -> None:
    """before_render_template: the lottery's parts of the booking pages' templates."""
    if template.name in ("facilities/detail.html", "bookings/_week_fragment.html") and context.get("week"):
        facility = context.get("facility") or _facility_in_request()
        if facility is not None:
            mark_week(db.session, facility, context["week"], utcnow())
    elif template.name == "bookings/mine.html" and current_user.is_authenticated:
        context["lottery"] = {"entries": entry_views(db.session, current_user, utcnow()), "basket": len(basket_ids())}


def connect(app: Flask) -> None:
    """Add the lottery's parts to the booking pages of `app` (see the module's docstring)."""
    before_render_template.connect(_add_to_context, app)


def weekend_param(raw: str) -> date | None:
    """A Saturday from a URL ("2027-01-09") within the dates the service talks about, or None."""
    try:
        day = parse_date(raw, "weekend")
    except InvalidValue:
        return None
    return day if day.weekday() == 5 else None
