"""Shared by the benchmarks: a PostgreSQL database to measure in, created when missing."""

from __future__ import annotations

import sys

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
