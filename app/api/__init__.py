"""The JSON API: one module per feature, one blueprint under /api."""
from flask import Blueprint, jsonify

from app.api import admin, auth, bookings, children, facilities, operator, places
from app.errors import ApiError

bp = Blueprint("api", __name__)
for _module in (admin, auth, bookings, children, facilities, operator, places):
    _module.bp.add_to(bp)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return jsonify(error=error.code, message=error.message, **error.extra), error.status
