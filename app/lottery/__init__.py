"""The weekend lottery (issue #12): the verifiable draw and the hold rule for offers of freed places.

Its pages (app/lottery/routes.py): the basket and entering, the entry actions on 내 예약, the public draw page.
"""

from flask import Blueprint

from app.lottery import pages, routes

bp = Blueprint("lottery", __name__)
routes.bp.add_to(bp)
bp.record_once(lambda state: pages.connect(state.app))
