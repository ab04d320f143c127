"""Notify, deliver, retry: the outbox's life.

`notify` writes outbox rows in the caller's transaction (services flush, the unit of work commits); after that
commit the session hook below enqueues one `deliver` job per new row. `deliver` claims its row with a conditional
UPDATE, so a doubled or retried job never sends twice; a failed send is retried after 1, 2, 4, 8 … minutes
(attempts counted on the row) until NOTIFY_MAX_ATTEMPTS, then the row is failed. `sweep` (periodic) re-enqueues due
rows, so a lost enqueue delays a message instead of losing it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, has_app_context
from sqlalchemy import bindparam, event, select, text, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.reset import reset_link
from app.jobs import current_jobs
from app.masking import mask_contact
from app.notifications.channels import DeliveryError, transport_for
from app.notifications.choices import Channel, OutboxStatus
from app.notifications.messages import EVENTS, booking_facts, render
from app.notifications.models import NotificationSettings, OutboxMessage
from app.timeutil import utcnow

PENDING_IDS = "outbox_ids"  # session.info: rows written in this transaction, enqueued after its commit
UNDELIVERABLE_DOMAIN = ".invalid"  # walk-in placeholder accounts (RFC 2606): nobody reads them


def settings_of(session: Session, user: User) -> NotificationSettings:
    """The user's settings (defaults when they never saved any; not added to the session)."""
    return session.get(NotificationSettings, user.id) or _default_settings(user.id)


def _default_settings(user_id: int) -> NotificationSettings:
    return NotificationSettings(user_id=user_id, email=True, kakao=False, reminders=True, phone=None)


_USER_WITH_SETTINGS = (
    select(User, NotificationSettings)
    .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


def user_with_settings(session: Session, user_id: int) -> tuple[User | None, NotificationSettings | None]:
    """The user and their settings (as settings_of gives them) in one query; (None, None) for no such user.

    For a caller that will notify the user: reading both up front keeps that read out of its transaction's locks."""
    row = session.execute(_USER_WITH_SETTINGS, {"user_id": user_id}).first()
    if row is None:
        return None, None
    return row[0], row[1] or _default_settings(user_id)


def offered_channels() -> list[str]:
    """The channels this site offers (NOTIFY_CHANNELS), in their declared order."""
    return list(_channels_in(current_app.config["NOTIFY_CHANNELS"]))


@lru_cache(maxsize=16)
def _channels_in(setting: str) -> tuple[str, ...]:
    wanted = {c.strip() for c in setting.split(",")}
    return tuple(c.value for c in Channel if c.value in wanted)


def address_of(channel: str, user: User, prefs: NotificationSettings) -> str | None:
    """Where a channel reaches the user, or None (no phone; a walk-in placeholder)."""
    if user.email.endswith(UNDELIVERABLE_DOMAIN):
        return None
    return user.email if channel == Channel.EMAIL else (prefs.phone or None)


def notify(
    session: Session,
    user: User,
    name: str,
    booking=None,
    now: datetime | None = None,
    entry=None,
    prefs: NotificationSettings | None = None,
    **facts,
) -> list[str]:
    """Write one outbox row per channel the user gets `name` through; the keys written (or already there).

    A row is about a booking, or about a lottery `entry` (key `event:entry<id>:channel`; its facts come from the
    caller, see messages.entry_facts). `prefs`: the user's settings when the caller has read them already
    (user_with_settings; one query fewer here).
    """
    spec = EVENTS[name]
    now = now or utcnow()
    prefs = prefs if prefs is not None else settings_of(session, user)
    if spec.reminder and not prefs.reminders:
        return []
    if name == "password_reset":  # the account's own address, whatever the parent chose for bookings
        channels = [Channel.EMAIL.value]
        about = f"{user.id}:{secrets.token_hex(8)}"
    else:
        channels = [c for c in offered_channels() if getattr(prefs, c)]
        about = f"entry{entry.id}" if entry is not None else str(booking.id)
    payload = {**(booking_facts(booking) if booking is not None else {}), **facts}
    rows = []
    for channel in channels:
        address = address_of(channel, user, prefs)
        if address:
            rows.append(
                dict(
                    key=f"{name}:{about}:{channel}",
                    event=name,
                    channel=channel,
                    user_id=user.id,
                    booking_id=booking.id if booking is not None else None,
                    recipient=mask_contact(address),
                    payload=payload,
                    status=OutboxStatus.PENDING.value,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if not rows:
        return []
    # A key already there returns nothing (rarely more than one row: a statement per channel).
    new_ids = [i for row in rows for i in session.execute(_OUTBOX_INSERT, row).scalars()]
    session.info.setdefault(PENDING_IDS, set()).update(new_ids)
    return [r["key"] for r in rows]


_OUTBOX_COLUMNS = (
    "key", "event", "channel", "user_id", "booking_id", "recipient", "payload", "status", "attempts",
    "next_attempt_at", "created_at",
)  # fmt: skip


def _outbox_insert():
    """INSERT … ON CONFLICT ("key") DO NOTHING RETURNING id: one text for both databases, values bound with the
    columns' types. Textual on purpose: SQLAlchemy compiles its dialects' ON CONFLICT inserts afresh on every
    execution (they have no cache key), which cost each booking ≈ 0.8 ms of CPU under its write lock."""
    table = OutboxMessage.__table__
    columns = ", ".join(f'"{name}"' for name in _OUTBOX_COLUMNS)
    values = ", ".join(f":{name}" for name in _OUTBOX_COLUMNS)
    statement = text(
        f'INSERT INTO {table.name} ({columns}) VALUES ({values}) ON CONFLICT ("key") DO NOTHING RETURNING id'
    )
    return statement.bindparams(*(bindparam(n, type_=table.c[n].type) for n in _OUTBOX_COLUMNS)).columns(table.c.id)


_OUTBOX_INSERT = _outbox_insert()


def _enqueue_after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_IDS, None)
    if ids and has_app_context():
        for outbox_id in sorted(ids):
            current_jobs().enqueue("deliver", outbox_id)


def _forget_on_rollback(session: Session) -> None:
    session.info.pop(PENDING_IDS, None)


def init_outbox_hooks() -> None:
    """Enqueue new outbox rows after their transaction commits (never before: the worker would not see them)."""
    if not event.contains(Session, "after_commit", _enqueue_after_commit):
        event.listen(Session, "after_commit", _enqueue_after_commit)
        event.listen(Session, "after_rollback", _forget_on_rollback)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def claim(session: Session, outbox_id: int, now: datetime) -> bool:
    """Take a due row for sending (one worker wins); commits so other workers see it taken."""
    taken = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return taken.rowcount == 1


def deliver(session: Session, outbox_id: int, now: datetime | None = None) -> str | None:
    """Send one outbox row if it is due and nobody else took it; its new status (None: not claimed)."""
    now = now or utcnow()
    if not claim(session, outbox_id, now):
        return None
    row = session.get(OutboxMessage, outbox_id)
    session.refresh(row)
    user = session.get(User, row.user_id)
    address = address_of(row.channel, user, settings_of(session, user))
    row.attempts += 1
    try:
        if not address:
            raise DeliveryError("받는 주소가 없습니다")
        payload = dict(row.payload)
        if row.event == "password_reset":  # signed now, never stored
            payload["link"] = reset_link(user)
        transport = transport_for(row.channel)
        transport.send(address, *render(row.event, payload), row.event)
    except DeliveryError as exc:
        row.last_error = str(exc)[:500]
        if row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"] or not address:
            row.status = OutboxStatus.FAILED
        else:
            row.status = OutboxStatus.PENDING
            row.next_attempt_at = now + backoff(row.attempts)
    else:
        row.status, row.sent_at, row.provider, row.last_error = OutboxStatus.SENT, now, transport.name, None
    status, retry_at = row.status, row.next_attempt_at
    session.commit()
    if status == OutboxStatus.PENDING:
        current_jobs().enqueue("deliver", outbox_id, eta=retry_at)
    return status


def sweep(session: Session, now: datetime | None = None) -> int:
    """Re-enqueue due rows and rows a crashed worker left claimed; how many."""
    now = now or utcnow()
    stale = now - timedelta(minutes=current_app.config["NOTIFY_CLAIM_TIMEOUT_MINUTES"])
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    due = session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now
        )
    ).all()
    for outbox_id in due:
        current_jobs().enqueue("deliver", outbox_id)
    return len(due)


def messages_of(session: Session, user: User, limit: int = 100) -> list[OutboxMessage]:
    """The user's own messages, newest first."""
    query = select(OutboxMessage).where(OutboxMessage.user_id == user.id)
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def failures(session: Session, limit: int = 200) -> list[OutboxMessage]:
    """Failed messages, newest first (the admin page)."""
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def retry(session: Session, outbox_id: int, now: datetime) -> bool:
    """Give a failed message a fresh set of attempts (flushes; enqueued after the commit)."""
    moved = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 1:
        session.info.setdefault(PENDING_IDS, set()).add(outbox_id)
    return moved.rowcount == 1


def message_json(row: OutboxMessage) -> dict:
    """The API's shape of a message (the address masked)."""
    return {
        "id": row.id,
        "event": row.event,
        "channel": row.channel,
        "recipient": row.recipient,
        "status": row.status,
        "attempts": row.attempts,
        "booking_id": row.booking_id,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
    }
