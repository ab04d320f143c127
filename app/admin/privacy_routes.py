"""Admin page: the personal-data access log (who saw whose contact, when, why) and the purge's runs."""

from __future__ import annotations

from flask import render_template

from app.admin.routes import _page, _paging
from app.audit.access import access_entries
from app.extensions import db
from app.masking import mask_name
from app.operators.people import DELETED_GUARDIAN
from app.privacy.purge import recent_purges
from app.privacy.retention import Retention
from app.routing import Routes

bp = Routes()  # added to the admin blueprint, whose before_request admits admins only
PER_PAGE = 50


def _masked(user) -> str:
    """Whose contact, as the log shows it: masked even here (the id finds the account when it matters)."""
    return DELETED_GUARDIAN if user.deleted_at else mask_name(user.name)


@bp.get("/personal-data")
def personal_data():
    page = _page()
    rows, total = access_entries(db.session, PER_PAGE, (page - 1) * PER_PAGE)
    return render_template(
        "admin/personal_data.html",
        rows=rows,
        **_paging(total, page, PER_PAGE),
        purges=recent_purges(db.session),
        retention=Retention.from_config(),
        masked=_masked,
    )
