"""The rush's anchor: the bare minimum booking endpoint, served by the benchmark (not a product route).

    gunicorn -w 4 --pythonpath bench/rush 'bare:create()'     (DATABASE_URL as for the app)

POST /api/bookings {"slot_id": …, "child_ids": [id]} runs one conditional UPDATE of the slot's counter and, when
it took a place, one INSERT … SELECT of the booking (its parent read from the child row): 201, else 409 slot_full.
No token check, no rules, no ORM. The engine is set up exactly as the app's (app.database.configure_engine and the
pool options of app.serving), so both sides of the comparison run with the same database and server settings.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from flask import Flask, jsonify, request
from sqlalchemy import bindparam, create_engine, insert, literal, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.auth.models import Child  # noqa: E402
from app.bookings.models import Booking, Slot  # noqa: E402
from app.database import configure_engine  # noqa: E402
from app.serving import apply_engine_options  # noqa: E402
from app.timeutil import utcnow  # noqa: E402

_TAKE = (
    update(Slot.__table__)
    .where(Slot.id == bindparam("slot"), Slot.booked + 1 <= Slot.capacity, Slot.blocked.is_(False))
    .values(booked=Slot.booked + 1)
)
_INSERT = insert(Booking.__table__).from_select(
    ["code", "user_id", "slot_id", "facility_id", "status", "guardians", "hours", "starts_at", "ends_at", "created_at"],
    select(
        bindparam("code"),
        Child.parent_id,
        Slot.id,
        Slot.facility_id,
        literal("confirmed"),
        literal(1),
        literal(1),
        Slot.starts_at,
        Slot.ends_at,
        bindparam("now", type_=Booking.created_at.type),
    )
    .select_from(Child)
    .join(Slot, Slot.id == bindparam("slot"))  # one child row, one slot row (a join, not a cartesian product)
    .where(Child.id == bindparam("child")),
)


def create() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    apply_engine_options(app)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    configure_engine(engine)

    @app.get("/api/openapi.json")  # the benchmark's "server is up" probe
    def up():
        return jsonify(ok=True)

    @app.post("/api/bookings")
    def bare_book():
        body = request.get_json()
        params = {"slot": int(body["slot_id"]), "child": int(body["child_ids"][0])}
        with engine.begin() as conn:
            if conn.execute(_TAKE, params).rowcount != 1:
                return jsonify(error="slot_full", message="남은 자리가 없습니다"), 409
            conn.execute(_INSERT, {**params, "code": secrets.token_hex(5).upper(), "now": utcnow()})
        return jsonify(ok=True), 201

    return app
