"""The purge's boundaries (12 months, 30 days, 2 years: exactly at the limit stays, a second past goes), its run
record, the CLI command and the admin page, with `now` injected."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.audit.access import record_access
from app.audit.models import PersonalDataAccess
from app.auth.models import Child, User
from app.bookings.models import Booking, BookingChild
from app.notifications.models import OutboxMessage
from app.operators.people import WALK_IN_DOMAIN
from app.privacy.models import PersonalDataPurge
from app.privacy.purge import purge_personal_data
from app.timeutil import KST
from tests.factories import ONE_CHILD, kst, login, make_slot, make_user, place_booking

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
SECOND = timedelta(seconds=1)


def _booking_ending(db, facility, parent, ends_at: datetime) -> Booking:
    return place_booking(db.session, parent, make_slot(db.session, facility, ends_at - timedelta(hours=2)))


def test_each_limit_keeps_what_is_exactly_at_it_and_removes_what_is_past(db, make_facility):
    cafe = make_facility()
    parent = make_user(db.session, children=ONE_CHILD)
    desk = make_user(db.session, email=f"walkin-{cafe.id}@{WALK_IN_DOMAIN}", locked=True, children=ONE_CHILD)
    cutoff = kst(2025, 11, 23)  # 12 months before NOW
    kept, gone = _booking_ending(db, cafe, parent, cutoff), _booking_ending(db, cafe, parent, cutoff - SECOND)
    walk_in = place_booking(db.session, desk, gone.slot)
    stays = make_user(db.session, deleted_at=NOW - timedelta(days=30), locked=True)
    erased = make_user(db.session, deleted_at=NOW - timedelta(days=30) - SECOND, locked=True, children=ONE_CHILD)
    erased_booking = _booking_ending(db, cafe, erased, NOW - timedelta(days=40))
    staff = make_user(db.session, "operator")
    for at in (kst(2024, 11, 23), kst(2024, 11, 23) - SECOND):  # 2 years before NOW, and a second more
        record_access(db.session, staff, parent.id, cafe.id, kept.code, "분실물", at)
    db.session.commit()
    erased_id = erased.id

    counts = purge_personal_data(db.session, NOW)
    db.session.commit()

    assert counts == {
        "bookings_anonymised": 2,  # `gone` and the walk-in's (the erased account's went with the account)
        "accounts_erased": 1,
        "access_log_deleted": 1,
        "walk_in_children_deleted": 1,
        "notifications_deleted": 0,
    }
    assert db.session.get(Booking, kept.id).user_id == parent.id
    assert [p.child_id is not None for p in db.session.get(Booking, kept.id).places] == [True]
    assert db.session.get(Booking, gone.id).user_id is None
    assert db.session.query(BookingChild).filter_by(booking_id=gone.id).one().child_id is None  # still counted
    assert db.session.get(Booking, walk_in.id).user_id is None and not desk.children
    assert db.session.get(User, stays.id) is not None and db.session.get(User, erased_id) is None
    assert db.session.get(Booking, erased_booking.id).user_id is None
    assert db.session.query(Child).filter_by(parent_id=erased_id).count() == 0
    assert [e.created_at for e in db.session.query(PersonalDataAccess)] == [kst(2024, 11, 23)]


def test_every_run_is_recorded_with_its_counts_and_a_second_run_finds_nothing(app, db, make_facility):
    cafe = make_facility()
    _booking_ending(db, cafe, make_user(db.session, children=ONE_CHILD), kst(2025, 1, 1))
    purge_personal_data(db.session, NOW)
    again = purge_personal_data(db.session, NOW + timedelta(days=1))
    db.session.commit()
    assert set(again.values()) == {0}
    runs = db.session.query(PersonalDataPurge).order_by(PersonalDataPurge.id).all()
    assert [(r.ran_at, r.bookings_anonymised) for r in runs] == [(NOW, 1), (NOW + timedelta(days=1), 0)]


def test_the_retention_settings_move_the_limits(app, db, make_facility):
    app.config["BOOKING_RETENTION_MONTHS"] = 1
    booking = _booking_ending(db, make_facility(), make_user(db.session, children=ONE_CHILD), kst(2026, 10, 22))
    assert purge_personal_data(db.session, NOW)["bookings_anonymised"] == 1
    db.session.commit()
    assert db.session.get(Booking, booking.id).user_id is None


def test_cli_command_and_admin_page(app, client, db):
    result = app.test_cli_runner().invoke(args=["purge-personal-data"])
    assert result.exit_code == 0 and "예약 익명 처리 0건" in result.output
    assert db.session.query(PersonalDataPurge).count() == 1
    login(client, make_user(db.session, "admin"))
    page = client.get("/admin/personal-data").get_data(as_text=True)
    assert "개인정보 정리 작업" in page and "아직 실행된 적이 없습니다" not in page


def test_an_anonymised_booking_still_shows_on_the_roster_without_names(client, db, make_facility):
    cafe = make_facility(kind="kids_cafe", name="시청점")
    parent = make_user(db.session, name="김용호", children=(("하늘", date(2021, 5, 5)),))
    booking = _booking_ending(db, cafe, parent, kst(2025, 1, 1, 12))
    purge_personal_data(db.session, NOW)
    db.session.commit()
    login(client, make_user(db.session, "operator", [cafe]))
    text = client.get(f"/operator/facilities/{cafe.id}/roster.csv?date=2025-01-01").data.decode("utf-8-sig")
    assert booking.code in text and "익명 처리됨" in text and "(삭제됨)" in text and "하늘" not in text


def test_outbox_messages_go_after_the_booking_retention_and_the_daily_job_is_scheduled(app, db):
    parent = make_user(db.session)
    cutoff = kst(2025, 11, 23)  # 12 months before NOW
    for n, at in enumerate((cutoff, cutoff - SECOND)):
        db.session.add(
            OutboxMessage(
                key=f"booking_confirmed:{n}:email",
                event="booking_confirmed",
                channel="email",
                user_id=parent.id,
                recipient="k***@example.com",
                payload={},
                status="sent",
                attempts=1,
                next_attempt_at=at,
                created_at=at,
            )
        )
    db.session.commit()
    assert purge_personal_data(db.session, NOW)["notifications_deleted"] == 1
    assert [m.created_at for m in db.session.query(OutboxMessage)] == [cutoff]
    assert "daily_purge" in app.extensions["jobs"].tasks  # the worker runs it every day (app/__init__.py)
