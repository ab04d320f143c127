"""Hostile text in every field of every source layout: imported, then shown literally on every page and export.

The files come from tests/security/hostile.py: kids cafés, daycare and toilets CSV, the COT theme JSON,
district and 행정동 GeoJSON, each text field holding template syntax and script breakouts with a tag of its
own. Imported here in-process; test_cold_process.py does the same through the CLI and a fresh server.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.facilities.models import District, Facility
from app.imports.service import import_directory
from app.timeutil import utcnow
from tests.factories import login, make_user
from tests.security.hostile import HOSTILE_DONG, assert_inert, shows, write_hostile_files

HTML_PAGES = [
    "/",
    "/?lat=37.5665&lon=126.978&radius_m=2000",
    "/?district=11140",
    "/?q=KC01",
    "/admin/",
    "/admin/flags",
    "/admin/coverage",
    "/admin/coverage/map",
    "/admin/import",
    "/admin/audit",
]
JSON_PAGES = [
    "/api/facilities?lat=37.5665&lon=126.978&radius_m=2000",
    "/api/districts",
    "/api/places?q=KC01",
    "/api/admin/coverage",
]


@pytest.fixture
def hostile_import(app, db, tmp_path):
    folder = tmp_path / "data"
    tags = write_hostile_files(folder)
    app.config["NADEURI_DATA_DIR"] = str(folder)
    report = import_directory(db.session, folder, utcnow())
    db.session.commit()
    return report, [t for group in tags.values() for t in group]


def test_every_layout_imports_with_hostile_text_kept_as_text(db, hostile_import):
    report, tags = hostile_import
    assert {f.kind for f in report.files} == {"kids_cafe", "hourly_daycare", "family_restroom", "kids_ok_zone"}
    facilities = db.session.scalars(select(Facility)).all()
    assert len(facilities) == 4
    for f in facilities:
        assert "[{{ 7*7 }}{% if 1 %}T{% endif %}" in f.name and "<img src=x onerror=alert(1)>" in f.name
    names = set(db.session.scalars(select(District.name)))
    assert "{{ 7*7 }}구" in names and "</script><script>" in names


def test_pages_show_hostile_text_literally_and_answer_200(client, db, hostile_import):
    _, tags = hostile_import
    login(client, make_user(db.session, "admin"))
    facilities = db.session.scalars(select(Facility)).all()
    for url in HTML_PAGES + [f"/facilities/{f.id}" for f in facilities]:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "49구" not in page, url
        assert_inert(page, tags, url)
    for f in facilities:
        page = client.get(f"/facilities/{f.id}").get_data(as_text=True)
        assert shows(page, f.name) and shows(page, f.address), f.name
        every_kind = "kids_cafe,hourly_daycare,kids_ok_zone,family_restroom"  # restrooms are off by default
        listing = client.get(f"/?lat=37.5665&lon=126.978&radius_m=2000&kind={every_kind}").get_data(as_text=True)
        assert shows(listing, f.name)
    coverage = client.get("/admin/coverage").get_data(as_text=True)
    assert shows(coverage, HOSTILE_DONG) and shows(coverage, "{{ 7*7 }}구")
    assert shows(client.get("/admin/coverage/map").get_data(as_text=True), HOSTILE_DONG)


def test_json_and_csv_carry_the_stored_text_unchanged(client, db, hostile_import):
    login(client, make_user(db.session, "admin"))
    stored = {f.id: f for f in db.session.scalars(select(Facility))}
    for url in JSON_PAGES + [f"/api/facilities/{i}" for i in stored]:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json", url
    items = client.get(JSON_PAGES[0]).get_json()["items"]
    assert {i["id"]: i["name"] for i in items} == {i: f.name for i, f in stored.items()}
    for i, f in stored.items():
        body = client.get(f"/api/facilities/{i}").get_json()
        assert body["name"] == f.name and body["address"] == f.address
    districts = {d["code"]: d["name"] for d in client.get("/api/districts").get_json()["items"]}
    assert districts == dict(db.session.execute(select(District.code, District.name)).all())
    rows = list(csv.reader(io.StringIO(client.get("/admin/coverage.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r[1] for r in rows[1:]} == set(districts.values())
