"""The weekend lottery's pages: the basket and entering, withdrawing / claiming / declining, the public draw page.

Rules live in app.lottery.services; these views parse, check login and ownership, call it, and redirect after
each POST (flashing the outcome) or show the refusal's Korean message.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.bookings.rules import BookingError
from app.config import BASE_DIR
from app.database import unit_of_work
from app.extensions import db
from app.facilities.hours import when_label
from app.lottery import pages, services
from app.lottery.public import draw_json
from app.lottery.services import city_cycle, weekend_of
from app.routing import Routes
from app.security import local_target
from app.timeutil import KST, utcnow
from app.validation import GUARDIANS_MAX, ID_MAX, InvalidValue, parse_int

bp = Routes()
VERIFY_SCRIPT = BASE_DIR / "scripts" / "verify_draw.py"
REFS_SHOWN = 500  # longer lists of refs on the page are cut; the JSON has them all


def _form_id(name: str, maximum: int = ID_MAX) -> int | None:
    try:
        return parse_int(request.form.get(name), name, 1, maximum)
    except InvalidValue:
        return None


def _back(default: str) -> str:
    """The form's `next` when it is a path on this site, else `default`."""
    return local_target(request.form.get("next"), default)


def _to_basket():
    return redirect(url_for("lottery.basket") + "#basket-title", code=303)


@bp.post("/lottery/basket/add")
def basket_add():
    slot_id = _form_id("slot")
    if slot_id is None:
        abort(400)
    try:
        rank = pages.add_to_basket(db.session, slot_id)
    except BookingError as refused:
        flash(refused.message, "error")
    else:
        flash(f"추첨 바구니에 {rank}순위로 담았습니다 (최대 {pages.MAX_CHOICES}개).", "success")
    return redirect(_back(url_for("lottery.basket")), code=303)


@bp.post("/lottery/basket/<id:slot_id>/remove")
def basket_remove(slot_id: int):
    pages.remove_from_basket(slot_id)
    flash("바구니에서 뺐습니다.", "success")
    return _to_basket()


@bp.post("/lottery/basket/<id:slot_id>/up")
def basket_up(slot_id: int):
    pages.move_in_basket(slot_id, up=True)
    return _to_basket()


@bp.post("/lottery/basket/<id:slot_id>/down")
def basket_down(slot_id: int):
    pages.move_in_basket(slot_id, up=False)
    return _to_basket()


def _basket_page(error: BookingError | None = None, chosen=frozenset(), guardians: int = 1):
    view = pages.basket_view(db.session, utcnow())
    status = error.status if error else 200
    return render_template(
        "lottery/basket.html", basket=view, error=error, chosen=set(chosen), guardians=guardians
    ), status


@bp.get("/lottery/basket")
def basket():
    return _basket_page()


@bp.post("/lottery/basket/enter")
@login_required
def basket_enter():
    chosen = sorted({int(v) for v in request.form.getlist("child") if v.isdigit() and len(v) <= 9})
    guardians = _form_id("guardians", GUARDIANS_MAX)
    if guardians is None:
        return _basket_page(BookingError("invalid_request", "보호자 수를 골라 주세요", 422), chosen)
    try:
        with unit_of_work():
            entry = services.enter(db.session, current_user, pages.basket_ids(), chosen, guardians, utcnow())
            ref = entry.ref
    except BookingError as refused:
        return _basket_page(refused, chosen, guardians)
    pages.save_basket([])
    flash(f"추첨 신청을 마쳤습니다. 신청 번호 {ref} (추첨 기록에서 이 번호를 찾을 수 있습니다)", "success")
    return redirect(url_for("bookings.mine") + "#lottery-title", code=303)


def _entry_action(action, entry_id: int, done: str):
    """Call a service on the parent's own entry (another's is 404), then back to 내 예약 with the outcome."""
    try:
        with unit_of_work():
            result = action(db.session, current_user, entry_id, utcnow())
    except BookingError as refused:
        if refused.status == 404:
            abort(404)
        flash(refused.message, "error")
        return redirect(url_for("bookings.mine") + f"#entry-{entry_id}", code=303), None
    flash(done, "success")
    return redirect(url_for("bookings.mine") + f"#entry-{entry_id}", code=303), result


@bp.post("/lottery/entries/<id:entry_id>/withdraw")
@login_required
def withdraw(entry_id: int):
    return _entry_action(services.withdraw, entry_id, "추첨 신청을 취소했습니다.")[0]


@bp.post("/lottery/entries/<id:entry_id>/claim")
@login_required
def claim(entry_id: int):
    """Claim a win or an offer: the booking is made (every booking rule checked again) and shown."""
    back, booking = _entry_action(services.claim, entry_id, "당첨된 자리를 확정했습니다. 예약이 되었습니다.")
    return back if booking is None else redirect(url_for("bookings.show", booking_id=booking.id, new=1), code=303)


@bp.post("/lottery/entries/<id:entry_id>/decline")
@login_required
def decline(entry_id: int):
    return _entry_action(services.decline, entry_id, "자리를 포기했습니다. 다음 예비 순번에게 넘어갑니다.")[0]


@bp.get("/lottery/draws")
def draws():
    weekend = weekend_of(utcnow().astimezone(KST).date())
    return redirect(url_for("lottery.draw_page", draw_weekend=weekend.isoformat()))


def _find_ref(record: dict | None, raw: str) -> dict | None:
    """Where a ref stands in the record so far (listed at the close, its place and result after the draw)."""
    ref = raw.strip().lower()
    if not ref:
        return None
    found = {"ref": ref, "listed": bool(record and ref in (record.get("refs") or [])), "drawn": False}
    if record and record.get("order"):
        order = record["order"]
        found["drawn"] = ref in order
        if ref in order:
            found["position"] = order.index(ref) + 1
            found["result"] = next((r for r in record.get("results", []) if r["ref"] == ref), None)
    return found


@bp.get("/lottery/draws/<draw_weekend>")
def draw_page(draw_weekend: str):
    day = pages.weekend_param(draw_weekend)
    if day is None:
        abort(404)
    record = draw_json(db.session, day)
    cycle = city_cycle(db.session, day)
    found = _find_ref(record, request.args.get("ref", "")[:64])
    shown = (record or {}).get("results", [])[:REFS_SHOWN]  # the table's rows, and the ref looked up
    if found and found.get("result"):
        shown = [*shown, found["result"]]
    return render_template(
        "lottery/draw.html",
        weekend=day,
        weekend_text=f"{day.year}년 {day.month}월 {day.day}일 (토)·{(day + timedelta(days=1)).day}일 (일)",
        record=record,
        cycle=pages.cycle_view(cycle),
        sessions=_record_sessions(shown),
        found=found,
        refs_shown=REFS_SHOWN,
        prev=(day - timedelta(days=7)).isoformat(),
        next=(day + timedelta(days=7)).isoformat(),
        this_week=weekend_of(utcnow().astimezone(KST).date()) == day,
    )


def _record_sessions(results: list[dict]) -> dict[str, str]:
    """Slot id → "시설 · 날짜 시간" for the sessions these results name (public: the sessions, not who chose them)."""
    ids = {int(i) for r in results for i in [r["won_slot_id"] or 0, *r["reserve"]] if i}
    slots = pages.slots_by_id(db.session, ids)
    return {str(i): f"{s.facility.name} · {when_label(s.starts_at, s.ends_at)}" for i, s in slots.items()}


@bp.get("/lottery/verify_draw.py")
def verify_script():
    """The stand-alone verifier, as plain text to read or save."""
    return VERIFY_SCRIPT.read_text(encoding="utf-8"), 200, {"Content-Type": "text/plain; charset=utf-8"}
