"""Writing facilities in bulk: insert new, update changed in place (same id), keep unchanged, sync flags."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.facilities.choices import FlagReason, FlagStatus
from app.facilities.models import Facility, FacilityFlag
from app.geo import spatial

CHUNK = 2000
# From this many new rows on, SQLite fills the R*Tree in one statement after the rows rather than by the insert
# trigger row by row (half of SQLite's own work in a 100,000-row import); smaller imports keep the trigger.
BULK_INDEX_ROWS = 1000
RTREE_INSERT_TRIGGER = "facility_rtree_insert"
F = Facility.__table__
FL = FacilityFlag.__table__


@dataclass
class FlagRow:
    """The flags one imported row should carry: reason → detail."""

    source_id: str
    reasons: dict[str, str]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert_facilities(
    session: Session,
    source: str,
    rows: list[dict],
    flags: list[FlagRow],
    now: datetime,
    *,
    complete: bool = False,
    dry_run: bool = False,
) -> dict[str, int]:
    """Insert/update facilities keyed by (source, source_id); returns counts new/updated/unchanged/missing.

    `missing` counts the source's stored rows the file does not list; they are flagged not_in_source only when
    the file is `complete` (the whole list of its source): a file that adds a few rows says nothing of the
    others. `dry_run` counts without writing anything (the admin's preview).
    """
    existing = {
        r.source_id: r
        for r in session.execute(
            select(F.c.id, F.c.source_id, F.c.source_hash, F.c.district_code).where(F.c.source == source)
        )
    }
    current_flags: dict[int, set[str]] = {}
    for fid, reason in session.execute(
        select(FL.c.facility_id, FL.c.reason).join(F, F.c.id == FL.c.facility_id).where(F.c.source == source)
    ):
        current_flags.setdefault(fid, set()).add(reason)
    wanted = {f.source_id: f.reasons for f in flags}
    new, changed = [], []
    unchanged = 0
    for row in rows:
        old = existing.get(row["source_id"])
        if old is None:
            new.append({**row, "created_at": now, "updated_at": now})
        elif (
            old.source_hash == row["source_hash"]
            and old.district_code == row["district_code"]
            and current_flags.get(old.id, set()) == set(wanted[row["source_id"]])
        ):
            unchanged += 1
        else:
            changed.append({**row, "_id": old.id, "updated_at": now})
    listed = {r["source_id"] for r in rows}
    missing = {sid: old.id for sid, old in existing.items() if sid not in listed}
    counts = {"new": len(new), "updated": len(changed), "unchanged": unchanged, "missing": len(missing)}
    if dry_run:
        return counts
    _insert_many(session, new)
    if changed:
        columns = [k for k in changed[0] if k != "_id"]
        stmt = update(F).where(F.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns})
        for chunk in _chunks(changed):
            session.connection().execute(stmt, chunk)
    # Facilities of this source that a complete list no longer names (closed, moved, or no longer qualifying):
    # kept, since bookings may point at them, but flagged for an admin; the flag goes when a later file lists them.
    if not complete:
        missing = {}
    for sid, fid in missing.items():
        wanted[sid] = {
            **{r: None for r in current_flags.get(fid, set())},
            FlagReason.NOT_IN_SOURCE.value: f"{now:%Y-%m-%d} 적재한 전체 목록에 없음",
        }
    touched = {r["source_id"] for r in new} | {r["source_id"] for r in changed} | set(missing)
    if touched:
        _sync_flags(session, source, touched, wanted, now)
    session.flush()
    return counts


def _insert_many(session: Session, rows: list[dict]) -> None:
    """Insert new facility rows in chunks, in the caller's transaction.

    On SQLite each value is converted by its column type's own bind processor and the tuples go to the driver's
    executemany: the values SQLAlchemy would store, without its per-row, per-column work (a third of a
    100,000-row import). A value shared by every row (the import's timestamp) is converted once.
    """
    if not rows:
        return
    connection = session.connection()
    keys = rows[0].keys()
    # Columns the rows leave out get their column default, as insert() gives them: here only plain values.
    defaults = {c.key: c.default for c in F.c if c.key not in keys and c.default is not None}
    if (
        connection.dialect.name != "sqlite"
        or any(not d.is_scalar for d in defaults.values())
        or any(r.keys() != keys for r in rows)
    ):
        for chunk in _chunks(rows):
            session.execute(insert(F), chunk)
        return
    given = list(keys)
    columns = given + list(defaults)
    dialect = connection.dialect
    processors = [F.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    shared, convert = {}, []
    for i, (column, process) in enumerate(zip(columns, processors)):
        first = rows[0][column] if column in keys else defaults[column].arg
        if column not in keys or all(r[column] is first for r in rows):
            shared[i] = process(first) if process else first
        elif process:
            convert.append((i, process))
    pick = operator.itemgetter(*given)
    padding = [None] * len(defaults)
    names = ", ".join(F.c[c].name for c in columns)
    sql = f"INSERT INTO {F.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    with _rtree_filled_after(connection, len(rows)):
        for chunk in _chunks(rows):
            values = []
            for row in chunk:
                value = [*pick(row), *padding]
                for i, process in convert:
                    value[i] = process(value[i])
                for i, fixed in shared.items():
                    value[i] = fixed
                values.append(tuple(value))
            connection.exec_driver_sql(sql, values)


@contextmanager
def _rtree_filled_after(connection: Connection, rows: int) -> Iterator[None]:
    """SQLite: new facilities inserted in the block get their R*Tree entries in one statement at its end.

    The insert trigger is dropped for the block and put back as it was (its stored SQL), all in the caller's
    transaction, so a failure rolls it back with the rows and other connections never see it missing.
    spatial.install() then adds the entry of every facility the tree lacks, by the same definition as the
    trigger's (tests/imports check the tree equals the one the trigger builds). An entry left under a new row's id
    (the trigger would replace it: INSERT OR REPLACE) is deleted first. Fewer rows than BULK_INDEX_ROWS, or a
    database without the trigger: the trigger does the work as usual.
    """
    trigger = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (RTREE_INSERT_TRIGGER,)
    ).scalar()
    if rows < BULK_INDEX_ROWS or trigger is None:
        yield
        return
    last_id = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {F.name}").scalar()
    connection.exec_driver_sql(f"DROP TRIGGER {RTREE_INSERT_TRIGGER}")
    yield
    connection.exec_driver_sql(trigger)
    connection.exec_driver_sql("DELETE FROM facility_rtree WHERE id > ?", (last_id,))
    spatial.install(connection)


def _sync_flags(
    session: Session, source: str, touched: set[str], wanted: dict[str, dict[str, str]], now: datetime
) -> None:
    """Drop flags whose reason no longer holds and add new ones; an admin's status on a kept flag survives."""
    ids = {
        sid: fid
        for fid, sid in session.execute(select(F.c.id, F.c.source_id).where(F.c.source == source))
        if sid in touched
    }
    have: dict[int, set[str]] = {}
    touched_ids = set(ids.values())
    # One join over the source's flags rather than an IN (…) look-up per 2,000 ids: the same rows, kept by id.
    for fid, reason in session.execute(
        select(FL.c.facility_id, FL.c.reason).join(F, F.c.id == FL.c.facility_id).where(F.c.source == source)
    ):
        if fid in touched_ids:
            have.setdefault(fid, set()).add(reason)
    stale, fresh = [], []
    for sid, fid in ids.items():
        reasons = wanted.get(sid, {})
        stale += [{"_fid": fid, "_reason": r} for r in have.get(fid, set()) - set(reasons)]
        fresh += [
            {"facility_id": fid, "reason": r, "detail": d, "status": FlagStatus.OPEN.value, "created_at": now}
            for r, d in reasons.items()
            if r not in have.get(fid, set())
        ]
    if stale:
        stmt = delete(FL).where(FL.c.facility_id == bindparam("_fid"), FL.c.reason == bindparam("_reason"))
        session.connection().execute(stmt, stale)
    for chunk in _chunks(fresh):
        session.execute(insert(FL), chunk)
