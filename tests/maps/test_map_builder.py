"""Map building: local assets only, compact marker columns, escaping, district outlines."""

import json
import re

from app.facilities.outlines import district_outlines
from app.maps.builder import Markers, build_facility_map, build_results_map, decode_points, encode_points
from app.maps.data import script_json

CITY_HALL = (37.5663, 126.9779)


def map_data(html: str) -> dict:
    """The map's one data element (FacilityLayers)."""
    found = re.findall(r'<script type="application/json" id="nd-data-[\w-]+">(.*?)</script>', html)
    assert len(found) == 1
    return json.loads(found[0])


def layers(html: str) -> dict:
    """{kind: (config, [(id, lat, lon, short name)])} from the map's data element."""
    return {
        layer["config"]["kind"]: (layer["config"], decode_points(layer["points"])) for layer in map_data(html)["layers"]
    }


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


def markers(items: list[dict]) -> Markers:
    return Markers.of(items)


def test_one_layer_per_kind_with_only_what_a_marker_needs(app):
    items = [_item(4, "kids_ok_zone"), _item(3, "family_restroom"), _item(1), _item(2, "family_restroom")]
    with app.test_request_context():
        parts = build_results_map(
            markers(items), center=CITY_HALL, radius_m=1000, district_code=None, outlines=district_outlines()
        )
    found = layers(parts.html)
    assert set(found) == {"kids_cafe", "family_restroom", "kids_ok_zone"}
    config, rows = found["family_restroom"]
    assert rows == [(2, 37.5665, 126.9779, "시설 2"), (3, 37.5666, 126.9779, "시설 3")]  # in id order
    assert config["detailUrl"] == "/facilities/" and "/icons/family_restroom.svg?v=" in config["icon"]
    assert config["center"] == [37.5663, 126.9779]  # where the popup card measures its distance from
    # Details come on demand (the facility's card): no address, hours or distance in the page's map.
    assert "세종대로" not in parts.html and "09:00" not in parts.html
    assert "L.marker(" not in parts.script  # markers are made in the browser, not one folium.Marker each
    data = map_data(parts.html)
    assert data["area"]["radius"] == 1000 and data["control"] is True


def test_marker_columns_round_trip_and_stay_small():
    items = [_item(i, name=f"서울형 키즈카페 아주 긴 이름의 {i}호점 (놀이터\n포함)") for i in range(1, 2001)]
    encoded = encode_points(markers(items))
    decoded = decode_points(encoded)
    assert [d[0] for d in decoded] == list(range(1, 2001))
    assert all(abs(d[1] - i["lat"]) < 1e-6 and abs(d[2] - i["lon"]) < 1e-6 for d, i in zip(decoded, items))
    # Short names: at most 24 characters, no line breaks (they separate the names).
    assert decoded[0][3] == "서울형 키즈카페 아주 긴 이름의 1호점 (…"
    assert all(len(d[3]) <= 24 and "\n" not in d[3] for d in decoded)
    assert len(script_json(encoded).encode()) < 2000 * 70


def test_assets_are_local_and_no_cdn_or_jquery(app):
    with app.test_request_context():
        parts = build_results_map(
            markers([_item(1)]), center=CITY_HALL, radius_m=500, district_code=None, outlines=district_outlines()
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
        bare = build_results_map(
            markers([]), center=CITY_HALL, radius_m=500, district_code=None, outlines=district_outlines()
        )
        tiled = build_results_map(
            markers([]),
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


def test_district_outlines_are_drawn_from_a_cached_file_and_light(app, client):
    with app.test_request_context():
        outlines = district_outlines()
        parts = build_results_map(markers([]), center=CITY_HALL, radius_m=500, district_code=None, outlines=outlines)
    assert len(outlines["geojson"]["features"]) == 25
    url = re.search(r'NadeuriMap\.outlines\("(/maps/outlines\.json\?v=[0-9a-f]+)"', parts.script).group(1)
    response = client.get(url)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    drawn = response.get_json()
    assert len(drawn["features"]) == 25
    # Geometry only: names are not needed to draw outlines, and text from data stays away from the map.
    assert all(f["properties"] == {} for f in drawn["features"])
    assert "강남구" not in parts.html + parts.script + response.get_data(as_text=True)
    assert len(response.data) < 150_000  # the stored boundaries are ~850 KB
    assert "immutable" not in client.get("/maps/outlines.json?v=old").headers["Cache-Control"]


def test_facility_text_cannot_break_out_of_the_script(app):
    evil = "</script><img src=x onerror=alert(1)> & 'x' \u2028"
    with app.test_request_context():
        parts = build_results_map(
            markers([_item(1, name=evil, address=evil)]),
            center=CITY_HALL,
            radius_m=500,
            district_code=None,
            outlines=district_outlines(),
        )
        page = build_facility_map({**_item(2, name=evil)}, {"name": evil}, outlines=district_outlines())
    for parts_ in (parts, page):
        everything = parts_.header + parts_.html + parts_.script
        assert "<img" not in everything and "</script><img" not in everything
        assert everything.count("</script>") == parts_.html.count("<script") + parts_.header.count("<script")
    assert layers(parts.html)["kids_cafe"][1][0][3] == evil[:23] + "…"
    assert layers(page.html)["kids_cafe"][1][0][3] == evil[:23] + "…"  # a short name: the card has it all
    assert map_data(page.html)["cards"]["2"]["name"] == evil  # the text itself arrives intact
    assert json.loads(script_json({"a": evil})) == {"a": evil}


def test_template_syntax_in_facility_text_is_not_evaluated(app):
    with app.test_request_context():
        parts = build_results_map(
            markers([_item(1, name="A{{ 7*7 }}B{% raw %}")]),
            center=CITY_HALL,
            radius_m=500,
            district_code=None,
            outlines=district_outlines(),
        )
    assert "A49B" not in parts.html + parts.script
    assert layers(parts.html)["kids_cafe"][1][0][3] == "A{{ 7*7 }}B{% raw %}"


def test_facility_without_coordinates_has_no_map(app):
    with app.test_request_context():
        assert build_facility_map({**_item(1), "lat": None, "lon": None}, {}, outlines=district_outlines()) is None


def test_many_points_stay_small(app):
    items = [_item(i, ("kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom")[i % 4]) for i in range(2000)]
    with app.test_request_context():
        parts = build_results_map(
            markers(items), center=CITY_HALL, radius_m=20_000, district_code=None, outlines=district_outlines()
        )
    assert sum(len(rows) for _, rows in layers(parts.html).values()) == 2000
    assert parts.size < 100_000
