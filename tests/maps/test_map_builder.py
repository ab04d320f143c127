"""Map building: local assets only, compact data arrays, escaping, district outlines."""

import json
import re

from app.facilities.outlines import district_outlines
from app.maps.builder import build_facility_map, build_results_map
from app.maps.data import script_json

CITY_HALL = (37.5663, 126.9779)


def layers(script: str) -> dict:
    """{kind: (config, rows)} from the map's JSON data elements."""
    out = {}
    for payload in re.findall(r'<script type="application/json" id="nd-data-[\w-]+">(.*?)</script>', script):
        data = json.loads(payload)
        if "config" in data:  # the district outlines travel the same way
            out[data["config"]["kind"]] = (data["config"], data["rows"])
    return out


def _item(i, kind="kids_cafe", name=None, **kw):
    return {
        "id": i,
        "kind": kind,
        "name": name or f"시설 {i}",
        "lat": 37.5663 + i * 1e-4,
        "lon": 126.9779,
        "distance_m": i * 11.0,
        "hours_today": "09:00–18:00",
        "address": "서울특별시 중구 세종대로 110",
        **kw,
    }


def test_one_layer_per_kind_with_compact_rows(app):
    items = [_item(1), _item(2, "family_restroom"), _item(3, "family_restroom"), _item(4, "kids_ok_zone")]
    with app.test_request_context():
        parts = build_results_map(
            items, center=CITY_HALL, radius_m=1000, district_code=None, outlines=district_outlines()
        )
    found = layers(parts.html)
    assert set(found) == {"kids_cafe", "family_restroom", "kids_ok_zone"}
    config, rows = found["family_restroom"]
    assert [r[2] for r in rows] == [2, 3]
    assert rows[0] == [
        37.5665,
        126.9779,
        2,
        "시설 2",
        "20m",
        "09:00–18:00",
        "서울특별시 중구 세종대로 110",
        "",
        "",
        "",
        "",
    ]
    assert config["detailUrl"] == "/facilities/" and "/icons/family_restroom.svg?v=" in config["icon"]
    assert "L.marker(" not in parts.script  # markers are made in the browser, not one folium.Marker each


def test_assets_are_local_and_no_cdn_or_jquery(app):
    with app.test_request_context():
        parts = build_results_map(
            [_item(1)], center=CITY_HALL, radius_m=500, district_code=None, outlines=district_outlines()
        )
    urls = [u.split("?v=")[0] for u in re.findall(r'(?:src|href)="([^"]+)"', parts.header)]  # without the version
    assert "/vendor/leaflet/dist/leaflet.js" in urls
    assert "/vendor/leaflet.markercluster/dist/leaflet.markercluster.js" in urls
    assert "/vendor/leaflet/dist/leaflet.css" in urls
    assert all(u.startswith("/") for u in urls), urls
    everything = parts.header + parts.html + parts.script
    # The 길찾기 link prefixes are links a parent may follow, not resources the page loads.
    everything = re.sub(r'"routes":\{[^}]*\}', "", everything)
    assert "http" not in everything.lower().replace("http-equiv", "")
    assert "jquery" not in everything.lower() and "bootstrap" not in everything.lower()
    # The map is embedded: no page-wide html/body styles and no zoom-blocking viewport tag.
    assert "user-scalable=no" not in parts.header and "html, body" not in parts.header


def test_no_tiles_means_an_explicit_max_zoom_and_tiles_when_configured(app):
    with app.test_request_context():
        bare = build_results_map([], center=CITY_HALL, radius_m=500, district_code=None, outlines=district_outlines())
        tiled = build_results_map(
            [],
            center=CITY_HALL,
            radius_m=500,
            district_code=None,
            outlines=district_outlines(),
            tile_url="/tiles/{z}/{x}/{y}.png",
            attribution="local",
        )
    assert '"maxZoom": 19' in bare.script
    assert "L.tileLayer" not in bare.script
    assert "L.tileLayer" in tiled.script and "/tiles/{z}/{x}/{y}.png" in tiled.script


def test_district_outlines_are_drawn_and_light(app):
    with app.test_request_context():
        outlines = district_outlines()
        parts = build_results_map([], center=CITY_HALL, radius_m=500, district_code=None, outlines=outlines)
    assert len(outlines["geojson"]["features"]) == 25
    assert "NadeuriMap.outlines(NadeuriMap.data(" in parts.script
    drawn = next(
        json.loads(p)
        for p in re.findall(r'<script type="application/json" id="nd-data-[\w-]+">(.*?)</script>', parts.html)
        if "geojson" in json.loads(p)
    )
    assert len(drawn["geojson"]["features"]) == 25
    # Geometry only: names are not needed to draw outlines, and text from data stays away from the map.
    assert all(f["properties"] == {} for f in drawn["geojson"]["features"])
    assert "강남구" not in parts.html + parts.script
    assert len(json.dumps(outlines["geojson"])) < 150_000  # the stored boundaries are ~850 KB


def test_facility_text_cannot_break_out_of_the_script(app):
    evil = "</script><img src=x onerror=alert(1)> & 'x' \u2028"
    with app.test_request_context():
        parts = build_results_map(
            [_item(1, name=evil, address=evil)],
            center=CITY_HALL,
            radius_m=500,
            district_code=None,
            outlines=district_outlines(),
        )
        page = build_facility_map({**_item(2, name=evil)}, outlines=district_outlines())
    for parts_ in (parts, page):
        everything = parts_.header + parts_.html + parts_.script
        assert "<img" not in everything and "</script><img" not in everything
        assert everything.count("</script>") == parts_.html.count("<script") + parts_.header.count("<script")
    assert layers(parts.html)["kids_cafe"][1][0][3] == evil  # the text itself arrives intact
    assert layers(page.html)["kids_cafe"][1][0][3] == evil
    assert json.loads(script_json({"a": evil})) == {"a": evil}


def test_template_syntax_in_facility_text_is_not_evaluated(app):
    with app.test_request_context():
        parts = build_results_map(
            [_item(1, name="A{{ 7*7 }}B{% raw %}")],
            center=CITY_HALL,
            radius_m=500,
            district_code=None,
            outlines=district_outlines(),
        )
    assert "A49B" not in parts.html + parts.script
    assert layers(parts.html)["kids_cafe"][1][0][3] == "A{{ 7*7 }}B{% raw %}"


def test_facility_without_coordinates_has_no_map(app):
    with app.test_request_context():
        assert build_facility_map({**_item(1), "lat": None, "lon": None}, outlines=district_outlines()) is None


def test_many_points_stay_small(app):
    items = [_item(i, ("kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom")[i % 4]) for i in range(2000)]
    with app.test_request_context():
        parts = build_results_map(
            items, center=CITY_HALL, radius_m=20_000, district_code=None, outlines=district_outlines()
        )
    assert sum(len(rows) for _, rows in layers(parts.html).values()) == 2000
    assert parts.size < 400_000
