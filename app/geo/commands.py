"""CLI: `flask --app app coverage` prints kids-café coverage by district (and writes a CSV)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import click
from flask import Flask, current_app

from app.extensions import db
from app.geo.cafe_coverage import compute_coverage, coverage_csv


def _width(text: str) -> int:
    # Hangul takes two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def format_table(report) -> str:
    """The report as a plain-text table for the terminal."""
    head = ["코드", "자치구", "카페", "면적 커버율", "행정동", "행정동 커버율"]
    widths = [6, 10, 5, 12, 9, 14]
    lines = [
        f"키즈카페 도보 {report.minutes:g}분 커버율 (반경 {report.walk_m:.0f}m, 분당 {report.metres_per_minute:g}m)",
        "  ".join(_pad(h, w, right=i > 1) for i, (h, w) in enumerate(zip(head, widths))),
    ]
    for r in report.rows:
        cells = [
            r.code,
            r.name,
            str(r.cafes),
            _pct(r.area_share),
            "-" if r.dong_share is None else f"{r.dongs_covered}/{r.dongs}",
            _pct(r.dong_share),
        ]
        lines.append("  ".join(_pad(c, w, right=i > 1) for i, (c, w) in enumerate(zip(cells, widths))))
    dongs = "" if report.dong_share is None else f" ({report.dongs_covered}/{report.dongs_total})"
    lines.append(
        f"서울 전체: 키즈카페 {report.cafes}곳, 면적 커버율 {_pct(report.area_share)}, "
        f"행정동 커버율 {_pct(report.dong_share)}{dongs}"
    )
    if report.gaps:
        lines.append("키즈카페에서 가장 먼 행정동 (중심점 기준):")
        for i, g in enumerate(report.gaps, 1):
            lines.append(f"  {i:2d}. {g.district_name} {g.name} ({g.code}) {g.nearest_m:,.0f}m")
    lines.extend(f"참고: {note}" for note in report.notes)
    return "\n".join(lines)


@click.command("coverage")
@click.option(
    "--minutes", type=click.FloatRange(min=0, min_open=True), default=10, show_default=True, help="도보 시간(분)"
)
@click.option(
    "--speed",
    "metres_per_minute",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="보행 속도(m/분); 기본은 설정 NADEURI_WALK_METRES_PER_MINUTE",
)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="CSV로 저장할 파일")
@click.option(
    "--dong-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="행정동 GeoJSON (기본: NADEURI_DATA_DIR의 파일)",
)
@click.option("--gaps", type=click.IntRange(min=0), default=10, show_default=True, help="표시할 가장 먼 행정동 수")
def coverage_command(minutes, metres_per_minute, csv_path, dong_file, gaps):
    """Kids-café coverage by district: area and 행정동 within a walk of a 서울형 키즈카페."""
    if metres_per_minute is None:
        metres_per_minute = float(current_app.config["NADEURI_WALK_METRES_PER_MINUTE"])
    report = compute_coverage(
        db.session, minutes=minutes, metres_per_minute=metres_per_minute, dong_path=dong_file, gap_count=gaps
    )
    click.echo(format_table(report))
    if csv_path is not None:
        csv_path.write_bytes(coverage_csv(report))
        click.echo(f"CSV 저장: {csv_path}")


def register(app: Flask) -> None:
    """Attach the coverage command to the app's CLI."""
    app.cli.add_command(coverage_command)
