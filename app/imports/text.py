"""Text rules on import: control, bidi and zero-width characters are taken out and the row is flagged.

The rule is app.validation.forbidden_character, the same one the forms use. The row is kept (a
facility is not dropped for an invisible character) with the flag `suspicious_text`, whose detail
names each column and character, so an admin can check the source. Cells are checked as read and
the mapped values that mapping derives again, since it decodes text (HTML entities in COT names, %-escapes in
phones) and makes keys of headers; values copied from checked cells are not checked twice (mappers.DERIVED_VALUES).
"""

from __future__ import annotations

from app.imports.sources import SourceRow
from app.validation import forbidden_character, without_forbidden

# Names, ids and districts are one line; other cells may hold line breaks (notes, addresses).
ONE_LINE_COLUMNS = {
    "kids_cafes": ("id", "name", "district"),
    "daycare": ("어린이집코드", "어린이집명", "시군구명"),
    "toilets": ("연번", "건물명", "구 명칭"),
    "cot_theme": ("COT_CONTS_ID", "COT_CONTS_NAME", "COT_GU_NAME"),
}
ONE_LINE_VALUES = ("name", "phone")
MAX_DETAIL_ITEMS = 5


def _check(text: str, one_line: bool, where: str, problems: list[str]) -> str:
    found = forbidden_character(text, multiline=not one_line)
    if found is None:
        return text
    problems.append(f"{where}: {found}")
    return without_forbidden(text, multiline=not one_line)


def _clean_texts(one_line: list[str], multiline: list[str]) -> bool:
    """Whether none of the texts holds a forbidden character: one search per rule over all of them at once (the
    rules look at single characters, so joining texts cannot make or hide a match)."""
    if forbidden_character("".join(one_line)) is not None:
        return False
    return forbidden_character("".join(multiline), multiline=True) is None


def clean_row(row: SourceRow, layout: str) -> tuple[SourceRow, list[str]]:
    """The row with forbidden characters taken out of every text cell, and what was found where."""
    one_line = ONE_LINE_COLUMNS.get(layout, ())
    try:
        everything = "".join(row.cells.values())  # every cell a text: the usual case (CSV)
    except TypeError:
        everything = None
    if everything is not None:
        # The one-line rule forbids all the multiline rule does and more, so every cell under the multiline rule
        # and the one-line columns under the one-line rule is the same test as each cell under its own rule.
        lines = "".join([row.cells[c] for c in one_line if c in row.cells])
        if forbidden_character(everything, multiline=True) is None and forbidden_character(lines) is None:
            return row, []  # the common case: nothing to take out, nothing to report
    else:
        lines, texts = [], []
        for column, value in row.cells.items():
            if isinstance(value, str):
                (lines if column in one_line else texts).append(value)
            elif value is not None and not isinstance(value, (int, float, bool)):
                break  # nested JSON: the careful way below
        else:
            if _clean_texts(lines, texts):
                return row, []
    problems: list[str] = []
    cells = {}
    for column, value in row.cells.items():
        where = f"열 '{without_forbidden(str(column))}'"  # the header is file text too
        if isinstance(value, str):
            value = _check(value, column in one_line, where, problems)
        elif value is not None and not isinstance(value, (int, float, bool)):
            # Nested JSON: the mappers read it as str(value).
            text = str(value)
            checked = _check(text, False, where, problems)
            value = checked if checked != text else value
        cells[column] = value
    return SourceRow(row.line, cells), problems


def _texts(values, one_line: list[str], multiline: list[str]) -> None:
    """Every text in mapped values, sorted by the rule clean_values checks it with: keys and the top-level
    ONE_LINE_VALUES are one line."""
    if not isinstance(values, dict):
        _walk([(values, False, True)], one_line, multiline)
        return
    nested = []
    for key, value in values.items():  # mapped values are a flat dict but for `details`: the flat part inline
        if isinstance(key, str):
            one_line.append(key)
        if isinstance(value, str):
            (one_line if key in ONE_LINE_VALUES else multiline).append(value)
        elif isinstance(value, (dict, list)):
            nested.append((value, key in ONE_LINE_VALUES, False))
    _walk(nested, one_line, multiline)


def _walk(stack: list, one_line: list[str], multiline: list[str]) -> None:
    """Texts in nested values: (value, one-line rule, at the top level) entries, as clean_values walks them."""
    while stack:
        value, single, top = stack.pop()
        if isinstance(value, str):
            (one_line if single else multiline).append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    one_line.append(key)
                stack.append((item, top and key in ONE_LINE_VALUES, False))
        elif isinstance(value, list):
            stack.extend((item, single, top) for item in value)


def clean_values(values, problems: list[str], where: str = "") -> object:
    """Mapped values (dicts, lists, strings) with forbidden characters taken out; appends what was found."""
    if not where:
        one_line: list[str] = []
        multiline: list[str] = []
        _texts(values, one_line, multiline)
        if _clean_texts(one_line, multiline):
            return values  # the common case: nothing to take out
    if isinstance(values, str):
        return _check(values, where in ONE_LINE_VALUES, f"값 '{where}'", problems)
    if isinstance(values, dict):
        out = {}
        for key, value in values.items():
            # Keys can come from the file too (COT_* columns become detail keys).
            clean_key = _check(key, True, f"키 '{where}'", problems) if isinstance(key, str) else key
            out[clean_key] = clean_values(value, problems, clean_key if not where else f"{where}.{clean_key}")
        return out
    if isinstance(values, list):
        return [clean_values(v, problems, where) for v in values]
    return values


def clean_mapped(values: dict, problems: list[str], derived: tuple[str, ...] | None) -> object:
    """One record's mapped values as clean_values gives them, looking only at the `derived` ones when the mapper
    names them (mappers.DERIVED_VALUES: every other value is a text clean_row has already made clean)."""
    if derived is not None:
        one_line: list[str] = []
        multiline: list[str] = []
        _texts({k: values[k] for k in derived if k in values}, one_line, multiline)
        if _clean_texts(one_line, multiline):
            return values  # the common case: nothing to take out
    return clean_values(values, problems)


def flag_detail(problems: list[str]) -> str:
    """The suspicious_text flag's detail: the first few places, how many in all."""
    unique = list(dict.fromkeys(problems))
    more = len(unique) - MAX_DETAIL_ITEMS
    return "보이지 않는 문자를 지움: " + "; ".join(unique[:MAX_DETAIL_ITEMS]) + (f" 외 {more}곳" if more > 0 else "")
