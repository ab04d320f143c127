"""The kids-café coverage map: districts shaded by area share, the covered area over them, the gaps.

Fed by app.geo.coverage.compute_coverage and the district outlines (app.maps.outlines); Leaflet is
served by the app itself (app.maps.assets), so building the map needs a request context.
Every text shown in a tooltip is HTML-escaped here, because Leaflet inserts tooltips as HTML.
"""
from __future__ import annotations

import json
from html import escape

import folium
from branca.element import MacroElement
from folium.template import Template

from app.geo.coverage import CoverageReport
from app.maps.assets import map_css, map_js

SEOUL_CENTER = (37.5665, 126.9780)
# (upper bound of the class, fill colour): YlGn, light = poorly covered.
SHARE_CLASSES = [(0.2, "#ffffcc"), (0.4, "#c2e699"), (0.6, "#78c679"), (0.8, "#31a354"), (1.0, "#006837")]
NO_DATA_COLOR = "#cccccc"
COVERED_STYLE = {"color": "#d9480f", "weight": 0.8, "opacity": 0.8, "fillColor": "#d9480f", "fillOpacity": 0.22}
GAP_COLOR = "#c92a2a"


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


class Legend(MacroElement):
    """A Leaflet control listing the colour classes; built with textContent, never innerHTML."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var box = L.DomUtil.create("div", "nd-coverage-legend");
                box.setAttribute("role", "note");
                box.style.cssText = "background:#fff;padding:6px 8px;border-radius:4px;font:12px/1.5 sans-serif;"
                    + "box-shadow:0 1px 4px rgba(0,0,0,.3);color:#222";
                var data = {{ this.data_json }};
                var title = document.createElement("strong");
                title.textContent = data.title;
                box.appendChild(title);
                data.rows.forEach(function (row) {
                    var line = document.createElement("div");
                    var swatch = document.createElement("span");
                    swatch.style.cssText = "display:inline-block;width:14px;height:12px;margin-right:6px;"
                        + "vertical-align:middle;border:1px solid #999;background:" + row[0];
                    line.appendChild(swatch);
                    line.appendChild(document.createTextNode(row[1]));
                    box.appendChild(line);
                });
                return box;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, rows: list[tuple[str, str]]):
        super().__init__()
        self._name = "CoverageLegend"
        text = json.dumps({"title": title, "rows": rows}, ensure_ascii=False)
        # Safe inside <script>: no "</script>" or HTML specials can survive.
        self.data_json = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _district_tip(row) -> str:
    return (f"<strong>{escape(row.name)}</strong><br>면적 커버율 {escape(percent(row.area_share))}"
            f"<br>행정동 커버율 {escape(percent(row.dong_share))}"
            f" ({row.dongs_covered}/{row.dongs})<br>키즈카페 {row.cafes}곳")


def build_coverage_map(report: CoverageReport, outlines: dict, *, tile_url: str = "", attribution: str = "",
                       gaps: int = 10) -> folium.Map:
    """A folium.Map: districts by area share, covered area, top `gaps` worst-served 행정동 and a legend.

    `outlines` is a FeatureCollection of the districts with a `code` property (app.maps.outlines).
    """
    m = folium.Map(location=SEOUL_CENTER, zoom_start=11, tiles=None, control_scale=True,
                   zoom_snap=0.25)
    m.default_js, m.default_css = map_js(), map_css()
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", control=False).add_to(m)
    rows = {r.code: r for r in report.rows}
    features = []
    for feature in outlines["features"]:
        row = rows.get(str(feature["properties"].get("code")))
        if row is None:
            continue
        features.append({"type": "Feature", "geometry": feature["geometry"],
                         "properties": {"code": row.code, "color": share_color(row.area_share),
                                        "tip": _district_tip(row)}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="자치구별 면적 커버율",
        style_function=lambda f: {"fillColor": f["properties"]["color"], "fillOpacity": 0.75,
                                  "color": "#555", "weight": 1},
        highlight_function=lambda _f: {"weight": 3, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(m)
    if not report.covered.is_empty:
        folium.GeoJson(report.covered_geojson(), name=f"도보 {report.minutes:g}분 이내 ({report.walk_m:.0f}m)",
                       style_function=lambda _f: COVERED_STYLE, interactive=False).add_to(m)
    gap_points = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [g.lon, g.lat]},
                   "properties": {"tip": f"<strong>{escape(g.district_name)} {escape(g.name)}</strong>"
                                         f"<br>가장 가까운 키즈카페 {g.nearest_m:,.0f}m"}}
                  for g in report.gaps[:gaps]]
    if gap_points:
        # A GeoJson layer, not folium.Tooltip: that one pastes its text into JavaScript source.
        folium.GeoJson({"type": "FeatureCollection", "features": gap_points}, name="키즈카페에서 가장 먼 행정동",
                       marker=folium.CircleMarker(radius=6, color="#fff", weight=2, fill=True,
                                                  fill_color=GAP_COLOR, fill_opacity=1),
                       tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False)).add_to(m)
    Legend(f"면적 커버율 (도보 {report.minutes:g}분)", legend_items()
           + [(COVERED_STYLE["fillColor"], "키즈카페 도보권"), (GAP_COLOR, "가장 먼 행정동")]).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[37.413, 126.764], [37.715, 127.184]])
    return m


def coverage_map_html(report: CoverageReport, outlines: dict, **kwargs) -> str:
    """The coverage map as a standalone HTML page."""
    return build_coverage_map(report, outlines, **kwargs).get_root().render()
