"""`flask backup` / `flask restore`: a round trip on this run's database (SQLite file in WAL mode, or PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import backup
from app.auth.models import Child, User
from app.bookings import services
from app.bookings.models import Booking, Slot
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import make_user
from tests.serving.rush import make_rush_data, pass_database_url
from tests.support import make_app


@pytest.fixture
def filled(tmp_path):
    """An app on a real database file/server holding facilities, parents and one confirmed booking."""
    app = make_app(pass_database_url(tmp_path))
    with app.app_context():
        data = make_rush_data(db.session, parents=3, capacities=[5, 5])
        child = db.session.get(Child, data.parents[0][1])
        booking = services.book(db.session, child.parent, data.slot_ids[0], [child.id], 1, 1, utcnow())
        db.session.commit()
        yield app, booking.id
        db.session.remove()
        db.engine.dispose()


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def booking_state(booking_id: int) -> tuple:
    b = db.session.get(Booking, booking_id)
    return (b.code, b.status, b.user_id, b.slot_id, b.child_ids, b.starts_at, db.session.get(Slot, b.slot_id).booked)


def run(app, *args):
    db.session.remove()  # the CLI must not wait behind the test's open transaction (SQLite: BEGIN IMMEDIATE)
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_round_trip_restores_every_row_and_the_booking(filled, tmp_path):
    app, booking_id = filled
    counts, state = row_counts(), booking_state(booking_id)
    assert counts["bookings"] == 1 and counts["facilities"] >= 1 and counts["users"] == 3 and state[1] == "confirmed"
    path = tmp_path / "nadeuri.backup"
    result = run(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert "백업했습니다" in result.output and path.stat().st_size > 0

    # Life goes on after the backup: a cancellation, a deleted session, a new account.
    booking = db.session.get(Booking, booking_id)
    services.cancel(db.session, booking.user, booking_id, utcnow())
    make_user(db.session, email="late@example.com")
    db.session.delete(db.session.scalars(select(Slot).where(Slot.id != booking.slot_id)).first())
    db.session.commit()
    assert row_counts() != counts

    refused = run(app, "restore", str(path))
    assert refused.exit_code != 0 and "--yes" in refused.output and "비어 있지 않습니다" in refused.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 4  # nothing touched

    result = run(app, "restore", str(path), "--yes")
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert row_counts() == counts
    assert booking_state(booking_id) == state
    db.session.remove()
    assert app.test_client().get("/healthz").status_code == 200  # the running app carries on after a restore


def test_backup_never_overwrites_by_accident(filled, tmp_path):
    app, _ = filled
    path = tmp_path / "exists.backup"
    path.write_bytes(b"keep me")
    result = run(app, "backup", str(path))
    assert result.exit_code != 0 and "--force" in result.output and path.read_bytes() == b"keep me"
    assert run(app, "backup", str(path), "--force").exit_code == 0 and path.read_bytes() != b"keep me"
    assert not list(tmp_path.glob("*.partial"))


def test_restore_refuses_files_that_are_not_a_backup_of_this_kind(filled, tmp_path):
    app, _ = filled
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"id,name\n1,x\n")
    result = run(app, "restore", str(junk), "--yes")
    assert result.exit_code != 0 and "백업 파일이 아닙니다" in result.output
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if db.engine.dialect.name == "sqlite" else b"SQLite format 3\x00")
    result = run(app, "restore", str(other), "--yes")
    assert result.exit_code != 0 and "같은 종류의 데이터베이스로만" in result.output
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_missing_postgres_client_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    with pytest.raises(backup.click.ClickException, match="postgresql-client"):
        backup.pg_binary("pg_dump")
