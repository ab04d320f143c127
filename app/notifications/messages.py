"""What each event says: one line per event in EVENTS (Korean, facility, date and time, booking code, link; no ads).

Adding an event is one ``Event`` entry here and a ``notify(session, user, "event_name", booking, **facts)`` where
it happens; the lottery's events are about an entry instead: ``notify(…, entry=entry, **entry_facts(slot, …))``.
Texts are ``str.format`` templates over the payload frozen at the event (see ``booking_facts``); a missing fact is
a bug and raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.facilities.choices import WEEKDAY_LABELS
from app.facilities.hours import when_label
from app.timeutil import KST


@dataclass(frozen=True)
class Event:
    """An event's short name (lists), subject and body; `reminder` ones obey the parent's "reminders off"."""

    label: str
    subject: str
    body: str
    reminder: bool = False


FOOTER = "\n\n나들이(서울 가족 나들이 예약) 알림입니다. 알림 설정: {site}/settings/notifications"
BOOKING_LINES = "시설: {facility}\n일시: {when}\n예약번호: {code}\n예약 보기: {link}"
ENTRY_LINES = "시설: {facility}\n일시: {when}\n내 예약에서 보기: {link}"

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
    "lottery_won": Event(
        "추첨 당첨",
        "[나들이] 주말 추첨에 당첨되었습니다",
        "주말 추첨에 당첨되었습니다. {deadline}까지 확정해 주세요. 확정하지 않으면 자리는 예비 순서로 넘어갑니다.\n"
        + ENTRY_LINES,
    ),
    "lottery_reserve": Event(
        "추첨 예비",
        "[나들이] 주말 추첨 예비 {position}번입니다",
        "주말 추첨에서 예비 {position}번이 되었습니다. 자리가 나면 예비 순서대로 제안해 드립니다.\n" + ENTRY_LINES,
    ),
    "lottery_lost": Event(
        "추첨 미당첨",
        "[나들이] 주말 추첨 결과를 알려 드립니다",
        "아쉽게도 이번 주말 추첨에서는 자리를 배정받지 못했습니다.\n" + ENTRY_LINES,
    ),
    "lottery_offer": Event(
        "빈자리 제안",
        "[나들이] 빈자리가 생겼습니다: {deadline}까지 확정해 주세요",
        "예비 순서에 따라 빈자리를 제안해 드립니다. {deadline}까지 확정해 주세요. "
        "그때까지 확정하지 않으면 다음 순서로 넘어갑니다.\n" + ENTRY_LINES,
    ),
    "lottery_lapsed": Event(
        "확정 기한 지남",
        "[나들이] 확정 기한이 지나 자리가 넘어갔습니다",
        "{deadline}까지 확정하지 않아 자리가 다음 순서로 넘어갔습니다.\n" + ENTRY_LINES,
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


def entry_facts(slot, deadline=None, position: int | None = None) -> dict:
    """The payload a lottery entry's events use: the session it is about (won, offered or first choice)."""
    facts = {
        "facility": slot.facility.name,
        "when": when_label(slot.starts_at, slot.ends_at),
        "link": f"{site_url()}/bookings",
    }
    if deadline is not None:
        facts["deadline"] = deadline_label(deadline)
    if position is not None:
        facts["position"] = position
    return facts


def deadline_label(moment) -> str:
    """A deadline as parents read it, in Seoul time: "1월 8일(금) 12:00"."""
    local = moment.astimezone(KST)
    return f"{local.month}월 {local.day}일({WEEKDAY_LABELS[local.weekday()]}) {local:%H:%M}"


def render(event: str, payload: dict) -> tuple[str, str]:
    """(subject, body) of a message."""
    spec = EVENTS[event]
    return spec.subject.format(**payload), spec.body.format(**payload) + FOOTER.format(site=site_url())
