"""Operators see guardians masked on every surface (roster page, roster API, CSV); the parent sees their own."""

from __future__ import annotations

import json

from tests.factories import bearer, login

FULL = ("김용호", "kim@example.com")
MASKED = ("김*호", "k***@example.com")


def _surfaces(client, db, world, user) -> dict[str, str]:
    cafe, slot, day = world["cafe"], world["slot"], world["day"]
    login(client, user)
    return {
        "page": client.get(f"/operator/facilities/{cafe.id}/roster?date={day}").get_data(as_text=True),
        "csv": client.get(f"/operator/facilities/{cafe.id}/roster.csv?date={day}").data.decode("utf-8-sig"),
        "api": json.dumps(
            client.get(f"/api/operator/slots/{slot.id}/roster", headers=bearer(db.session, user)).get_json(),
            ensure_ascii=False,
        ),
    }


def test_every_operator_surface_masks_the_guardian(client, db, world):
    for role in ("operator", "admin"):
        for name, text in _surfaces(client, db, world, world[role]).items():
            assert all(m in text for m in MASKED), (role, name)
            assert not any(f in text for f in FULL), (role, name)
            assert "하늘" in text  # the children's names are what the door needs
        client.post("/logout")


def test_roster_api_says_the_contact_can_be_revealed(client, db, world):
    body = client.get(f"/api/operator/slots/{world['slot'].id}/roster", headers=bearer(db.session, world["operator"]))
    row = body.get_json()["items"][0]
    assert (row["guardian"], row["contact"], row["revealable"]) == ("김*호", "k***@example.com", True)


def test_the_parent_sees_their_own_data_unmasked(client, db, world):
    login(client, world["parent"])
    booking = world["booking"]
    assert "하늘" in client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "하늘" in client.get("/children").get_data(as_text=True)
    account = client.get("/api/me/export").get_json()["account"]
    assert (account["name"], account["email"]) == FULL
