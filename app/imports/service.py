"""The import as a service: read a folder or a file, upsert facilities, flag problems, report.

Services only flush; the caller (CLI or admin upload) commits, so a failing file leaves the
database exactly as it was. `dry_run` reads and counts without writing (the admin's preview);
`complete` says the files are the whole lists of their sources, so rows they no longer name are
flagged not_in_source (without it a file that adds a few rows leaves the others alone).
"""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import geopandas as gpd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from app.errors import DomainError
from app.facilities.choices import FacilityKind
from app.facilities.models import District, Facility, FacilityFlag
from app.geo.districts import BUNDLED_DISTRICTS, read_district_features
from app.imports.districts import load_districts
from app.imports.georef import district_frame, flag, locate
from app.imports.mappers import DERIVED_VALUES, MAPPERS, SOURCES, Record, row_hash
from app.imports.sources import ImportDataError, SourceFile, read_source
from app.imports.store import FlagRow, upsert_facilities
from app.imports.text import clean_mapped, clean_row, flag_detail

PROGRESS_MIN_ROWS = 1000


class NoDataError(DomainError):
    """The folder is missing or holds no file the importer recognises (422)."""

    def __init__(self, message: str):
        super().__init__("no_data", message, 422)


@dataclass
class FileReport:
    """What one file did to the database."""

    path: str
    layout: str
    kind: str | None = None
    encoding: str = "utf-8"
    crs: str | None = None
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    missing: int = 0  # stored earlier from this source, absent now: kept; flagged not_in_source when complete
    complete: bool = False
    flagged: Counter = field(default_factory=Counter)
    # Problems in rows that were skipped anyway (e.g. daycare without 시간제보육): reported, not stored.
    skipped_flagged: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        """One summary line for the CLI and the admin page."""
        what = FacilityKind(self.kind).label if self.kind else self.layout
        flags = ", ".join(f"{k} {v}" for k, v in sorted(self.flagged.items())) or "none"
        extra = f", {self.encoding}" + (f", TM {self.crs}" if self.crs else "")
        line = (
            f"{Path(self.path).name} [{what}{extra}]: read {self.read}, new {self.new}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}, flagged: {flags} ({self.seconds:.2f} s)"
        )
        if self.missing:
            line += f"; not in this file: {self.missing} " + (
                "(kept, flagged not_in_source)" if self.complete else "(kept, not flagged: not a complete list)"
            )
        if self.skipped_flagged:
            line += "; in skipped rows: " + ", ".join(f"{k} {v}" for k, v in sorted(self.skipped_flagged.items()))
        return line


@dataclass
class ImportReport:
    """The whole import: per-file reports, the districts used, demo rows removed, ignored files."""

    files: list[FileReport] = field(default_factory=list)
    districts_source: str = ""
    districts: dict = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    demo_removed: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report as printable lines."""
        out = [f"districts from {self.districts_source}: " + ", ".join(f"{k} {v}" for k, v in self.districts.items())]
        out += [f.line() for f in self.files]
        if self.ignored:
            out.append("ignored (not a known layout): " + ", ".join(self.ignored))
        if self.demo_removed:
            out.append(f"demo rows removed: {self.demo_removed}")
        out.append(f"total {self.seconds:.2f} s")
        return out

    @property
    def all_unchanged(self) -> bool:
        return all(f.new == 0 and f.updated == 0 for f in self.files)

    def outcome(self) -> dict:
        """What the import does to the database, without timings: a preview and its apply must agree on it."""
        return {
            "districts": dict(self.districts),
            "demo_removed": self.demo_removed,
            "ignored": list(self.ignored),
            "files": [
                {
                    "file": Path(f.path).name,
                    "layout": f.layout,
                    "kind": f.kind,
                    "read": f.read,
                    "new": f.new,
                    "updated": f.updated,
                    "unchanged": f.unchanged,
                    "skipped": f.skipped,
                    "missing": f.missing,
                    "complete": f.complete,
                    "flagged": dict(sorted(f.flagged.items())),
                }
                for f in self.files
            ],
        }


class DistrictContext:
    """District polygons and name/code look-ups for one import."""

    def __init__(self, path: Path):
        features = read_district_features(path)
        self.frame: gpd.GeoDataFrame = district_frame(features)
        self.codes_by_name = {f["name"]: f["code"] for f in features}
        self.names_by_code = {f["code"]: f["name"] for f in features}


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, back as it was after.

    An import holds a few million small objects (cells, records, rows) and makes no reference cycles of its own;
    each full collection walks all of them again (a fifth of a 100,000-row import's CPU). Reference counting still
    frees everything as usual; only cycles wait for the end of the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_directory(
    session: Session,
    path: str | Path,
    now: datetime,
    source_crs: str | None = None,
    progress: bool = False,
    *,
    complete: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import every recognised file in a folder (boundaries first) in the caller's transaction."""
    with cycle_collection_paused():
        return _import_directory(session, path, now, source_crs, progress, complete=complete, dry_run=dry_run)


def _import_directory(
    session: Session,
    path: str | Path,
    now: datetime,
    source_crs: str | None,
    progress: bool,
    *,
    complete: bool,
    dry_run: bool,
) -> ImportReport:
    started = time.perf_counter()
    folder = Path(path)
    if not folder.is_dir():
        raise NoDataError(f"data folder not found: {folder}")
    report = ImportReport()
    boundaries: list[SourceFile] = []
    facilities: list[SourceFile] = []
    for file in sorted(p for p in folder.iterdir() if p.is_file()):
        source = read_source(file)
        if source is None:
            if file.suffix.lower() in (".csv", ".json", ".geojson"):
                report.ignored.append(file.name)
        elif source.layout == "districts":
            boundaries.append(source)
        else:
            facilities.append(source)
    if not boundaries and not facilities:
        raise NoDataError(f"no recognised data file in {folder}")
    # The most detailed boundary layer gives the most exact point-in-polygon answer.
    boundary = max(boundaries, key=lambda s: s.path.stat().st_size).path if boundaries else BUNDLED_DISTRICTS
    report.districts_source = str(boundary)
    report.districts = load_districts(session, boundary, dry_run=dry_run)
    context = DistrictContext(boundary)
    for source in facilities:
        report.files.append(
            _import_file(
                session, source.path, now, source_crs, context, progress, source, complete=complete, dry_run=dry_run
            )
        )
    if facilities:
        report.demo_removed = remove_demo(session, dry_run=dry_run)
    report.seconds = time.perf_counter() - started
    return report


def remove_demo(session: Session, dry_run: bool = False) -> int:
    """Delete the generated demo facilities (real data replaces them); `dry_run` only counts them."""
    ids = select(Facility.id).where(Facility.is_demo.is_(True))
    if dry_run:
        return session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    session.execute(delete(FacilityFlag).where(FacilityFlag.facility_id.in_(ids)))
    result = session.execute(delete(Facility).where(Facility.is_demo.is_(True)))
    session.flush()
    return result.rowcount or 0


def import_file(
    session: Session,
    path: str | Path,
    now: datetime,
    source_crs: str | None = None,
    context: DistrictContext | None = None,
    progress: bool = False,
    source: SourceFile | None = None,
    *,
    complete: bool = False,
    dry_run: bool = False,
) -> FileReport:
    """Import one facility file; districts must already be loaded (bundled ones are used when not given)."""
    with cycle_collection_paused():
        return _import_file(
            session, path, now, source_crs, context, progress, source, complete=complete, dry_run=dry_run
        )


def _import_file(
    session: Session,
    path: str | Path,
    now: datetime,
    source_crs: str | None,
    context: DistrictContext | None,
    progress: bool,
    source: SourceFile | None,
    *,
    complete: bool,
    dry_run: bool,
) -> FileReport:
    started = time.perf_counter()
    source = source or read_source(Path(path))
    if source is None or source.layout == "districts":
        raise ImportDataError(path, "not a recognised facility file (kids cafés, daycare, toilets, COT JSON)")
    if context is None:
        if session.scalar(select(District.code).limit(1)) is None:
            load_districts(session, dry_run=dry_run)
        context = DistrictContext(BUNDLED_DISTRICTS)
    report = FileReport(
        str(source.path), source.layout, encoding=source.encoding, read=len(source.rows), complete=complete
    )
    mapper = MAPPERS[source.layout]
    cleaned = [clean_row(row, source.layout) for row in source.rows]
    rows = tqdm(
        cleaned,
        desc=source.path.name,
        unit="row",
        file=sys.stderr,
        disable=not progress or len(source.rows) < PROGRESS_MIN_ROWS,
    )
    records: list[Record] = [mapper(row, source) for row, _ in rows]
    _check_unique(source, records)
    located, report.crs = locate(source, records, context.frame, source_crs)
    flag(records, located, context.codes_by_name, context.names_by_code)
    derived = DERIVED_VALUES.get(source.layout)
    for rec, loc, (_, problems) in zip(records, located, cleaned):
        problems = list(problems)
        rec.values = clean_mapped(rec.values, problems, derived)
        if problems:
            loc.flags["suspicious_text"] = flag_detail(problems)
    known_districts = set(context.names_by_code)
    prepared: list[dict] = []
    flags: list[FlagRow] = []
    for row, rec, loc in zip(source.rows, records, located):
        if rec.kind is None:
            report.skipped += 1
            report.skipped_flagged.update(loc.flags.keys())
            continue
        report.kind = rec.kind
        details = dict(rec.values.get("details") or {})
        if loc.swapped:
            details["coordinates_swapped"] = True
        prepared.append(
            {
                **rec.values,
                "details": details,
                "kind": rec.kind,
                "source": SOURCES[source.layout],
                "source_id": rec.source_id,
                "source_hash": row_hash(row.cells),
                "lat": loc.lat,
                "lon": loc.lon,
                "district_code": loc.district_code if loc.district_code in known_districts else None,
                "stated_district": (rec.stated_district or None) and rec.stated_district[:20],
                "is_demo": False,
            }
        )
        flags.append(FlagRow(rec.source_id, dict(loc.flags)))
        report.flagged.update(loc.flags.keys())
    counts = upsert_facilities(
        session, SOURCES[source.layout], prepared, flags, now, complete=complete, dry_run=dry_run
    )
    report.new, report.updated, report.unchanged = counts["new"], counts["updated"], counts["unchanged"]
    report.missing = counts["missing"]
    report.seconds = time.perf_counter() - started
    return report


def _check_unique(source: SourceFile, records: list[Record]) -> None:
    seen: dict[str, int | str] = {}
    for rec in records:
        if rec.source_id in seen:
            raise ImportDataError(
                source.path,
                f"duplicate id {rec.source_id!r} (first on {seen[rec.source_id]})",
                rec.line,
                _id_column(source),
            )
        seen[rec.source_id] = rec.line


def _id_column(source: SourceFile) -> str:
    return {"kids_cafes": "id", "daycare": "어린이집코드", "toilets": "연번", "cot_theme": "COT_CONTS_ID"}[
        source.layout
    ]
