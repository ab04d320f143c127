"""Coverage outputs: the CSV for Excel, the `flask coverage` command and the Folium map."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from app.facilities.models import District
from app.facilities.outlines import district_outlines
from app.geo.cafe_coverage import CSV_COLUMNS, compute_coverage, coverage_csv, coverage_from
from app.maps.coverage_map import coverage_map_html, share_color
from tests.geo.test_coverage import CX, CY, district, dong, latlon

CAFES = [(37.5663, 126.9779), (37.4979, 127.0276), (37.6542, 127.0568)]  # 중구, 강남구, 노원구


def report_without_dongs(db, make_facility, tmp_path, **kw):
    for lat, lon in CAFES:
        make_facility(kind="kids_cafe", lat=lat, lon=lon, district_code=None)
    return compute_coverage(db.session, dong_path=tmp_path / "none.geojson", **kw)


def test_csv_has_a_bom_a_bilingual_header_and_25_rows(db, make_facility, tmp_path):
    report = report_without_dongs(db, make_facility, tmp_path)
    data = coverage_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == [f"{ko}({key})" for ko, key in CSV_COLUMNS]
    assert header[:2] == ["자치구코드(code)", "자치구(name)"]
    assert len(body) == 25
    names = set(db.session.scalars(select(District.name)))
    assert {r[1] for r in body} == names
    by_name = {r[1]: dict(zip([key for _, key in CSV_COLUMNS], r)) for r in body}
    jung = next(r for r in report.rows if r.name == "중구")
    assert by_name["중구"]["cafes"] == "1"
    assert float(by_name["중구"]["area_share"]) == round(jung.area_share, 4) > 0
    assert by_name["종로구"]["cafes"] == "0"
    assert by_name["중구"]["dong_share"] == ""  # no 행정동 file: empty, not 0


def test_cli_prints_the_table_and_writes_the_csv(app, db, make_facility, tmp_path):
    for lat, lon in CAFES:
        make_facility(kind="kids_cafe", lat=lat, lon=lon, district_code=None)
    out = tmp_path / "coverage.csv"
    dongs = tmp_path / "dongs.geojson"
    dongs.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["coverage", "--minutes", "5", "--speed", "60", "--csv", str(out), "--dong-file", str(dongs)]
    )
    assert result.exit_code == 0, result.output
    assert "도보 5분" in result.output and "반경 300m" in result.output
    for name in db.session.scalars(select(District.name)):
        assert name in result.output
    assert "키즈카페 3곳" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 26


def test_cli_rejects_a_non_positive_walk(app):
    result = app.test_cli_runner().invoke(args=["coverage", "--minutes", "0"])
    assert result.exit_code == 2 and "--minutes" in result.output


def map_data(html: str) -> list:
    """The JSON data elements of a map page (where every name and figure travels)."""
    return [
        json.loads(payload)
        for payload in re.findall(r'<script type="application/json" id="nd-data-[\w-]+">(.*?)</script>', html, re.S)
    ]


def test_map_shows_every_district_with_self_served_assets(app, db, make_facility, tmp_path):
    report = report_without_dongs(db, make_facility, tmp_path)
    with app.test_request_context():
        html = coverage_map_html(report, district_outlines()["geojson"])
    districts = next(d for d in map_data(html) if d.get("type") == "FeatureCollection")
    shown = {f["properties"]["tip"][0]: f["properties"]["color"] for f in districts["features"]}
    for row in report.rows:
        assert shown[row.name] == share_color(row.area_share), row.name
    legend = next(d for d in map_data(html) if "title" in d)
    assert legend["title"].startswith("면적 커버율") and "NadeuriMap.legend(" in html
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//', html)
    assert external == []
    for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna.bootstrapcdn.com"):
        assert cdn not in html
    assert "/vendor/leaflet/dist/leaflet.js" in html and "/static/js/nadeuri-map.js" in html


def test_map_keeps_district_and_dong_names_out_of_markup_and_code(app):
    evil = '<img src=x onerror="alert(1)">구'
    evil_dong = "`${alert(2)}`</script>동"
    districts = [district("99001", evil)]
    report = coverage_from(districts, [latlon(CX, CY)], [dong("1", evil_dong, "99001", CX + 1500, CY)])
    outlines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "99001", "name": evil},
                "geometry": json.loads(json.dumps(districts[0]["geometry"].__geo_interface__)),
            }
        ],
    }
    with app.test_request_context():
        html = coverage_map_html(report, outlines)
    assert "<img src=x" not in html
    assert "</script>동" not in html
    assert html.count("${alert") == 1  # only inside the gaps' JSON data, never pasted into JavaScript source
    data = map_data(html)
    # The names arrive as plain text; the browser puts them into the tooltips with textContent.
    assert next(d for d in data if d.get("type") == "FeatureCollection")["features"][0]["properties"]["tip"][0] == evil
    assert next(d for d in data if "points" in d)["points"][0]["tip"][0] == f"{evil} {evil_dong}"


def test_walking_speed_setting_is_the_cli_default(app, db, make_facility, tmp_path):
    make_facility(kind="kids_cafe", lat=37.5663, lon=126.9779, district_code=None)
    app.config["NADEURI_WALK_METRES_PER_MINUTE"] = 50
    result = app.test_cli_runner().invoke(args=["coverage", "--dong-file", str(tmp_path / "x")])
    assert result.exit_code == 2  # --dong-file must exist
    result = app.test_cli_runner().invoke(args=["coverage", "--minutes", "8"])
    assert result.exit_code == 0, result.output
    assert "반경 400m, 분당 50m" in result.output


def test_report_as_dict_is_json_ready(db, make_facility, tmp_path):
    report = report_without_dongs(db, make_facility, tmp_path)
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert len(data["rows"]) == 25 and data["walk_m"] == 700 and data["dong_share"] is None
    assert "covered" not in data and data["rows"][0].keys() >= {"code", "name", "area_share", "dong_share"}
