"""Engine set-up per database: SQLite gets WAL, a busy timeout and real transactions.

Python's sqlite3 driver does not begin a transaction before a SELECT, so a read and a later
write are not atomic. We take over: autocommit at the driver level and our own
``BEGIN IMMEDIATE`` for every transaction, so concurrent writers queue instead of racing
(see ../shared/docs/concurrency-notes.md).

Every write runs inside ``unit_of_work()``: services only flush, the unit commits once on success
and rolls back on any exception, so a change and its audit entry are written together or not at all.

A busy path can ask for ``lock_on_demand()``: its transaction begins only at the first statement that writes or
locks (``SELECT … FOR UPDATE``, any INSERT/UPDATE/DELETE/SAVEPOINT, any textual SQL); the plain SELECTs before that
run outside a transaction, each seeing the latest commit, exactly like PostgreSQL's READ COMMITTED. A booking refused
from those reads (a full session) never waits for SQLite's write lock, and on PostgreSQL sends no BEGIN or ROLLBACK.
Code under it must, as on PostgreSQL, lock before the reads its rule rests on (bookings lock the children's rows).

Waiting for SQLite's write lock polls in steps of ``SQLITE_LOCK_POLL_S`` instead of SQLite's own busy handler, whose
sleeps grow to 100 ms (a waiter could sleep long after the lock was free: the rush's p99 tail).

PostgreSQL connections idle in autocommit, so a ping is one round trip (``SELECT 1``) rather than a ``BEGIN`` too;
every transaction switches autocommit off again when it begins (unless it begins on demand).

A pooled PostgreSQL connection is checked before each use without a round trip (``_check_alive``): a server that
restarts, or ends a backend, closes the socket (after a last error message), so the idle socket has something to
read; such a connection, or one idle for ``PG_PING_AFTER_IDLE_S``, is pinged, and a failed ping replaces every pooled
connection, as SQLAlchemy's ``pool_pre_ping`` would. The pre-ping itself was a round trip on every request.
"""

from __future__ import annotations

import select
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Select, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_LOCK_POLL_S = 0.001
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
PG_PING_AFTER_IDLE_S = 10.0

_ON_DEMAND: ContextVar[bool] = ContextVar("transaction_on_demand", default=False)
_PENDING = "nadeuri_begin_pending"  # Connection.info: the transaction has not begun on the database yet
_IDLE_SINCE = "nadeuri_idle_since"  # a pooled connection's info: when it was last given back to the pool


@contextmanager
def lock_on_demand() -> Iterator[None]:
    """Transactions begun inside this block begin on the database at their first writing or locking statement."""
    token = _ON_DEMAND.set(True)
    try:
        yield
    finally:
        _ON_DEMAND.reset(token)


def _reads_only(context) -> bool:
    """True for a compiled plain SELECT that locks nothing (it may run before the transaction begins)."""
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return (
        isinstance(statement, Select)
        and statement._for_update_arg is None
        and context.statement.lstrip()[:6].upper() == "SELECT"
    )


def sqlite_begin_immediate(dbapi_connection) -> None:
    """BEGIN IMMEDIATE, polling every SQLITE_LOCK_POLL_S while another connection writes (up to the busy timeout)."""
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")  # the usual case: the lock is free
        return
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    dbapi_connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            time.sleep(SQLITE_LOCK_POLL_S)
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


@contextmanager
def _as_sqlalchemy_error(engine: Engine) -> Iterator[None]:
    """A driver error raised by our own BEGIN, wrapped as SQLAlchemy wraps its statements' (e.g. OperationalError)."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as error:
        raise DBAPIError.instance("BEGIN", None, error, dbapi_error) from error


def configure_engine(engine: Engine) -> None:
    """Install per-dialect connection hooks on an engine."""

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_when_needed(conn, cursor, statement, parameters, context, executemany):
        if conn.info.get(_PENDING) and not _reads_only(context):
            conn.info[_PENDING] = False
            with _as_sqlalchemy_error(engine):
                if engine.dialect.name == "sqlite":
                    sqlite_begin_immediate(cursor.connection)
                else:
                    cursor.execute("BEGIN")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn):
        conn.info[_PENDING] = False

    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
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
        if _ON_DEMAND.get():
            connection.info[_PENDING] = True
        else:
            with _as_sqlalchemy_error(engine):
                sqlite_begin_immediate(connection.connection.dbapi_connection)


def _has_input(dbapi_connection) -> bool:
    """Whether an idle connection's socket can be read: end of file or an error message, since a healthy idle
    connection is sent nothing (we do not LISTEN)."""
    if dbapi_connection.closed:  # closed by the driver after a fatal error: no socket left to look at
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _configure_postgresql(engine: Engine) -> None:
    """Idle connections in autocommit (a one-round-trip ping); a transaction turns it off as it begins. Pooled
    connections are checked before use (see the module's docstring)."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _idle_in_autocommit(dbapi_connection, record):
        if dbapi_connection is not None and dbapi_connection.info.transaction_status == 0:  # IDLE
            dbapi_connection.autocommit = True
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_alive(dbapi_connection, record, _proxy):
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None:  # not back in the pool since its last use (e.g. returned mid-transaction)
            idle_since = float("-inf")
        if time.monotonic() - idle_since < PG_PING_AFTER_IDLE_S and not _has_input(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # As a failed pre-ping: the server went away, so every connection opened before now is replaced.
            raise InvalidatePoolError(f"ping failed: {error.__class__.__name__}") from error

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        on_demand = _ON_DEMAND.get()
        connection.info[_PENDING] = on_demand  # on demand: autocommit until a write or lock sends BEGIN
        connection.connection.dbapi_connection.autocommit = on_demand


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
