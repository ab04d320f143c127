"""Booking fixtures: a kids café, an hourly daycare and a parent with two children (factories: tests/factories.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_user


@pytest.fixture
def cafe(make_facility):
    return make_facility(kind="kids_cafe", age_min=0, age_max=10, closed_on_holidays=True)


@pytest.fixture
def daycare(make_facility):
    return make_facility(kind="hourly_daycare", name="시간제 어린이집", closed_on_holidays=True)


@pytest.fixture
def parent(db):
    return make_user(db.session, children=(("하늘", date(2022, 5, 1)), ("바다", date(2024, 3, 15))))
