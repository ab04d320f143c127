"""Parsing query parameters and JSON bodies into typed values, with a clear 400/422 for anything wrong.

The bounds come from app.validation, the same ones the forms and pages use; the OpenAPI fragments
below publish them (minimum, maximum, maxLength, format) so a client can see them.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

from flask import request

from app import validation
from app.errors import ApiError
from app.timeutil import KST
from app.validation import DATE_MAX, DATE_MIN, ID_MAX, ID_MIN, InvalidValue

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
JSON_MAX_DEPTH = 20  # our bodies are flat; deeper nesting is an attack on the parser, not a request

ID_SCHEMA = {"type": "integer", "format": "int32", "minimum": ID_MIN, "maximum": ID_MAX}
DATE_SCHEMA = {
    "type": "string",
    "format": "date",
    "description": f"YYYY-MM-DD, {DATE_MIN.isoformat()} … {DATE_MAX.isoformat()}",
}


def id_param(name: str, description: str = "id") -> dict:
    """An OpenAPI path parameter for a row id (ID_MIN … ID_MAX)."""
    return {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA, "description": description}


def json_content(schema: str) -> dict:
    """An OpenAPI JSON body of the named component schema."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def object_schema(required: list[str], properties: dict) -> dict:
    """An OpenAPI object schema with its required properties."""
    return {"type": "object", "required": required, "properties": properties}


def json_response(description: str, schema: str = "Error") -> dict:
    """An OpenAPI response whose JSON body is the named component schema (an Error by default)."""
    return {"description": description, "content": json_content(schema)}


def items_response(description: str, schema: str) -> dict:
    """An OpenAPI response `{"items": [<schema>, …]}`, the shape of every list the API returns."""
    items = {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}
    body = {"type": "object", "required": ["items"], "properties": {"items": items}}
    return {"description": description, "content": {"application/json": {"schema": body}}}


def _bad(name: str, message: str) -> ApiError:
    return ApiError("invalid_parameter", f"{name}: {message}", 400, parameter=name)


def number(args, name: str, default=None, *, minimum=None, maximum=None, integer=False):
    """A finite number from the query string, within bounds."""
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:  # also a 5,000-digit integer (Python refuses to parse it)
        kind = "정수" if integer else "숫자"
        raise _bad(name, f"{kind}가 아닙니다: {raw!r}") from None
    if not math.isfinite(value):
        raise _bad(name, "유한한 숫자여야 합니다")
    if minimum is not None and value < minimum:
        raise _bad(name, f"{minimum} 이상이어야 합니다")
    if integer and maximum is None:
        maximum = ID_MAX  # no integer parameter may overflow the database's bigint
    if maximum is not None and value > maximum:
        raise _bad(name, f"{maximum} 이하여야 합니다")
    return value


def choices(args, name: str, allowed) -> list[str]:
    """Values given repeated or comma-separated, each one of `allowed`."""
    values = []
    for raw in args.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise _bad(name, f"알 수 없는 값 {', '.join(unknown)} (가능: {', '.join(allowed)})")
    return list(dict.fromkeys(values))


def id_list(args, name: str, max_items: int) -> list[int]:
    """Ids given comma-separated or repeated: 1 … max_items of them, each in ID_MIN … ID_MAX, duplicates dropped."""
    raw = ",".join(args.getlist(name))
    if len(raw) > max_items * 12:  # more text than max_items ids can need: refuse it before splitting
        raise _bad(name, f"id는 최대 {max_items}개까지입니다")
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts:
        raise _bad(name, f"쉼표로 구분한 id가 필요합니다 (예: {name}=1,2,3)")
    if len(parts) > max_items:
        raise _bad(name, f"id는 최대 {max_items}개까지입니다 ({len(parts)}개)")
    ids = []
    for part in parts:
        try:
            ids.append(validation.parse_id(part, name))
        except InvalidValue:
            raise _bad(name, f"{ID_MIN}~{ID_MAX} 사이의 정수 id가 아닙니다: {part[:20]!r}") from None
    return list(dict.fromkeys(ids))


def moment(args, name: str) -> datetime | None:
    """An ISO 8601 date-time; without a zone it is Seoul time. "now" is accepted."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw == "now":
        return datetime.now(KST)
    try:
        value = validation.parse_datetime(raw, name)
    except InvalidValue as error:
        raise _bad(name, error.message.removeprefix(f"{name}: ")) from None
    return value if value.tzinfo else value.replace(tzinfo=KST)


def day(args, name: str) -> date:
    """A required YYYY-MM-DD query parameter within DATE_MIN … DATE_MAX."""
    try:
        return validation.parse_date(args.get(name, ""), name)
    except InvalidValue as error:
        raise _bad(name, error.message.removeprefix(f"{name}: ")) from None


def _depth(value) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children if isinstance(child, (list, dict)))
    return deepest


def _strings(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def json_body() -> dict:
    """The request's JSON object; 400 for no JSON, broken JSON, deep nesting, lone surrogates or a non-object."""
    need = "JSON 객체 본문이 필요합니다 (Content-Type: application/json)"
    if not request.is_json:
        raise ApiError("invalid_body", need, 400)
    raw = request.get_data(cache=True)  # over a declared body limit this raises 413 before anything is parsed
    request.stream.read(1)  # a streamed body stops at the limit: reading on raises 413, no truncated JSON is parsed
    try:
        body = json.loads(raw)
    except RecursionError:
        raise ApiError("invalid_body", f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {JSON_MAX_DEPTH}단계)", 400) from None
    except ValueError:
        raise ApiError("invalid_body", "JSON 형식이 올바르지 않습니다", 400) from None
    if not isinstance(body, dict):
        raise ApiError("invalid_body", need, 400)
    if _depth(body) > JSON_MAX_DEPTH:
        raise ApiError("invalid_body", f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {JSON_MAX_DEPTH}단계)", 400)
    # "\ud800" and "\u0000" are valid JSON but no storable text: no encoder (nor PostgreSQL) takes them.
    if any(_UNSTORABLE.search(text) for text in _strings(body)):
        raise ApiError(
            "invalid_body", "JSON 문자열에 쓸 수 없는 문자(NUL, 짝이 없는 서로게이트 \\ud800 등)가 있습니다", 400
        )
    return body


def body_int(body: dict, name: str, minimum: int, maximum: int, default=None) -> int:
    """An integer field (not a bool, not a float) within bounds; `default` when absent."""
    value = body.get(name, default)
    return validation.check_int(value, name, minimum, maximum)  # InvalidValue: answered by app/api/__init__.py


def body_id(body: dict, name: str) -> int:
    """A required id field: an integer in ID_MIN … ID_MAX."""
    return body_int(body, name, ID_MIN, ID_MAX)


def body_ids(body: dict, name: str, max_items: int) -> list[int]:
    """A list of ids, 1 … max_items of them."""
    values = body.get(name)
    if not isinstance(values, list) or not 1 <= len(values) <= max_items:
        raise ApiError("invalid_parameter", f"{name}: 정수 id 목록이어야 합니다 (1~{max_items}개)", 400, parameter=name)
    for value in values:
        validation.check_id(value, name)
    return values


def body_text(body: dict, name: str, max_length: int, *, required: bool = False) -> str | None:
    """A one-line text field within max_length without control/bidi characters; None when absent."""
    value = body.get(name)
    if value is None and not required:
        return None
    return validation.check_text(value, name, max_length)
