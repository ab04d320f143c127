"""The OpenAPI document, assembled from each API module's OPENAPI_PATHS and OPENAPI_SCHEMAS."""

from __future__ import annotations

import copy
import importlib
import pkgutil
from pathlib import Path

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "stable error code"},
        "message": {"type": "string", "description": "Korean message for people"},
    },
}


# What each kind of failure means; every operation lists the ones it can answer (see _add_errors).
ERROR_MEANINGS = {
    "400": "잘못된 요청: 형식이 틀린 매개변수나 JSON 본문 (invalid_parameter, invalid_body)",
    "401": "인증 필요: 토큰이 없거나 만료·폐기됨 (unauthorized)",
    "403": "권한 없음 (forbidden)",
    "404": "없음: id가 없거나 1 … 2^31−1 밖이거나 다른 사람의 것",
    "413": "본문이 너무 큼 (MAX_CONTENT_LENGTH, 1 MB)",
    "422": "값이 범위 밖이거나 규칙 위반 (out_of_range, invalid_name …)",
    "429": "시도가 너무 많음: 잠시 후 다시",
}
_RATE_LIMITED = {("post", "/api/auth/token"), ("post", "/api/auth/register")}


def _add_errors(path: str, method: str, operation: dict) -> None:
    """Declare the error answers the app can give for this operation, each with the Error schema."""
    params = operation.get("parameters", [])
    codes = []
    if any(p["in"] == "query" for p in params):
        codes.append("400")
    if any(p["in"] == "path" for p in params):
        codes.append("404")
    if "requestBody" in operation:
        codes += ["400", "413", "422"]
    if operation.get("security"):
        codes.append("401")
    if (method, path) in _RATE_LIMITED:
        codes.append("429")
    responses = operation.setdefault("responses", {})
    for code in codes:
        responses.setdefault(
            code,
            {
                "description": ERROR_MEANINGS[code],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )


def build_spec() -> dict:
    """Merge the paths and schemas every module under app.api declares."""
    paths: dict = {}
    schemas: dict = {"Error": ERROR_SCHEMA}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        module = importlib.import_module(f"app.api.{info.name}")
        paths.update(copy.deepcopy(getattr(module, "OPENAPI_PATHS", {})))  # _add_errors edits the copy
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    for path, operations in paths.items():
        for method, operation in operations.items():
            _add_errors(path, method, operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Nadeuri (나들이) API",
            "version": "1.0.0",
            "description": "서울 가족시설 찾기와 예약. Errors are JSON {error, message}.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
