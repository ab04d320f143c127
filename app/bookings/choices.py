"""Booking statuses with their Korean labels (one list for the parent's pages, the roster and the CSV export)."""

from __future__ import annotations

from app.choices import Choices


class BookingStatus(Choices):
    """Where a booking stands. "입장" (not "입장 완료") is the checked-in label everywhere, as the roster had it."""

    CONFIRMED = "confirmed", "예약 확정"
    CANCELLED = "cancelled", "취소됨"
    CHECKED_IN = "checked_in", "입장"
    NO_SHOW = "no_show", "노쇼"


# Bookings that hold their places.
ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


class SlotState(Choices):
    """A session as a parent sees it (키움포털's words) and its word in a narrow grid cell (bookings/week.py).

    Checked in this order by app.bookings.availability.session_state: the first that applies wins.
    """

    short: str

    def __init__(self, value: str, label: str, short: str = "") -> None:
        self.short = short

    OPEN = "open", "예약 가능", ""
    PAST = "past", "지난 회차", "–"
    CLOSED = "closed", "휴관", "휴관"
    # Closed by the operator for this one session.
    BLOCKED = "blocked", "예약 불가", "불가"
    FULL = "full", "마감", "마감"
    # The booking window (policy.opening_mode, days_ahead, open_time) has not opened yet.
    NOT_OPEN = "not_open", "오픈 전", "오픈 전"
    SAME_DAY = "same_day", "당일 예약 불가", "불가"
