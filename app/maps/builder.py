"""Folium maps for the finder, built from service results (never from raw queries).

Markers are not one folium.Marker each: every kind becomes one clustered layer whose points are a
compact JSON array, turned into markers by static/js/nadeuri-map.js (FastMarkerCluster-style).
That keeps 5,000 points at a few hundred KB and a few tens of milliseconds. Popups are built in
the browser from text nodes, so facility text can never become markup.

No text from data passes through Folium: branca compiles every rendered piece as a Jinja
template again, so a name like "{{ 7*7 }}" would be evaluated on the server (see app/maps/data.py).
Facility rows and the district outlines travel in <script type="application/json"> elements we
write ourselves, next to the map's <div>; the outlines carry geometry only, no names.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import MacroElement
from flask import url_for
from folium.plugins import MarkerCluster
from folium.template import Template
from markupsafe import escape

from app.facilities.choices import FacilityKind
from app.geo.spatial import bbox_around
from app.maps.assets import cluster_css, cluster_js, map_css, map_js
from app.maps.data import JsonData, data_elements
from app.maps.format import KAKAO_ROUTE, NAVER_ROUTE, distance_text

MAX_ZOOM = 19
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


class PageMap(folium.Map):
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


class FacilityLayer(JsonData, MarkerCluster):
    """One kind's facilities as a clustered layer, markers created in the browser from a data array."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = NadeuriMap.facilityLayer(NadeuriMap.data({{ this.data_id|tojson }}));
        {% endmacro %}
    """)

    def __init__(self, kind: str, items: list[dict], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "FacilityLayer"
        self.default_js, self.default_css = cluster_js(), cluster_css()
        detail = url_for("facilities.detail", facility_id=0)[:-1]
        choice = FacilityKind(kind)
        config = {
            "kind": choice.value,
            "label": choice.label,
            "color": choice.color,
            "detailUrl": detail,
            "icon": url_for("static", filename=choice.icon),
            "bookable": choice.bookable,
            "routes": {"kakao": KAKAO_ROUTE, "naver": NAVER_ROUTE},
        }
        self.data = {"config": config, "rows": [facility_row(i) for i in items]}


class OutlineLayer(JsonData, MacroElement):
    """The district outlines, drawn by the browser from a data element: geometry only, no names."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            NadeuriMap.outlines(NadeuriMap.data({{ this.data_id|tojson }})).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, geojson: dict):
        super().__init__()
        self._name = "OutlineLayer"
        features = [{"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in geojson["features"]]
        self.data = {"style": OUTLINE_STYLE, "geojson": {"type": "FeatureCollection", "features": features}}


def facility_row(item: dict) -> list:
    """The compact row the browser reads: [lat, lon, id, name, distance, today's hours, address, phone,
    next session, ages, fee] (the last three only for bookable kinds, else empty)."""
    return [
        round(item["lat"], 6),
        round(item["lon"], 6),
        item["id"],
        item["name"],
        distance_text(item.get("distance_m")),
        item.get("hours_today") or "",
        item.get("address") or "",
        item.get("phone") or "",
        item.get("session_text") or "",
        item.get("age_text") or "",
        item.get("fee") or "",
    ]


def _base_map(location, zoom: int, tile_url: str, attribution: str, outlines: dict, label: str) -> PageMap:
    m = PageMap(location=location, zoom_start=zoom, tiles=None, control_scale=True, aria_label=label)
    # markercluster needs a maxZoom on the map itself when there is no tile layer to give one.
    m.options["max_zoom"] = MAX_ZOOM
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", max_zoom=MAX_ZOOM, control=False).add_to(m)
    OutlineLayer(outlines["geojson"]).add_to(m)
    return m


def _layer_name(kind: str, count: int) -> str:
    # Static markup of our own (no facility text): Leaflet shows layer names as HTML.
    icon = url_for("static", filename=FacilityKind(kind).icon)
    return f'<img src="{icon}" alt="" width="16" height="20"> {FacilityKind(kind).label} ({count})'


def _split(m: PageMap) -> MapParts:
    root = m.get_root()
    root.render()
    return MapParts(root.header.render(), root.html.render() + data_elements(m), root.script.render())


def build_results_map(
    items: list[dict],
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
    if radius_m is not None and district_code is None:
        folium.Circle(
            center,
            radius=radius_m,
            color="#e8590c",
            weight=1.5,
            dash_array="6 6",
            fill=True,
            fill_opacity=0.04,
            interactive=False,
        ).add_to(m)
        folium.CircleMarker(
            center,
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color="#e8590c",
            fill_opacity=1,
            tooltip="검색 위치",
        ).add_to(m)
        box = bbox_around(center[0], center[1], radius_m)
        m.fit_bounds([[box.min_lat, box.min_lon], [box.max_lat, box.max_lon]])
    elif district_code in outlines["bounds"]:
        m.fit_bounds(outlines["bounds"][district_code])
    by_kind: dict[str, list[dict]] = {k: [] for k in FacilityKind}
    for item in items:
        if item.get("lat") is not None:
            by_kind[item["kind"]].append(item)
    layers = [FacilityLayer(k, by_kind[k], _layer_name(k, len(by_kind[k]))) for k in FacilityKind if by_kind[k]]
    for layer in layers:
        layer.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return _split(m)


def build_facility_map(info: dict, *, outlines: dict, tile_url: str = "", attribution: str = "") -> MapParts | None:
    """A small map around one facility (None when it has no coordinates)."""
    if info.get("lat") is None:
        return None
    m = _base_map((info["lat"], info["lon"]), 15, tile_url, attribution, outlines, "시설 위치 지도")
    layer = FacilityLayer(info["kind"], [info], FacilityKind(info["kind"]).label)
    layer.add_to(m)
    return _split(m)
