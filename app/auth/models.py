"""Accounts: parents, operators and city admins; children; API tokens."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

ROLES = ("parent", "operator", "admin")

# Which facilities an operator runs.
operator_facilities = Table(
    "operator_facilities",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("facility_id", Integer, ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """Anyone who logs in. The role decides what they may do."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('parent', 'operator', 'admin')", name="ck_users_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10), default="parent")
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # No-show ban: no new bookings until this moment.
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id in every session and remember cookie: bumping it (logout, new password) makes every
    # cookie issued before worthless, so a copied cookie does not outlive the logout. API tokens are separate.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when the account was deleted (app/privacy): it is anonymised at once and erased after
    # DELETED_ACCOUNT_ERASE_DAYS by `flask purge-personal-data`.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    children: Mapped[list[Child]] = relationship(back_populates="parent", cascade="all, delete-orphan")
    facilities = relationship("Facility", secondary=operator_facilities)

    def set_password(self, password: str) -> None:
        if self.password_hash:  # a changed password logs out every other session
            self.end_sessions()
        self.password_hash = generate_password_hash(password)

    def end_sessions(self) -> None:
        """Invalidate every session and remember cookie issued so far (see session_generation)."""
        self.session_generation = (self.session_generation or 0) + 1

    def get_id(self) -> str:
        """Flask-Login's cookie id: "user id:session generation"."""
        return f"{self.id}:{self.session_generation or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses locked accounts
        return not self.is_locked


class Child(db.Model):
    """A child a parent books for: only the name (for the roster) and birth date (for age rules)."""

    __tablename__ = "children"
    # The same child registered twice would book the same café twice on one day (one visit a day is per child).
    __table_args__ = (UniqueConstraint("parent_id", "name", "birth_date", name="uq_children_parent_name_birth"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The guardian's consent (개인정보보호법: under-14s) and the privacy policy version it was given to; None for
    # children registered before consent was asked, and for walk-ins (consent given at the door).
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(20))

    parent: Mapped[User] = relationship(back_populates="children")


class ApiToken(db.Model):
    """A bearer token for API clients; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
