"""The JSON API: one module per feature, one blueprint under /api."""

from flask import Blueprint, jsonify

from app.api import (
    admin,
    auth,
    availability,
    bookings,
    children,
    facilities,
    lottery,
    notifications,
    operator,
    places,
    policy,
    privacy,
)
from app.errors import DomainError

bp = Blueprint("api", __name__)
_FEATURES = [admin, auth, availability, bookings, children, facilities, lottery, notifications, operator, places]
for _module in [*_FEATURES, policy, privacy]:
    _module.bp.add_to(bp)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    """Every domain error raised under /api answers as JSON: the one place API refusals become responses."""
    return jsonify(error.to_json()), error.status
