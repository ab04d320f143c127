"""Import of the staged real data (NADEURI_DATA_DIR), checked against counts taken straight from the CSVs."""

from __future__ import annotations

import csv
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import Config
from app.facilities.models import Facility, FacilityFlag
from app.imports.service import import_directory
from tests.support import need

NOW = datetime(2026, 5, 1, tzinfo=UTC)
CITY_HALL = ("37.566470", "126.977963")


@pytest.fixture
def data_dir() -> Path:
    folder = Path(os.environ.get("NADEURI_DATA_DIR") or Config.NADEURI_DATA_DIR)
    if not (folder / "seoul_kids_cafes.csv").exists():
        need(f"real data folder not present: {folder}")
    return folder


def read(folder: Path, name: str) -> list[dict]:
    with open(folder / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def count(db, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(Facility).where(*where))


def flagged(db, kind: str, reason: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(FacilityFlag)
        .join(Facility)
        .where(Facility.kind == kind, FacilityFlag.reason == reason)
    )


def test_real_data_import(db, data_dir, capsys):
    started = time.perf_counter()
    report = import_directory(db.session, data_dir, NOW)
    db.session.commit()
    seconds = time.perf_counter() - started
    by_layout = {f.layout: f for f in report.files}

    cafes = read(data_dir, "seoul_kids_cafes.csv")
    assert count(db, Facility.kind == "kids_cafe") == len(cafes) == 155
    assert flagged(db, "kids_cafe", "district_mismatch") == 0
    assert count(db, Facility.kind == "kids_cafe", Facility.age_min.is_(None)) == sum(
        not re.search(r"\d+\s*~\s*\d+\s*세", r["age"]) for r in cafes
    )

    daycare = read(data_dir, "seoul_daycare_centers.csv")
    hourly = [r for r in daycare if "시간제보육" in r["제공서비스"]]
    assert count(db, Facility.kind == "hourly_daycare") == len(hourly)
    assert by_layout["daycare"].skipped == len(daycare) - len(hourly)
    no_coords = [r for r in daycare if not r["시설 위도(좌표값)"].strip()]
    at_city_hall = [r for r in daycare if (r["시설 위도(좌표값)"], r["시설 경도(좌표값)"]) == CITY_HALL]
    assert len(no_coords) == 7 and len(at_city_hall) == 22
    assert flagged(db, "hourly_daycare", "no_coordinates") == sum("시간제보육" in r["제공서비스"] for r in no_coords)
    assert flagged(db, "hourly_daycare", "placeholder_coordinates") == sum(
        "시간제보육" in r["제공서비스"] for r in at_city_hall
    )
    # Every problem row is reported, including those skipped for not offering 시간제보육.
    seen = by_layout["daycare"].flagged + by_layout["daycare"].skipped_flagged
    assert seen["placeholder_coordinates"] == len(at_city_hall)
    assert seen["no_coordinates"] == len(no_coords)
    assert seen["outside_seoul"] >= 1

    toilets = read(data_dir, "seoul_public_toilets.csv")
    mentions = [r for r in toilets if re.search("기저귀|귀저귀|가족화장실", "".join(r.values()))]
    negative = [r for r in mentions if re.search(r"기저귀교환대\s*(0|없음)(?!\d)", "".join(r.values()))]
    restrooms = count(db, Facility.kind == "family_restroom")
    assert len(mentions) - len(negative) <= restrooms <= len(mentions)
    assert count(db, Facility.kind == "family_restroom", Facility.diaper_table.is_(True)) >= restrooms - 10

    assert count(db, Facility.lat.is_not(None), Facility.district_code.is_(None)) == 0
    again = import_directory(db.session, data_dir, NOW)
    assert again.all_unchanged
    with capsys.disabled():
        print(f"\n[real data import on {db.engine.dialect.name}: {seconds:.2f} s; re-import {again.seconds:.2f} s]")
        for line in report.lines():
            print("  " + line)
