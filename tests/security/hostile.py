"""Hostile text for the "text from data is data" tests: template syntax and script breakouts, with checks.

Every value starts with a tag of its own and then `{{ 7*7 }}`, so a page can be searched for one field's
text, and an evaluation (49 right after the tag) or a compile error (a 500) cannot hide.
"""
from __future__ import annotations

import html
import json

from markupsafe import escape

from app.maps.data import script_json

TEMPLATE = "{{ 7*7 }}{% if 1 %}T{% endif %}{# c #}{{ ''|join }}{{ \"x\"|e('y') }}"
BREAKOUT = "</script><script>alert(1)</script><img src=x onerror=alert(1)>\"'><"
# The same without spaces: 행정동 names are the last word of adm_nm.
TEMPLATE_NO_SPACE = "{{7*7}}{%if(1)%}T{%endif%}{#c#}{{''|join}}{{\"x\"|e('y')}}"
# District names are at most 20 characters (districts.name): one payload each, one per district.
DISTRICT_NAMES = ["{{ 7*7 }}구", "{%if 1%}T{%endif%}", "{# c #}구", "{{''|join}}구", "{{\"x\"|e('y')}}구",
                  "</script><script>", "<img src=x onerror=", "<svg/onload=alert()>", "\"'><구"]
RAW_MARKUP = ("<script>alert(1)", "<img src=x onerror", "<svg/onload", "\"'><")


def hostile(tag: str) -> str:
    """A field's text: its tag, every template payload, every breakout."""
    return f"{tag}[{TEMPLATE}{BREAKOUT}"


def encodings(text: str) -> set[str]:
    """The forms in which a page may legitimately carry `text`: HTML-escaped, or inside JSON."""
    forms = {str(escape(text)), html.escape(text), script_json(text)[1:-1], json.dumps(text)[1:-1],
             json.dumps(text, ensure_ascii=False)[1:-1]}
    ascii_json = json.dumps(text)[1:-1]
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        ascii_json = ascii_json.replace(raw, esc)
    return forms | {ascii_json}


def shows(page: str, text: str) -> bool:
    """Whether the page carries `text` literally in one of its legitimate forms."""
    return any(form in page for form in encodings(text))


def assert_inert(page: str, tags: list[str], where: str = "") -> None:
    """No tag's template text was evaluated, and no markup from data stands raw in the page."""
    for tag in tags:
        start = 0
        while (i := page.find(f"{tag}[", start)) >= 0:
            after = page[i + len(tag) + 1:i + len(tag) + 10]
            assert after == "{{ 7*7 }}", f"{where}: {tag} is followed by {after!r}, not the literal template"
            start = i + 1
    for raw in RAW_MARKUP:
        assert raw not in page, f"{where}: raw {raw!r} from data in the page"
