"""Web upload of data files: saved to a temporary folder and imported by the same code as the CLI."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.admin.services import AdminError
from app.audit import record
from app.imports.service import ImportReport, import_directory
from app.imports.sources import ImportDataError

ALLOWED_SUFFIXES = (".csv", ".json", ".geojson")


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


def import_uploads(session: Session, actor, files: list[FileStorage], now: datetime) -> tuple[ImportReport, dict]:
    """Import the uploaded files in the caller's transaction; returns the report and the on-disk → original names."""
    files = [f for f in files if f and f.filename]
    if not files:
        raise AdminError("올릴 파일을 하나 이상 고르세요.", "files")
    bad = [f.filename for f in files if Path(f.filename).suffix.lower() not in ALLOWED_SUFFIXES]
    if bad:
        raise AdminError("CSV, JSON, GeoJSON 파일만 올릴 수 있습니다: " + ", ".join(bad), "files")
    for upload in files:
        _check_text_file(upload)
    with tempfile.TemporaryDirectory(prefix="nadeuri-upload-") as folder:
        names: dict[str, str] = {}
        taken: set[str] = set()
        for upload in files:
            name = _safe_name(upload.filename, taken)
            upload.save(Path(folder) / name)
            names[name] = upload.filename
        try:
            report = import_directory(session, folder, now)
        except ImportDataError as exc:
            exc.file = names.get(Path(exc.file).name, Path(exc.file).name)  # the admin's name, not the temp path
            raise
    summary = [
        {
            "file": names.get(Path(f.path).name, Path(f.path).name),
            "new": f.new,
            "updated": f.updated,
            "unchanged": f.unchanged,
            "skipped": f.skipped,
            "missing": f.missing,
            "flagged": dict(f.flagged),
        }
        for f in report.files
    ]
    record(
        session,
        actor,
        "import.upload",
        "import",
        None,
        None,
        {"files": summary, "ignored": report.ignored, "demo_removed": report.demo_removed},
        now,
    )
    return report, names


def report_lines(report: ImportReport, names: dict) -> list[str]:
    """The CLI report lines with the uploaded files' own names instead of the on-disk ones."""
    lines = []
    for line in report.lines():
        for disk, original in names.items():
            line = line.replace(f"{disk} [", f"{original} [")
        lines.append(line)
    return lines
