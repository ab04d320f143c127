"""The search map's own distance grid for leaflet.markercluster (static/js/nadeuri-map.js DistanceGrid) gives
exactly the clusters the library's own L.DistanceGrid gives: the same tree, the same icons at every zoom.

The page replaces L.DistanceGrid only to place markers faster (bench/map_page.py); these tests build the same
markers into two groups in the page, one per grid, and compare, and drive both grids with the same random
operations.
"""

from __future__ import annotations

import random

import pytest

from app.extensions import db
from tests.browser.browser_helpers import browser_page, serving
from tests.factories import add_facility

pytestmark = pytest.mark.browser
CITY_HALL = (37.5663, 126.9779)


@pytest.fixture
def crowded(browser_app):
    """600 kids cafés around City Hall: tight groups, lone ones far out, and several at the very same point."""
    rng = random.Random(13)
    spots = [(CITY_HALL[0] + rng.uniform(-0.08, 0.08), CITY_HALL[1] + rng.uniform(-0.1, 0.1)) for _ in range(40)]
    points = []
    for i in range(600):
        lat, lon = spots[i % len(spots)]
        if i % 7:  # every seventh exactly on its spot (one building), the others spread around it
            spread = 0.0005 if i % 3 else 0.01
            lat, lon = lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread)
        points.append((round(lat, 6), round(lon, 6)))
    with browser_app.app_context():
        for i, (lat, lon) in enumerate(points):
            add_facility(db.session, name=f"키즈카페 {i}", lat=lat, lon=lon)
    with serving(browser_app) as base:
        yield base


# Two fresh maps the size of the page's, the same view; the page's markers' points, in the page's order, placed
# into a group on each (the same options as the page's group), one with each grid. Returns each group's cluster
# tree and, per zoom, the icons it shows.
_BUILD_BOTH = """() => {
    const source = NadeuriMap.maps[0];
    let group = null;
    source.eachLayer((layer) => { if (layer.nadeuriKind !== undefined) group = layer; });
    const grids = NadeuriMap.distanceGrids();
    const usesOwn = group._gridClusters[group._maxZoom] instanceof grids.own;
    const points = group.getLayers().map((m) => m.getLatLng());
    const size = source.getSize();

    function tree(cluster) {
        return [cluster._zoom, cluster._childCount,
                cluster._markers.map((m) => m.getLatLng().lat + "," + m.getLatLng().lng),
                cluster._childClusters.map(tree)];
    }

    function build(Grid) {
        const box = document.createElement("div");
        box.style.cssText = `position:absolute;left:0;top:0;width:${size.x}px;height:${size.y}px`;
        document.body.appendChild(box);
        const map = L.map(box, {center: source.getCenter(), zoom: source.getZoom(), minZoom: source.getMinZoom(),
                                maxZoom: source.getMaxZoom(), zoomAnimation: false, fadeAnimation: false});
        const saved = L.DistanceGrid;
        L.DistanceGrid = Grid;
        const copy = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: group.options.maxClusterRadius,
                                           animate: false});
        copy.addTo(map);
        L.DistanceGrid = saved;
        copy.addLayers(points.map((p) => L.marker(p)));
        const shown = [];
        for (let z = map.getMinZoom(); z <= map.getMaxZoom(); z++) {
            map.setView(source.getCenter(), z, {animate: false});
            const icons = [];
            copy._featureGroup.eachLayer((l) => icons.push(
                (l.getChildCount ? "c" + l.getChildCount() : "m") + "@" + l.getLatLng().lat + "," + l.getLatLng().lng));
            shown.push(icons.sort().join(" "));
        }
        const result = {tree: JSON.stringify(tree(copy._topClusterLevel)), shown: shown,
                        ownGrid: copy._gridClusters[copy._maxZoom] instanceof grids.own};
        map.remove();
        box.remove();
        return result;
    }

    return {usesOwn: usesOwn, markers: points.length, own: build(grids.own), library: build(grids.library)};
}"""


def run_on_search_page(base: str, script: str, chromium_path: str, problems: list[str]):
    """`script`'s answer on the search page of every facility (20 km around City Hall), once its markers show."""
    from playwright.sync_api import expect

    with browser_page(chromium_path, problems, phone=False) as page:
        page.goto(f"{base}/?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&radius_m=20000")
        expect(page.locator(".folium-map .leaflet-marker-icon").first).to_be_visible()
        return page.evaluate(script)


def test_own_grid_clusters_exactly_as_the_library_grid(crowded, chromium_path, problems):
    result = run_on_search_page(crowded, _BUILD_BOTH, chromium_path, problems)
    assert result["usesOwn"], "the page's group should place its markers with NadeuriMap's grid"
    assert result["markers"] == 600
    own, library = result["own"], result["library"]
    assert own["ownGrid"] and not library["ownGrid"]
    assert own["tree"] == library["tree"]
    assert own["shown"] == library["shown"]
    assert any(" " in icons for icons in own["shown"]), "some zoom should show more than one icon"
    assert any("c" in icons for icons in own["shown"]), "some zoom should show clusters"
    assert problems == []


# The same random adds, removes and nearest-object questions to both grids (cell size 45, points on a small area so
# cells fill up and neighbours tie); every answer and the final contents compared.
_RANDOM_OPS = """() => {
    const grids = NadeuriMap.distanceGrids();
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const own = new grids.own(45), library = new grids.library(45);
    const objects = [], placed = [], answers = {own: [], library: []};
    for (let i = 0; i < 3000; i++) {
        const r = rand();
        const point = L.point(Math.round(rand() * 600) + 0.5 * Math.round(rand()), Math.round(rand() * 400));
        if (r < 0.5 || !placed.length) {
            const obj = {name: "o" + objects.length};
            objects.push(obj);
            placed.push([obj, point]);
            own.addObject(obj, point);
            library.addObject(obj, point);
        } else if (r < 0.65) {
            const [obj, at] = placed.splice(Math.floor(rand() * placed.length), 1)[0];
            answers.own.push(Boolean(own.removeObject(obj, at)));
            answers.library.push(Boolean(library.removeObject(obj, at)));
        } else {
            const a = own.getNearObject(point), b = library.getNearObject(point);
            answers.own.push(a ? a.name : null);
            answers.library.push(b ? b.name : null);
        }
    }
    const contents = (grid) => { const out = []; grid.eachObject((o) => { out.push(o.name); }); return out; };
    return {own: answers.own, library: answers.library, ownContents: contents(own),
            libraryContents: contents(library), found: answers.own.filter((a) => typeof a === "string").length};
}"""


def test_own_grid_answers_as_the_library_grid(crowded, chromium_path, problems):
    result = run_on_search_page(crowded, _RANDOM_OPS, chromium_path, problems)
    assert result["own"] == result["library"]
    assert result["ownContents"] == result["libraryContents"]
    assert result["found"] > 100, "the random questions should find neighbours often"
    assert problems == []
