"""Bounds and character rules for every value that comes from outside: files, forms, JSON, URLs.

One module, imported by the import pipeline, the forms, the API and the pages alike, so a name
that an import flags is the same name that a form refuses.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from werkzeug.routing.converters import NumberConverter

from app.errors import DomainError

# Characters that make text lie about itself on screen or in a terminal: C0/C1 controls, bidi
# embeddings/overrides/isolates and marks, zero-width characters and the BOM, lone surrogates.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
_SURROGATE = "\ud800-\udfff"
_FORBIDDEN = re.compile(f"[{_CONTROL}{_BIDI}{_ZERO_WIDTH}{_SURROGATE}]")
_FORBIDDEN_ONE_LINE = re.compile(f"[\t\n\r{_CONTROL}{_BIDI}{_ZERO_WIDTH}{_SURROGATE}]")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "") if not "\ud800" <= char <= "\udfff" else "SURROGATE"
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control, bidi, zero-width or surrogate character in `text`, described; None when clean.

    Tabs and line breaks are allowed only when `multiline` (notes, addresses over lines).
    """
    match = (_FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE).search(text)
    return _describe(match.group()) if match else None


# ---- Bounds shared by the forms, the pages and the API (the OpenAPI document publishes the same numbers) ----
# Every id column is INTEGER, which PostgreSQL stores in 32 bits: a larger id is no row of ours, and sent to
# PostgreSQL it is an "integer out of range" error (a 500), so it must stop here. Moving the ids to BIGINT
# (a migration of every key) would make this 2**63 - 1 and change nothing else.
ID_MIN, ID_MAX = 1, 2**31 - 1
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)  # dates the service talks about; far ends overflow
CAPACITY_MAX = 500  # places in one session (slot, weekly session): the operator form's and the API's limit
TEXT_MAX = 200  # a one-line free text (reason, class name) unless a field says otherwise
PAGE_MAX = 100_000  # list pages: far beyond any real list, far below an offset overflow
GUARDIANS_MAX = 10  # adults coming along to one booking (each facility's policy allows fewer)
HOURS_MAX = 12  # consecutive daycare hours in one booking
CHILDREN_MAX = 10  # children in one booking


class InvalidValue(DomainError, ValueError):
    """A value from outside that breaks a bound; `message` is Korean and names the field.

    Its code is invalid_parameter (400: not a value of the right kind) or out_of_range (422).
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__("invalid_parameter" if status == 400 else "out_of_range", message, status, field)


def check_int(value, label: str, minimum: int, maximum: int) -> int:
    """`value` if it is a true integer (not a bool, not a float) within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{label}: 정수여야 합니다", label)
    if not minimum <= value <= maximum:
        raise InvalidValue(f"{label}: {minimum} 이상 {maximum} 이하여야 합니다", label, 422)
    return value


def parse_int(raw, label: str, minimum: int, maximum: int) -> int:
    """An integer written in decimal digits (query string, form field) within [minimum, maximum]."""
    text = str(raw if raw is not None else "").strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 20:
        raise InvalidValue(f"{label}: 정수를 입력해 주세요", label)
    return check_int(int(text), label, minimum, maximum)


def check_id(value, label: str = "id") -> int:
    """A row id: an integer in ID_MIN … ID_MAX."""
    return check_int(value, label, ID_MIN, ID_MAX)


def parse_id(raw, label: str = "id") -> int:
    """A row id written in digits (query string, form field)."""
    return parse_int(raw, label, ID_MIN, ID_MAX)


def check_date(value: date, label: str = "date") -> date:
    """`value` if it lies in DATE_MIN … DATE_MAX."""
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise InvalidValue(f"{label}: {DATE_MIN.isoformat()}부터 {DATE_MAX.isoformat()} 사이여야 합니다", label)
    return value


def _parse_iso(raw, parse, label: str, problem: str):
    """`parse(raw)` for an ISO text within the documented date range, else InvalidValue with `problem`."""
    try:
        value = parse(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        raise InvalidValue(f"{label}: {problem}", label)
    return check_date(value, label)


def parse_date(raw, label: str = "date") -> date:
    """A YYYY-MM-DD date within the documented range."""
    return _parse_iso(raw, date.fromisoformat, label, "날짜를 YYYY-MM-DD 형식으로 입력해 주세요 (예: 2026-11-24)")


def parse_datetime(raw, label: str = "datetime") -> datetime:
    """An ISO 8601 date-time within the documented date range (naive values keep no zone)."""
    return _parse_iso(raw, datetime.fromisoformat, label, "ISO 8601 날짜·시각이 아닙니다 (예: 2026-11-24T10:30)")


def text_problem(text: str, label: str, max_length: int = TEXT_MAX, *, multiline: bool = False) -> str | None:
    """A Korean message if `text` is too long or holds a forbidden character, else None."""
    if len(text) > max_length:
        return f"{label}: {max_length}자 이하로 입력해 주세요"
    bad = forbidden_character(text, multiline=multiline)
    if bad:
        return f"{label}: 쓸 수 없는 문자가 있습니다 ({bad})"
    return None


def check_text(text, label: str, max_length: int = TEXT_MAX, *, multiline: bool = False) -> str:
    """`text` if it is a string within `max_length` with no forbidden character."""
    if not isinstance(text, str):
        raise InvalidValue(f"{label}: 문자열이어야 합니다", label)
    problem = text_problem(text, label, max_length, multiline=multiline)
    if problem:
        raise InvalidValue(problem, label, 422)
    return text


class IdConverter(NumberConverter):
    """URL converter ``<id:name>``: digits in ID_MIN … ID_MAX, anything else is no route (404), never an overflow."""

    regex = r"\d{1,19}"  # bounded: Python refuses to parse a 5,000-digit integer (a 500 in the converter)
    num_convert = int

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        super().__init__(map, min=ID_MIN, max=ID_MAX)


class SafeText:
    """WTForms validator built on text_problem: length and forbidden characters, message in Korean."""

    def __init__(self, label: str, max_length: int = TEXT_MAX, multiline: bool = False):
        self.label, self.max_length, self.multiline = label, max_length, multiline

    def __call__(self, form, field) -> None:
        from wtforms.validators import ValidationError

        problem = text_problem(field.data or "", self.label, self.max_length, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)


def spreadsheet_cell(value):
    """A CSV cell Excel will not run as a formula: text starting with = + - @ tab or CR gets a leading quote.

    Numbers pass unchanged (a negative number is a number, not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def without_forbidden(text: str, *, multiline: bool = False) -> str:
    """`text` with the characters forbidden_character finds taken out (tabs and line breaks become spaces)."""
    if not multiline:
        text = re.sub(r"[\t\n\r]+", " ", text)
    return _FORBIDDEN.sub("", text)
