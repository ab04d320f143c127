"""Coverage benchmark: the real 155 kids cafés and 425 행정동 (NADEURI_DATA_DIR), 25 districts.

    .venv/bin/python bench/coverage.py [--runs 5] [--minutes 10]

Times compute_coverage cold (first call, reads the 행정동 file) and warm (median of --runs), its parts,
the CSV export and the map build, on an in-memory SQLite database. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.pool import StaticPool  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.facilities.outlines import district_outlines  # noqa: E402
from app.geo import cafe_coverage as coverage  # noqa: E402
from app.imports.districts import load_districts  # noqa: E402
from app.imports.service import import_file  # noqa: E402
from app.maps.coverage_map import coverage_map_html  # noqa: E402
from app.timeutil import utcnow  # noqa: E402


def ms(fn, *args, **kwargs):
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000, value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=10)
    args = ap.parse_args()
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    app = create_app(config)
    data_dir = Path(app.config["NADEURI_DATA_DIR"])
    cafes_csv, dong_path = data_dir / "seoul_kids_cafes.csv", data_dir / coverage.DONG_FILE
    if not cafes_csv.is_file() or not dong_path.is_file():
        sys.exit(f"real data not found in {data_dir} (set NADEURI_DATA_DIR)")
    with app.app_context():
        db.create_all()
        load_districts(db.session)
        import_file(db.session, cafes_csv, now=utcnow())  # the café rows exactly as the product stores them
        db.session.commit()

        cold, report = ms(coverage.compute_coverage, db.session, minutes=args.minutes)
        warm = [ms(coverage.compute_coverage, db.session, minutes=args.minutes)[0] for _ in range(args.runs)]
        t_districts, districts = ms(coverage.load_districts, db.session)
        t_cafes, cafes = ms(coverage.load_cafes, db.session)
        coverage._read_dongs_cached.cache_clear()
        t_dongs, dongs = ms(coverage.read_dongs, dong_path)
        t_core = statistics.median(
            ms(coverage.coverage_from, districts, cafes, dongs, args.minutes)[0] for _ in range(args.runs)
        )
        t_csv, _ = ms(coverage.coverage_csv, report)
        with app.test_request_context():
            outlines = district_outlines()["geojson"]
            t_map, html = ms(coverage_map_html, report, outlines)

    print(
        f"Coverage of {report.cafes} kids cafés, {report.dongs_total} 행정동, {len(report.rows)} districts, "
        f"walk {report.walk_m:.0f} m: area {report.area_share:.1%}, 행정동 {report.dong_share:.1%}\n"
    )
    print("| step | ms |\n| --- | ---: |")
    for label, value in [
        ("compute_coverage, cold (reads the 행정동 file)", cold),
        (f"compute_coverage, warm (median of {args.runs})", statistics.median(warm)),
        ("  load districts from the database", t_districts),
        ("  load kids cafés from the database", t_cafes),
        ("  read + parse the 행정동 GeoJSON (uncached)", t_dongs),
        (f"  coverage_from (geometry work, median of {args.runs})", t_core),
        ("coverage_csv", t_csv),
        (f"coverage map HTML ({len(html.encode()) // 1024} KB)", t_map),
    ]:
        print(f"| {label} | {value:.1f} |")


if __name__ == "__main__":
    main()
