"""Shared by the benchmarks: a PostgreSQL database to measure in, created when missing."""

from __future__ import annotations

import sys
import time

from sqlalchemy import create_engine, text


def ensure_pg_database(url: str) -> bool:
    """Create the database named in `url` if it does not exist; False (with a note) when PostgreSQL is unreachable."""
    base, name = url.rsplit("/", 1)
    try:
        admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return True
    except Exception as exc:  # report and carry on with SQLite only
        print(f"PostgreSQL not available at {base} ({exc.__class__.__name__}); SQLite only", file=sys.stderr)
        return False


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, calls) -> list[float]:
    """Milliseconds of fn(*args) for each args in `calls`."""
    out = []
    for args in calls:
        t0 = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def fresh_app(url: str, demo_facilities: int):
    """An app on `url`: an empty schema brought up to date, with `demo_facilities` demo facilities (seed 7) if any."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.imports.demo import insert_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAP_TILE_URL": ""})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        if demo_facilities:
            insert_demo(db.session, demo_facilities, seed=7)
            db.session.commit()
    return app


def print_latency_table(columns: tuple[str, str, str], results: list[tuple]) -> None:
    """A Markdown table of (database, measure, times in ms, extra figure or None) rows: p50 and p95 per row."""
    first, second, last = columns
    print(f"| {first} | {second} | p50 ms | p95 ms | {last} |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, what, times, extra in results:
        shown = f"{extra:.0f}" if extra is not None else ""
        print(f"| {name} | {what} | {percentile(times, 50):.2f} | {percentile(times, 95):.2f} | {shown} |")
