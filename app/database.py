"""Engine set-up per database: SQLite gets WAL, a busy timeout and real transactions.

Python's sqlite3 driver does not begin a transaction before a SELECT, so a read and a later
write are not atomic. We take over: autocommit at the driver level and our own
``BEGIN IMMEDIATE`` for every transaction, so concurrent writers queue instead of racing
(see ../shared/docs/concurrency-notes.md).

Every write runs inside ``unit_of_work()``: services only flush, the unit commits once on success
and rolls back on any exception, so a change and its audit entry are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def configure_engine(engine: Engine) -> None:
    """Install per-dialect connection hooks on an engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Read through the OS page cache instead of a read() per page: near-me searches touch
            # hundreds of scattered rows, and with several workers the mapping is shared.
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def unit_of_work(session: Session | None = None) -> Iterator[Session]:
    """One transaction around a write: commit when the block ends, roll back (and re-raise) on any exception."""
    if session is None:
        from app.extensions import db  # the request's (or CLI command's) scoped session

        session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
