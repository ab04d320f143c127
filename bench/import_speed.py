"""Import benchmark: the crowded data set as one 100,000-row file in the real kids-café CSV layout.

    .venv/bin/python bench/import_speed.py [--rows 100000] [--db sqlite postgres] [--profile]

The rows take their text (names, ages, days, addresses, …) from the real file in NADEURI_DATA_DIR
(seoul_kids_cafes.csv) in turn, with a new id, a point of `bench/search.py`'s crowded data set (clusters around 20
district centroids) and that point's district. Each run imports into an empty, migrated database with
`import_directory` (what `flask import-data` runs), commits, then imports the same file again (nothing changes).
`--profile` prints the top of cProfile for the first import.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import ensure_pg_database  # noqa: E402
from search import crowded_points  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.geo.districts import BUNDLED_DISTRICTS, read_district_features  # noqa: E402
from app.imports.demo import district_codes  # noqa: E402
from app.timeutil import utcnow  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/nadeuri_bench")


def write_crowded_csv(folder: Path, rows: int, data_dir: Path) -> Path:
    """The crowded points as a kids-café file whose other cells repeat the real rows."""
    with open(data_dir / "seoul_kids_cafes.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, templates = reader.fieldnames, list(reader)
    lats, lons = crowded_points(rows, seed=13)
    features = read_district_features(BUNDLED_DISTRICTS)
    names = {f["code"]: f["name"] for f in features}
    districts = [names.get(code, "") for code in district_codes(features, lats, lons)]
    out = folder / "seoul_kids_cafes.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        for i in range(rows):
            row = dict(templates[i % len(templates)])
            row.update(id=f"kc_{i:06d}", name=f"{row['name']} {i}", district=districts[i])
            row.update(lat=f"{lats[i]:.6f}", lng=f"{lons[i]:.6f}")
            writer.writerow(row)
    return out


def run(name: str, url: str, folder: Path, profile: bool) -> list[tuple[str, str, float, float, str]]:
    from flask_migrate import upgrade

    from app.imports.service import import_directory

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAP_TILE_URL": ""})
    out = []
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        for attempt in ("first import (empty database)", "second import (unchanged)"):
            prof = cProfile.Profile() if profile and not out else None
            t0, cpu0 = time.perf_counter(), time.process_time()
            if prof:
                prof.enable()
            report = import_directory(db.session, folder, utcnow(), progress=False)
            db.session.commit()
            if prof:
                prof.disable()
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            f = report.files[0]
            out.append((name, attempt, elapsed, cpu, f"new {f.new}, updated {f.updated}, unchanged {f.unchanged}"))
            print(f"  {name} {attempt}: {elapsed:.1f} s, CPU {cpu:.1f} s ({out[-1][4]})", file=sys.stderr)
            if prof:
                pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    data_dir = Path(os.environ.get("NADEURI_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "geodata"))
    tmp = Path(tempfile.mkdtemp(prefix="nadeuri-import-"))
    folder = tmp / "data"
    folder.mkdir()
    t0 = time.perf_counter()
    path = write_crowded_csv(folder, args.rows, data_dir)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    results = []
    if "sqlite" in args.db:
        results += run("sqlite", f"sqlite:///{tmp}/import.sqlite3", folder, args.profile)
    if "postgres" in args.db and ensure_pg_database(PG_URL):
        results += run("postgresql", PG_URL, folder, args.profile)
    print(f"\n{args.rows:,} kids-café rows (crowded points, real text)\n")
    print("| database | run | seconds | of which this process's CPU | result |\n| --- | --- | ---: | ---: | --- |")
    for name, attempt, seconds, cpu, what in results:
        print(f"| {name} | {attempt} | {seconds:.1f} | {cpu:.1f} | {what} |")


if __name__ == "__main__":
    main()
