"""The kids-café coverage map: districts shaded by area share, the covered area over them, the gaps.

Fed by app.geo.cafe_coverage.compute_coverage and the district outlines (app.facilities.outlines); Leaflet is
served by the app itself (app.maps.assets), so building the map needs a request context.
No name or figure passes through Folium (its output is compiled as a Jinja template again, see
app.maps.data): they travel in JSON data elements, and the tooltips are DOM nodes built with textContent.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from flask import url_for
from folium.map import Layer
from folium.template import Template
from shapely.geometry import shape

from app.facilities.choices import FacilityKind
from app.geo.cafe_coverage import CoverageReport
from app.maps.assets import map_css, map_js
from app.maps.data import JsonData, data_elements

SEOUL_CENTER = (37.5665, 126.9780)
# (upper bound of the class, fill colour): ColorBrewer Blues, one hue from light (poorly covered) to dark, which
# stays in order for every kind of colour blindness and in greyscale. The overlays take colours no class has:
# the walkable area an orange outline (blue/orange is the safe pair), the farthest 행정동 black dots ringed white.
SHARE_CLASSES = [(0.2, "#eff3ff"), (0.4, "#bdd7e7"), (0.6, "#6baed6"), (0.8, "#3182bd"), (1.0, "#08519c")]
NO_DATA_COLOR = "#d9d9d9"
COVERED_STYLE = {
    "color": "#e6550d",
    "weight": 1.6,
    "opacity": 0.95,
    "fillColor": "#fd8d3c",
    "fillOpacity": 0.18,
    "dashArray": "4 3",
}
GAP_COLOR = "#000000"
DARK_CLASSES = {color for _, color in SHARE_CLASSES[3:]}  # district labels on these are drawn white


def share_color(share: float | None) -> str:
    """Fill colour of the class that holds `share` (0..1)."""
    if share is None:
        return NO_DATA_COLOR
    for upper, color in SHARE_CLASSES:
        if share < upper:
            return color
    return SHARE_CLASSES[-1][1]


def percent(share: float | None) -> str:
    """0.4567 → "45.7%"; None → "자료 없음"."""
    return "자료 없음" if share is None else f"{share * 100:.1f}%"


def legend_items() -> list[tuple[str, str]]:
    """(colour, label) per class, for the legend."""
    items, lower = [], 0.0
    for upper, color in SHARE_CLASSES:
        items.append((color, f"{lower * 100:.0f}–{upper * 100:.0f}%"))
        lower = upper
    return items


class CoverageLayer(JsonData, Layer):
    """One coverage layer (districts, covered area or gaps) drawn by static/js/nadeuri-map.js from its data.

    `draw` names the NadeuriMap function; it and the layer name are constants of ours. The names and
    figures travel in the data element and become tooltip DOM nodes built with textContent.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = NadeuriMap.{{ this.draw }}(NadeuriMap.data({{ this.data_id|tojson }}));
        {% endmacro %}
    """)

    def __init__(self, draw: str, data: dict, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CoverageLayer"
        self.draw, self.data = draw, data


class Legend(JsonData, MacroElement):
    """A Leaflet control listing the colour classes; built in the browser with textContent."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            NadeuriMap.legend(NadeuriMap.data({{ this.data_id|tojson }})).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, title: str, rows: list[tuple[str, str]]):
        super().__init__()
        self._name = "CoverageLegend"
        self.data = {"title": title, "rows": rows}


def _label_point(geometry: dict) -> list[float]:
    """Where the district's name goes: a point inside the polygon (a centroid may fall outside)."""
    point = shape(geometry).representative_point()
    return [round(point.y, 5), round(point.x, 5)]


def _district_tip(row) -> list[str]:
    """Tooltip lines; the first is shown bold. Plain text: the browser puts it in with textContent."""
    return [
        row.name,
        f"면적 커버율 {percent(row.area_share)}",
        f"행정동 커버율 {percent(row.dong_share)} ({row.dongs_covered}/{row.dongs})",
        f"키즈카페 {row.cafes}곳",
    ]


def build_coverage_map(
    report: CoverageReport, outlines: dict, *, tile_url: str = "", attribution: str = "", gaps: int = 10
) -> folium.Map:
    """A folium.Map: districts by area share, covered area, top `gaps` worst-served 행정동 and a legend.

    `outlines` is a FeatureCollection of the districts with a `code` property (app.facilities.outlines).
    Every name and figure is in the layers' data elements (see app.maps.data); render with coverage_map_html.
    """
    m = folium.Map(location=SEOUL_CENTER, zoom_start=11, tiles=None, control_scale=True, zoom_snap=0.25)
    m.default_js = map_js() + [("nadeuri_map_js", url_for("static", filename="js/nadeuri-map.js"))]
    m.default_css = map_css()
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", control=False).add_to(m)
    rows = {r.code: r for r in report.rows}
    features = []
    for feature in outlines["features"]:
        row = rows.get(str(feature["properties"].get("code")))
        if row is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "color": share_color(row.area_share),
                    "tip": _district_tip(row),
                    "name": row.name,
                    "label": _label_point(feature["geometry"]),
                    "dark": share_color(row.area_share) in DARK_CLASSES,
                },
            }
        )
    CoverageLayer(
        "coverageDistricts", {"type": "FeatureCollection", "features": features}, "자치구별 면적 커버율"
    ).add_to(m)
    if not report.covered.is_empty:
        CoverageLayer(
            "coverageArea",
            {"geometry": report.covered_geojson(), "style": COVERED_STYLE},
            f"도보 {float(report.minutes):g}분 이내 ({float(report.walk_m):.0f}m)",
        ).add_to(m)
    gap_points = [
        {
            "lat": g.lat,
            "lon": g.lon,
            "color": GAP_COLOR,
            "tip": [f"{g.district_name} {g.name}", f"가장 가까운 키즈카페 {g.nearest_m:,.0f}m"],
        }
        for g in report.gaps[:gaps]
    ]
    if gap_points:
        CoverageLayer("coverageGaps", {"points": gap_points}, "키즈카페에서 가장 먼 행정동").add_to(m)
    Legend(
        f"면적 커버율 (도보 {float(report.minutes):g}분)",
        legend_items() + [(COVERED_STYLE["fillColor"], "키즈카페 도보권"), (GAP_COLOR, "가장 먼 행정동")],
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[37.413, 126.764], [37.715, 127.184]])
    return m


def coverage_map_html(report: CoverageReport, outlines: dict, **kwargs) -> str:
    """The coverage map as a standalone HTML page; the data elements go in after Folium has rendered."""
    m = build_coverage_map(report, outlines, **kwargs)
    root = m.get_root()
    root.render()
    icon = url_for("static", filename=FacilityKind.KIDS_CAFE.icon)  # the site's icon: no /favicon.ico 404
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<title>자치구별 커버리지 지도</title>\n'
        f'<link rel="icon" href="{icon}" type="image/svg+xml">\n'
        f"{root.header.render()}\n</head>\n<body>\n{root.html.render()}\n{data_elements(m)}\n"
        f"<script>\n{root.script.render()}\n</script>\n</body>\n</html>\n"
    )
