"""Search-page map at scale: the whole search page vs a Folium FastMarkerCluster map of the same points.

    .venv/bin/python bench/map_page.py [--count 5000] [--runs 7] [--data real|demo] [--no-browser] [--naive]

Builds a throw-away SQLite database in a temp dir with COUNT facilities, then measures, in the same run:
  * build time and weight of the whole search page (Flask client, 20 km around City Hall: every point), of its
    map alone (app.maps.builder), and of a facility page;
  * the anchor: folium.plugins.FastMarkerCluster of the same points, coordinates only (local Leaflet assets);
  * with --naive, also one folium.Marker with a popup per point (slow: seconds);
  * headless Chromium: time from navigation until the first frame with a visible marker, on our page and on the
    anchor's (the first load with an empty cache, then the median of the next loads).

--data real (the default) writes COUNT kids cafés in the real CSV layout (seoul_kids_cafes.csv under
NADEURI_DATA_DIR or /work/shared/geodata: its 155 rows repeated with their own names, addresses, phones and
texts, points moved up to ~1.5 km) and imports that file with the app's importer; --data demo uses
app.imports.demo.insert_demo (short generated rows of all four kinds).
Targets (#13): page ≤ 50 ms and within 1.3x of the anchor, ≤ 400 KB, markers visible ≤ 1.0 s; facility page ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import csv
import gc
import gzip
import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402
import numpy as np  # noqa: E402
from folium.plugins import FastMarkerCluster, MarkerCluster  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.facilities import services  # noqa: E402
from app.facilities.outlines import district_outlines  # noqa: E402
from app.finder.page import CITY_HALL, MAP_LIMIT  # noqa: E402

try:
    from app.finder.points import rank  # noqa: E402
except ImportError:  # the code before #13 (one run can measure it beside the anchor): no lean ranking yet
    rank = None
from app.geo import spatial  # noqa: E402
from app.imports.demo import insert_demo  # noqa: E402
from app.imports.service import import_file  # noqa: E402
from app.maps.assets import cluster_css, cluster_js, map_css, map_js  # noqa: E402
from app.maps.builder import build_results_map  # noqa: E402
from app.security import with_script_nonces  # noqa: E402
from app.timeutil import KST  # noqa: E402

RADIUS_M = 20_000  # all of Seoul from City Hall
QUERY = f"/?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&radius_m={RADIUS_M}"
DATA_DIR = Path(os.environ.get("NADEURI_DATA_DIR") or "/work/shared/geodata")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def make_bench_app(path: Path):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", TESTING=False, MAP_TILE_URL="")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            spatial.install(conn)
    return app


def write_real_layout(folder: Path, count: int, seed: int = 7) -> Path:
    """COUNT kids cafés in seoul_kids_cafes.csv's layout: the real rows repeated, ids and names numbered, points
    moved."""
    with open(DATA_DIR / "seoul_kids_cafes.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns, real = reader.fieldnames, list(reader)
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        row = dict(real[i % len(real)])
        row["id"] = f"kc_b{i:05d}"
        row["name"] = f"{row['name']} {i // len(real) + 1}" if i >= len(real) else row["name"]
        row["lat"] = f"{float(row['lat']) + rng.uniform(-0.012, 0.012):.6f}"
        row["lng"] = f"{float(row['lng']) + rng.uniform(-0.015, 0.015):.6f}"
        rows.append(row)
    path = folder / "seoul_kids_cafes.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def timed(fn, runs: int):
    """(median seconds, last result) over runs calls."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def anchor_map(points: list[tuple[float, float]]) -> str:
    """The anchor: one Folium map and a FastMarkerCluster of the points, coordinates only."""
    m = folium.Map(location=CITY_HALL, zoom_start=12, tiles=None, max_zoom=19)
    m.options["max_zoom"] = 19  # markercluster needs it on the map when there is no tile layer
    m.default_js, m.default_css = map_js(), map_css()  # local, or the page cannot load offline
    callback = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
    cluster = FastMarkerCluster(points, callback=callback)
    cluster.default_js, cluster.default_css = cluster_js()[:1], cluster_css()
    cluster.add_to(m)
    return m.get_root().render()


def naive_map(items: list) -> str:
    """The straightforward Folium way: one folium.Marker with an HTML popup per point."""
    m = folium.Map(location=CITY_HALL, zoom_start=12, tiles=None, max_zoom=19)
    m.default_js, m.default_css = map_js(), map_css()
    cluster = MarkerCluster()
    cluster.default_js, cluster.default_css = cluster_js()[:1], cluster_css()
    cluster.add_to(m)
    rows = (
        zip(items.name, items.kind, items.lat.tolist(), items.lon.tolist())
        if rank is not None
        else ((i["name"], i["kind"], i["lat"], i["lon"]) for i in items)
    )
    for name, kind, lat, lon in rows:
        popup = f"<b>{escape(name)}</b><br>{escape(kind)}"
        folium.Marker((lat, lon), popup=folium.Popup(popup), tooltip=escape(name)).add_to(cluster)
    return m.get_root().render()


# Installed before any page script: from the first frame on, each animation frame (the browser is about to paint
# it) looks for a marker or cluster icon that Playwright would call visible (a non-empty box, not visibility:
# hidden) and keeps the time of the first frame that has one. Waiting with Playwright's own polling instead
# (wait_for_selector: checks 0, 20, 50, 100, 100 ms apart, then every 500 ms, each one queued behind the page's
# tasks) measured when a check happened to run, in steps of up to half a second, not when the markers appeared.
MARKERS_SEEN = """
(function () {
  function look() {
    var icon = document.querySelector(".leaflet-marker-icon");
    if (icon) {
      var box = icon.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && getComputedStyle(icon).visibility !== "hidden") {
        window.__markersVisibleAt = performance.now();
        return;
      }
    }
    requestAnimationFrame(look);
  }
  requestAnimationFrame(look);
})();
"""


def browser_times(base: str, paths: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds from navigation start until a marker (or cluster) is visible, per page: the time of the first
    animation frame with a visible marker icon (MARKERS_SEEN)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        # One context per page measured: its first load fills the cache, the next ones find the assets in it (as a
        # second visit would). A new tab per load, so nothing else carries over. The pages take turns, so a busy
        # moment on the shared machine hits both alike.
        contexts, samples = {}, {label: [] for label in paths}
        for label in paths:
            contexts[label] = browser.new_context(viewport={"width": 1280, "height": 800})
            contexts[label].add_init_script(MARKERS_SEEN)
        for _ in range(runs + 1):
            for label, path in paths.items():
                page = contexts[label].new_page()
                page.on("console", lambda m, label=label: m.type == "error" and print(label, m.text, file=sys.stderr))
                page.on("pageerror", lambda e, label=label: print(label, e, file=sys.stderr))
                page.goto(f"{base}{path}", wait_until="commit")
                page.wait_for_function("() => window.__markersVisibleAt !== undefined", timeout=30_000)
                # performance.now() counts from the navigation start, in the page's own clock.
                samples[label].append(page.evaluate("window.__markersVisibleAt") / 1000)
                page.close()
        browser.close()
    out = {}
    for label, times in samples.items():
        out[label] = statistics.median(times[1:])
        out[label + " (first)"] = times[0]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--data", choices=("real", "demo"), default="real")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--naive", action="store_true", help="also build one folium.Marker per point (seconds)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = make_bench_app(Path(tmp) / "bench.sqlite3")
        served: dict[str, str] = {}
        app.add_url_rule("/bench/anchor", "bench_anchor", lambda: with_script_nonces(served["anchor"]))
        with app.app_context():
            if args.data == "real":
                report = import_file(db.session, write_real_layout(Path(tmp), args.count), datetime.now(KST))
                assert report.new == args.count, report.line()
            else:
                insert_demo(db.session, args.count, seed=7)
            db.session.commit()
            query = services.SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=RADIUS_M, limit=MAP_LIMIT)
            if rank is not None:
                items = rank(db.session.connection(), query).markers[:MAP_LIMIT]
                points = np.column_stack([items.lat, items.lon]).tolist()
                first_id = int(items.id[0])
            else:
                items = services.search(db.session.connection(), query).items
                points = [[i["lat"], i["lon"]] for i in items]
                first_id = items[0]["id"]
            with app.test_request_context():
                outlines = district_outlines()
                t_map, parts = timed(
                    lambda: build_results_map(
                        items, center=CITY_HALL, radius_m=RADIUS_M, district_code=None, outlines=outlines
                    ),
                    args.runs,
                )
                naive = timed(lambda: naive_map(items), 1) if args.naive else None
        client = app.test_client()
        client.get(QUERY), client.get(f"/facilities/{first_id}")  # warm-up (templates, outline cache)
        # Interleaved, so a busy moment on the shared machine hits both the same. Wall time and this process's
        # CPU time (on a machine shared with other work, CPU time is what the code itself costs).
        t_page, t_anchor, t_detail = [], [], []

        def clock(fn, into):
            gc.collect()
            w, c = time.perf_counter(), time.process_time()
            result = fn()
            into.append((time.perf_counter() - w, time.process_time() - c))
            return result

        def anchor_build():
            with app.test_request_context():
                return anchor_map(points)

        for _ in range(args.runs):
            page_body = clock(lambda: client.get(QUERY).data, t_page)
            anchor_html = clock(anchor_build, t_anchor)
            detail_body = clock(lambda: client.get(f"/facilities/{first_id}").data, t_detail)
        served["anchor"] = anchor_html

        def med(samples, which=0):
            return statistics.median(t[which] for t in samples)

        browser = {}
        if not args.no_browser:
            from werkzeug.serving import make_server

            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            logging.getLogger("nadeuri.request").setLevel(logging.WARNING)
            server = make_server("127.0.0.1", 0, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                paths = {"ours": QUERY, "anchor": "/bench/anchor"}
                browser = browser_times(f"http://127.0.0.1:{server.server_port}", paths, args.runs)
            finally:
                server.shutdown()
                thread.join()

    kb = 1024
    print(f"\n{len(items)} facilities on the map ({args.data} layout, {args.count} imported), {args.runs} runs\n")
    print("| what | build: wall (CPU) median, best wall | weight | browser: markers visible, median (first load) |")
    print("| --- | ---: | ---: | ---: |")

    def br(k):
        return f"{browser[k] * 1000:.0f} ms ({browser[k + ' (first)'] * 1000:.0f} ms)" if k in browser else ""

    def ms(samples):
        best = min(w for w, _ in samples)
        return f"{med(samples) * 1000:.1f} ms ({med(samples, 1) * 1000:.1f} ms), best {best * 1000:.1f} ms"

    zipped = len(gzip.compress(page_body)) / kb
    print(f"| whole search page | {ms(t_page)} | {len(page_body) / kb:.0f} KB ({zipped:.0f} KB gzip) | {br('ours')} |")
    print(f"| its map alone (app.maps.builder) | {t_map * 1000:.1f} ms | {parts.size / kb:.0f} KB | |")
    print(
        f"| anchor: Folium FastMarkerCluster, coordinates only | {ms(t_anchor)} "
        f"| {len(anchor_html.encode()) / kb:.0f} KB | {br('anchor')} |"
    )
    print(f"| facility page | {ms(t_detail)} | {len(detail_body) / kb:.0f} KB | |")
    if naive:
        print(f"| naive: folium.Marker per point | {naive[0] * 1000:.0f} ms | {len(naive[1]) / kb:.0f} KB | |")
    ratio, cpu_ratio = med(t_page) / med(t_anchor), med(t_page, 1) / med(t_anchor, 1)
    best = min(w for w, _ in t_page) / min(w for w, _ in t_anchor)
    print(f"\npage / anchor: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU, {best:.2f}x best wall")
    print("page runs, wall ms: " + ", ".join(f"{w * 1000:.0f}" for w, _ in t_page))
    ok = med(t_page) <= 0.05 and ratio <= 1.3 and len(page_body) <= 400 * kb and med(t_detail) <= 0.03
    if browser:
        ok = ok and browser["ours"] <= 1.0
    verdict = "met" if ok else "NOT met"
    print(f"targets (≤ 50 ms and ≤ 1.3x anchor, ≤ 400 KB, visible ≤ 1.0 s, facility ≤ 30 ms): {verdict}")


if __name__ == "__main__":
    main()
