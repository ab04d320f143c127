"""Personal data: the privacy policy page, a parent's own data (export, account deletion) and the purge."""

from flask import Blueprint

from app.privacy import routes

bp = Blueprint("privacy", __name__)
routes.bp.add_to(bp)
