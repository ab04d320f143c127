"""Role checks for pages and API routes, and who may manage which facility."""

from __future__ import annotations

from functools import wraps

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import ROLES, User, operator_facilities


def _check_roles(roles: tuple[str, ...]) -> None:
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"unknown roles: {sorted(unknown) or 'none given'}")


def roles_required(*roles: str):
    """Page decorator: anonymous → login redirect, a logged-in user of another role → 403."""
    _check_roles(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from app.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def api_roles_required(*roles: str):
    """API decorator, placed under @api_login_required: 403 JSON {"error": "forbidden"} for another role."""
    _check_roles(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from app.auth.tokens import current_api_user

            user = current_api_user()  # AttributeError here means api_login_required is missing
            if user.role not in roles:
                response = jsonify(error="forbidden", message="이 기능을 사용할 권한이 없습니다")
                response.status_code = 403
                return response
            return view(*args, **kwargs)

        return wrapper

    return decorator


def can_manage_facility(user: User | None, facility_id: int) -> bool:
    """Admins manage every facility; operators only those assigned to them; nobody else any."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_locked:
        return False
    if user.role == "admin":
        return True
    if user.role != "operator":
        return False
    from app.extensions import db

    found = db.session.scalar(
        select(operator_facilities.c.facility_id).where(
            operator_facilities.c.user_id == user.id, operator_facilities.c.facility_id == facility_id
        )
    )
    return found is not None
