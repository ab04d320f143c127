"""동 names to centres: 행정동 from the boundary file (numbered ones joined), 법정동 from addresses."""

from pathlib import Path

import pytest

from app.geo.dongs import base_name, dong_index, legal_dong_name, legal_dongs
from tests.support import write_dong_file

REAL_DATA = Path(__file__).resolve().parents[3] / "shared" / "geodata"


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("망원1동", "망원동"),
        ("성수1가1동", "성수동"),
        ("금호2·3가동", "금호동"),
        ("종로1·2·3·4가동", "종로동"),
        ("합정동", "합정동"),
    ],
)
def test_base_name_drops_the_number(name, base):
    assert base_name(name) == base


def test_index_finds_dongs_with_or_without_district_and_joins_numbered_ones(tmp_path):
    write_dong_file(tmp_path)
    index = dong_index(str(tmp_path))
    assert [(d.label, exact) for d, exact in index.find("합정동")] == [("마포구 합정동", True)]
    assert [d.label for d, _ in index.find("서울 마포구 합정동")] == ["마포구 합정동"]
    assert [d.label for d, _ in index.find("합정")] == ["마포구 합정동"]
    whole = {d.name: d for d, exact in index.find("망원동") if exact}["망원동"]
    assert whole.parts == ("망원1동", "망원2동")
    # The union of the two squares side by side: its centre sits on their shared edge.
    assert whole.lat == pytest.approx(37.556) and whole.lon == pytest.approx(126.905)
    assert index.find("없는동") == [] and index.find("망") == []


def test_index_is_read_once_and_empty_without_a_file(tmp_path):
    write_dong_file(tmp_path)
    assert dong_index(str(tmp_path)) is dong_index(str(tmp_path))
    assert len(dong_index(str(tmp_path / "missing"))) == 0


@pytest.mark.parametrize(
    ("address", "jibun", "name"),
    [
        ("서울특별시 마포구 월드컵북로 416 2층(상암동, LGU+상암사옥)", None, "상암동"),
        ("서울특별시 동작구 노량진로 10 서울가족플라자 지하2층 (대방동)", None, "대방동"),
        ("서울특별시 종로구 사직로 130", "서울특별시 종로구 적선동 80", "적선동"),
        ("서울특별시 성동구 왕십리로 1 (성수동1가)", None, "성수동1가"),
        ("서울특별시 송파구 백제고분로15길 5", None, None),
    ],
)
def test_legal_dong_from_addresses(address, jibun, name):
    assert legal_dong_name(address, jibun) == name


def test_legal_dong_centre_is_the_mean_of_its_facilities():
    (d,) = legal_dongs([("상암동", "11440", "마포구", 37.57, 126.88), ("상암동", "11440", "마포구", 37.58, 126.89)])
    assert (d.label, d.lat, d.lon, d.legal) == ("마포구 상암동", 37.575, 126.885, True)


def test_real_file_has_every_dong():
    if not (REAL_DATA / "seoul_hangjeongdong_20210401.geojson").is_file():
        pytest.skip("real data folder not here")
    index = dong_index(str(REAL_DATA))
    assert sum(1 for d in index.dongs if not d.parts) == 425
    assert {d.label for d, _ in index.find("망원동")} == {"마포구 망원동"}
