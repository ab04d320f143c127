"""Imports of small synthetic files: encodings, TM coordinates, flags, errors, idempotence."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.facilities.models import Facility, FacilityFlag
from app.geo.spatial import haversine_m
from app.imports.service import NoDataError, import_directory, import_file
from app.imports.sources import ImportDataError
from tests.imports.synth import (
    CITY_HALL,
    DAYCARE_COLUMNS,
    GANGNAM_OFFICE,
    INCHEON,
    KIDS_CAFE_COLUMNS,
    MAPO_OFFICE,
    SONGPA_OFFICE,
    TOILET_COLUMNS,
    cot_item,
    kids_cafe,
    to_tm,
    toilet,
    write_cot,
    write_csv,
)
from tests.support import counted, writes

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 5, 2, 9, 0, tzinfo=UTC)


def facilities(db, **where):
    stmt = select(Facility).order_by(Facility.source_id)
    for k, v in where.items():
        stmt = stmt.where(getattr(Facility, k) == v)
    return db.session.scalars(stmt).all()


def flags_of(db, facility) -> set[str]:
    return set(db.session.scalars(select(FacilityFlag.reason).where(FacilityFlag.facility_id == facility.id)))


@pytest.mark.parametrize("crs", ["EPSG:5174", "EPSG:5181", "EPSG:5186", "EPSG:2097"])
def test_cp949_file_with_tm_coordinates(db, tmp_path, crs):
    points = [GANGNAM_OFFICE, MAPO_OFFICE]
    tm = to_tm(points, crs)
    rows = [kids_cafe(1, (tm[0][1], tm[0][0]), "강남구"), kids_cafe(2, (tm[1][1], tm[1][0]), "마포구")]
    write_csv(tmp_path / "카페목록.csv", KIDS_CAFE_COLUMNS, rows, encoding="cp949")
    # 5186 is recognised by its northing; the others are told (5174 is also the default).
    given = None if crs in ("EPSG:5186", "EPSG:5174") else crs
    report = import_directory(db.session, tmp_path, NOW, source_crs=given)
    assert report.files[0].encoding == "cp949" and report.files[0].crs == crs
    got = facilities(db)
    assert [f.name for f in got] == ["테스트 키즈카페 1", "테스트 키즈카페 2"]
    for f, (lat, lon) in zip(got, points):
        assert haversine_m(f.lat, f.lon, lat, lon) < 1.0
    assert [f.district_code for f in got] == ["11680", "11440"]
    assert not report.files[0].flagged


def test_utf8_bom_and_parsed_fields(db, tmp_path):
    row = kids_cafe(
        7, SONGPA_OFFICE, "송파구", capacity="개인 40 명", operation_days="주말(토, 일)", closed_days="평일"
    )
    path = tmp_path / "k.csv"
    path.write_bytes(b"\xef\xbb\xbf" + write_csv(tmp_path / "tmp.txt", KIDS_CAFE_COLUMNS, [row]).read_bytes())
    (tmp_path / "tmp.txt").unlink()
    import_directory(db.session, tmp_path, NOW)
    (f,) = facilities(db)
    assert (f.age_min, f.age_max, f.capacity_individual, f.capacity_group) == (4, 10, 40, None)
    assert f.open_days == 0b1100000 and (f.opens_at, f.closes_at) == ("09:30", "17:30")
    assert f.details["hours_default"] is True and f.details["cafe_type"] == "일반형 키즈카페"
    assert f.days_text == "주말(토, 일)" and f.closed_days_text == "평일" and f.parking is True
    assert f.stated_district == "송파구" and f.district_code == "11710"


def test_kids_cafe_closed_days_remove_weekday_and_set_holidays(db, tmp_path):
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, [kids_cafe(1, CITY_HALL, "중구")])
    import_directory(db.session, tmp_path, NOW)
    (f,) = facilities(db)
    assert f.open_days == 0b1111110 and f.closed_on_holidays is True


def test_cot_json_item_without_coordinates_is_kept_and_flagged(db, tmp_path):
    items = [
        cot_item(1, MAPO_OFFICE, "서울특별시 마포구 월드컵로 212"),
        cot_item(2, None, "서울특별시 강남구 학동로 426"),
    ]
    write_cot(tmp_path / "theme.json", items)
    report = import_directory(db.session, tmp_path, NOW)
    assert report.files[0].kind == "kids_ok_zone" and report.files[0].new == 2
    located, unlocated = facilities(db)
    assert located.kids_menu and located.child_chair and located.district_code == "11440"
    assert (unlocated.lat, unlocated.lon) == (None, None)
    assert flags_of(db, unlocated) == {"no_coordinates"}
    assert unlocated.stated_district == "강남구" and unlocated.district_code == "11680"
    assert report.files[0].flagged == {"no_coordinates": 1}


def test_placeholder_mismatch_and_outside_seoul_are_flagged_not_moved(db, tmp_path):
    rows = [
        toilet(1, CITY_HALL, "마포구"),
        toilet(2, CITY_HALL, "강남구"),
        toilet(3, CITY_HALL, "송파구"),
        toilet(4, GANGNAM_OFFICE, "송파구"),  # stated district disagrees with the point
        toilet(5, INCHEON, "강서구"),
        toilet(6, MAPO_OFFICE, "마포구"),
        toilet(7, MAPO_OFFICE, "마포구", **{"장애인화장실 현황": "비상벨1"}),  # no diaper table: skipped
    ]
    write_csv(tmp_path / "toilets.csv", TOILET_COLUMNS, rows)
    report = import_directory(db.session, tmp_path, NOW)
    r = report.files[0]
    assert (r.read, r.new, r.skipped) == (7, 6, 1)
    assert r.flagged == {"placeholder_coordinates": 3, "district_mismatch": 1, "outside_seoul": 1}
    by_id = {f.source_id: f for f in facilities(db)}
    for sid, code in (("1", "11440"), ("2", "11680"), ("3", "11710")):
        assert flags_of(db, by_id[sid]) == {"placeholder_coordinates"}
        assert by_id[sid].district_code == code  # the stated district, not City Hall's
        assert (by_id[sid].lat, by_id[sid].lon) == CITY_HALL
    assert flags_of(db, by_id["4"]) == {"district_mismatch"} and by_id["4"].district_code == "11680"
    assert by_id["4"].stated_district == "송파구"
    assert flags_of(db, by_id["5"]) == {"outside_seoul"} and by_id["5"].district_code == "11500"
    assert flags_of(db, by_id["6"]) == set() and by_id["6"].diaper_table and by_id["6"].child_chair
    assert (by_id["6"].opens_at, by_id["6"].closes_at) == ("08:00", "21:00")


def test_daycare_only_hourly_centres_with_defaults(db, tmp_path):
    base = {
        "시군구명": "마포구",
        "상세주소": "서울특별시 마포구 월드컵로 212",
        "어린이집유형": "국공립",
        "운영현황": "정상",
        "정원": "40",
        "현원": "35",
        "반수-만0세": "2",
        "전화번호": "02-0000-0000",
        "시설 위도(좌표값)": str(MAPO_OFFICE[0]),
        "시설 경도(좌표값)": str(MAPO_OFFICE[1]),
    }
    rows = [
        {**base, "어린이집코드": "1", "어린이집명": "시간제 어린이집", "제공서비스": "일반,시간제보육"},
        {**base, "어린이집코드": "2", "어린이집명": "일반 어린이집", "제공서비스": "일반"},
    ]
    write_csv(tmp_path / "daycare.csv", DAYCARE_COLUMNS, rows)
    report = import_directory(db.session, tmp_path, NOW)
    assert (report.files[0].new, report.files[0].skipped) == (1, 1)
    (f,) = facilities(db)
    assert f.kind == "hourly_daycare" and f.phone is None
    assert (f.age_min, f.age_max, f.open_days, f.opens_at, f.closes_at, f.closed_on_holidays) == (
        0,
        7,
        0b0011111,
        "07:30",
        "19:30",
        True,
    )
    assert f.details["hours_default"] and f.details["capacity"] == 40 and f.details["classes"] == {"만0세": 2}


def test_reimport_is_idempotent_and_changed_row_updates_in_place(db, tmp_path):
    rows = [kids_cafe(1, CITY_HALL, "중구"), kids_cafe(2, MAPO_OFFICE, "마포구")]
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows)
    import_directory(db.session, tmp_path, NOW)
    db.session.commit()
    before = {f.source_id: (f.id, f.source_hash, f.updated_at) for f in facilities(db)}
    again = import_directory(db.session, tmp_path, LATER)
    assert again.all_unchanged and again.files[0].unchanged == 2
    rows[1]["capacity"] = "개인 12 명"
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows)
    changed = import_directory(db.session, tmp_path, LATER)
    db.session.commit()
    assert (changed.files[0].updated, changed.files[0].unchanged, changed.files[0].new) == (1, 1, 0)
    db.session.expire_all()
    after = {f.source_id: f for f in facilities(db)}
    assert after["kc_002"].id == before["kc_002"][0] and after["kc_002"].capacity_individual == 12
    assert after["kc_002"].source_hash != before["kc_002"][1] and after["kc_002"].updated_at == LATER
    assert after["kc_001"].updated_at == before["kc_001"][2]
    assert db.session.scalar(select(func.count()).select_from(Facility)) == 2


def test_real_import_removes_demo_rows(db, tmp_path, make_facility):
    make_facility(is_demo=True, source="demo", source_id="demo-1")
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, [kids_cafe(1, CITY_HALL, "중구")])
    report = import_directory(db.session, tmp_path, NOW)
    assert report.demo_removed == 1
    assert [f.source for f in facilities(db)] == ["seoul_kids_cafes"]


@pytest.mark.parametrize(
    "break_it, line, column",
    [
        (lambda rows: rows[1].update(lat="37.5x"), 3, "lat"),
        (lambda rows: rows[0].update(lng="동경 127도"), 2, "lng"),
        (lambda rows: rows[1].update(name=" "), 3, "name"),
        (lambda rows: rows[1].update(id="kc_001"), 3, "id"),
    ],
)
def test_malformed_row_names_file_line_column_and_changes_nothing(db, tmp_path, break_it, line, column):
    write_csv(tmp_path / "a_toilets.csv", TOILET_COLUMNS, [toilet(1, MAPO_OFFICE, "마포구")])
    rows = [kids_cafe(1, CITY_HALL, "중구"), kids_cafe(2, MAPO_OFFICE, "마포구")]
    break_it(rows)
    write_csv(tmp_path / "b_cafes.csv", KIDS_CAFE_COLUMNS, rows)
    with pytest.raises(ImportDataError) as err:
        import_directory(db.session, tmp_path, NOW)
    db.session.rollback()
    message = str(err.value)
    assert "b_cafes.csv" in message and f"line {line}" in message and f"column '{column}'" in message
    assert db.session.scalar(select(func.count()).select_from(Facility)) == 0
    assert gc.isenabled()  # the collector paused for the import is back after a failure too


def test_missing_column_and_undecodable_bytes(db, tmp_path):
    columns = [c for c in KIDS_CAFE_COLUMNS if c != "lat"]
    write_csv(tmp_path / "k.csv", columns, [kids_cafe(1, CITY_HALL, "중구")])
    with pytest.raises(ImportDataError, match=r"k\.csv, line 1, column 'lat'"):
        import_directory(db.session, tmp_path, NOW)
    path = write_csv(
        tmp_path / "k.csv",
        KIDS_CAFE_COLUMNS,
        [kids_cafe(1, CITY_HALL, "중구"), kids_cafe(2, MAPO_OFFICE, "마포구", name="XX")],
    )
    path.write_bytes(path.read_bytes().replace(b'"XX"', b'"\xff\xfe"'))
    with pytest.raises(ImportDataError, match=r"k\.csv, line 3, column 'name': bytes"):
        import_directory(db.session, tmp_path, NOW)


def test_cli_exit_codes_and_rollback(app, db, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["import-data", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not found" in missing.output
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    empty = runner.invoke(args=["import-data", str(tmp_path)])
    assert empty.exit_code == 2 and "no recognised data file" in empty.output
    write_csv(tmp_path / "a.csv", KIDS_CAFE_COLUMNS, [kids_cafe(1, CITY_HALL, "중구")])
    ok = runner.invoke(args=["import-data", "--quiet", str(tmp_path)])
    assert ok.exit_code == 0 and "new 1" in ok.output
    write_csv(tmp_path / "b.csv", KIDS_CAFE_COLUMNS, [kids_cafe(2, (37.5, "x"), "중구")])
    bad = runner.invoke(args=["import-data", "--quiet", str(tmp_path)])
    assert bad.exit_code == 1 and "b.csv, line 2, column 'lng'" in bad.output
    same = runner.invoke(args=["import-data", "--quiet", str(tmp_path / "..")])
    assert same.exit_code == 2
    (tmp_path / "b.csv").unlink()
    rerun = runner.invoke(args=["import-data", "--quiet", str(tmp_path)])
    assert rerun.exit_code == 0 and "all unchanged" in rerun.output


def test_import_file_alone_uses_bundled_districts(db, tmp_path):
    path = write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, [kids_cafe(1, GANGNAM_OFFICE, "강남구")])
    report = import_file(db.session, path, NOW)
    assert report.new == 1 and facilities(db)[0].district_code == "11680"
    with pytest.raises(NoDataError):
        import_directory(db.session, tmp_path / "missing", NOW)


def test_facility_missing_from_a_later_complete_list_is_kept_flagged_and_unflagged_when_back(db, tmp_path):
    rows = [kids_cafe(1, CITY_HALL, "중구"), kids_cafe(2, MAPO_OFFICE, "마포구"), kids_cafe(3, SONGPA_OFFICE, "송파구")]
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows)
    import_directory(db.session, tmp_path, NOW)
    db.session.commit()
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows[:2])  # kc_003 closed or left the list
    report = import_directory(db.session, tmp_path, LATER, complete=True)
    db.session.commit()
    assert (report.files[0].missing, report.files[0].unchanged) == (1, 2)
    assert "not in this file: 1 (kept, flagged not_in_source)" in report.files[0].line()
    gone = facilities(db, source_id="kc_003")[0]  # kept: bookings may point at it
    assert flags_of(db, gone) == {"not_in_source"}
    assert all(flags_of(db, f) == set() for f in facilities(db) if f.source_id != "kc_003")
    again = import_directory(db.session, tmp_path, LATER, complete=True)  # the same file again changes nothing
    db.session.commit()
    assert again.all_unchanged and db.session.scalar(select(func.count()).select_from(FacilityFlag)) == 1
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows)  # back in the list
    back = import_directory(db.session, tmp_path, LATER)
    db.session.commit()
    assert back.files[0].missing == 0 and flags_of(db, gone) == set()


def test_a_partial_file_flags_nothing_absent_and_the_cli_needs_complete(app, db, tmp_path):
    rows = [kids_cafe(1, CITY_HALL, "중구"), kids_cafe(2, MAPO_OFFICE, "마포구"), kids_cafe(3, SONGPA_OFFICE, "송파구")]
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows)
    import_directory(db.session, tmp_path, NOW)
    db.session.commit()
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows[:1])  # a file that only updates one café
    report = import_directory(db.session, tmp_path, LATER)
    db.session.commit()
    assert report.files[0].missing == 2 and "not flagged: not a complete list" in report.files[0].line()
    assert db.session.scalar(select(func.count()).select_from(FacilityFlag)) == 0
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-data", str(tmp_path), "--quiet"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(FacilityFlag)) == 0
    result = runner.invoke(args=["import-data", str(tmp_path), "--quiet", "--complete"])
    assert result.exit_code == 0 and "flagged not_in_source" in result.output
    assert db.session.scalar(select(func.count()).select_from(FacilityFlag)) == 2


def test_a_dry_run_counts_what_the_import_would_do_and_writes_nothing(db, tmp_path):
    rows = [kids_cafe(1, CITY_HALL, "중구"), kids_cafe(2, MAPO_OFFICE, "마포구")]
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, rows)
    import_directory(db.session, tmp_path, NOW)
    db.session.commit()
    changed = dict(rows[1], name="새 이름")
    write_csv(tmp_path / "k.csv", KIDS_CAFE_COLUMNS, [rows[0], changed, kids_cafe(3, SONGPA_OFFICE, "송파구")])
    before = [(f.id, f.name, f.updated_at) for f in facilities(db)]
    with counted(db.engine) as seen:
        preview = import_directory(db.session, tmp_path, LATER, complete=True, dry_run=True)
        db.session.flush()
    assert writes(seen) == []
    db.session.rollback()
    assert [(f.id, f.name, f.updated_at) for f in facilities(db)] == before
    applied = import_directory(db.session, tmp_path, LATER, complete=True)
    assert applied.outcome() == preview.outcome()
    assert (applied.files[0].new, applied.files[0].updated, applied.files[0].unchanged) == (1, 1, 1)
