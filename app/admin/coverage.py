"""Admin coverage pages: /admin/coverage (table, gaps, map frame), /admin/coverage/map, /admin/coverage.csv."""
from __future__ import annotations

import math

from flask import Response, abort, current_app, render_template, request

from app.admin.routes import bp
from app.extensions import db
from app.geo.coverage import DEFAULT_MINUTES, compute_coverage, coverage_csv
from app.maps.coverage import coverage_map_html, legend_items, percent
from app.maps.outlines import district_outlines
from app.security import with_script_nonces

MAX_MINUTES = 60


def parse_minutes(raw: str | None) -> float | None:
    """Minutes of walking from a query string: a number in (0, 60], default 10; None when invalid."""
    if raw is None or raw.strip() == "":
        return float(DEFAULT_MINUTES)
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= MAX_MINUTES else None


def report_for(minutes: float):
    """The coverage report at the configured walking speed."""
    return compute_coverage(db.session, minutes=minutes,
                            metres_per_minute=current_app.config["NADEURI_WALK_METRES_PER_MINUTE"])


def _minutes_or_400() -> float:
    minutes = parse_minutes(request.args.get("minutes"))
    if minutes is None:
        abort(400, description=f"minutes: 0보다 크고 {MAX_MINUTES} 이하인 숫자여야 합니다.")
    return minutes


@bp.get("/coverage")
def coverage():
    minutes = _minutes_or_400()
    report = report_for(minutes)
    return render_template("admin/coverage.html", report=report, minutes=minutes, percent=percent,
                           legend=legend_items(), max_minutes=MAX_MINUTES)


@bp.get("/coverage/map")
def coverage_map():
    report = report_for(_minutes_or_400())
    html = coverage_map_html(report, district_outlines()["geojson"], tile_url=current_app.config.get("MAP_TILE_URL", ""),
                             attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""))
    return Response(with_script_nonces(html), mimetype="text/html")


@bp.get("/coverage.csv")
def coverage_export():
    minutes = _minutes_or_400()
    body = coverage_csv(report_for(minutes))
    name = f"kids-cafe-coverage-{minutes:g}min.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
