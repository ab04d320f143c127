"""Utilisation per facility and day (places, counted per child) and its server-drawn SVG bar chart."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, BookingChild, Slot
from app.bookings.schedule import at_kst
from app.timeutil import KST

SERIES = (
    ("attended", "입장", "#2e7d32"),
    ("booked_waiting", "예약(미입장)", "#1565c0"),
    ("no_show", "노쇼", "#c62828"),
    ("empty", "빈 자리", "#cfd8dc"),
)
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 640, 240, 40, 36, 10


def utilisation(session: Session, facility_id: int, start: date, days: int) -> list[dict]:
    """Per Seoul day: capacity, booked (confirmed + attended + no-show), attended, no-show, cancelled, empty."""
    lo, hi = at_kst(start, "00:00"), at_kst(start + timedelta(days=days), "00:00")
    rows = {
        start + timedelta(days=i): dict(capacity=0, booked=0, attended=0, no_show=0, cancelled=0, empty=0, sessions=0)
        for i in range(days)
    }
    for starts_at, capacity, booked, held in session.execute(
        select(Slot.starts_at, Slot.capacity, Slot.booked, Slot.held).where(
            Slot.facility_id == facility_id, Slot.starts_at >= lo, Slot.starts_at < hi
        )
    ):
        row = rows[starts_at.astimezone(KST).date()]
        row["capacity"] += capacity
        row["booked"] += booked  # the slot counter: confirmed, attended and no-show places
        row["empty"] += max(capacity - booked - held, 0)  # held: the lottery's winners not yet confirmed
        row["sessions"] += 1
    per_status = session.execute(
        select(Slot.starts_at, Booking.status, func.count(BookingChild.id))
        .join(BookingChild, BookingChild.slot_id == Slot.id)
        .join(Booking, Booking.id == BookingChild.booking_id)
        .where(Slot.facility_id == facility_id, Slot.starts_at >= lo, Slot.starts_at < hi)
        .group_by(Slot.starts_at, Booking.status)
    )
    key = {BookingStatus.CHECKED_IN: "attended", BookingStatus.NO_SHOW: "no_show", BookingStatus.CANCELLED: "cancelled"}
    for starts_at, status, count in per_status:
        if status in key:
            rows[starts_at.astimezone(KST).date()][key[status]] += count
    out = []
    for day, row in rows.items():
        row["booked_waiting"] = max(row["booked"] - row["attended"] - row["no_show"], 0)
        out.append({"date": day, **row, "rate": rate(row)})
    return out


def rate(row: dict) -> int | None:
    """Use rate in whole percent: places booked (confirmed, attended, no-show) of the capacity; None without any."""
    return round(100 * row["booked"] / row["capacity"]) if row["capacity"] else None


def chart(rows: list[dict]) -> dict:
    """Stacked bars per day (attended, booked not yet in, no-show, empty) as ready-to-draw rectangles."""
    top = max([r["capacity"] for r in rows] + [1])
    plot_h = CHART_H - PAD_B - PAD_T
    step = (CHART_W - PAD_L) / max(len(rows), 1)
    width = max(step * 0.6, 4)
    bars = []
    for i, r in enumerate(rows):
        x = PAD_L + i * step + (step - width) / 2
        y = CHART_H - PAD_B
        rects = []
        for key, label, colour in SERIES:
            h = plot_h * r[key] / top
            if r[key]:
                rects.append(
                    {
                        "x": round(x, 1),
                        "y": round(y - h, 1),
                        "w": round(width, 1),
                        "h": round(h, 1),
                        "colour": colour,
                        "title": f"{r['date']:%m/%d} {label} {r[key]}",
                    }
                )
            y -= h
        bars.append({"rects": rects, "label": f"{r['date']:%m/%d}", "lx": round(x + width / 2, 1)})
    ticks = [{"y": round(CHART_H - PAD_B - plot_h * v / top, 1), "value": v} for v in sorted({0, top // 2, top})]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "ticks": ticks,
        "base": CHART_H - PAD_B,
        "left": PAD_L,
        "series": SERIES,
    }
