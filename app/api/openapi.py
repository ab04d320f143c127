"""The OpenAPI document, assembled from each API module's OPENAPI_PATHS and OPENAPI_SCHEMAS."""
from __future__ import annotations

import importlib
import pkgutil

import app.api as api_package

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "stable error code"},
        "message": {"type": "string", "description": "Korean message for people"},
    },
}


def build_spec() -> dict:
    """Merge the paths and schemas every module under app.api declares."""
    paths: dict = {}
    schemas: dict = {"Error": ERROR_SCHEMA}
    for info in sorted(pkgutil.iter_modules(api_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"app.api.{info.name}")
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Nadeuri (나들이) API", "version": "1.0.0",
                 "description": "서울 가족시설 찾기와 예약. Errors are JSON {error, message}."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
