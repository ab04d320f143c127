"""The booking tests' check that the engine refuses with a given code."""

from __future__ import annotations

import pytest

from app.bookings.services import BookingError, book


def refused(code, *args, **kw):
    """Call `book(*args, **kw)`, check it refuses with `code`, and return the error."""
    with pytest.raises(BookingError) as info:
        book(*args, **kw)
    assert info.value.code == code, info.value.message
    return info.value
