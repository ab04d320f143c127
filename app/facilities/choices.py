"""Facility kinds, import flag reasons and weekday names, each value with its Korean label."""

from __future__ import annotations

from app.choices import Choices


class FacilityKind(Choices):
    """The four kinds the finder shows, with the map colour (clusters, legend, icon); icons differ in shape too."""

    KIDS_CAFE = "kids_cafe", "서울형 키즈카페", "#d9480f"
    HOURLY_DAYCARE = "hourly_daycare", "시간제보육 어린이집", "#1864ab"
    KIDS_OK_ZONE = "kids_ok_zone", "서울키즈 오케이존", "#2b8a3e"
    FAMILY_RESTROOM = "family_restroom", "가족화장실·기저귀교환대", "#7048e8"

    def __init__(self, value: str, label: str, color: str) -> None:
        self.color = color

    @property
    def icon(self) -> str:
        """The icon's path under app/static."""
        return f"icons/{self.value}.svg"

    @property
    def bookable(self) -> bool:
        """Whether parents book sessions here."""
        return self in BOOKABLE_KINDS

    @property
    def fee(self) -> str | None:
        """The city-wide fee for a bookable kind (branches may differ; the facility's page says so)."""
        return KIND_FEES.get(self)


BOOKABLE_KINDS = (FacilityKind.KIDS_CAFE, FacilityKind.HOURLY_DAYCARE)
# Places to visit: what the finder shows by default; restrooms are a layer parents switch on.
VISIT_KINDS = (FacilityKind.KIDS_CAFE, FacilityKind.HOURLY_DAYCARE, FacilityKind.KIDS_OK_ZONE)
KIND_FEES = {
    FacilityKind.KIDS_CAFE: "아동 1회 2,000~5,000원",
    FacilityKind.HOURLY_DAYCARE: "시간당 2,000원 (보호자 부담분)",
}


class FlagReason(Choices):
    """Why a row was flagged at import; flagged rows are kept, never dropped or moved."""

    DISTRICT_MISMATCH = "district_mismatch", "표기된 자치구와 좌표의 자치구가 다름"
    PLACEHOLDER_COORDINATES = "placeholder_coordinates", "다른 주소의 시설과 같은 좌표(임시 좌표 의심)"
    OUTSIDE_SEOUL = "outside_seoul", "좌표가 서울 밖"
    NO_COORDINATES = "no_coordinates", "좌표 없음"
    NOT_IN_SOURCE = "not_in_source", "최근 적재한 원본 파일에 없음 (폐업·이전 여부 확인 필요)"
    SUSPICIOUS_TEXT = "suspicious_text", "글자에 제어·방향 전환·폭 없는 문자가 있음 (지우고 적재, 원본 확인 필요)"


class FlagStatus(Choices):
    """Where an admin's review of a flag stands."""

    OPEN = "open", "확인 필요"
    ACCEPTED = "accepted", "수용 (그대로 둠)"
    FIXED = "fixed", "고침"


# Korean one-letter weekday names, index 0 = Monday (date.weekday(), the open_days bit order, templates' weekday).
WEEKDAY_LABELS = "월화수목금토일"
