"""Finder pages: the search page and a facility's page."""

from datetime import datetime

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from app.auth.roles import can_manage_facility
from app.bookings.live import NO_SESSION_TEXT, REFRESH_SECONDS, LiveState
from app.bookings.week import booking_week
from app.extensions import db
from app.facilities import services
from app.facilities.choices import FacilityKind, FlagReason
from app.facilities.hours import holiday_name
from app.facilities.models import AMENITY_LABELS
from app.facilities.outlines import district_outlines
from app.finder.cards import add_card_facts, card_json, facility_card
from app.finder.facts import facility_extras
from app.finder.page import LIST_LIMIT, RADIUS_CHOICES, district_choices, run_finder, source_links
from app.maps.builder import build_facility_map, build_results_map, kind_legend
from app.routing import Routes
from app.timeutil import KST, utcnow

bp = Routes()


def _tiles() -> dict:
    cfg = current_app.config
    return {"tile_url": cfg.get("MAP_TILE_URL") or "", "attribution": cfg.get("MAP_TILE_ATTRIBUTION") or ""}


def _restroom_toggle(args, kinds: list[str], available: list[str]) -> dict | None:
    """The results bar's 화장실 layer switch: this search's URL with restrooms added or taken out."""
    restroom = FacilityKind.FAMILY_RESTROOM.value
    if restroom not in available:
        return None
    on = restroom in kinds
    params = {k: v for k, v in args.to_dict(flat=False).items() if k not in ("kind", "list_page")}
    params["kind"] = [k for k in kinds if k != restroom] + ([] if on else [restroom])
    return {"on": on, "url": url_for("facilities.index", **params)}


@bp.get("/")
def index():
    now = datetime.now(KST)
    page = run_finder(db.session.connection(), request.args, now)
    add_card_facts(db.session, page.listed, now)
    kinds_with_data, amenities_with_data = services.filter_choices(db.session.connection())
    map_parts = build_results_map(
        page.on_map,
        center=page.center,
        radius_m=page.radius_m,
        district_code=page.district,
        outlines=district_outlines(),
        **_tiles(),
    )
    legend = kind_legend()
    return render_template(
        "facilities/index.html",
        page=page,
        map=map_parts,
        legend=[k for k in legend if k["kind"] in kinds_with_data],
        kind_icons={k["kind"]: k["icon"] for k in legend},
        kinds=FacilityKind.values(),
        kind_labels=FacilityKind.labels(),
        amenity_labels={
            a: label for a, label in AMENITY_LABELS.items() if a in amenities_with_data or a in page.form["amenities"]
        },
        districts=district_choices(),
        radius_choices=RADIUS_CHOICES,
        today_holiday=holiday_name(now.date()),
        list_limit=LIST_LIMIT,
        live={"every_ms": REFRESH_SECONDS * 1000, "none": NO_SESSION_TEXT},
        restroom_toggle=None if page.error else _restroom_toggle(request.args, page.form["kinds"], kinds_with_data),
    ), page.status


def _point(args) -> tuple[float, float] | None:
    """?lat=&lon= as a point on Earth, or None (then a card has no distance)."""
    try:
        lat, lon = float(args.get("lat", "")), float(args.get("lon", ""))
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


@bp.get("/facilities/<id:facility_id>/card")
def card(facility_id: int):
    """A map popup's facts, fetched when it opens (the search page carries only its markers)."""
    found = facility_card(db.session, facility_id, _point(request.args), datetime.now(KST))
    if found is None:
        abort(404)
    return jsonify(found)


@bp.get("/facilities/<id:facility_id>")
def detail(facility_id: int):
    facility = services.get_facility(facility_id)
    if facility is None:
        abort(404)
    now = datetime.now(KST)
    today = now.date()
    info = services.facility_detail(facility, today)
    extras = facility_extras(db.session, info, now)
    if extras["session_hours"]:  # hours as the sessions run them, on the page and in its map popup
        info["hours_today"] = extras["session_hours"]["today"]
    popup = {**info, **{k: extras[k] for k in ("session_text", "age_text", "fee")}}
    popup["full"] = (extras["session_text"] or "").endswith(LiveState.FULL.label)  # as the cards say it
    map_parts = build_facility_map(info, card_json(popup), outlines=district_outlines(), **_tiles())
    week = booking_week(db.session, facility.id, request.args.get("week"), utcnow()) if facility.bookable else None
    return render_template(
        "facilities/detail.html",
        facility=facility,
        info=info,
        map=map_parts,
        links=source_links(info["details"]),
        extras=extras,
        week=week,
        amenity_labels=AMENITY_LABELS,
        flag_reasons=FlagReason.labels(),
        # Import review flags are for the admins and this facility's operators, never a banner for parents.
        show_flags=can_manage_facility(current_user, facility.id),
        today=today,
        today_holiday=holiday_name(today),
    )
