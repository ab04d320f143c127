"""Template syntax and script breakouts typed into every form, then every page, export and API that shows them."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.auth.models import User
from app.bookings.models import Booking
from app.timeutil import KST
from tests.factories import PASSWORD, login, make_slot, make_user, place_booking, set_policy
from tests.security.hostile import SHORT, assert_inert, hostile, short, shows, write_hostile_files

N = len(SHORT)


def get_ok(client, url: str, tags: list[str]) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = response.get_data(as_text=True)
    if response.mimetype == "text/html":
        assert_inert(page, tags, url)
    return page


def posted(response, url: str) -> None:
    assert response.status_code in (200, 302, 303), (url, response.status_code)


def test_parent_forms_then_search_children_and_bookings(client, db, make_facility):
    cafe = make_facility(kind="kids_cafe", name=hostile("FN"), age_min=0, age_max=13)
    set_policy(db.session, cafe, closed_on_holidays=False)
    start = datetime.now(KST).replace(minute=0, second=0, microsecond=0) + timedelta(days=2, hours=1)
    slot = make_slot(db.session, cafe, start, capacity=20)
    tags = ["FN"] + [f"PN{i}" for i in range(N)] + [f"CN{i}" for i in range(N)] + [f"Q{i}" for i in range(N)]
    for i in range(N):
        client.post("/logout")
        response = client.post(
            "/register",
            data={
                "name": short("PN", i),
                "email": f"p{i}@example.com",
                "password": "sunny-day-1",
                "password2": "sunny-day-1",
            },
        )
        posted(response, "/register")
    for i in range(N):  # the last parent's children
        posted(
            client.post("/children", data={"name": short("CN", i), "birth_date": "2021-05-05", "consent": "y"}),
            "/children",
        )
    parent = db.session.scalars(select(User).where(User.email == f"p{N - 1}@example.com")).one()
    assert {c.name for c in parent.children} == {short("CN", i) for i in range(N)}
    booking = place_booking(db.session, parent, slot)
    for i in range(N):  # the search form's place text, echoed back in the form and the message
        page = client.get("/", query_string={"q": short("Q", i)}).get_data(as_text=True)
        assert shows(page, short("Q", i)) and client.get("/", query_string={"q": short("Q", i)}).status_code == 400
        assert_inert(page, tags, "/?q=")
    for url in ("/children", "/bookings", f"/bookings/{booking.id}", f"/facilities/{cafe.id}", "/"):
        page = get_ok(client, url, tags)
        if url != "/":
            assert all(shows(page, short("CN", i)) for i in range(N)) or url.startswith("/facilities"), url
    assert shows(get_ok(client, "/bookings", tags), cafe.name)
    children = client.get("/api/children").get_json()
    assert {c["name"] for c in children["items"]} == {short("CN", i) for i in range(N)}
    assert get_ok(client, f"/bookings/{booking.id}.ics", tags)
    ics = client.get(f"/bookings/{booking.id}.ics").get_data(as_text=True)
    assert "FN[{{ 7*7 }}" in ics.replace("\r\n ", "")  # the calendar file names the facility literally


def test_operator_and_admin_forms_then_roster_csv_settings_audit(client, db, make_facility, tmp_path):
    cafe = make_facility(kind="kids_cafe", name=hostile("FN"), age_min=0, age_max=13)
    daycare = make_facility(kind="hourly_daycare", name=hostile("FD"))
    set_policy(db.session, cafe, closed_on_holidays=False)
    set_policy(db.session, daycare, closed_on_holidays=False)
    now = datetime.now(KST)
    slot = make_slot(db.session, cafe, now - timedelta(minutes=30), capacity=20, minutes=180)
    operator = make_user(db.session, "operator", [cafe, daycare])
    login(client, operator)
    tags = ["FN", "FD"] + [f"{t}{i}" for t in ("WK", "CL", "CR", "AU") for i in range(N)]
    for i in range(N):
        posted(
            client.post(
                f"/operator/slots/{slot.id}/walk-in",
                data={"child_name": short("WK", i), "birth_year": str(now.year - 3), "guardians": "1"},
            ),
            "walk-in",
        )
        posted(
            client.post(
                f"/operator/facilities/{daycare.id}/classes",
                data={"name": short("CL", i), "age_years": "2", "teachers": "1"},
            ),
            "classes",
        )
        day = (now + timedelta(days=200 + 3 * i)).date().isoformat()
        posted(
            client.post(
                f"/operator/facilities/{cafe.id}/closures",
                data={"starts_on": day, "ends_on": day, "reason": short("CR", i)},
            ),
            "closures",
        )
    assert db.session.scalar(select(Booking.id).where(Booking.slot_id == slot.id)) is not None
    day = slot.starts_at.astimezone(KST).date().isoformat()
    roster = get_ok(client, f"/operator/facilities/{cafe.id}/roster?date={day}", tags)
    assert all(shows(roster, short("WK", i)) for i in range(N))
    settings = get_ok(client, f"/operator/facilities/{cafe.id}/settings", tags)
    assert all(shows(settings, short("CR", i)) for i in range(N))
    daycare_settings = get_ok(client, f"/operator/facilities/{daycare.id}/settings", tags)
    assert all(shows(daycare_settings, short("CL", i)) for i in range(N))
    for url in (
        "/operator/",
        f"/operator/facilities/{cafe.id}/utilisation",
        f"/operator/facilities/{daycare.id}/roster",
    ):
        get_ok(client, url, tags)
    rows = list(
        csv.reader(
            io.StringIO(get_ok(client, f"/operator/facilities/{cafe.id}/roster.csv?date={day}", tags).lstrip("\ufeff"))
        )
    )
    cells = {cell for row in rows for cell in row}
    assert all(short("WK", i) in cells for i in range(N))
    api = client.get(f"/api/operator/slots/{slot.id}/roster")
    assert api.status_code == 200 and short("WK", 0) in str(api.get_json())

    client.post("/logout")
    admin = make_user(db.session, "admin")
    login(client, admin)
    for i in range(N):
        posted(
            client.post(
                "/admin/users",
                data={
                    "email": f"staff{i}@example.com",
                    "name": short("AU", i),
                    "role": "operator",
                    "password": PASSWORD,
                    "facility_ids": [str(cafe.id)],
                },
            ),
            "/admin/users",
        )
    users = get_ok(client, "/admin/users", tags)
    assert all(shows(users, short("AU", i)) for i in range(N))
    audit = get_ok(client, "/admin/audit", tags)
    assert shows(audit, short("CR", 0)) or shows(audit, short("AU", 0))
    # Uploads: hostile file names and hostile files, through the admin form.
    folder = tmp_path / "up"
    write_hostile_files(folder)
    # A "/" would make the rest a path, and a '"' ends the multipart file name: those payloads are left out here.
    no_slash = [i for i in range(N) if "/" not in SHORT[i] and '"' not in SHORT[i]]
    files = [
        (io.BytesIO(p.read_bytes()), f"{short('UP', no_slash[k % len(no_slash)])}{p.suffix}")
        for k, p in enumerate(sorted(Path(folder).iterdir()))
    ]
    response = client.post(
        "/admin/import", data={"files": files}, content_type="multipart/form-data", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, re.sub(r"\s+", " ", page)[-1800:]
    assert_inert(page, tags + [f"UP{i}" for i in range(N)], "/admin/import")
    assert shows(page, f"{short('UP', 0)}.csv") or shows(page, f"{short('UP', 0)}.json")
