"""Admin coverage: API shape and figures, page, map frame and CSV; access and bad input."""

import math

from app.geo.cafe_coverage import compute_coverage
from tests.factories import login, make_user

CITY_HALL = (37.566470, 126.977963)  # 중구 11140


def _admin_client(client, db):
    login(client, make_user(db.session, "admin"))
    return client


def test_api_coverage_figures(client, db, make_facility):
    make_facility(kind="kids_cafe", lat=CITY_HALL[0], lon=CITY_HALL[1], district_code="11140")
    make_facility(kind="family_restroom", lat=37.5172, lon=127.0473, district_code="11680")  # not a café: no coverage
    body = _admin_client(client, db).get("/api/admin/coverage?minutes=10").get_json()
    assert body["walk_m"] == 700.0  # 10 min × 70 m/min
    rows = {d["code"]: d for d in body["districts"]}
    assert len(rows) == 25 and set(rows["11140"]) >= {"code", "name", "area_share", "dong_share"}
    assert all(0 <= d["area_share"] <= 1 for d in rows.values())
    assert all(d["dong_share"] is None or 0 <= d["dong_share"] <= 1 for d in rows.values())
    assert rows["11680"]["area_share"] == 0 and rows["11140"]["name"] == "중구"
    # One 700 m circle: its area spread over 중구 and its neighbours, π·0.7² km² in all.
    expected = compute_coverage(db.session, minutes=10, metres_per_minute=70)
    assert rows["11140"]["area_share"] == next(r.area_share for r in expected.rows if r.code == "11140") > 0.1
    short = client.get("/api/admin/coverage?minutes=5").get_json()
    assert short["walk_m"] == 350.0
    assert {d["code"]: d for d in short["districts"]}["11140"]["area_share"] < rows["11140"]["area_share"]
    assert math.isclose(client.get("/api/admin/coverage").get_json()["walk_m"], 700.0)


def test_api_coverage_follows_walking_speed_setting(app, client, db):
    app.config["NADEURI_WALK_METRES_PER_MINUTE"] = 80
    assert _admin_client(client, db).get("/api/admin/coverage?minutes=10").get_json()["walk_m"] == 800.0


def test_api_coverage_bad_minutes_and_roles(client, db):
    assert client.get("/api/admin/coverage").status_code == 401
    login(client, make_user(db.session, "operator"))
    forbidden = client.get("/api/admin/coverage")
    assert forbidden.status_code == 403 and forbidden.get_json()["error"] == "forbidden"
    client.post("/logout")
    _admin_client(client, db)
    for bad in ("abc", "0", "-5", "nan", "inf", "61"):
        response = client.get(f"/api/admin/coverage?minutes={bad}")
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_parameter", bad


def test_coverage_page_map_and_csv(client, db, make_facility):
    make_facility(kind="kids_cafe", lat=CITY_HALL[0], lon=CITY_HALL[1], district_code="11140", name="<b>카페</b>")
    _admin_client(client, db)
    page = client.get("/admin/coverage?minutes=15")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1050 m" in html and "중구" in html
    assert "/admin/coverage/map?minutes=15" in html and "/admin/coverage.csv?minutes=15" in html
    frame = client.get("/admin/coverage/map?minutes=15")
    assert frame.status_code == 200 and "leaflet" in frame.get_data(as_text=True).lower()
    csv = client.get("/admin/coverage.csv?minutes=15")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert csv.headers["Content-Disposition"].endswith('15min.csv"')
    assert len(csv.data.decode("utf-8-sig").strip().splitlines()) == 26  # header + 25 districts
    assert client.get("/admin/coverage?minutes=x").status_code == 400
