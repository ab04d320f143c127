"""The finder pages (search with map and list, facility detail), blueprint 'facilities'."""

from flask import Blueprint

from app.finder import routes

bp = Blueprint("facilities", __name__)
routes.bp.add_to(bp)
