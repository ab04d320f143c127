"""The app serves Leaflet from npm's package itself, and nothing else from node_modules."""

import pytest


def _get(client, path, **kw):
    r = client.get(path, **kw)
    data = r.get_data()
    r.close()  # files are streamed; close them or the test leaks a file handle
    return r, data


def test_serves_leaflet_and_markercluster(client):
    r, data = _get(client, "/vendor/leaflet/dist/leaflet.js")
    assert r.status_code == 200
    assert "javascript" in r.content_type
    assert b"Leaflet" in data[:400] and len(data) > 100_000
    r, data = _get(client, "/vendor/leaflet.markercluster/dist/leaflet.markercluster.js")
    assert r.status_code == 200 and b"markerClusterGroup" in data
    r, data = _get(client, "/vendor/leaflet/dist/images/layers.png")
    assert r.status_code == 200 and r.content_type == "image/png"


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/leaflet/package.json",
        "/vendor/leaflet/dist/../package.json",
        "/vendor/leaflet/dist/%2e%2e/package.json",
        "/vendor/leaflet/..%2fpackage.json",
        "/vendor/leaflet/dist/leaflet-src.js",
        "/vendor/leaflet/dist/leaflet.js/",
        "/vendor/leaflet/DIST/leaflet.js",
        "/vendor/evil/dist/leaflet.js",
        "/vendor/..%2f..%2fapp/config.py",
        "/vendor/leaflet/%2fetc%2fpasswd",
        "/vendor/leaflet//etc/passwd",
    ],
)
def test_refuses_everything_else(client, path):
    r, data = _get(client, path, follow_redirects=True)  # Werkzeug turns "//" into a redirect first
    assert r.status_code == 404
    assert b"Leaflet" not in data and b'"name"' not in data and b"root:" not in data
