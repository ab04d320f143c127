"""Finder pages: the search page and a facility's page."""

from datetime import datetime

from flask import abort, current_app, render_template, request
from flask_login import current_user

from app.auth.roles import can_manage_facility
from app.bookings.week import booking_week
from app.extensions import db
from app.facilities import services
from app.facilities.choices import FacilityKind, FlagReason
from app.facilities.hours import holiday_name
from app.facilities.models import AMENITY_LABELS
from app.facilities.outlines import district_outlines
from app.finder.page import LIST_LIMIT, RADIUS_CHOICES, district_choices, run_finder, source_links
from app.maps.builder import build_facility_map, build_results_map, kind_legend
from app.routing import Routes
from app.timeutil import KST, utcnow

bp = Routes()


def _tiles() -> dict:
    cfg = current_app.config
    return {"tile_url": cfg.get("MAP_TILE_URL") or "", "attribution": cfg.get("MAP_TILE_ATTRIBUTION") or ""}


@bp.get("/")
def index():
    now = datetime.now(KST)
    page = run_finder(db.session.connection(), request.args, now)
    map_parts = build_results_map(
        page.items,
        center=page.center,
        radius_m=page.radius_m,
        district_code=page.district,
        outlines=district_outlines(),
        **_tiles(),
    )
    return render_template(
        "facilities/index.html",
        page=page,
        map=map_parts,
        legend=kind_legend(),
        kinds=FacilityKind.values(),
        kind_labels=FacilityKind.labels(),
        amenity_labels=AMENITY_LABELS,
        districts=district_choices(),
        radius_choices=RADIUS_CHOICES,
        today_holiday=holiday_name(now.date()),
        list_limit=LIST_LIMIT,
    ), page.status


@bp.get("/facilities/<id:facility_id>")
def detail(facility_id: int):
    facility = services.get_facility(facility_id)
    if facility is None:
        abort(404)
    today = datetime.now(KST).date()
    info = services.facility_detail(facility, today)
    map_parts = build_facility_map(info, outlines=district_outlines(), **_tiles())
    week = booking_week(db.session, facility.id, request.args.get("week"), utcnow()) if facility.bookable else None
    return render_template(
        "facilities/detail.html",
        facility=facility,
        info=info,
        map=map_parts,
        links=source_links(info["details"]),
        week=week,
        amenity_labels=AMENITY_LABELS,
        flag_reasons=FlagReason.labels(),
        # Import review flags are for the admins and this facility's operators, never a banner for parents.
        show_flags=can_manage_facility(current_user, facility.id),
        today=today,
        today_holiday=holiday_name(today),
    )
