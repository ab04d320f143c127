"""The JSON API: one module per feature, one blueprint under /api."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import admin, auth, bookings, children, errors, facilities, operator, places  # noqa: E402,F401  (routes register on bp)
