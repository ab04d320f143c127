"""Accounts: parents' sign-up and login pages, API tokens, children."""

from __future__ import annotations

from flask import Blueprint

from app.auth import routes
from app.auth.services import load_user
from app.extensions import db

bp = Blueprint("auth", __name__)
routes.bp.add_to(bp)


def init_login(manager) -> None:
    """Tell Flask-Login how to load a user and where the login page is."""
    manager.user_loader(lambda user_id: load_user(db.session, user_id))
    manager.login_view = "auth.login"
    manager.login_message = "로그인이 필요한 페이지입니다."
    manager.login_message_category = "info"
