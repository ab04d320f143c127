"""A `next` target sends the browser back on this site only, and hostile text in it never breaks the redirect."""

from __future__ import annotations

import pytest

from app.security import local_target
from tests.factories import make_user

OTHER_SITES = ["//evil.example/x", "https://evil.example/", "/\\evil.example"]
RAW_HOSTILE = ["/\r\nSet-Cookie: x=1", "/a\x00b", "/\u202eevil", "/\ud800"]


@pytest.mark.parametrize("target", OTHER_SITES + RAW_HOSTILE)
def test_local_target_refuses_other_sites_and_control_characters(target):
    assert local_target(target, "/home") == "/home"


def test_local_target_keeps_a_path_on_this_site():
    assert local_target("/facilities/3?week=2027-01-04#slots", "/home") == "/facilities/3?week=2027-01-04#slots"
    assert local_target(None, "/home") == "/home"


def test_a_line_break_in_next_sends_the_basket_and_login_to_their_own_pages(client, db):
    # Before: the basket put "/\r\nX:y" into the Location header and the answer was a 500.
    body = "slot=1&next=%2F%0D%0AX%3Ay"  # slot 1 does not exist: the refusal still redirects through `next`
    r = client.post("/lottery/basket/add", data=body, content_type="application/x-www-form-urlencoded")
    assert (r.status_code, r.headers["Location"]) == (303, "/lottery/basket")
    make_user(db.session, email="mom@example.com")
    db.session.commit()
    r = client.post(
        "/login?next=%2F%0D%0AX%3Ay",
        data="email=mom%40example.com&password=sunny-day-1",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 302 and "X:y" not in r.headers["Location"]


@pytest.mark.parametrize("weekend", ["9999-12-25", "0001-01-06", "2101-01-01", "1999-12-25"])
def test_draw_pages_at_the_ends_of_the_calendar_are_not_found(client, weekend):
    r = client.get(f"/lottery/draws/{weekend}")
    assert r.status_code == 404 and "페이지를 찾을 수 없습니다" in r.get_data(as_text=True)
    api = client.get("/api/draws", query_string={"weekend": weekend})
    assert api.status_code == 400 and "2000-01-01부터 2100-12-31 사이" in api.get_json()["message"]
