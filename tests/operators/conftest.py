"""Fixtures shared by the operator tests: a kids café open on holidays and an operator assigned to it."""

from __future__ import annotations

import pytest

from tests.factories import make_user, set_policy


@pytest.fixture
def cafe(db, make_facility):
    facility = make_facility(kind="kids_cafe", name="시청점", age_min=0, age_max=12)
    set_policy(db.session, facility, closed_on_holidays=False)
    return facility


@pytest.fixture
def staff(db, cafe):
    return make_user(db.session, "operator", [cafe])
