"""Map assets (Leaflet and plugins) served by the app itself from npm's packages."""

from flask import abort, current_app, request, send_from_directory

from app.delivery import requested_version_is, set_asset_lifetime
from app.facilities.outlines import district_outlines
from app.maps.assets import is_allowed, package_file
from app.maps.builder import outline_json
from app.maps.format import distance_text, tel_href
from app.routing import Routes

bp = Routes()
bp.app_template_filter("distance")(distance_text)
bp.app_template_filter("tel")(tel_href)


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    if not is_allowed(package, filename):
        abort(404)
    response = send_from_directory(package_file(package, "."), filename)
    # vendor_url writes the file's hash into ?v=: that URL may be cached for a year, any other briefly.
    return set_asset_lifetime(response, requested_version_is(package_file(package, filename)))


@bp.get("/maps/outlines.json")
def outlines():
    """The district outlines the maps draw (geometry only); ?v= names their version, cached for a year."""
    body, version = outline_json(district_outlines())
    response = current_app.response_class(body, mimetype="application/json")
    return set_asset_lifetime(response, request.args.get("v") == version)
