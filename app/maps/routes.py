"""Map assets (Leaflet and plugins) served by the app itself from npm's packages."""

from pathlib import Path

from flask import abort, current_app, send_from_directory

from app.maps.assets import is_allowed
from app.maps.format import distance_text, tel_href
from app.routing import Routes

bp = Routes()
bp.app_template_filter("distance")(distance_text)
bp.app_template_filter("tel")(tel_href)


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    if not is_allowed(package, filename):
        abort(404)
    root = Path(current_app.config["NODE_MODULES_DIR"]) / package
    # Versions are pinned in package.json, so a day of caching is safe.
    return send_from_directory(root, filename, max_age=86_400)
