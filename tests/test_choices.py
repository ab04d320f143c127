"""Choices with their labels (app/choices.py): every member labelled, kinds drawn, constraints generated from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.bookings.choices import ACTIVE_STATUSES, BookingStatus
from app.bookings.models import Booking
from app.facilities.choices import BOOKABLE_KINDS, WEEKDAY_LABELS, FacilityKind, FlagReason
from app.facilities.models import Facility

ROOT = Path(__file__).resolve().parent.parent
CHOICES = [FacilityKind, FlagReason, BookingStatus]
HANGUL = re.compile(r"[가-힣]")


@pytest.mark.parametrize("choices", CHOICES, ids=lambda c: c.__name__)
def test_every_member_has_a_korean_label(choices):
    labels = [m.label for m in choices]
    assert all(HANGUL.search(label) for label in labels), labels
    assert len(set(labels)) == len(labels), "two members share a label"
    assert choices.labels() == {m.value: m.label for m in choices}
    assert all(isinstance(m, str) and m == m.value for m in choices)  # stored values and JSON stay plain strings


@pytest.mark.parametrize("kind", list(FacilityKind), ids=str)
def test_every_kind_has_a_colour_and_an_icon_file(kind):
    assert re.fullmatch(r"#[0-9a-f]{6}", kind.color)
    assert (ROOT / "app" / "static" / kind.icon).is_file()


def test_kind_colours_differ():
    assert len({k.color for k in FacilityKind}) == len(FacilityKind)


def _in_list(table, name: str) -> list[str]:
    (constraint,) = [c for c in table.constraints if c.name == name]
    sql = str(constraint.sqltext)
    return re.fullmatch(r"\w+ IN \((.*)\)", sql).group(1).replace("'", "").split(", ")


@pytest.mark.parametrize(
    "table, name, choices",
    [
        (Facility.__table__, "ck_facilities_kind", FacilityKind),
        (Booking.__table__, "ck_bookings_status", BookingStatus),
    ],
)
def test_check_constraints_list_exactly_the_enum_values(table, name, choices):
    assert _in_list(table, name) == [m.value for m in choices]


def test_subsets_and_weekdays():
    assert set(BOOKABLE_KINDS) < set(FacilityKind) and set(ACTIVE_STATUSES) < set(BookingStatus)
    assert [k.bookable for k in FacilityKind] == [k in BOOKABLE_KINDS for k in FacilityKind]
    assert len(WEEKDAY_LABELS) == 7 and WEEKDAY_LABELS[0] == "월" and WEEKDAY_LABELS[6] == "일"


def test_scripts_and_templates_do_not_spell_out_kinds_or_statuses():
    """The JS reads kinds, labels and colours from the page's data; templates compare with the enums' members."""
    values = {m.value for c in CHOICES for m in c} | {k.color for k in FacilityKind} | {k.label for k in FacilityKind}
    for path in sorted((ROOT / "app" / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        assert not [v for v in values if f'"{v}"' in text or f"'{v}'" in text or v.startswith("#") and v in text], path
    for path in sorted((ROOT / "templates").rglob("*.html")):
        # Only Jinja expressions: plain HTML such as the utilisation table's data-k="no_show" names a column.
        code = " ".join(re.findall(r"{[{%].*?[%}]}", path.read_text(encoding="utf-8"), re.S))
        assert not [v for v in values if f'"{v}"' in code or f"'{v}'" in code], path
