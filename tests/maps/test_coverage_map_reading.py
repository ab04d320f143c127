"""The coverage map reads for everyone: an ordered colour-blind-safe palette, district names as data, honest totals."""

from __future__ import annotations

import json
import re

from app.facilities.models import FacilityFlag
from app.facilities.outlines import district_outlines
from app.geo.cafe_coverage import compute_coverage
from app.maps.coverage_map import COVERED_STYLE, GAP_COLOR, SHARE_CLASSES, coverage_map_html

IN_SEOUL = (37.5663, 126.9779)  # 중구


def _luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _hue_spread(color: str) -> int:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return b - max(r, g)  # every class blue-dominant: one hue, so order shows by lightness alone


def test_classes_go_from_light_to_dark_in_one_hue_and_the_overlays_stand_apart():
    shades = [_luminance(color) for _, color in SHARE_CLASSES]
    assert shades == sorted(shades, reverse=True) and all(a - b > 0.08 for a, b in zip(shades, shades[1:]))
    assert all(_hue_spread(color) > 0 for _, color in SHARE_CLASSES)
    # Red/green pairs are what colour-blind readers lose; the overlays are orange and black, the classes blue.
    assert _hue_spread(COVERED_STYLE["color"]) < 0 and GAP_COLOR == "#000000"


def test_district_names_travel_as_data_for_labels(app, db, make_facility, tmp_path):
    make_facility(kind="kids_cafe", lat=IN_SEOUL[0], lon=IN_SEOUL[1])
    report = compute_coverage(db.session, dong_path=tmp_path / "none.geojson")
    with app.test_request_context():
        html = coverage_map_html(report, district_outlines()["geojson"])
    script = html[html.rindex("<script>") :]
    assert "중구" not in script  # names are not in the compiled script, only in the JSON data elements
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', html)]
    districts = next(b for b in blocks if isinstance(b, dict) and b.get("type") == "FeatureCollection")
    props = {f["properties"]["name"]: f["properties"] for f in districts["features"]}
    assert len(props) == 25 and all(len(p["label"]) == 2 for p in props.values())
    lat, lon = props["중구"]["label"]
    assert 37.55 < lat < 37.58 and 126.96 < lon < 127.03


def test_totals_leave_out_cafes_flagged_outside_seoul_or_unlocated(db, make_facility, tmp_path):
    make_facility(kind="kids_cafe", lat=IN_SEOUL[0], lon=IN_SEOUL[1])
    far = make_facility(kind="kids_cafe", lat=37.4563, lon=126.7052)  # Incheon, flagged at import
    odd = make_facility(kind="kids_cafe", lat=37.5700, lon=126.9800)
    db.session.add_all(
        [
            FacilityFlag(facility_id=far.id, reason="outside_seoul", status="accepted"),  # accepted: still outside
            FacilityFlag(facility_id=odd.id, reason="outside_seoul", status="fixed"),  # fixed by an admin: counts
        ]
    )
    db.session.commit()
    report = compute_coverage(db.session, dong_path=tmp_path / "none.geojson")
    assert report.cafes == 2 and sum(r.cafes for r in report.rows) == 2
    assert any("키즈카페 1곳은 뺐습니다" in note for note in report.notes)
