"""Where a refusal's cost lies: the rush's refusals against a ladder of floors, each served like the app.

    .venv/bin/python bench/rush/ladder.py --db sqlite postgres [--attempts 2000] [--runs 2] [--steps app merged_read]

A diagnostic for issue #13's rush target (≥ 70 % of the bare endpoint's attempts per second). Every step answers
POST /api/bookings for a session that is already full (its counter set to its capacity), so every attempt is a
refusal, as 92 % of the rush's are; the same gunicorn settings, clients and data as `run.py`. The steps:

- ``bare``: bench/rush/bare.py, one conditional UPDATE (the rush's anchor);
- ``hooks``: the whole app (every request hook: security headers, CSRF, rate limits, body checks, request log,
  compression) with /api/bookings answering 409 and reading nothing;
- ``raw_read``: ``hooks`` plus the bearer token's read on the engine's DBAPI connection, no SQLAlchemy statement;
- ``raw_two_reads``: ``raw_read`` plus the session's rules (book()'s first read) on the same DBAPI connection: the
  floor of any endpoint that checks the token and then the session by a statement each, with no logic at all;
- ``core_read``: the same read as a SQLAlchemy Core statement on an engine connection;
- ``session_read``: the app's own bearer check (``api_login_required``: the read on the request's ORM session);
- ``app``: the real endpoint (the bearer check, then book()'s read of the session's rules and its refusal);
- ``merged_read``: the app's refusal with its two reads made one statement (the token's row joined with the
  session's rules): the most that option of issue #13's could give, measured, not built into the app.

Each run takes the bare endpoint, then every step of ``--steps`` in turn (all by default; a step may be named twice,
``--steps app merged_read app merged_read``, to alternate two against this VM's drift), each on fresh data; the
table gives each step's attempts/s as a share of the bare endpoint's in the same run. Loopback only. Not a product
route: the floors exist only in the server this script starts (``LADDER_STEP``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from flask import jsonify, request

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).parent))

STEPS = ("bare", "hooks", "raw_read", "raw_two_reads", "core_read", "session_read", "app", "merged_read")
_FULL = "남은 자리가 없습니다"


def create():
    """The gunicorn app of one step (LADDER_STEP): the app with /api/bookings replaced by that floor."""
    from app import create_app
    from app.auth.tokens import _TOKEN_OWNER_ID, api_login_required, hash_token
    from app.database import lock_on_demand
    from app.extensions import db

    step = os.environ["LADDER_STEP"]
    app = create_app()
    if step == "app":
        return app

    def token_hash() -> str:
        return hash_token(request.headers["Authorization"].partition(" ")[2])

    def refuse():
        return jsonify(error="slot_full", message=_FULL), 409

    if step == "hooks":
        view = refuse
    elif step in ("raw_read", "raw_two_reads"):
        from app.bookings.services import _SLOT_RULES

        reads = [(_TOKEN_OWNER_ID, lambda: {"token_hash": token_hash()})]
        if step == "raw_two_reads":
            reads.append((_SLOT_RULES, lambda: {"slot_id": request.get_json()["slot_id"]}))
        with app.app_context():
            dialect = db.engine.dialect
        reads = [(statement.compile(dialect=dialect), params) for statement, params in reads]

        def view():
            connection = db.engine.raw_connection()
            try:
                cursor = connection.cursor()
                for compiled, params in reads:
                    values = compiled.construct_params(params())
                    if compiled.positiontup is not None:  # qmark (SQLite): positional
                        values = tuple(values[name] for name in compiled.positiontup)
                    cursor.execute(compiled.string, values)
                    cursor.fetchone()
                cursor.close()
            finally:
                connection.close()
            return refuse()
    elif step == "core_read":

        def view():
            with db.engine.connect() as connection:
                connection.execute(_TOKEN_OWNER_ID, {"token_hash": token_hash()}).first()
            return refuse()
    elif step == "session_read":
        view = api_login_required(refuse)
    elif step == "merged_read":
        view = _merged_read_view()
    else:
        raise SystemExit(f"unknown step {step}")

    def on_demand():  # as api_book: reads before any transaction
        with lock_on_demand():
            return view()

    app.view_functions["api.api_book"] = on_demand
    return app


def _merged_read_view():
    """The app's refusal (body, bearer check, the session's rules, book()'s first refusals inside a unit of work)
    with the token's row and the session's rules read by one statement."""
    from flask import g
    from sqlalchemy import true

    from app.api.bookings import _booking_request
    from app.auth.tokens import _TOKEN_OWNER_ID, _unauthorized, bearer_token, hash_token
    from app.bookings.services import _SLOT_RULES, _check_slot_rules
    from app.database import unit_of_work
    from app.extensions import db
    from app.params import json_body
    from app.timeutil import utcnow

    rules = _SLOT_RULES.subquery()
    merged = _TOKEN_OWNER_ID.add_columns(*rules.c).outerjoin(rules, true())

    def view():
        slot_id, child_ids, guardians, hours = _booking_request(json_body())
        now = utcnow()
        row = (
            db.session.connection()
            .execute(merged, {"token_hash": hash_token(bearer_token() or ""), "slot_id": slot_id})
            .first()
        )
        if row is None or row.expires_at <= now or row.is_locked:
            return _unauthorized("토큰이 없거나 만료되었거나 올바르지 않습니다")
        g.api_user_id = row.id
        with unit_of_work():
            _check_slot_rules(row, len(child_ids), guardians, hours, now, False)  # raises slot_full (409) here
        raise RuntimeError("merged_read: the session was not full")  # a 500: the ladder's outcome check stops

    return view


def main() -> None:
    from benchutil import ensure_pg_database, percentile
    from run import BARE, PG_URL, prepare, rush, rush_arguments, start_server, worker_cpu_seconds
    from sqlalchemy import create_engine, text

    ap = rush_arguments(__doc__, 5104)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--steps", nargs="+", choices=STEPS[1:], default=STEPS[1:], help="after bare, in this order")
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="nadeuri-ladder-") as tmp:
        for name in args.db:
            if name == "postgres" and not ensure_pg_database(PG_URL):
                continue
            for run in range(1, args.runs + 1):
                bare_rate = None
                for i, step in enumerate(("bare", *args.steps)):
                    url = f"sqlite:///{tmp}/{name}-{run}-{i}.sqlite3" if name == "sqlite" else PG_URL
                    _, slot_ids, _, parents = prepare(url, args.parents, 1, 40)
                    engine = create_engine(url)
                    with engine.begin() as conn:  # the session is full: every attempt is refused
                        conn.execute(text("UPDATE slots SET booked = capacity"))
                    engine.dispose()
                    target = BARE if step == "bare" else "ladder:create()"
                    server = start_server(url, args.port, args.workers, target=target, LADDER_STEP=step)
                    try:
                        rush(args.port, slot_ids, parents[:40], 200, 8, seed=1)  # warm every worker up
                        cpu0 = worker_cpu_seconds(server.pid)
                        seconds, lat, outcomes, _ = rush(args.port, slot_ids, parents, args.attempts, args.clients, 2)
                        cpu_ms = (worker_cpu_seconds(server.pid) - cpu0) * 1000 / len(lat)
                    finally:
                        server.terminate()
                        server.wait(timeout=30)
                    if set(outcomes) != {"slot_full"}:
                        raise SystemExit(f"{name} {step}: expected refusals only, got {dict(outcomes)}")
                    rate = len(lat) / seconds
                    bare_rate = bare_rate or rate
                    rows.append((name, run, step, rate, rate / bare_rate, percentile(lat, 99), cpu_ms))
                    print(f"{name} run {run} {step}: {rate:.0f}/s, {rate / bare_rate:.0%} of bare", file=sys.stderr)

    print(f"\n{args.attempts} refusals a step, {args.clients} clients, gunicorn -w {args.workers} (sync)\n")
    print("| db | run | step | attempts/s | ÷ bare, same run | p99 ms | worker CPU ms/attempt |")
    print("|---|---|---|---:|---:|---:|---:|")
    for name, run, step, rate, share, p99, cpu_ms in rows:
        print(f"| {name} | {run} | {step} | {rate:.0f} | {share:.0%} | {p99:.0f} | {cpu_ms:.2f} |")


if __name__ == "__main__":
    main()
