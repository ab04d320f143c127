"""The row hash (change detection) is SHA-256 of the json.dumps form of the stripped row, whatever the cells hold."""

import hashlib
import json

import pytest

from app.imports.mappers import MAPPING_VERSION, row_hash


def _reference(cells: dict) -> str:
    """The definition the stored hashes were made with."""
    norm = {str(k).strip(): ("" if v is None else str(v).strip()) for k, v in cells.items()}
    blob = json.dumps(norm, ensure_ascii=False, sort_keys=True) + "|" + MAPPING_VERSION
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "cells",
    [
        {},
        {"id": "kc_1"},
        {"name": ' 키즈카페 "큰" \\ 곳 ', "id": "kc_2", "age": "4 ~ 10세\n(연나이)", "lat": "37.5", "x%s": "%d %%"},
        {"b": "\t\x00\x1f\x7f\u2028\u202e\ufeff", "a": "", "c": " ", "é": "😀", "A": "a"},
        {" id ": "1", "id": "2", "name": None},  # keys equal once stripped: the last cell counts, as in a dict
        {"COT_CONTS_ID": 7, "COT_COORD_X": 126.9, "COT_FLAG": True, "COT_NESTED": {"k": [1, "둘"]}, "COT_NONE": None},
        {1: "number key", "1 ": "string key"},
    ],
)
def test_row_hash_is_the_json_dumps_form(cells):
    assert row_hash(cells) == _reference(cells)
    assert row_hash(dict(reversed(list(cells.items())))) == _reference(dict(reversed(list(cells.items()))))


def test_a_changed_or_added_cell_changes_the_hash():
    row = {"id": "kc_1", "name": "가", "age": "4세"}
    assert row_hash(row) != row_hash({**row, "age": "5세"})
    assert row_hash(row) != row_hash({**row, "extra": ""})
    assert row_hash(row) == row_hash({**row, "name": " 가 "})
