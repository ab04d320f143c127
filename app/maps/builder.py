"""Folium maps for the finder, built from service results (never from raw queries).

Markers are not one folium.Marker each: every kind becomes one clustered layer whose points travel as
compact columns (id, coordinates, a short name: encode_points), turned into markers in bulk by
static/js/nadeuri-map.js. A popup's facts (hours, next session, address, phone…) are fetched from the
facility's card when it opens ("details on demand"), so 5,000 points stay near 300 KB. Popups are built
in the browser from text nodes, so facility text can never become markup.

No text from data passes through Folium: branca compiles every rendered piece as a Jinja
template again, so a name like "{{ 7*7 }}" would be evaluated on the server (see app/maps/data.py).
Markers travel in <script type="application/json"> elements we write ourselves, next to the map's <div>;
the district outlines (geometry only, no names) are fetched from GET /maps/outlines.json.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import folium
import numpy as np
from branca.element import Element, MacroElement
from flask import current_app, url_for
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import escape

from app.facilities.choices import FacilityKind
from app.geo.spatial import bbox_around
from app.maps.assets import cluster_css, cluster_js, map_css, map_js
from app.maps.data import JsonData, data_elements
from app.maps.format import KAKAO_ROUTE, NAVER_ROUTE

MAX_ZOOM = 19
# Seoul is the map's whole world: zoom 10 shows about 150 km. Each zoom level below costs the clustering of every
# marker a level of its tree (leaflet.markercluster builds one per level, from MAX_ZOOM down to the map's minimum).
MIN_ZOOM = 10
OUTLINE_STYLE = {"color": "#5c6b7a", "weight": 1.2, "opacity": 0.7, "fillColor": "#dfe7ef", "fillOpacity": 0.25}


def kind_legend() -> list[dict]:
    """Label, colour and icon URL per kind, for the legend beside the map."""
    return [
        {"kind": k.value, "label": k.label, "color": k.color, "icon": url_for("static", filename=k.icon)}
        for k in FacilityKind
    ]


@dataclass
class MapParts:
    """A rendered map split for embedding: <head> links, the map <div>, and its script."""

    header: str
    html: str  # the map <div> followed by its data elements
    script: str

    @property
    def size(self) -> int:
        return len(self.header.encode()) + len(self.html.encode()) + len(self.script.encode())


class _Markup(Element):
    """Markup rendered already, added to the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class RenderOnce(MacroElement):
    """MacroElement.render without branca's second pass: branca wraps each rendered macro in Element(text), which
    compiles the text as a template again (a hazard for any text, see app/maps/data.py, and most of the time it
    takes to build a map). Our elements' pieces are added as they were rendered."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if macros.get(part) is not None:
                getattr(figure, part).add_child(_Markup(macros[part](self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class PageMap(folium.Map, RenderOnce):
    """folium.Map for embedding in our pages: no page-wide styles, no zoom-blocking viewport tag."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} { position: relative; width: 100%; height: 100%; }</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map nd-map" id={{ this.get_name()|tojson }}
                 role="region" aria-label="{{ this.aria_label_attr }}"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }},
                {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }}, ...{{ this.options|tojavascript }},
                 gestureHandling: NadeuriMap.wantsGestureHandling()});
            {%- if this.control_scale %}
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
            {%- endif %}
            NadeuriMap.register({{ this.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, *args, aria_label: str = "지도", **kwargs):
        super().__init__(*args, **kwargs)
        # A fixed label of ours only: Folium output is compiled as a template again (see above).
        self.aria_label_attr = str(escape(aria_label))
        self.default_js = map_js() + [("nadeuri_map_js", url_for("static", filename="js/nadeuri-map.js"))]
        self.default_css = map_css()


SEARCH_STYLE = {
    "area": {"color": "#e8590c", "weight": 1.5, "dashArray": "6 6", "fill": True, "fillOpacity": 0.04},
    "point": {"radius": 7, "color": "#ffffff", "weight": 2, "fill": True, "fillColor": "#e8590c", "fillOpacity": 1},
}


class FacilityLayers(JsonData, JSCSSMixin, RenderOnce):
    """The map's one data layer: a clustered layer per kind, the search area and the view, made in the browser
    (NadeuriMap.facilityLayers) from one data element.

    Only what a marker needs travels with the page (see encode_points); a popup's facts come from the
    facility's card (GET /facilities/<id>/card) when it opens, or from `cards` given here.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            NadeuriMap.facilityLayers({{ this._parent.get_name() }}, NadeuriMap.data({{ this.data_id|tojson }}));
        {% endmacro %}
    """)

    def __init__(self, markers: Markers, *, center=None, area=None, bounds=None, control=True, cards=None):
        super().__init__()
        self._name = "FacilityLayers"
        self.default_js, self.default_css = cluster_js(), cluster_css()
        detail = url_for("facilities.detail", facility_id=0)[:-1]
        routes = {"kakao": KAKAO_ROUTE, "naver": NAVER_ROUTE}
        layers = []
        for choice in FacilityKind:
            of_kind = markers[markers.kind == choice.value]
            if not len(of_kind):
                continue
            config = {
                "kind": choice.value,
                "label": choice.label,
                "color": choice.color,
                "detailUrl": detail,
                "icon": url_for("static", filename=choice.icon),
                "bookable": choice.bookable,
                "routes": routes,
                # Where distances in the cards are measured from (the search's centre).
                "center": [round(center[0], 6), round(center[1], 6)] if center else None,
            }
            layers.append({"config": config, "points": encode_points(of_kind)})
        self.data = {
            "layers": layers,
            "cards": cards or {},
            "area": area,  # {"center": [lat, lon], "radius": metres, "style": …} or None
            "bounds": bounds,  # [[south, west], [north, east]] to fit, or None
            "control": control,  # a layer switch ("지도에 표시할 항목")
        }


class OutlineLayer(RenderOnce):
    """The district outlines (geometry only, no names), fetched by the browser from outline_json's URL: the
    same for every page, so a browser keeps them for a year instead of every page carrying them."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            NadeuriMap.outlines({{ this.url|tojson }}, {{ this.style|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, outlines: dict):
        super().__init__()
        self._name = "OutlineLayer"
        self.url = url_for("maps.outlines", v=outline_json(outlines)[1])  # an URL of ours: safe for Folium
        self.style = OUTLINE_STYLE


_OUTLINES_KEY = "nadeuri_outline_json"


def outline_json(outlines: dict) -> tuple[bytes, str]:
    """The outlines as the browser draws them (a FeatureCollection, geometry only) and a hash of those bytes,
    made once per outline set (app.facilities.outlines keeps one per app)."""
    cache = current_app.extensions.setdefault(_OUTLINES_KEY, {})
    if cache.get("source") is not outlines["geojson"]:
        features = [
            {"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in outlines["geojson"]["features"]
        ]
        body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
        cache.update(source=outlines["geojson"], body=body, version=hashlib.sha256(body).hexdigest()[:12])
    return cache["body"], cache["version"]


SHORT_NAME_CHARS = 24
COORD_SCALE = 1_000_000  # 1e-6 degrees: about 10 cm, and ±180° still fits in an int32


@dataclass
class Markers:
    """Facilities on a map as equal-length columns (numpy arrays; names of dtype object): id, kind, name, lat, lon."""

    id: np.ndarray
    kind: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    def __len__(self) -> int:
        return len(self.id)

    def __getitem__(self, index) -> Markers:
        return Markers(self.id[index], self.kind[index], self.name[index], self.lat[index], self.lon[index])

    @classmethod
    def of(cls, items: list[dict]) -> Markers:
        """From dicts with id, kind, name, lat and lon (those without coordinates left out)."""
        items = [i for i in items if i.get("lat") is not None]
        return cls(
            np.array([i["id"] for i in items], dtype=np.int64),
            np.array([i["kind"] for i in items], dtype=str),
            np.array([i["name"] for i in items], dtype=object),
            np.array([i["lat"] for i in items], dtype=float),
            np.array([i["lon"] for i in items], dtype=float),
        )

    @classmethod
    def empty(cls) -> Markers:
        return cls.of([])


def short_names(names: list[str]) -> str:
    """Markers' names (their title and alt text), one a line: at most SHORT_NAME_CHARS each (the popup shows
    the whole name), line breaks inside a name made spaces."""
    cut = SHORT_NAME_CHARS - 1
    text = "\n".join(n if len(n) <= SHORT_NAME_CHARS else n[:cut] + "…" for n in names)
    if names and text.count("\n") != len(names) - 1:  # a name with a line break of its own
        return short_names([n.replace("\n", " ") for n in names])
    return text


def _int32_base64(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<i4").tobytes()).decode("ascii")


def encode_points(markers: Markers) -> dict:
    """Markers as columns, in id order: ids as differences from the previous id (a JSON list of small numbers),
    latitudes and longitudes as little-endian int32 in 1e-6 degrees (10 cm), base64 (5.3 characters a value,
    and no number formatting), and short names in one string, one a line (a JSON list of strings costs 2 bytes
    more a name). static/js/nadeuri-map.js (decodePoints) reads them."""
    m = markers[np.argsort(markers.id, kind="stable")]
    return {
        "id": np.diff(m.id, prepend=0).tolist(),
        "lat": _int32_base64(np.rint(m.lat * COORD_SCALE)),
        "lon": _int32_base64(np.rint(m.lon * COORD_SCALE)),
        "name": short_names(m.name.tolist()),
        "scale": COORD_SCALE,
    }


def decode_points(data: dict) -> list[tuple[int, float, float, str]]:
    """(id, lat, lon, short name) per marker from encode_points' columns (what the browser does, for tests)."""
    ids = np.cumsum(np.array(data["id"], dtype=np.int64)).tolist()
    lats, lons = (np.frombuffer(base64.b64decode(data[k]), dtype="<i4") / data["scale"] for k in ("lat", "lon"))
    names = data["name"].split("\n") if ids else []
    return list(zip(ids, lats.tolist(), lons.tolist(), names))


def _base_map(location, zoom: int, tile_url: str, attribution: str, outlines: dict, label: str) -> PageMap:
    m = PageMap(location=location, zoom_start=zoom, tiles=None, control_scale=True, aria_label=label)
    # markercluster needs a maxZoom on the map itself when there is no tile layer to give one.
    m.options["max_zoom"] = MAX_ZOOM
    m.options["min_zoom"] = MIN_ZOOM
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", max_zoom=MAX_ZOOM, control=False).add_to(m)
    OutlineLayer(outlines).add_to(m)
    return m


def _split(m: PageMap) -> MapParts:
    root = m.get_root()
    root.render()
    return MapParts(root.header.render(), root.html.render() + data_elements(m), root.script.render())


def build_results_map(
    markers: Markers,
    *,
    center: tuple[float, float],
    radius_m: float | None,
    district_code: str | None,
    outlines: dict,
    tile_url: str = "",
    attribution: str = "",
) -> MapParts:
    """The search-results map: district outlines, the search circle, one clustered layer per kind."""
    m = _base_map(center, 14, tile_url, attribution, outlines, "검색 결과 지도")
    area = bounds = None
    if radius_m is not None and district_code is None:
        area = {"center": [center[0], center[1]], "radius": radius_m, "label": "검색 위치", **SEARCH_STYLE}
        box = bbox_around(center[0], center[1], radius_m)
        bounds = [[box.min_lat, box.min_lon], [box.max_lat, box.max_lon]]
    elif district_code in outlines["bounds"]:
        bounds = outlines["bounds"][district_code]
    FacilityLayers(markers, center=center, area=area, bounds=bounds).add_to(m)
    return _split(m)


def build_facility_map(
    info: dict, card: dict, *, outlines: dict, tile_url: str = "", attribution: str = ""
) -> MapParts | None:
    """A small map around one facility (None when it has no coordinates); its popup shows `card`."""
    if info.get("lat") is None:
        return None
    m = _base_map((info["lat"], info["lon"]), 15, tile_url, attribution, outlines, "시설 위치 지도")
    FacilityLayers(Markers.of([info]), control=False, cards={str(info["id"]): card}).add_to(m)
    return _split(m)
