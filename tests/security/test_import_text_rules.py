"""Import text rules: control, bidi and zero-width characters are taken out and the row kept and flagged;
a district file with such a name is refused (file, feature, column); 행정동 names are cleaned and reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.facilities.choices import FlagReason
from app.facilities.models import District, Facility, FacilityFlag
from app.geo.cafe_coverage import compute_coverage
from app.imports.service import import_directory
from app.imports.sources import ImportDataError
from app.validation import forbidden_character
from tests.factories import login, make_user
from tests.imports import synth

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
RLO, ZWSP, NUL, ESC = "\u202e", "\u200b", "\x00", "\x1b"


def stored(db) -> dict[str, Facility]:
    return {f.source_id: f for f in db.session.scalars(select(Facility))}


def flags(db, facility) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(FacilityFlag.reason, FacilityFlag.detail).where(FacilityFlag.facility_id == facility.id)
        ).all()
    )


def all_text(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):  # keys too: COT_* columns become detail keys
        return [t for k, v in value.items() for t in [str(k)] + all_text(v)]
    if isinstance(value, list):
        return [t for v in value for t in all_text(v)]
    return []


def test_rows_with_hidden_characters_are_kept_cleaned_and_flagged_in_every_layout(db, tmp_path):
    synth.write_csv(
        tmp_path / "cafes.csv",
        synth.KIDS_CAFE_COLUMNS,
        [
            synth.kids_cafe(
                1, synth.CITY_HALL, "중구", name=f"해님{RLO}카페", address=f"서울특별시 중구 세종대로{ZWSP} 110"
            ),
            synth.kids_cafe(2, synth.GANGNAM_OFFICE, "강남구", feature_summary=f"놀이{ESC}[31m터"),
            synth.kids_cafe(3, synth.MAPO_OFFICE, "마포구"),  # clean
        ],
    )
    daycare = {c: "" for c in synth.DAYCARE_COLUMNS} | {
        "시군구명": "송파구",
        "어린이집코드": "D1",
        "어린이집명": f"별{NUL}어린이집",
        "상세주소": "서울특별시 송파구 올림픽로 1",
        "시설 위도(좌표값)": str(synth.SONGPA_OFFICE[0]),
        "시설 경도(좌표값)": str(synth.SONGPA_OFFICE[1]),
        "제공서비스": "시간제보육",
        "전화번호": "02-123-4567%00",
    }
    synth.write_csv(tmp_path / "daycare.csv", synth.DAYCARE_COLUMNS, [daycare])
    synth.write_csv(
        tmp_path / "toilets.csv",
        synth.TOILET_COLUMNS,
        [synth.toilet(9, (37.5700, 126.9800), "종로구", 건물명="가족화장실\t본관", 비고=f"줄\n바꿈{ZWSP}")],
    )
    synth.write_cot(
        tmp_path / "cot.json",
        [
            synth.cot_item(
                4,
                (37.5010, 127.0300),
                "서울특별시 강남구 테헤란로 1",
                COT_CONTS_NAME="오케이&#x202e;식당",
                **{f"COT_EXTRA{RLO}": "값"},
            )
        ],
    )
    report = import_directory(db.session, tmp_path, NOW)
    by_kind = {f.kind: f for f in report.files}
    assert by_kind["kids_cafe"].flagged["suspicious_text"] == 2
    assert all(f.flagged["suspicious_text"] == 1 for k, f in by_kind.items() if k != "kids_cafe")
    rows = stored(db)
    assert len(rows) == 6  # nothing dropped
    for f in rows.values():
        for text in all_text([f.name, f.address, f.phone, f.details, f.stated_district]):
            assert forbidden_character(text, multiline=True) is None, (f.source_id, text)
    assert rows["kc_001"].name == "해님카페" and rows["kc_001"].address == "서울특별시 중구 세종대로 110"
    assert rows["D1"].name == "별어린이집" and rows["D1"].phone == "02-123-4567"
    assert rows["9"].name == "가족화장실 본관" and rows["9"].details["note"] == "줄\n바꿈"
    assert rows["okzone_4"].name == "오케이식당"  # the entity decoded to U+202E, then taken out
    assert rows["okzone_4"].details["extra"] == "값"
    detail = flags(db, rows["kc_001"])["suspicious_text"]
    assert "'name'" in detail and "U+202E" in detail and "'address'" in detail and "U+200B" in detail
    assert "U+0000" in flags(db, rows["D1"])["suspicious_text"]
    assert "suspicious_text" not in flags(db, rows["kc_003"])
    # The same files again: nothing changes, the flags stay.
    again = import_directory(db.session, tmp_path, NOW)
    assert again.all_unchanged and "suspicious_text" in flags(db, rows["kc_001"])


def test_flags_page_names_the_reason_in_korean(client, db, tmp_path):
    synth.write_csv(
        tmp_path / "cafes.csv",
        synth.KIDS_CAFE_COLUMNS,
        [synth.kids_cafe(1, synth.CITY_HALL, "중구", name=f"해님{RLO}카페")],
    )
    import_directory(db.session, tmp_path, NOW)
    db.session.commit()
    login(client, make_user(db.session, "admin"))
    page = client.get("/admin/flags?reason=suspicious_text").get_data(as_text=True)
    assert FlagReason.SUSPICIOUS_TEXT.label in page and "해님카페" in page and "U+202E" in page
    assert RLO not in page


def district_file(path, change: dict) -> None:
    data = json.loads(synth_district_source().read_text(encoding="utf-8"))
    data["features"][3]["properties"].update(change)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def synth_district_source():
    from app.geo.districts import BUNDLED_DISTRICTS

    return BUNDLED_DISTRICTS


@pytest.mark.parametrize(
    "change, column, words",
    [
        ({"name": f"중{ZWSP}구"}, "name (SIG_KOR_NM)", "U+200B"),
        ({"name": f"중구{RLO}"}, "name (SIG_KOR_NM)", "U+202E"),
        ({"name_en": f"Jung{ESC}-gu"}, "name_en (SIG_ENG_NM)", "U+001B"),
        ({"name": "가" * 21}, "name (SIG_KOR_NM)", "20자 이하"),
        ({"name": ""}, "name (SIG_KOR_NM)", "비어"),
        ({"code": "{{ 7*7 }}"}, "code (SIG_CD)", "숫자 5자리"),
        ({"name": "종로구"}, "name", "두 번"),
    ],
)
def test_a_district_file_with_a_bad_name_or_code_is_refused_and_nothing_changes(db, tmp_path, change, column, words):
    before = dict(db.session.execute(select(District.code, District.name)).all())
    district_file(tmp_path / "districts.geojson", change)
    with pytest.raises(ImportDataError) as caught:
        import_directory(db.session, tmp_path, NOW)
    db.session.rollback()
    error = caught.value
    assert error.line == "feature 4" and error.column == column and words in error.message
    assert "districts.geojson" in str(error)
    assert dict(db.session.execute(select(District.code, District.name)).all()) == before


def test_cli_refuses_a_district_file_with_a_hidden_character(app, tmp_path):
    district_file(tmp_path / "districts.geojson", {"name": f"중{ZWSP}구"})
    result = app.test_cli_runner().invoke(args=["import-data", str(tmp_path), "--quiet"])
    assert result.exit_code == 1
    assert "feature 4" in result.output and "U+200B" in result.output and "unchanged" in result.output


def test_dong_names_with_hidden_characters_are_cleaned_and_reported(db, tmp_path):
    square = [[126.995, 37.561], [127.0, 37.561], [127.0, 37.566], [126.995, 37.566], [126.995, 37.561]]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [square]},
            "properties": {"adm_cd2": "1114000001", "sgg": "11140", "adm_nm": f"서울특별시 중구 명{RLO}동"},
        }
    ]
    path = tmp_path / "dongs.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    report = compute_coverage(db.session, dong_path=path)
    assert [d.name for d in report.dongs] == ["명동"]
    assert any("1114000001 U+202E" in note for note in report.notes)
