"""Operator console: facility settings, rosters, check-in, no-shows, walk-ins and utilisation."""

from flask import Blueprint

from app.operators import contact_routes, routes, settings_routes

bp = Blueprint("operators", __name__, url_prefix="/operator")
routes.bp.add_to(bp)
settings_routes.bp.add_to(bp)
contact_routes.bp.add_to(bp)
