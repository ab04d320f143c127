"""What each event says: one line per event in EVENTS (Korean, facility, date and time, booking code, link; no ads).

Adding an event (the lottery's draw result, an offer of a freed place, …) is one ``Event`` entry here and a
``notify(session, user, "event_name", booking, **facts)`` where it happens. Texts are ``str.format`` templates over
the payload frozen at the event (see ``booking_facts``); a missing fact is a bug and raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.facilities.hours import when_label


@dataclass(frozen=True)
class Event:
    """An event's short name (lists), subject and body; `reminder` ones obey the parent's "reminders off"."""

    label: str
    subject: str
    body: str
    reminder: bool = False


FOOTER = "\n\n나들이(서울 가족 나들이 예약) 알림입니다. 알림 설정: {site}/settings/notifications"
BOOKING_LINES = "시설: {facility}\n일시: {when}\n예약번호: {code}\n예약 보기: {link}"

EVENTS: dict[str, Event] = {
    "booking_confirmed": Event(
        "예약 확정", "[나들이] 예약이 확정되었습니다", "예약이 확정되었습니다.\n" + BOOKING_LINES
    ),
    "booking_cancelled": Event(
        "예약 취소", "[나들이] 예약이 취소되었습니다", "예약이 취소되었습니다.\n사유: {reason}\n" + BOOKING_LINES
    ),
    "booking_reminder": Event(
        "전날 알림",
        "[나들이] 내일 예약이 있습니다",
        "내일 예약이 있습니다. 입장은 시작 10분 전부터입니다.\n" + BOOKING_LINES,
        True,
    ),
    "no_show": Event(
        "노쇼 처리",
        "[나들이] 노쇼로 처리되었습니다",
        "예약 시간에 오지 않아 노쇼로 처리되었습니다. {until}까지 새 예약을 할 수 없습니다.\n" + BOOKING_LINES,
    ),
    "password_reset": Event(
        "비밀번호 재설정",
        "[나들이] 비밀번호 재설정",
        "아래 링크에서 새 비밀번호를 정해 주세요. 링크는 {minutes}분 동안 한 번만 쓸 수 있습니다.\n{link}\n\n"
        "요청하지 않았다면 이 메일을 무시해 주세요. 비밀번호는 바뀌지 않습니다.",
    ),
}


EVENT_LABELS = {name: event.label for name, event in EVENTS.items()}


def site_url() -> str:
    """The public address links in messages start with (SITE_URL; the worker has no request to ask)."""
    return current_app.config["SITE_URL"].rstrip("/")


def booking_facts(booking) -> dict:
    """The payload every booking event's text uses."""
    return {
        "facility": booking.facility.name,
        "when": when_label(booking.starts_at, booking.ends_at),
        "code": booking.code,
        "link": f"{site_url()}/bookings/{booking.id}",
    }


def render(event: str, payload: dict) -> tuple[str, str]:
    """(subject, body) of a message."""
    spec = EVENTS[event]
    return spec.subject, spec.body.format(**payload) + FOOTER.format(site=site_url())
