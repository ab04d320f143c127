"""A booking as iCalendar (RFC 5545), built with the icalendar library."""

from __future__ import annotations

from icalendar import Calendar, Event

from app.bookings.choices import BookingStatus
from app.timeutil import KST

STATUS_MAP = {
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.CHECKED_IN: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.NO_SHOW: "CANCELLED",
}


def to_ics(booking) -> str:
    """One VEVENT for the booking, times in Asia/Seoul."""
    cal = Calendar()
    cal.add("prodid", "-//Nadeuri//나들이 예약//KO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    event = Event()
    facility = booking.facility
    event.add("uid", f"booking-{booking.id}-{booking.code}@nadeuri")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", booking.starts_at.astimezone(KST))
    event.add("dtend", booking.ends_at.astimezone(KST))
    event.add("summary", f"{facility.name} 예약 ({booking.code})")
    if facility.address:
        event.add("location", facility.address)
    names = ", ".join(c.name for c in booking.children)
    event.add("description", f"예약번호 {booking.code}\n아이: {names}\n보호자 {booking.guardians}명")
    event.add("status", STATUS_MAP[booking.status])
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")
