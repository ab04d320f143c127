"""Booking engine: policies, session templates, slots and bookings with capacity under concurrency."""

from flask import Blueprint

from app.bookings import children_routes, routes

bp = Blueprint("bookings", __name__)
routes.bp.add_to(bp)
children_routes.bp.add_to(bp)
