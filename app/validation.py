"""Bounds and character rules for every value that comes from outside: files, forms, JSON, URLs.

One module, imported by the import pipeline, the forms, the API and the pages alike, so a name
that an import flags is the same name that a form refuses.
"""
from __future__ import annotations

import re
import unicodedata

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


def without_forbidden(text: str, *, multiline: bool = False) -> str:
    """`text` with the characters forbidden_character finds taken out (tabs and line breaks become spaces)."""
    if not multiline:
        text = re.sub(r"[\t\n\r]+", " ", text)
    return _FORBIDDEN.sub("", text)
