"""Mapped values the text check skips (mappers.DERIVED_VALUES) are clean whatever the cells hold, so checking only
the derived ones gives what checking them all gives."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from app.imports.mappers import DERIVED_VALUES, MAPPERS
from app.imports.sources import SourceFile, SourceRow
from app.imports.text import clean_mapped, clean_row, clean_values
from tests.imports import synth

HIDDEN = ["\u202e", "\u200b", "\x00", "\x1b", "\t", "\n", "\r\n", "\x7f", "\x85", "\ufeff", "\u2066", "\ud800"]
# Texts that decode or parse into something else: %-escapes, entities, times, days, ages.
ODD = ["%00", "%E2%80%AE", "&#x202e;", "09:00~18:00", "화~일", "4 ~ 10세", "개인 3 명", "True", " ", ""]


def _rows(layout: str, columns: list[str], base: dict) -> list[dict]:
    """The base row with each hidden character and odd text put into each cell in turn (start, middle, end)."""
    rows = []
    for n, (column, text) in enumerate(itertools.product(columns, HIDDEN + ODD)):
        row = dict(base)
        value = row.get(column) or "값"
        row[column] = [f"{text}{value}", f"{value[:1]}{text}{value[1:]}", f" {value}{text} "][n % 3]
        if column in ("id", "어린이집코드", "연번") and not row[column].strip():
            row[column] = "1"
        rows.append(row)
    # Every cell hidden at once, and the headers' own 반수-/아동수- keys.
    rows.append({c: f"{HIDDEN[i % len(HIDDEN)]}{base.get(c) or '값'}" for i, c in enumerate(columns)})
    return rows


def _cases():
    daycare_columns = [*synth.DAYCARE_COLUMNS, "반수-만1세\u202e", "아동수-만0세\x00"]
    daycare = {c: "1" for c in daycare_columns} | {"어린이집코드": "D1", "어린이집명": "별", "제공서비스": "시간제보육"}
    yield "kids_cafes", synth.KIDS_CAFE_COLUMNS, synth.kids_cafe(1, synth.CITY_HALL, "중구")
    yield "daycare", daycare_columns, daycare
    yield "toilets", synth.TOILET_COLUMNS, synth.toilet(9, synth.CITY_HALL, "중구", 비고="기저귀교환대 있음")


@pytest.mark.parametrize("layout, columns, base", list(_cases()), ids=lambda v: v if isinstance(v, str) else "")
def test_only_derived_values_can_hold_hidden_characters_after_clean_row(layout, columns, base):
    file = SourceFile(Path("x.csv"), layout)
    derived = DERIVED_VALUES[layout]
    mapped = 0
    for line, cells in enumerate(_rows(layout, columns, base), start=2):
        row, found = clean_row(SourceRow(line, {c: cells.get(c, "") for c in columns}), layout)
        rec = MAPPERS[layout](row, file)
        if rec.kind is None:
            continue
        mapped += 1
        problems: list[str] = []
        rest = {k: v for k, v in rec.values.items() if k not in derived}
        assert clean_values(rest, problems) is rest and problems == [], (cells, problems)
        quick, full = list(found), list(found)
        assert clean_mapped(rec.values, quick, derived) == clean_values(rec.values, full) and quick == full
    assert mapped > len(columns) * len(HIDDEN)  # most rows were mapped, not skipped


def test_a_derived_value_with_a_hidden_character_is_still_cleaned_and_reported():
    row = synth.kids_cafe(1, synth.CITY_HALL, "중구", phone="02-123-4567%E2%80%AE")
    source_row, found = clean_row(SourceRow(2, row), "kids_cafes")
    rec = MAPPERS["kids_cafes"](source_row, SourceFile(Path("x.csv"), "kids_cafes"))
    problems: list[str] = []
    values = clean_mapped(rec.values, problems, DERIVED_VALUES["kids_cafes"])
    assert found == [] and values["phone"] == "02-123-4567" and "U+202E" in problems[0] and "'phone'" in problems[0]
