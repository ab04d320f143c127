"""Web upload of data files: staged, previewed, then applied or discarded; imported by the same code as the CLI.

Staging: the files are saved under ADMIN_UPLOAD_DIR (default instance/uploads) in a folder named by a random
token, with a manifest (who, when it expires, whether the files are complete lists, each file's SHA-256 and the
preview's outcome). The preview is a dry run (nothing written). Applying re-checks the hashes, imports the same
files in one transaction and refuses (rolled back) unless the outcome equals the preview's: the database may have
changed in between (another upload), and an admin approves exactly what was shown.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.admin.services import AdminError
from app.audit import record
from app.imports.service import import_directory
from app.imports.sources import ImportDataError

ALLOWED_SUFFIXES = (".csv", ".json", ".geojson")
MANIFEST = "manifest.json"  # beside FILES, the folder the importer reads
FILES = "files"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass
class Staged:
    """One staged upload: its token, owner, expiry, the complete-list choice, the files and the preview."""

    token: str
    actor_id: int
    created_at: datetime
    expires_at: datetime
    complete: bool
    files: list[dict]  # {"disk", "original", "sha256", "size"}
    outcome: dict  # ImportReport.outcome() of the dry run
    districts_source: str

    @property
    def names(self) -> dict[str, str]:
        """On-disk name → the admin's own file name."""
        return {f["disk"]: f["original"] for f in self.files}

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        data["created_at"], data["expires_at"] = self.created_at.isoformat(), self.expires_at.isoformat()
        return data


def staging_root() -> Path:
    """Where staged uploads live (ADMIN_UPLOAD_DIR, else instance/uploads)."""
    configured = current_app.config.get("ADMIN_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _safe_name(original: str, taken: set[str]) -> str:
    """A file name safe on disk that keeps the suffix (the importer recognises layouts by content and suffix)."""
    suffix = Path(original).suffix.lower()
    stem = secure_filename(Path(original).stem) or "upload"
    name, n = f"{stem}{suffix}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    taken.add(name)
    return name


def _check_text_file(upload: FileStorage) -> None:
    """Refuse a file that is not text (NUL bytes, or neither UTF-8 nor CP949) before anything is saved."""
    data = upload.stream.read()
    upload.stream.seek(0)
    if b"\x00" in data:
        raise AdminError(
            f"{upload.filename}: 텍스트 파일이 아닙니다 (이진 데이터). CSV·JSON·GeoJSON 파일을 올려 주세요.", "files"
        )
    for encoding in ("utf-8-sig", "cp949"):
        try:
            data.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    raise AdminError(f"{upload.filename}: UTF-8이나 CP949로 읽을 수 없는 파일입니다. 인코딩을 확인해 주세요.", "files")


def _checked(files: list[FileStorage]) -> list[FileStorage]:
    files = [f for f in files if f and f.filename]
    if not files:
        raise AdminError("올릴 파일을 하나 이상 고르세요.", "files")
    bad = [f.filename for f in files if Path(f.filename).suffix.lower() not in ALLOWED_SUFFIXES]
    if bad:
        raise AdminError("CSV, JSON, GeoJSON 파일만 올릴 수 있습니다: " + ", ".join(bad), "files")
    for upload in files:
        _check_text_file(upload)
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _import(session: Session, folder: Path, staged_names: dict, now: datetime, complete: bool, dry_run: bool):
    try:
        return import_directory(session, folder, now, complete=complete, dry_run=dry_run)
    except ImportDataError as exc:
        exc.file = staged_names.get(Path(exc.file).name, Path(exc.file).name)  # the admin's name, not the disk path
        raise


def purge_expired(now: datetime) -> int:
    """Remove staged uploads past their expiry (or without a readable manifest); how many went."""
    root, gone = staging_root(), 0
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        if not (folder.is_dir() and _TOKEN.fullmatch(folder.name)):
            continue
        try:
            expires = datetime.fromisoformat(json.loads((folder / MANIFEST).read_text("utf-8"))["expires_at"])
        except (OSError, ValueError, KeyError):
            # No manifest yet may mean another worker or app server is staging it right now: give it the preview's
            # lifetime from when the folder was made before calling it abandoned.
            expires = _made_at(folder) + timedelta(minutes=current_app.config["ADMIN_UPLOAD_PREVIEW_MINUTES"])
        if expires <= now:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def _made_at(folder: Path) -> datetime:
    try:
        return datetime.fromtimestamp(folder.stat().st_mtime, UTC)
    except OSError:
        return datetime.min.replace(tzinfo=UTC)


def stage_uploads(session: Session, actor, files: list[FileStorage], complete: bool, now: datetime) -> Staged:
    """Save the files under a new token and preview them (a dry run: nothing is written to the database)."""
    files = _checked(files)
    purge_expired(now)
    token = secrets.token_urlsafe(24)
    folder = staging_root() / token / FILES
    folder.mkdir(parents=True)
    try:
        names: dict[str, str] = {}
        taken: set[str] = set()
        for upload in files:
            name = _safe_name(upload.filename, taken)
            upload.save(folder / name)
            names[name] = upload.filename
        report = _import(session, folder, names, now, complete, dry_run=True)
    except BaseException:
        shutil.rmtree(folder.parent, ignore_errors=True)
        raise
    minutes = current_app.config["ADMIN_UPLOAD_PREVIEW_MINUTES"]
    staged = Staged(
        token=token,
        actor_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        complete=complete,
        files=[
            {"disk": d, "original": o, "sha256": _sha256(folder / d), "size": (folder / d).stat().st_size}
            for d, o in names.items()
        ],
        outcome=report.outcome(),
        districts_source=Path(report.districts_source).name,
    )
    (folder.parent / MANIFEST).write_text(json.dumps(staged.as_json(), ensure_ascii=False), "utf-8")
    return staged


def load_staged(token: str, actor, now: datetime) -> Staged:
    """The staged upload of this admin: 404 when unknown (or another admin's), 410 when expired."""
    folder = staging_root() / token if _TOKEN.fullmatch(token or "") else None
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8")) if folder else None
    except (OSError, ValueError):
        data = None
    if data is None or data.get("actor_id") != actor.id:
        raise AdminError("없는 미리보기입니다. 파일을 다시 올려 주세요.", status=404, code="preview_not_found")
    data["created_at"], data["expires_at"] = (datetime.fromisoformat(data[k]) for k in ("created_at", "expires_at"))
    staged = Staged(**data)
    if staged.expires_at <= now:
        discard_staged(staged)
        raise AdminError("미리보기 시간이 지났습니다. 파일을 다시 올려 주세요.", status=410, code="preview_expired")
    return staged


def apply_staged(session: Session, actor, staged: Staged, now: datetime) -> dict:
    """Import the previewed files in the caller's transaction; refused (409) unless it does what the preview showed."""
    folder = staging_root() / staged.token / FILES
    for f in staged.files:
        path = folder / f["disk"]
        if not path.is_file() or _sha256(path) != f["sha256"]:
            message = f"{f['original']}: 미리보기 뒤에 파일이 바뀌었습니다. 다시 올려 주세요."
            raise AdminError(message, status=409, code="preview_changed")
    report = _import(session, folder, staged.names, now, staged.complete, dry_run=False)
    outcome = report.outcome()
    if outcome != staged.outcome:
        raise AdminError(
            "미리보기 뒤에 데이터베이스가 바뀌어 결과가 달라집니다 (다른 적재가 있었을 수 있습니다). "
            "아무것도 적용하지 않았습니다. 다시 미리보기 해 주세요.",
            status=409,
            code="preview_stale",
        )
    summary = [dict(f, file=staged.names.get(f["file"], f["file"])) for f in outcome["files"]]
    record(
        session,
        actor,
        "import.upload",
        "import",
        None,
        None,
        {
            "files": summary,
            "complete": staged.complete,
            "ignored": outcome["ignored"],
            "demo_removed": outcome["demo_removed"],
            "sha256": {f["original"]: f["sha256"] for f in staged.files},
        },
        now,
    )
    return {"files": summary, "demo_removed": outcome["demo_removed"]}


def discard_staged(staged: Staged) -> None:
    """Forget a staged upload (its files go)."""
    shutil.rmtree(staging_root() / staged.token, ignore_errors=True)
