"""Map drawing (Folium) from service results, and the map library's files."""

from flask import Blueprint

from app.maps import routes

bp = Blueprint("maps", __name__)
routes.bp.add_to(bp)
