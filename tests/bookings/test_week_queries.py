"""The week view runs a fixed number of queries, however many days and slots it shows (views gather, templates show)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from app.bookings.schedule import at_kst
from app.timeutil import KST, utcnow
from tests.factories import make_slot, set_policy
from tests.support import counted

# The whole facility page: facility, policy, closures, the week's slots, next session, hours, … (7 on SQLite, 8 on
# PostgreSQL), plus the lottery policies when the next session falls on a weekend or a holiday (app/bookings/live.py).
BUDGET = 9


@pytest.fixture(autouse=True)
def _on_a_friday():
    """Friday noon in Seoul: the first session (tomorrow's) is a Saturday's, so the page makes the lottery policies'
    read too, on whichever day the suite runs (it once passed Sunday to Thursday and failed on Fridays)."""
    today = utcnow().astimezone(KST).date()
    with time_machine.travel(at_kst(today + timedelta(days=(4 - today.weekday()) % 7), "12:00"), tick=False):
        yield


def _facility_with_slots(db, make_facility, per_day: int):
    facility = make_facility(kind="kids_cafe", name="키즈카페", age_min=0, age_max=12)
    set_policy(db.session, facility, closed_on_holidays=False)
    first = utcnow().astimezone(KST).date() + timedelta(days=1)
    for offset in range(6):  # six of the seven days shown (today has none)
        day = first + timedelta(days=offset)
        for hour in range(per_day):
            make_slot(db.session, facility, datetime(day.year, day.month, day.day, 9 + hour, 0, tzinfo=KST), minutes=60)
    db.session.commit()
    return facility


def _queries(client, db, url: str) -> tuple[int, str]:
    with counted(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_week_view_queries_do_not_grow_with_days_or_slots(client, db, make_facility):
    few = _facility_with_slots(db, make_facility, per_day=1)
    many = _facility_with_slots(db, make_facility, per_day=8)
    for facility in (few, many):  # warm per-process caches (district outlines) so both counts measure the same work
        client.get(f"/facilities/{facility.id}")

    few_count, few_html = _queries(client, db, f"/facilities/{few.id}")
    many_count, many_html = _queries(client, db, f"/facilities/{many.id}")
    assert few_html.count('class="slot"') == 6 and many_html.count('class="slot"') == 48  # the cells are shown
    assert few_count == many_count <= BUDGET


def test_week_fragment_draws_the_same_cells_in_the_same_queries(client, db, make_facility):
    facility = _facility_with_slots(db, make_facility, per_day=3)
    client.get(f"/facilities/{facility.id}")  # warm per-process caches, as above
    page_count, page = _queries(client, db, f"/facilities/{facility.id}")
    fragment_count, fragment = _queries(client, db, f"/facilities/{facility.id}/week")
    assert fragment.count('class="slot"') == page.count('class="slot"') == 18
    cells = fragment[fragment.index('<ol class="week"') : fragment.index("</ol>")]
    assert cells in page  # one template draws both
    assert fragment_count <= page_count <= BUDGET
