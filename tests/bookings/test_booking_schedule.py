"""Templates, holidays, closures, ratios and slot generation; availability of a day."""

from datetime import date

from sqlalchemy import func, select

from app.bookings.models import Closure, DaycareClass, SessionTemplate, Slot
from app.bookings.policy import age_on, default_policy, ratio_for_age
from app.bookings.schedule import generate_slots, window_opens_at
from app.bookings.services import book, slots_for_day
from app.timeutil import KST
from tests.factories import NOW, kst, make_slot, set_policy

TUE_TO_SUN = 0b1111110


def count_slots(db, facility, day=None):
    query = select(func.count()).select_from(Slot).where(Slot.facility_id == facility.id)
    if day is not None:
        query = query.where(
            Slot.starts_at >= kst(day.year, day.month, day.day, 0),
            Slot.starts_at < kst(day.year, day.month, day.day, 23, 59),
        )
    return db.session.scalar(query)


def test_kids_cafe_default_template_and_idempotent_generation(db, make_facility):
    facility = make_facility(kind="kids_cafe", open_days=TUE_TO_SUN, capacity_individual=33, capacity_group=12)
    assert generate_slots(db.session, date(2026, 11, 23), weeks=1) == 4 * 3 + 2 * 4
    assert generate_slots(db.session, date(2026, 11, 23), weeks=1) == 0
    db.session.commit()
    assert count_slots(db, facility) == 20
    assert count_slots(db, facility, date(2026, 11, 23)) == 0  # closed Mondays
    tuesday = db.session.scalars(select(Slot).where(Slot.facility_id == facility.id).order_by(Slot.starts_at)).first()
    assert tuesday.starts_at.astimezone(KST) == kst(2026, 11, 24, 9, 30)
    assert (tuesday.capacity, tuesday.capacity_group) == (33, 12)
    saturday = [s for s in db.session.scalars(select(Slot)) if s.starts_at.astimezone(KST).weekday() == 5]
    assert len(saturday) == 4 and {s.capacity_group for s in saturday} == {0}
    assert db.session.scalar(select(func.count()).select_from(SessionTemplate)) == 4 * 3 + 2 * 4


def test_fallback_capacity_and_more_weeks_fill_only_the_gap(db, make_facility):
    facility = make_facility(kind="kids_cafe", capacity_individual=None)
    generate_slots(db.session, date(2026, 11, 23), weeks=1, fallback_capacity=25)
    assert {s.capacity for s in db.session.scalars(select(Slot))} == {25}
    created = generate_slots(db.session, date(2026, 11, 23), weeks=2, fallback_capacity=25)
    assert created == count_slots(db, facility) // 2


def test_holidays_and_closures_are_skipped(db, make_facility):
    facility = make_facility(kind="kids_cafe")
    other = make_facility(kind="kids_cafe")
    set_policy(db.session, other, closed_on_holidays=False)
    db.session.add(
        Closure(facility_id=facility.id, starts_on=date(2026, 12, 22), ends_on=date(2026, 12, 23), reason="점검")
    )
    generate_slots(db.session, date(2026, 12, 21), weeks=1)
    assert count_slots(db, facility, date(2026, 12, 25)) == 0  # Christmas
    assert count_slots(db, other, date(2026, 12, 25)) == 3
    assert count_slots(db, facility, date(2026, 12, 22)) == 0
    assert count_slots(db, facility, date(2026, 12, 24)) == 3


def test_daycare_hours_and_capacity_from_classes(db, daycare, make_facility):
    generate_slots(db.session, date(2026, 11, 23), weeks=1, facility_ids=[daycare.id])
    slots = db.session.scalars(select(Slot).where(Slot.facility_id == daycare.id).order_by(Slot.starts_at)).all()
    assert len(slots) == 5 * 12  # 07:30–19:30, Monday to Friday
    assert slots[0].starts_at.astimezone(KST) == kst(2026, 11, 23, 7, 30)
    assert slots[11].ends_at.astimezone(KST) == kst(2026, 11, 23, 19, 30)
    assert {s.capacity for s in slots} == {2 + 3 + 5}  # default classes: 0세, 1–2세, 3세+ with one teacher each
    staffed = make_facility(kind="hourly_daycare")
    db.session.add_all(
        [
            DaycareClass(facility_id=staffed.id, name="영아반", age_years=0, teachers=2),
            DaycareClass(facility_id=staffed.id, name="유아반", age_years=3, teachers=1),
            DaycareClass(facility_id=staffed.id, name="큰반", age_years=5, teachers=2),
        ]
    )
    generate_slots(db.session, date(2026, 11, 23), weeks=1, facility_ids=[staffed.id])
    assert {s.capacity for s in db.session.scalars(select(Slot).where(Slot.facility_id == staffed.id))} == {29}


def test_ratios_are_settings():
    policy = default_policy("hourly_daycare")
    assert [ratio_for_age(policy, age) for age in range(7)] == [2, 3, 3, 5, 10, 10, 10]
    policy.ratios = {"0": 3, "2": 7}
    assert [ratio_for_age(policy, age) for age in (0, 1, 2, 6)] == [3, 3, 7, 7]


def test_korean_year_age_versus_months():
    cafe_policy, daycare_policy = default_policy("kids_cafe"), default_policy("hourly_daycare")
    born = date(2023, 12, 31)
    assert age_on(cafe_policy, born, date(2026, 1, 1)) == 3  # 연나이: 2026 − 2023
    assert age_on(daycare_policy, born, date(2026, 1, 1)) == 24
    assert age_on(daycare_policy, date(2026, 5, 25), date(2026, 11, 24)) == 5
    assert age_on(daycare_policy, date(2026, 5, 25), date(2026, 11, 25)) == 6


def test_window_opening_moments():
    weekly = default_policy("kids_cafe")
    weekly.opening_mode, weekly.open_weekday, weekly.open_time = "weekly", 1, "09:00"
    assert window_opens_at(weekly, date(2026, 12, 1)) == kst(2026, 11, 24, 9, 0)  # Tuesday
    assert window_opens_at(weekly, date(2026, 12, 7)) == kst(2026, 11, 24, 9, 0)  # the Monday after
    assert window_opens_at(weekly, date(2026, 12, 8)) == kst(2026, 12, 1, 9, 0)
    ahead = default_policy("hourly_daycare")
    assert window_opens_at(ahead, date(2026, 12, 7)) == kst(2026, 11, 23, 0, 0)


def test_slots_for_day_reports_remaining_and_bookable(db, cafe, parent):
    past = make_slot(db.session, cafe, kst(2026, 11, 23, 9, 30))
    full = make_slot(db.session, cafe, kst(2026, 11, 23, 13), capacity=1)
    open_ = make_slot(db.session, cafe, kst(2026, 11, 23, 15, 30), capacity=5)
    make_slot(db.session, cafe, kst(2026, 11, 24, 9, 30))  # another day
    book(db.session, parent, full.id, [parent.children[0].id], now=NOW)
    book(db.session, parent, open_.id, [parent.children[1].id], now=NOW)
    items = slots_for_day(db.session, cafe.id, date(2026, 11, 23), NOW)
    assert [i["id"] for i in items] == [past.id, full.id, open_.id]
    assert [(i["remaining"], i["bookable"]) for i in items] == [(10, False), (0, False), (4, True)]
    assert items[0]["starts_at"] == "2026-11-23T09:30:00+09:00"
    assert not any(i["bookable"] for i in slots_for_day(db.session, cafe.id, date(2026, 11, 23), kst(2026, 11, 24)))


def test_generate_slots_command(app, db, make_facility):
    facility = make_facility(kind="kids_cafe")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["generate-slots", "--weeks", "1", "--facility", str(facility.id)])
    assert result.exit_code == 0, result.output
    first = count_slots(db, facility)
    assert first > 0 and "시간대" in result.output
    again = runner.invoke(args=["generate-slots", "--weeks", "1", "--facility", str(facility.id)])
    assert again.exit_code == 0 and again.output.startswith("0개")
    assert count_slots(db, facility) == first
