"""How long an offer of a freed place is held (issue #12), at each boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.lottery.draw import offer_hold
from app.timeutil import KST

STARTS = datetime(2026, 12, 12, 10, 0, tzinfo=KST)
H, S = timedelta(hours=1), timedelta(seconds=1)


@pytest.mark.parametrize(
    "left, hold",
    [
        (10 * 24 * H, 12 * H),
        (48 * H + S, 12 * H),
        (48 * H, 2 * H),  # "more than 48 h" is strict
        (6 * H, 2 * H),  # "between 48 h and 6 h" includes both ends
        (6 * H - S, timedelta(minutes=30)),
        (2 * H + S, timedelta(minutes=30)),
        (2 * H, None),  # offers stop exactly 2 h before
        (H, None),
        (timedelta(0), None),
        (-H, None),  # the session has begun
    ],
)
def test_hold_by_time_left_before_the_session(left, hold):
    assert offer_hold(STARTS - left, STARTS) == hold


def test_zones_do_not_matter_only_the_instants():
    assert offer_hold((STARTS - 6 * H).astimezone(UTC), STARTS) == 2 * H


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        offer_hold(datetime(2026, 12, 11, 10, 0), STARTS)
