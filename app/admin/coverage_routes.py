"""Admin coverage pages: /admin/coverage (table, gaps, map frame), /admin/coverage/map, /admin/coverage.csv."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from app.admin.coverage_report import MAX_MINUTES, parse_minutes, report_for
from app.facilities.outlines import district_outlines
from app.geo.cafe_coverage import coverage_csv
from app.maps.coverage_map import coverage_map_html, legend_items, percent
from app.routing import Routes
from app.security import with_script_nonces

bp = Routes()


def _minutes_or_400() -> float:
    minutes = parse_minutes(request.args.get("minutes"))
    if minutes is None:
        abort(400, description=f"minutes: 0보다 크고 {MAX_MINUTES} 이하인 숫자여야 합니다.")
    return minutes


@bp.get("/coverage")
def coverage():
    minutes = _minutes_or_400()
    report = report_for(minutes)
    return render_template(
        "admin/coverage.html",
        report=report,
        minutes=minutes,
        percent=percent,
        legend=legend_items(),
        max_minutes=MAX_MINUTES,
    )


@bp.get("/coverage/map")
def coverage_map():
    report = report_for(_minutes_or_400())
    html = coverage_map_html(
        report,
        district_outlines()["geojson"],
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    )
    return Response(with_script_nonces(html), mimetype="text/html")


@bp.get("/coverage.csv")
def coverage_export():
    minutes = _minutes_or_400()
    body = coverage_csv(report_for(minutes))
    name = f"kids-cafe-coverage-{minutes:g}min.csv"
    return Response(
        body, mimetype="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
