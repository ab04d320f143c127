"""Booking engine: policies, session templates, slots and bookings with capacity under concurrency."""

from flask import Blueprint

from app.bookings import routes

bp = Blueprint("bookings", __name__)
routes.bp.add_to(bp)
