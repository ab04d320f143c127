"""Admin console: accounts, facility assignment, data uploads, flagged rows, coverage, audit log, personal-data
access log, failed notifications."""

from flask import Blueprint

from app.admin import coverage_routes, notifications_routes, privacy_routes, routes

bp = Blueprint("admin", __name__, url_prefix="/admin")
routes.bp.add_to(bp)
coverage_routes.bp.add_to(bp)
privacy_routes.bp.add_to(bp)
notifications_routes.bp.add_to(bp)
