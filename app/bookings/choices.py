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
