"""Operator-test fixtures: the café under test (open on holidays), its operator, another facility and its operator."""

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


@pytest.fixture
def operated(db, make_facility) -> dict:
    """A kids café (markup in its name, to check escaping) open on holidays, its operator, and a stranger who
    operates another facility."""
    cafe = make_facility(kind="kids_cafe", name="<b>시청점</b>", age_min=0, age_max=12)
    other = make_facility(kind="kids_cafe", name="다른 시설")
    set_policy(db.session, cafe, closed_on_holidays=False)
    return dict(
        cafe=cafe,
        other=other,
        operator=make_user(db.session, "operator", [cafe]),
        stranger=make_user(db.session, "operator", [other]),
    )
