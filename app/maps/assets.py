"""Front-end packages from npm that the app serves itself: an allow-list, never a CDN."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, url_for

from app.delivery import asset_version

# Exactly these files may be served from NODE_MODULES_DIR; anything else is a 404.
ALLOWED: dict[str, frozenset[str]] = {
    "leaflet": frozenset(
        {
            "dist/leaflet.js",
            "dist/leaflet.js.map",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        }
    ),
    "leaflet-gesture-handling": frozenset(
        {
            "dist/leaflet-gesture-handling.min.js",
            "dist/leaflet-gesture-handling.min.js.map",
            "dist/leaflet-gesture-handling.min.css",
        }
    ),
    "leaflet.markercluster": frozenset(
        {
            "dist/leaflet.markercluster.js",
            "dist/leaflet.markercluster.js.map",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        }
    ),
}


def is_allowed(package: str, filename: str) -> bool:
    """Whether package/filename is on the allow-list (exact match, so no path tricks)."""
    return filename in ALLOWED.get(package, ())


def package_file(package: str, filename: str) -> Path:
    """Where an npm file lies on disk (NODE_MODULES_DIR/package/filename)."""
    return Path(current_app.config["NODE_MODULES_DIR"]) / package / filename


def vendor_url(package: str, filename: str) -> str:
    """The app's own URL for an allowed npm file, versioned by its hash (so it may be cached for a year)."""
    if not is_allowed(package, filename):
        raise ValueError(f"not an allowed asset: {package}/{filename}")
    version = asset_version(package_file(package, filename))
    return url_for("maps.vendor", package=package, filename=filename, **({"v": version} if version else {}))


def map_js() -> list[tuple[str, str]]:
    """Folium default_js for a map: Leaflet and its two-finger gesture handling (no jQuery, Bootstrap or icons)."""
    return [
        ("leaflet", vendor_url("leaflet", "dist/leaflet.js")),
        ("gesture_handling", vendor_url("leaflet-gesture-handling", "dist/leaflet-gesture-handling.min.js")),
    ]


def map_css() -> list[tuple[str, str]]:
    """Folium default_css for a map."""
    return [
        ("leaflet_css", vendor_url("leaflet", "dist/leaflet.css")),
        ("gesture_handling_css", vendor_url("leaflet-gesture-handling", "dist/leaflet-gesture-handling.min.css")),
    ]


def cluster_js() -> list[tuple[str, str]]:
    """Folium default_js for the clustered facility layers: markercluster and our marker code."""
    return [
        ("markerclusterjs", vendor_url("leaflet.markercluster", "dist/leaflet.markercluster.js")),
        ("nadeuri_map_js", url_for("static", filename="js/nadeuri-map.js")),
    ]


def cluster_css() -> list[tuple[str, str]]:
    """Folium default_css for the clustered facility layers."""
    return [
        ("markerclustercss", vendor_url("leaflet.markercluster", "dist/MarkerCluster.css")),
        ("markerclusterdefaultcss", vendor_url("leaflet.markercluster", "dist/MarkerCluster.Default.css")),
    ]
