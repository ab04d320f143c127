"""Parsing units, on text variants that occur in the real source files."""

import pytest

from app.imports.parsing import (
    ALL_DAYS,
    WEEKDAYS,
    ClosedDays,
    day_mask,
    has_child_chair,
    has_diaper_table,
    has_nursing_room,
    parse_age_range,
    parse_capacity,
    parse_closed_days,
    parse_hours,
    parse_open_days,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
TUE_SUN = ALL_DAYS & ~(1 << MON)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4 ~ 10세 (연나이 기준) 2022년생 ~ 2016년생 (2026년도 기준)", (4, 10)),
        ("0 ~ 6세 (연나이 기준) 2026년생 ~ 2020년생 (2026년도 기준)", (0, 6)),
        ("3 ~ 12세 (연나이 기준) 2023년생 ~ 2014년생 (2026년도 기준)", (3, 12)),
        ("만 3세 이상", (3, None)),
        ("누구나", (None, None)),
        ("", (None, None)),
    ],
)
def test_age_range(text, expected):
    assert parse_age_range(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("개인 33 명 단체 33 명", (33, 33)),
        ("개인 40 명", (40, None)),
        ("개인 14 명 단체 20 명", (14, 20)),
        ("30명", (30, None)),
        ("문의", (None, None)),
        (None, (None, None)),
    ],
)
def test_capacity(text, expected):
    assert parse_capacity(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("화~일", TUE_SUN),
        ("화요일~일요일", TUE_SUN),
        ("화요일 ~ 일요일 (공휴일 제외)", TUE_SUN),
        ("매주 화~일요일", TUE_SUN),
        ("화,수,목,금,토,일", TUE_SUN),
        ("화~일 (시범운영 기간은 화~금요일 운영)", TUE_SUN),
        ("주말(토, 일)", day_mask([SAT, SUN])),
        ("주말(토)", day_mask([SAT])),
        ("토요일", day_mask([SAT])),
        ("월~토", day_mask(range(MON, SUN))),
        ("월~토(일요일은 휴관)", day_mask(range(MON, SUN))),
        ("월요일 ~ 토요일", day_mask(range(MON, SUN))),
        ("월~금", WEEKDAYS),
        ("월~일", ALL_DAYS),
        ("수~월요일", ALL_DAYS & ~(1 << TUE)),
        ("-", None),
        ("", None),
    ],
)
def test_open_days(text, expected):
    assert parse_open_days(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("월, 명절 및 공휴일, 근로자의 날", ClosedDays(1 << MON, True)),
        ("월요일(정기휴관), 근로자의 날, 법정 공휴일(어린이날 제외)", ClosedDays(1 << MON, True)),
        ("매주 월요일, 1월 1일, 설날 및 추석 연휴", ClosedDays(1 << MON, False)),
        (
            "매주 월요일(월요일이 공휴일인 경우에는 그 공휴일 다음의 첫 번째 비공휴일에 휴원)",
            ClosedDays(1 << MON, False),
        ),
        ("월 (시범운영 기간은 월, 토, 일요일 휴관)", ClosedDays(1 << MON, False)),
        ("일요일 및 법정 공휴일, 노동절", ClosedDays(1 << SUN, True)),
        ("평일", ClosedDays(WEEKDAYS, False)),
        ("평일, 일요일", ClosedDays(WEEKDAYS | 1 << SUN, False)),
        ("토,일,공휴일", ClosedDays(day_mask([SAT, SUN]), True)),
        ("월요일. 공휴일, 근로자의날", ClosedDays(1 << MON, True)),
        ("없음", ClosedDays(0, False)),
        ("-", None),
    ],
)
def test_closed_days(text, expected):
    assert parse_closed_days(text) == expected


@pytest.mark.parametrize(
    "text, opens, closes, always, days, holidays",
    [
        ("정시(08:00~21:00)", "08:00", "21:00", False, ALL_DAYS, False),
        ("상시", None, None, True, ALL_DAYS, False),
        ("상시(연중 개방)", None, None, True, ALL_DAYS, False),
        ("24시간", None, None, True, ALL_DAYS, False),
        ("00:00~24:00", None, None, True, ALL_DAYS, False),
        ("09:00-18:00", "09:00", "18:00", False, ALL_DAYS, False),
        ("정시 (05:00-익일01:00)", "05:00", "01:00", False, ALL_DAYS, False),
        ("정시(09:00~18:00, 평일만)", "09:00", "18:00", False, WEEKDAYS, False),
        ("정시(09:00~18:00 토,일,공휴일 제외)", "09:00", "18:00", False, WEEKDAYS, True),
        ("정시(09-18시)", "09:00", "18:00", False, ALL_DAYS, False),
        ("07시~익일02시", "07:00", "02:00", False, ALL_DAYS, False),
        ("정시(09:00~18:00(화요일 제외))", "09:00", "18:00", False, ALL_DAYS & ~(1 << TUE), False),
        ("09-18시(화-일, 월 휴무)", "09:00", "18:00", False, TUE_SUN, False),
        ("정시(평일 10:00~17:00), 일,월 휴관", "10:00", "17:00", False, day_mask([TUE, WED, THU, FRI]), False),
        ("평일,토(08:00-20:00) 일 휴관", "08:00", "20:00", False, ALL_DAYS & ~(1 << SUN), False),
        ("정시(평일 : 09:00~18:00, 토,일요일, 휴일 : 미개방)", "09:00", "18:00", False, WEEKDAYS, True),
        ("평  일 : 09:00~18:00 주  말 : 미개방", "09:00", "18:00", False, WEEKDAYS, False),
        # Closed only on some Mondays: not a weekly rule, so Monday stays open.
        ("정시(09:00~18:00, 둘째,넷째월요일, 공휴일 제외)", "09:00", "18:00", False, ALL_DAYS, True),
        ("정시(06:30~19:30, 일요일 격주휴무)", "06:30", "19:30", False, ALL_DAYS, False),
        ("07~19시(법정공휴일 미개방)", "07:00", "19:00", False, ALL_DAYS, True),
        ("상시(평일만 개방)", None, None, True, WEEKDAYS, False),
    ],
)
def test_hours(text, opens, closes, always, days, holidays):
    h = parse_hours(text)
    assert (h.opens_at, h.closes_at, h.always_open, h.open_days, h.closed_on_holidays) == (
        opens,
        closes,
        always,
        days,
        holidays,
    )


@pytest.mark.parametrize(
    "text",
    [
        " ",
        "",
        "정시",
        "업무시간",
        "정시 (영업시작~종료)",
        "지하철 운영시간",
        "정시 평일(09:00~18:00) 주말(07:00~15:00)",  # two different ranges: cannot pick one
        "평일 5:35~00:53 토요일 5:36~23:54 일요일 5:36~23:54",
        "4월 3일(목) 오전 09:00부터 4월 5일(토) 24:00까지 운영",
        "정시(05:00~24:30)",
    ],
)
def test_hours_unknown_stays_empty(text):
    assert parse_hours(text) is None


@pytest.mark.parametrize(
    "text, diaper, chair",
    [
        ("기저귀교환대2유아용보호의자1손건조기3", True, True),
        ("기저귀교환대1유아용보호의자0", True, False),
        ("기저귀교환대0유아용보호의자1", False, True),
        ("기저귀교환대 없음", False, False),
        ("귀저귀교환대, 유아용보호의자, 손건조기", True, True),
        ("비상벨, 기저귀교환대 설치", True, False),
        ("기저귀 교환대, 유아보호용의자,비상벨", True, True),
        ("유아 거치대", False, True),
        ("손건조기, 비상벨", False, False),
    ],
)
def test_toilet_equipment(text, diaper, chair):
    assert (has_diaper_table(text), has_child_chair(text)) == (diaper, chair)


def test_nursing_room_is_not_the_place_name_suyu():
    assert has_nursing_room("수유실 1, 기저귀교환대")
    assert not has_nursing_room("서울특별시 강북구 수유동 605-412")
