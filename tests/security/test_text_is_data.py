"""Text from data never reaches Folium's template compiler: district names, facility text, coverage tooltips.

Folium/branca compile their rendered output as a Jinja template again; these tests put template syntax and
script breakouts into every piece of data a map shows, and check that it stays text.
"""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from app.facilities.models import District
from app.facilities.outlines import district_outlines
from app.finder.cards import card_json
from app.geo.cafe_coverage import coverage_from
from app.maps.builder import Markers, build_facility_map, build_results_map, decode_points
from app.maps.coverage_map import coverage_map_html
from tests.factories import login, make_user
from tests.geo.test_coverage import CX, CY, district, dong, latlon
from tests.security.hostile import (
    DISTRICT_NAMES,
    TEMPLATE_NO_SPACE,
    assert_inert,
    hostile,
    hostile_district_name,
    shows,
)

DATA_ELEMENT = re.compile(r'<script type="application/json" id="nd-data-[\w-]+">.*?</script>', re.S)


def rename_districts(db) -> dict[str, str]:
    """Give the districts hostile names (one payload each); returns code → name."""
    names = {}
    for i, d in enumerate(db.session.scalars(select(District).order_by(District.code))):
        d.name = hostile_district_name(i)
        names[d.code] = d.name
    db.session.commit()
    return names


def data_payloads(page: str) -> list:
    return [json.loads(m.group()[m.group().index(">") + 1 : -len("</script>")]) for m in DATA_ELEMENT.finditer(page)]


def test_district_names_with_template_syntax_are_not_evaluated_on_the_search_and_facility_pages(
    client, db, make_facility
):
    rename_districts(db)
    facility = make_facility(name=hostile("FAC"), address=hostile("ADR"))
    for url in ("/", "/?district=11140", f"/facilities/{facility.id}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "49구" not in page and "49\\uad6c" not in page, url  # "{{ 7*7 }}구" evaluated
        assert_inert(page, ["FAC", "ADR"], url)
        assert shows(page, hostile("FAC")), url
    # The outlines carry geometry only: no district name reaches the map at all.
    with client.application.test_request_context():
        outlines = district_outlines()
    assert all(set(f["properties"]) == {"code"} for f in outlines["geojson"]["features"])
    page = client.get("/").get_data(as_text=True)
    for name in DISTRICT_NAMES:
        assert name not in DATA_ELEMENT.sub("", page)


def test_map_parts_rendered_by_folium_hold_no_text_from_data(app, db, make_facility):
    """Only constants and ids reach Folium: with the data elements removed, no data text is left."""
    rename_districts(db)
    items = [
        {
            "id": i,
            "kind": kind,
            "name": hostile(f"N{i}"),
            "lat": 37.5663 + i * 1e-4,
            "lon": 126.9779,
            "distance_m": 10.0,
            "hours_today": hostile(f"H{i}"),
            "address": hostile(f"A{i}"),
        }
        for i, kind in enumerate(("kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"))
    ]
    with app.test_request_context():
        outlines = district_outlines()
        maps = [
            build_results_map(
                Markers.of(items), center=(37.5663, 126.9779), radius_m=1000, district_code=None, outlines=outlines
            ),
            build_results_map(
                Markers.of(items), center=(37.5663, 126.9779), radius_m=None, district_code="11140", outlines=outlines
            ),
            build_facility_map(items[0], card_json(items[0]), outlines=outlines),
        ]
    for parts in maps:
        folium_text = parts.header + DATA_ELEMENT.sub("", parts.html) + parts.script
        for text in [hostile("")[:-1]] + DISTRICT_NAMES + ["N0", "H0", "A0", "{{", "{%", "{#"]:
            assert text not in folium_text, text
        (payload,) = data_payloads(parts.html)
        rows = [row for layer in payload["layers"] for row in decode_points(layer["points"])]
        assert any(row[0] == 0 and row[3] == hostile("N0")[:23] + "…" for row in rows)  # a marker's short name
    (payload,) = data_payloads(maps[-1].html)
    assert payload["cards"]["0"]["name"] == hostile("N0") and payload["cards"]["0"]["address"] == hostile("A0")


def hostile_coverage(tmp_path=None):
    names = DISTRICT_NAMES[:2]
    districts = [district("99001", names[0]), district("99002", names[1], CX + 5000, CY)]
    dong_name = TEMPLATE_NO_SPACE + "</script><img/src=x/onerror=alert(1)>\"'><"
    report = coverage_from(districts, [latlon(CX, CY)], [dong("1", dong_name, "99001", CX + 1500, CY)])
    outlines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": d["code"], "name": d["name"]},
                "geometry": json.loads(json.dumps(d["geometry"].__geo_interface__)),
            }
            for d in districts
        ],
    }
    return report, outlines, names, dong_name


def test_coverage_map_names_travel_as_data_and_tooltips_are_text(app):
    report, outlines, names, dong_name = hostile_coverage()
    with app.test_request_context():
        page = coverage_map_html(report, outlines)
    folium_text = DATA_ELEMENT.sub("", page)
    for text in names + [dong_name, "{{", "{%", "{#", "</script><img", "<img/src"]:
        assert text not in folium_text, text
    payloads = data_payloads(page)
    districts = next(p for p in payloads if p.get("type") == "FeatureCollection")
    tips = [f["properties"]["tip"] for f in districts["features"]]
    assert [t[0] for t in tips] == names and all(t[1].startswith("면적 커버율 ") for t in tips)
    gaps = next(p for p in payloads if "points" in p)
    assert gaps["points"][0]["tip"][0] == f"{names[0]} {dong_name}"
    assert "nadeuri-map.js" in page and "NadeuriMap.coverageDistricts(" in page
    assert "innerHTML" not in page and 'bindTooltip("' not in page


def test_admin_coverage_pages_show_hostile_names_literally(client, db, make_facility, tmp_path, app):
    names = rename_districts(db)
    make_facility(kind="kids_cafe")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [126.9779, 37.5663]},
            "properties": {"adm_cd2": "1114000000", "adm_nm": f"서울특별시 중구 {TEMPLATE_NO_SPACE}", "sgg": "11140"},
        }
    ]
    app.config["NADEURI_DATA_DIR"] = str(tmp_path)
    (tmp_path / "seoul_hangjeongdong_20210401.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    login(client, make_user(db.session, "admin"))
    for url in ("/admin/coverage", "/admin/coverage/map", "/admin/coverage.csv", "/api/admin/coverage"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        if url.endswith(".csv"):  # CSV is not HTML: the names are there as they are
            assert {row[1] for row in csv.reader(io.StringIO(page.lstrip("\ufeff")))} >= set(names.values())
            continue
        if "/api/" in url:  # JSON, not HTML: parsed, the names are the stored ones
            assert response.mimetype == "application/json"
            assert {d["name"] for d in response.get_json()["districts"]} == set(names.values())
            continue
        assert "<script>alert(1)" not in page and "<img src=x onerror" not in page, url
        assert all(shows(page, name) for name in names.values()), url
        assert shows(page, TEMPLATE_NO_SPACE), url
