"""Data for the maps travels beside Folium, never through it.

Folium/branca render a map's HTML through Jinja, and branca compiles each rendered piece as a
template a second time (branca.element.Element(template=...)), so any text inside Folium's output
is evaluated: a district name "{{ 7*7 }}" shows 49, and worse runs Python. Only constants and ids
of ours may reach Folium. Text from files, forms or the database goes into JSON data elements
written here, after Folium has rendered, and static/js/nadeuri-map.js reads them and puts the text
on the page with textContent (or as DOM nodes for Leaflet tooltips and popups), never as HTML.
"""

from __future__ import annotations

import json

from branca.element import Element

_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(value) -> str:
    """JSON that is safe inside a <script> element (no "</script>", no HTML specials), UTF-8 kept compact."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _SCRIPT_ESCAPES:
        if raw in text:  # a search is cheaper than a copy of a few hundred KB
            text = text.replace(raw, escaped)
    return text


class JsonData:
    """Mixin for a Folium element whose data is a JSON data element of ours; its script names only the id."""

    data: object = None

    @property
    def data_id(self) -> str:
        # get_name() is Folium's own id ("kind_" + uuid hex): an id of ours, safe in the template.
        return f"nd-data-{self.get_name()}"

    def data_element(self) -> str:
        """The element's data as <script type="application/json"> (script_json keeps it inert in HTML)."""
        return f'<script type="application/json" id="{self.data_id}">{script_json(self.data)}</script>'


def data_elements(root: Element) -> str:
    """Every JsonData element's data element under `root`, in tree order."""
    out = []
    stack = [root]
    while stack:
        element = stack.pop(0)
        if isinstance(element, JsonData):
            out.append(element.data_element())
        stack.extend(element._children.values())
    return "".join(out)
