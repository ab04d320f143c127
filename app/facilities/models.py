"""Facilities and districts: what the finder shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.facilities.choices import BOOKABLE_KINDS, FacilityKind
from app.timeutil import UTCDateTime, utcnow

AMENITIES = ("diaper_table", "kids_menu", "child_chair", "nursing_room", "stroller_access", "parking")
AMENITY_LABELS = {
    "diaper_table": "기저귀 교환대",
    "kids_menu": "어린이 메뉴",
    "child_chair": "유아 의자",
    "nursing_room": "수유실",
    "stroller_access": "유모차 접근",
    "parking": "주차",
}
WEEKDAYS_ALL = 0b1111111  # bit 0 = Monday … bit 6 = Sunday


class District(db.Model):
    """A 자치구 with its boundary (GeoJSON geometry in WGS84)."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(40))
    geometry: Mapped[dict] = mapped_column(JSON)
    center_lat: Mapped[float]
    center_lon: Mapped[float]


class Facility(db.Model):
    """A place a family can go: one of the four kinds, from one source row."""

    __tablename__ = "facilities"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_facilities_source"),
        CheckConstraint(FacilityKind.check_sql("kind"), name="ck_facilities_kind"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="ck_facilities_lat"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="ck_facilities_lon"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="ck_facilities_latlon_pair"),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="ck_facilities_age"),
        # District first: a kind-only filter must not find an index to walk, so that near-me searches
        # are driven by the spatial index (see app/geo/spatial.py); district searches still use this.
        Index("ix_facilities_district_kind", "district_code", "kind"),
        # What the filters offer and the demo banner (services.filter_choices, data_is_demo) ask on every page:
        # partial indexes answer with a seek instead of a full scan (an amenity nobody has: an empty index).
        # "Located" is spelt lon IS NOT NULL here (the same rows as lat IS NOT NULL, ck_facilities_latlon_pair):
        # searches filter on lat, so they never find these indexes to walk.
        Index("ix_facilities_demo", "id", sqlite_where=text("is_demo"), postgresql_where=text("is_demo")),
        Index(
            "ix_facilities_located_kind",
            "kind",
            sqlite_where=text("lon IS NOT NULL"),
            postgresql_where=text("lon IS NOT NULL"),
        ),
        *(
            Index(f"ix_facilities_has_{a}", "id", sqlite_where=text(where), postgresql_where=text(where))
            for a, where in ((a, f"{a} AND lon IS NOT NULL") for a in AMENITIES)
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    source_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    stated_district: Mapped[str | None] = mapped_column(String(20))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # Ages in years: 연나이 for kids cafés, 만 나이 for daycare (months live in booking rules).
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    capacity_individual: Mapped[int | None] = mapped_column(Integer)
    capacity_group: Mapped[int | None] = mapped_column(Integer)
    # Opening: weekday bitmask, hours as "HH:MM" (closes_at < opens_at means past midnight).
    open_days: Mapped[int] = mapped_column(Integer, default=WEEKDAYS_ALL)
    opens_at: Mapped[str | None] = mapped_column(String(5))
    closes_at: Mapped[str | None] = mapped_column(String(5))
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    hours_text: Mapped[str | None] = mapped_column(Text)
    days_text: Mapped[str | None] = mapped_column(Text)
    closed_days_text: Mapped[str | None] = mapped_column(Text)
    diaper_table: Mapped[bool] = mapped_column(Boolean, default=False)
    kids_menu: Mapped[bool] = mapped_column(Boolean, default=False)
    child_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    nursing_room: Mapped[bool] = mapped_column(Boolean, default=False)
    stroller_access: Mapped[bool] = mapped_column(Boolean, default=False)
    parking: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship()
    flags: Mapped[list[FacilityFlag]] = relationship(back_populates="facility", cascade="all, delete-orphan")

    @property
    def bookable(self) -> bool:
        return self.kind in BOOKABLE_KINDS

    @property
    def kind_label(self) -> str:
        return FacilityKind(self.kind).label

    @property
    def amenities(self) -> list[str]:
        return [a for a in AMENITIES if getattr(self, a)]


class FacilityFlag(db.Model):
    """A data-quality problem found at import; an admin can accept or fix it."""

    __tablename__ = "facility_flags"
    __table_args__ = (
        UniqueConstraint("facility_id", "reason", name="uq_facility_flags_reason"),
        CheckConstraint("status IN ('open', 'accepted', 'fixed')", name="ck_facility_flags_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facility: Mapped[Facility] = relationship(back_populates="flags")
