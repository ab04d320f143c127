"""A parent books in Chromium; the worker (the test drains the queue) mails the confirmation to a local SMTP server."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.bookings.models import Booking
from app.extensions import db
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import serving, signed_in_page
from tests.factories import PASSWORD, add_facility, make_slot, make_user, set_policy

pytestmark = pytest.mark.browser


def test_booking_confirmation_arrives_by_mail(browser_app, chromium_path, problems, mailbox):
    from playwright.sync_api import expect

    mailbox.use_for(browser_app)
    with browser_app.app_context():
        cafe = add_facility(db.session, name="서울형 키즈카페 메일점", age_min=0, age_max=12)
        set_policy(db.session, cafe, closed_on_holidays=False)
        day = utcnow().astimezone(KST).date() + timedelta(days=2)
        slot = make_slot(db.session, cafe, datetime(day.year, day.month, day.day, 10, 0, tzinfo=KST), capacity=3)
        make_user(db.session, email="mail-parent@example.com", children=[("하늘", date(2021, 5, 5))])
        slot_id = slot.id
    with serving(browser_app) as base:
        with signed_in_page(chromium_path, problems, base, "mail-parent@example.com", PASSWORD) as page:
            page.goto(f"{base}/bookings/new?slot={slot_id}")
            page.get_by_role("button", name="예약 확정").click()
            expect(page.get_by_text("예약번호", exact=True)).to_be_visible()
            assert mailbox.messages == []  # the request only queued it
            with browser_app.app_context():
                assert browser_app.extensions["jobs"].drain() == 1
                code = db.session.scalars(select(Booking.code)).one()
    assert problems == []
    (mail,) = mailbox.messages
    assert mail["To"] == "mail-parent@example.com" and "확정" in mail["Subject"]
    body = mailbox.bodies()[0]
    assert "서울형 키즈카페 메일점" in body and "10:00" in body
    assert f"예약번호: {code}" in body
