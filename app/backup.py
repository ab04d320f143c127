"""`flask backup PATH` and `flask restore PATH [--yes]` for SQLite and PostgreSQL.

SQLite: the online backup API (sqlite3 ``Connection.backup``) copies a consistent snapshot while
the app keeps serving, and restores page by page into the live file. PostgreSQL: ``pg_dump -Fc``
and ``pg_restore --clean --if-exists --single-transaction``, so a failed restore changes nothing.
A backup is written to a temporary file beside PATH and renamed, so PATH is never half-written.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL, Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def register(app: Flask) -> None:
    """Attach the backup commands to the app's CLI."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _engine() -> Engine:
    from app.extensions import db

    return db.engine


def pg_binary(name: str) -> str:
    """Path of a PostgreSQL client program (pg_dump, pg_restore), or a clear error."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise click.ClickException(
        f"{name}을(를) 찾을 수 없습니다. PostgreSQL 클라이언트를 설치하세요 "
        "(Debian/Ubuntu: apt-get install postgresql-client)."
    )


def _libpq(url: URL) -> tuple[str, dict]:
    """A libpq connection URI without the password, and the environment carrying it (not in `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise click.ClickException("메모리 안의 SQLite 데이터베이스는 백업하거나 복원할 수 없습니다.")
    return Path(url.database)


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException(
            f"{Path(args[0]).name} 실패 (종료 코드 {result.returncode}): {result.stderr.strip()[-2000:]}"
        )


def tables_with_rows(engine: Engine) -> list[str]:
    """The application's tables that hold at least one row."""
    from app.extensions import db

    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return [
            t.name
            for t in db.metadata.sorted_tables
            if t.name in present and conn.execute(select(text("1")).select_from(t).limit(1)).first()
        ]


def backup_database(engine: Engine, path: Path) -> None:
    """Write a backup of the database behind `engine` to `path` (atomically)."""
    tmp = path.with_name(path.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(_sqlite_path(engine.url), timeout=30)
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                # A self-contained file: no -wal/-shm companions needed to read or copy it.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
                source.close()
        elif engine.dialect.name == "postgresql":
            uri, env = _libpq(engine.url)
            _run([pg_binary("pg_dump"), "--format=custom", "--file", str(tmp), "--dbname", uri], env)
        else:
            raise click.ClickException(f"지원하지 않는 데이터베이스입니다: {engine.dialect.name}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _check_backup_file(path: Path, dialect: str) -> None:
    head = path.read_bytes()[:16] if path.stat().st_size else b""
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_DUMP_MAGIC) else None
    if kind is None:
        raise click.ClickException(f"{path}: 나들이 백업 파일이 아닙니다 (SQLite 파일도 pg_dump -Fc 파일도 아님).")
    if kind != dialect:
        raise click.ClickException(
            f"{path}은(는) {kind} 백업인데 지금 데이터베이스는 {dialect}입니다. "
            "같은 종류의 데이터베이스로만 복원할 수 있습니다."
        )
    if kind == "sqlite":
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            has_schema = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'facilities'").fetchone()
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"{path}: 읽을 수 없는 SQLite 파일입니다: {error}") from None
        finally:
            conn.close()
        if not ok or not has_schema:
            raise click.ClickException(f"{path}: 손상되었거나 나들이 데이터베이스가 아닌 SQLite 파일입니다.")


def _pg_restore_list(engine: Engine, path: Path, env: dict) -> list[str]:
    """pg_restore's table of contents; PostGIS entries are left out when the target already has PostGIS."""
    with engine.connect() as conn:
        has_postgis = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
    listing = subprocess.run([pg_binary("pg_restore"), "--list", str(path)], env=env, capture_output=True, text=True)
    if listing.returncode != 0:
        raise click.ClickException(f"pg_restore --list 실패: {listing.stderr.strip()[-2000:]}")
    # Dropping and re-creating the extension needs more rights than the app's role may have, and would
    # take other schemas' spatial objects with it: the migrations own it, the backup carries the data.
    return [
        line
        for line in listing.stdout.splitlines()
        if not (has_postgis and " EXTENSION " in line and "postgis" in line)
    ]


def restore_database(engine: Engine, path: Path) -> None:
    """Replace the contents of the database behind `engine` with the backup at `path`."""
    _check_backup_file(path, engine.dialect.name)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(engine.url), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    uri, env = _libpq(engine.url)
    toc = path.with_name(path.name + ".toc")
    toc.write_text("\n".join(_pg_restore_list(engine, path, env)) + "\n")
    engine.dispose()  # our own idle connections must not hold locks the DROPs wait for
    try:
        _run(
            [
                pg_binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--use-list",
                str(toc),
                "--dbname",
                uri,
                str(path),
            ],
            env,
        )
    finally:
        toc.unlink(missing_ok=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Back up the database to PATH (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    if path.exists() and not force:
        raise click.ClickException(f"{path}이(가) 이미 있습니다. 덮어쓰려면 --force를 붙이세요.")
    if not path.parent.is_dir():
        raise click.ClickException(f"폴더가 없습니다: {path.parent}")
    engine = _engine()
    backup_database(engine, path)
    click.echo(f"백업했습니다: {path} ({path.stat().st_size:,} 바이트, {engine.dialect.name})")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, yes: bool) -> None:
    """Restore the database from a backup made by `flask backup` (stop the app servers first)."""
    engine = _engine()
    _check_backup_file(path, engine.dialect.name)
    filled = tables_with_rows(engine)
    if filled and not yes:
        raise click.ClickException(
            f"데이터베이스가 비어 있지 않습니다 (데이터가 있는 표: {', '.join(filled)}). 지금 내용을 백업 내용으로 "
            "바꾸려면 --yes를 붙여 다시 실행하세요. 먼저 `flask backup`으로 지금 상태를 저장해 두는 것이 좋습니다."
        )
    restore_database(engine, path)
    click.echo(f"복원했습니다: {path}")
