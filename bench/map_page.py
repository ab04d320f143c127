"""Search-page map at scale: our data-array map vs the naive one-folium.Marker-per-point map.

    .venv/bin/python bench/map_page.py [--count 5000] [--runs 5] [--no-browser]

Builds a throw-away SQLite database in a temp dir with COUNT demo facilities
(app.imports.demo.insert_demo), then measures, in the same run:
  * build time and weight of the map (app.maps.builder) and of the whole search page (Flask client);
  * the same map built the naive way (folium.Marker + popup per point in a MarkerCluster);
  * headless Chromium: time from navigation until markers are visible, for both pages (the naive
    page gets the app's local Leaflet too, so it can load at all without a CDN).
Targets: ≤ 100 ms and ≤ 1 MB to build the page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402
from folium.plugins import MarkerCluster  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.facilities import services  # noqa: E402
from app.facilities.outlines import district_outlines  # noqa: E402
from app.finder.page import CITY_HALL, MAP_LIMIT  # noqa: E402
from app.geo import spatial  # noqa: E402
from app.imports.demo import insert_demo  # noqa: E402
from app.maps.assets import cluster_css, cluster_js, map_css, map_js  # noqa: E402
from app.maps.builder import build_results_map  # noqa: E402

RADIUS_M = 20_000  # all of Seoul from City Hall
QUERY = f"/?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&radius_m={RADIUS_M}"


def make_bench_app(path: Path):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", TESTING=False, MAP_TILE_URL="")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            spatial.install(conn)
    return app


def timed(fn, runs: int):
    """(median seconds, last result) over runs calls."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def naive_map(items: list[dict]) -> str:
    """The straightforward Folium way: one folium.Marker with an HTML popup per point."""
    m = folium.Map(location=CITY_HALL, zoom_start=12, tiles=None, max_zoom=19)
    m.options["max_zoom"] = 19
    m.default_js, m.default_css = map_js(), map_css()  # local, or the page cannot load offline
    cluster = MarkerCluster()
    cluster.default_js, cluster.default_css = cluster_js()[:1], cluster_css()
    cluster.add_to(m)
    for item in items:
        popup = f"<b>{escape(item['name'])}</b><br>{escape(item['kind'])} · {item['distance_m']} m"
        folium.Marker((item["lat"], item["lon"]), popup=folium.Popup(popup), tooltip=escape(item["name"])).add_to(
            cluster
        )
    html = m.get_root().render()
    # Folium's popups call jQuery's $(html)[0]; a two-line stand-in lets the page run without a CDN.
    shim = (
        "<script>window.$ = function (h) { var t = document.createElement('template');"
        " t.innerHTML = h.trim(); return [t.content.firstChild]; };</script>"
    )
    return html.replace("<head>", "<head>" + shim, 1)


def browser_times(base: str, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for label, path in (("ours", QUERY), ("naive", "/bench/naive")):
            samples = []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{base}{path}", wait_until="commit")
                page.wait_for_selector(".leaflet-marker-icon", state="visible", timeout=120_000)
                # performance.now() counts from the navigation start, in the page's own clock.
                samples.append(page.evaluate("performance.now()") / 1000)
                page.close()
            out[label] = statistics.median(samples)
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = make_bench_app(Path(tmp) / "bench.sqlite3")
        naive_page: dict[str, str] = {}
        app.add_url_rule("/bench/naive", "bench_naive", lambda: naive_page["html"])
        with app.app_context():
            insert_demo(db.session, args.count, seed=7)
            db.session.commit()
            query = services.SearchQuery(lat=CITY_HALL[0], lon=CITY_HALL[1], radius_m=RADIUS_M, limit=MAP_LIMIT)
            t_search, result = timed(lambda: services.search(db.session.connection(), query), args.runs)
            items = result.items
            with app.test_request_context():
                outlines = district_outlines()
                t_ours, parts = timed(
                    lambda: build_results_map(
                        items, center=CITY_HALL, radius_m=RADIUS_M, district_code=None, outlines=outlines
                    ),
                    args.runs,
                )
                t_naive, naive_html = timed(lambda: naive_map(items), max(1, min(args.runs, 2)))
                naive_page["html"] = naive_html
        client = app.test_client()
        client.get(QUERY)  # warm-up (templates, outline cache)
        t_page, page_body = timed(lambda: client.get(QUERY).data, args.runs)

        browser = {}
        if not args.no_browser:
            from werkzeug.serving import make_server

            server = make_server("127.0.0.1", 0, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                browser = browser_times(f"http://127.0.0.1:{server.server_port}", max(1, min(args.runs, 3)))
            finally:
                server.shutdown()
                thread.join()

    mb = 1_000_000
    print(f"\n{len(items)} facilities on the map (of {args.count} inserted; search itself {t_search * 1000:.0f} ms)\n")
    print(f"{'approach':<38}{'build':>10}{'weight':>11}{'browser: markers visible':>27}")
    print("-" * 86)
    br = lambda k: f"{browser[k] * 1000:.0f} ms" if k in browser else "skipped"  # noqa: E731
    print(f"{'data array + JS callback (map only)':<38}{t_ours * 1000:>7.0f} ms{parts.size / mb:>8.2f} MB{'':>27}")
    print(
        f"{'data array: whole search page':<38}{t_page * 1000:>7.0f} ms{len(page_body) / mb:>8.2f} MB{br('ours'):>27}"
    )
    print(
        f"{'naive: folium.Marker per point':<38}{t_naive * 1000:>7.0f} ms{len(naive_html.encode()) / mb:>8.2f} MB"
        f"{br('naive'):>27}"
    )
    print("(browser: from navigation start; the naive page is served pre-built, its build time not included)")
    print(
        f"\ntargets: page build ≤ 100 ms, weight ≤ 1 MB -> "
        f"{'met' if t_page <= 0.1 and len(page_body) <= mb else 'NOT met'} (build includes the search query)"
    )


if __name__ == "__main__":
    main()
