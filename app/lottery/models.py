"""The weekend lottery's rows: one draw per weekend (city-wide) and each household's entry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

DRAW_STATUSES = ("open", "closed", "drawn")
ENTRY_STATUSES = ("entered", "withdrawn", "won", "reserve", "offered", "claimed", "declined", "lapsed", "lost")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class LotteryDraw(db.Model):
    """A weekend's draw: open (commitment published) → closed (refs and digest published) → drawn (record)."""

    __tablename__ = "lottery_draws"
    __table_args__ = (CheckConstraint(_in("status", DRAW_STATUSES), name="ck_lottery_draws_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weekend: Mapped[date] = mapped_column(Date, unique=True)  # the Saturday
    secret: Mapped[str] = mapped_column(String(64))  # revealed only in the record, after the draw
    commitment: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="open")
    refs: Mapped[list | None] = mapped_column(JSON)  # fixed at the close
    digest: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64))
    record: Mapped[dict | None] = mapped_column(JSON)  # the public record (app.lottery.draw.DrawRecord)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LotteryEntry(db.Model):
    """A household's entry for one weekend: 1–3 ranked sessions for the same children and guardians."""

    __tablename__ = "lottery_entries"
    __table_args__ = (
        CheckConstraint(_in("status", ENTRY_STATUSES), name="ck_lottery_entries_status"),
        CheckConstraint("places >= 1 AND guardians >= 1", name="ck_lottery_entries_counts"),
        # The backstop for one entry per household and weekend: withdrawn entries drop out of the index.
        Index(
            "uq_lottery_entries_household",
            "user_id",
            "weekend",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
        Index("ix_lottery_entries_weekend", "weekend", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)  # public: random hex, not the account
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    weekend: Mapped[date] = mapped_column(Date)
    slot_ids: Mapped[list] = mapped_column(JSON)  # ranked choices
    child_ids: Mapped[list] = mapped_column(JSON)
    places: Mapped[int] = mapped_column(Integer)
    guardians: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="entered")
    won_slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"))
    reserve: Mapped[dict | None] = mapped_column(JSON)  # {"<slot_id>": position}
    claim_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


RELEASE_STATUSES = ("waiting", "offered", "first_come")


class LotteryRelease(db.Model):
    """One freed place of a lottery session (a declined or lapsed win or offer, a cancelled lottery booking).

    waiting → offered (to one reserve entry, `entry_id`) or → first_come (no reserve left, or offers have stopped
    2 h before the session: the place leaves `Slot.held` and anyone may book it). `source` names the event and the
    place ("entry:12:declined:0", "booking:55:cancelled:1"), so the same freed place is never recorded twice.
    """

    __tablename__ = "lottery_releases"
    __table_args__ = (
        CheckConstraint(_in("status", RELEASE_STATUSES), name="ck_lottery_releases_status"),
        Index("ix_lottery_releases_slot", "slot_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    weekend: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("lottery_entries.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
