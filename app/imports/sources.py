"""Reading source files: encodings, CSV/JSON rows with line numbers, and recognising each layout."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import DomainError

UTF8_BOM = b"\xef\xbb\xbf"
# Columns that identify each CSV layout; a file with most but not all of them is malformed.
LAYOUT_COLUMNS = {
    "kids_cafes": (
        "id",
        "name",
        "district",
        "address",
        "age",
        "capacity",
        "operation_days",
        "closed_days",
        "lat",
        "lng",
    ),
    "daycare": (
        "시군구명",
        "어린이집코드",
        "어린이집명",
        "상세주소",
        "시설 위도(좌표값)",
        "시설 경도(좌표값)",
        "제공서비스",
    ),
    "toilets": ("연번", "도로명주소", "지번주소", "x 좌표", "y 좌표", "건물명", "구 명칭", "개방시간"),
}


class ImportDataError(DomainError):
    """A file or row the importer cannot read; names the file, the line and the column (422)."""

    def __init__(self, file: str | Path, message: str, line: int | str | None = None, column: str | None = None):
        self.file, self.line = str(file), line
        super().__init__("invalid_file", message, 422)
        self.column = column
        self.args = (str(self),)

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}" if isinstance(self.line, int) else str(self.line))
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return ", ".join(where) + f": {self.message}"


@dataclass
class SourceRow:
    """One source row: where it was (line, or "item N" for JSON) and its cells by column."""

    line: int | str
    cells: dict[str, object]


@dataclass
class SourceFile:
    """A recognised file: its layout and rows (layout "districts" has none)."""

    path: Path
    layout: str
    encoding: str = "utf-8"
    rows: list[SourceRow] = field(default_factory=list)
    features: int = 0


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else CP949; undecodable bytes are an error."""
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf_error:
        try:
            return raw.decode("cp949"), "cp949"
        except UnicodeDecodeError as cp_error:
            # The encoding that got further is the one the file was meant to be in.
            error, encoding = max((utf_error, "utf-8"), (cp_error, "cp949"), key=lambda p: p[0].start)
            raise _decode_error(path, raw, error.start, encoding) from None


def _decode_error(path: Path, raw: bytes, offset: int, encoding: str) -> ImportDataError:
    line = raw.count(b"\n", 0, offset) + 1
    line_start = raw.rfind(b"\n", 0, offset) + 1
    header_end = raw.find(b"\n")
    header = next(csv.reader([raw[: header_end if header_end >= 0 else len(raw)].decode(encoding, "replace")]), [])
    before = raw[line_start:offset].decode(encoding, "replace")
    index = len(next(csv.reader([before]), [""])) - 1 if before else 0
    column = header[index].strip() if line > 1 and 0 <= index < len(header) else None
    return ImportDataError(path, f"bytes that are neither UTF-8 nor CP949 (0x{raw[offset]:02x})", line, column)


def read_source(path: Path) -> SourceFile | None:
    """Read and recognise one file by its columns or structure; None when it is not a known layout."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json", ".geojson", ".txt"):
        return None
    text, encoding = decode(path, path.read_bytes())
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _read_json(path, text, encoding)
    return _read_csv(path, text, encoding)


def _read_csv(path: Path, text: str, encoding: str) -> SourceFile | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        return None
    except csv.Error as exc:
        raise ImportDataError(path, f"CSV error: {exc}", 1) from None
    layout = _recognise(path, header)
    if layout is None:
        return None
    rows: list[SourceRow] = []
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportDataError(path, f"CSV error: {exc}", line) from None
        if not "".join(values).strip():  # a blank line (every cell blank)
            continue
        if len(values) != len(header):
            raise ImportDataError(path, f"expected {len(header)} columns, found {len(values)}", line)
        rows.append(SourceRow(line, dict(zip(header, values))))
    return SourceFile(path, layout, encoding, rows)


def _recognise(path: Path, header: list[str]) -> str | None:
    present = set(header)
    for layout, columns in LAYOUT_COLUMNS.items():
        missing = [c for c in columns if c not in present]
        if not missing:
            return layout
        if len(missing) <= len(columns) // 2:
            raise ImportDataError(path, f"missing required column for the {layout} layout", 1, missing[0])
    return None


def _read_json(path: Path, text: str, encoding: str) -> SourceFile | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportDataError(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        props = [f.get("properties") or {} for f in features]
        if props and all(("SIG_CD" in p or "code" in p) and ("SIG_KOR_NM" in p or "name" in p) for p in props):
            return SourceFile(path, "districts", encoding, features=len(features))
        return None
    items = data.get("body") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return None
    if not any("COT_CONTS_ID" in i for i in items):
        return None
    rows = []
    for n, item in enumerate(items, start=1):
        for column in ("COT_CONTS_ID", "COT_CONTS_NAME"):
            if column not in item:
                raise ImportDataError(path, "missing required field", f"item {n}", column)
        rows.append(SourceRow(f"item {n}", item))
    return SourceFile(path, "cot_theme", encoding, rows)
