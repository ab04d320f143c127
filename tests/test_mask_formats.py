"""Masking as every staff surface and the outbox show personal data."""

from __future__ import annotations

import pytest

from app.masking import mask_contact, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    "raw, masked",
    [("김용호", "김*호"), ("김용", "김*"), ("남궁민수", "남**수"), ("김", "김"), ("", ""), (None, "")],
)
def test_names_keep_their_first_and_last_letters(raw, masked):
    assert mask_name(raw) == masked


def test_contacts_show_only_what_staff_need():
    assert mask_email("kim@example.com") == "k***@example.com"
    assert mask_phone("010-1234-5678") == "010-****-5678" == mask_phone("01012345678")
    assert mask_contact("010 1234 5678") == "010-****-5678" and mask_contact("a@b.kr") == "a***@b.kr"
    assert mask_phone("1234567") == "***4567" and mask_phone("") == ""
