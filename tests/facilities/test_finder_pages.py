"""The search page and the facility page, through the Flask client."""

import json
import re
from html import unescape

import pytest

from app.facilities.models import FacilityFlag
from app.maps.builder import decode_points
from tests.factories import login, make_user

CITY_HALL = (37.5663, 126.9779)
EVIL = "<img src=x onerror=alert(1)>"


def map_data(html: str) -> dict:
    """The page's map data element."""
    (payload,) = re.findall(r'<script type="application/json" id="nd-data-[\w-]+">(.*?)</script>', html)
    return json.loads(payload)


def layers(html: str) -> dict:
    """{kind: [(id, lat, lon, short name)]} from the page's map data."""
    return {layer["config"]["kind"]: decode_points(layer["points"]) for layer in map_data(html)["layers"]}


def marker_ids(html: str) -> set[int]:
    return {row[0] for rows in layers(html).values() for row in rows}


def listed_ids(html: str) -> list[int]:
    """Facility ids in the result list, in order."""
    block = html.split('<ol class="result-list"', 1)[1].split("</ol>", 1)[0] if "result-list" in html else ""
    return [int(i) for i in re.findall(r'class="result-link" href="/facilities/(\d+)"', block)]


def page(client, status=200, **params):
    r = client.get("/", query_string=params)
    assert r.status_code == status, r.get_data(as_text=True)[-2000:]
    return r.get_data(as_text=True)


def test_known_location_shows_markers_and_a_nearest_first_list(client, make_facility):
    far = make_facility(name="조금 먼 키즈카페", lat=37.5720, lon=126.9779)  # ~630 m
    near = make_facility(name="가까운 화장실", kind="family_restroom", lat=37.5667, lon=126.9779)  # ~45 m
    make_facility(name="반경 밖", lat=37.6000, lon=126.9779)  # ~3.7 km
    # Places to visit by default; restrooms are a layer the parent switches on.
    default = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=1000)
    assert listed_ids(default) == [far.id] and set(layers(default)) == {"kids_cafe"}
    html = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=1000, kind=["kids_cafe", "family_restroom"])
    assert listed_ids(html) == [near.id, far.id]
    found = layers(html)
    assert {r[0] for r in found["family_restroom"]} == {near.id}
    assert {r[0] for r in found["kids_cafe"]} == {far.id}
    assert "가까운 화장실" in html and "반경 밖" not in html
    assert re.search(r"2곳", html)
    assert "<span>40m</span>" in html  # distance shown in the list (44.5 m, to the nearest 10 m)
    # Zero requests off the machine: every script and stylesheet is the app's own.
    for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url


def test_list_pages_through_results_the_map_shows_at_once(client, db, make_facility):
    from app.finder.page import LIST_LIMIT

    # LIST_LIMIT + 5 facilities on a line going north from City Hall, about 10 m apart: nearest first.
    made = [
        make_facility(name=f"줄 {i:03d}", lat=CITY_HALL[0] + i * 0.0001, lon=CITY_HALL[1])
        for i in range(LIST_LIMIT + 5)
    ]
    first = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=2000)
    assert listed_ids(first) == [f.id for f in made[:LIST_LIMIT]]
    assert sum(len(rows) for rows in layers(first).values()) == LIST_LIMIT + 5  # the map has them all
    assert 'rel="next"' in first and 'rel="prev"' not in first and "1 / 2쪽" in first
    second = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=2000, list_page=2)
    assert listed_ids(second) == [f.id for f in made[LIST_LIMIT:]]
    assert f'start="{LIST_LIMIT + 1}"' in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "radius_m=2000" in re.search(r'href="([^"]+)"[^>]*rel="prev"', second).group(1)  # the search is kept
    # Out of range or nonsense: the nearest page or the first, never an error.
    assert listed_ids(page(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=2000, list_page=99)) == listed_ids(
        second
    )
    assert listed_ids(page(client, lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=2000, list_page="x")) == listed_ids(
        first
    )


def test_default_view_is_around_city_hall(client, make_facility):
    at_hall = make_facility(name="시청 키즈카페")
    html = page(client)
    assert "서울시청 주변" in html
    assert listed_ids(html) == [at_hall.id] and marker_ids(html) == {at_hall.id}


def test_place_text_resolves_on_the_server(client, make_facility):
    on_road = make_facility(name="세종대로 놀이터", address="서울특별시 중구 세종대로 110")
    make_facility(
        name="강남 키즈카페", address="서울특별시 강남구 테헤란로 1", district_code="11680", lat=37.4980, lon=127.0276
    )
    html = page(client, q="세종대로", radius_m=1000)
    assert listed_ids(html) == [on_road.id]
    assert "중구 세종대로" in html


def test_district_name_searches_the_whole_district(client, make_facility):
    gangnam = make_facility(name="강남 키즈카페", district_code="11680", lat=37.4980, lon=127.0276)
    make_facility(name="중구 키즈카페")
    for text in ("강남구", "강남"):
        html = page(client, q=text)
        assert listed_ids(html) == [gangnam.id]
        assert "서울 강남구:" in html  # resolved to the district, not a point with a radius
    html = page(client, district="11680")
    assert listed_ids(html) == [gangnam.id] and "강남구 전체" in html
    assert '<option value="11680" selected>' in html


def test_filters_kind_age_amenity_and_open_now(client, make_facility):
    toddler = make_facility(name="영유아 카페", age_min=0, age_max=3)
    older = make_facility(name="초등 카페", age_min=5, age_max=10, lat=37.5664)
    diaper = make_facility(
        name="기저귀 화장실", kind="family_restroom", diaper_table=True, always_open=True, lat=37.5665
    )
    base = dict(lat=CITY_HALL[0], lon=CITY_HALL[1])
    html = page(client, **base, kind="family_restroom")
    assert listed_ids(html) == [diaper.id]
    assert '<span class="filter-summary">화장실만 · 반경' in html  # not "종류 0개 · 화장실 포함"
    summary = '<span class="filter-summary">종류 1개 · 화장실 포함'
    assert summary in page(client, **base, kind=["kids_cafe", "family_restroom"])
    assert set(listed_ids(page(client, **base, kind="kids_cafe", age=2))) == {toddler.id}
    assert set(listed_ids(page(client, **base, kind="kids_cafe", age=7))) == {older.id}
    everything = ["kids_cafe", "family_restroom"]
    assert listed_ids(page(client, **base, kind=everything, amenity="diaper_table")) == [diaper.id]
    # Hours unknown are never claimed open; 24-hour places always are.
    html = page(client, **base, kind=everything, open_at="now")
    assert listed_ids(html) == [diaper.id] and 'name="open_at" value="now"\n        checked' in html
    html = page(client, **base, kind=["kids_cafe", "kids_ok_zone"])
    assert (
        'value="kids_cafe"\n          checked' in html
        and 'value="family_restroom" id="kind-restroom"\n          >' in html
    )


@pytest.mark.parametrize(
    "params, fragment",
    [
        (dict(lat="abc", lon=126.97), "lat"),
        (dict(lat=37.56, lon=126.97, radius_m=50_000), "radius_m"),
        (dict(lat=37.56, lon=126.97, kind="zoo"), "kind"),
        (dict(lat=37.56, lon=126.97, age=-1), "age"),
        (dict(lat=35.18, lon=129.07), "서울 밖"),
        (dict(q="없는동네이름"), "찾지 못했습니다"),
    ],
)
def test_bad_input_shows_a_message_with_400(client, params, fragment):
    html = page(client, 400, **params)
    error = re.search(r'<div class="form-error" id="form-error" role="alert">(.*?)</div>', html, re.S)
    assert error and fragment in unescape(error.group(1))
    assert 'id="search-form"' in html and "NadeuriMap.register" in html  # the form and map still work


def test_facility_text_is_escaped_in_list_and_popup_data(client, make_facility):
    f = make_facility(name=EVIL, address="</script><script>alert(2)</script>")
    html = page(client, lat=CITY_HALL[0], lon=CITY_HALL[1])
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the list shows it as text
    assert layers(html)["kids_cafe"][0][3] == EVIL[:23] + "…"  # the marker's short name, as text
    assert listed_ids(html) == [f.id]
    card = client.get(f"/facilities/{f.id}/card").get_json()  # and so does the popup's card
    assert card["name"] == EVIL and card["address"] == "</script><script>alert(2)</script>"


def test_facility_page_shows_details_flags_links_and_a_map(client, make_facility, db):
    f = make_facility(
        name="시청 키즈카페",
        phone="02-120",
        age_min=3,
        age_max=9,
        capacity_individual=33,
        capacity_group=20,
        opens_at="09:30",
        closes_at="17:30",
        open_days=0b1111110,
        closed_on_holidays=True,
        nursing_room=True,
        details={"detail_url": "https://umppa.seoul.go.kr/x", "reserve_url": "javascript:alert(1)"},
    )
    db.session.add(FacilityFlag(facility_id=f.id, reason="placeholder_coordinates", detail="시청 좌표"))
    db.session.commit()
    r = client.get(f"/facilities/{f.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for text in (
        "시청 키즈카페",
        "서울형 키즈카페",
        "02-120",
        "3~9세",
        "개인 33명",
        "단체 20명",
        "화~일",
        "공휴일 휴무",
        "09:30–17:30",
        "수유실",
        "중구",
    ):
        assert text in html, text
    assert "데이터 확인 필요" not in html and "시청 좌표" not in html  # review flags are not a banner for parents
    assert 'href="https://umppa.seoul.go.kr/x"' in html and "javascript:" not in html
    assert marker_ids(html) == {f.id}


def test_template_syntax_in_facility_text_stays_text(client, make_facility):
    # Folium output is compiled as Jinja again; facility text must never reach it.
    f = make_facility(name="A{{ 7*7 }}B", address="{% if true %}C{% endif %}")
    for url in ("/?lat=37.5663&lon=126.9779", f"/facilities/{f.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "A49B" not in html and ">C<" not in html
        assert layers(html)["kids_cafe"][0][3] == "A{{ 7*7 }}B"
    assert map_data(html)["cards"][str(f.id)]["address"] == "{% if true %}C{% endif %}"  # the facility page's


def test_facility_page_escapes_and_404s(client, make_facility):
    f = make_facility(name=EVIL)
    html = client.get(f"/facilities/{f.id}").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert map_data(html)["cards"][str(f.id)]["name"] == EVIL  # the popup's card, as text for textContent
    r = client.get("/facilities/999999")
    assert r.status_code == 404 and "페이지를 찾을 수 없습니다" in r.get_data(as_text=True)
    assert client.get("/facilities/999999/card").status_code == 404


@pytest.mark.parametrize(
    ("role", "shown"), [("parent", False), ("other_operator", False), ("operator", True), ("admin", True)]
)
def test_review_flags_show_to_admins_and_the_facilitys_operators_only(client, db, make_facility, role, shown):
    f = make_facility(kind="kids_cafe", name="표시된 카페")
    other = make_facility(kind="kids_cafe", name="다른 카페")
    db.session.add(FacilityFlag(facility_id=f.id, reason="placeholder_coordinates", detail="시청 좌표"))
    db.session.commit()
    facilities = {"operator": [f], "other_operator": [other]}.get(role, [])
    login(client, make_user(db.session, role.replace("other_", ""), facilities=facilities))
    html = client.get(f"/facilities/{f.id}").get_data(as_text=True)
    assert ("데이터 확인 필요" in html and "임시 좌표 의심" in html and "시청 좌표" in html) is shown


def test_filter_choices_and_demo_flag_follow_located_facilities(app, db, make_facility):
    from app.facilities import services

    conn = db.session.connection
    assert services.filter_choices(conn()) == ([], []) and not services.data_is_demo()
    # Unlocated facilities offer nothing, whatever they have.
    make_facility(kind="hourly_daycare", lat=None, lon=None, parking=True, nursing_room=True)
    assert services.filter_choices(conn()) == ([], [])
    make_facility(kind="kids_ok_zone", lat=CITY_HALL[0], lon=CITY_HALL[1], parking=True, kids_menu=True)
    make_facility(kind="kids_cafe", lat=CITY_HALL[0], lon=CITY_HALL[1], diaper_table=True)
    kinds, amenities = services.filter_choices(conn())
    assert kinds == ["kids_cafe", "kids_ok_zone"]
    assert amenities == ["diaper_table", "kids_menu", "parking"]
    assert not services.data_is_demo()
    make_facility(kind="kids_cafe", lat=None, lon=None, is_demo=True)
    assert services.data_is_demo()


def test_filter_choices_and_demo_flag_seek_their_indexes(app, db, make_facility):
    """Each EXISTS reads its partial index (a seek, or an empty index), never the whole table."""
    from app.facilities import services

    make_facility(kind="kids_cafe", lat=CITY_HALL[0], lon=CITY_HALL[1])
    statements = []
    with db.engine.connect() as conn:
        from sqlalchemy import event

        event.listen(conn, "before_cursor_execute", lambda *a: statements.append((a[2], a[3])))
        services.filter_choices(conn)
        ((sql, params),) = statements
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
            demo = " ".join(
                str(r[-1])
                for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT EXISTS (SELECT 1 FROM facilities WHERE is_demo)"
                )
            )
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index can answer
            plan = " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
            demo = " ".join(
                r[0] for r in conn.exec_driver_sql("EXPLAIN SELECT EXISTS (SELECT 1 FROM facilities WHERE is_demo)")
            )
    assert plan.count("ix_facilities_located_kind") == 4
    assert all(f"ix_facilities_has_{a}" in plan for a in services.AMENITIES)
    assert "ix_facilities_demo" in demo
