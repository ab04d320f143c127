"""Loading district boundaries into the database."""

from __future__ import annotations

import re
from pathlib import Path

from shapely.geometry import mapping
from sqlalchemy.orm import Session

from app.facilities.models import District
from app.geo.districts import BUNDLED_DISTRICTS, read_district_features
from app.imports.sources import ImportDataError
from app.validation import forbidden_character

_CODE = re.compile(r"\d{5}")
# (key, column as the file names it, longest the districts table holds, required)
_NAME_FIELDS = (("name", "name (SIG_KOR_NM)", 20, True), ("name_en", "name_en (SIG_ENG_NM)", 40, False))


def check_district_features(path: Path, features: list[dict]) -> None:
    """Refuse a boundary file whose codes or names the districts table cannot hold or that hide characters.

    District names are matched against the names in every facility file, so a name with a control, bidi or
    zero-width character is refused (file, feature, column), not cleaned: fix the file and import it again.
    """
    seen: dict[tuple[str, str], int] = {}
    for n, feature in enumerate(features, start=1):
        where = f"feature {n}"
        if not _CODE.fullmatch(feature["code"]):
            raise ImportDataError(
                path, f"자치구 코드는 숫자 5자리여야 합니다: {feature['code']!r}", where, "code (SIG_CD)"
            )
        for key, column, limit, required in _NAME_FIELDS:
            value = feature[key]
            if value is None or value == "":
                if required:
                    raise ImportDataError(path, "자치구 이름이 비어 있습니다", where, column)
                continue
            if not isinstance(value, str):
                raise ImportDataError(path, "이름은 문자열이어야 합니다", where, column)
            found = forbidden_character(value)
            if found:
                raise ImportDataError(path, f"이름에 보이지 않는 문자나 제어 문자가 있습니다 ({found})", where, column)
            if len(value) > limit:
                raise ImportDataError(path, f"이름은 {limit}자 이하여야 합니다 ({len(value)}자)", where, column)
        for key in ("code", "name"):
            if (key, feature[key]) in seen:
                raise ImportDataError(
                    path, f"같은 자치구가 두 번 있습니다 (feature {seen[key, feature[key]]})", where, key
                )
            seen[key, feature[key]] = n


def load_districts(session: Session, path: Path = BUNDLED_DISTRICTS, dry_run: bool = False) -> dict[str, int]:
    """Insert or update the 25 districts from a boundary GeoJSON; returns counts (new, updated, unchanged).

    `dry_run` only counts (the admin's preview writes nothing).
    """
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    features = read_district_features(path)
    check_district_features(path, features)
    for feature in features:
        geom = feature["geometry"]
        point = geom.representative_point()
        values = {
            "name": feature["name"],
            "name_en": feature["name_en"],
            "geometry": mapping(geom),
            "center_lat": round(point.y, 6),
            "center_lon": round(point.x, 6),
        }
        district = session.get(District, feature["code"])
        if district is None:
            if not dry_run:
                session.add(District(code=feature["code"], **values))
            counts["new"] += 1
            continue
        current = {k: getattr(district, k) for k in values}
        if _same(current, values):
            counts["unchanged"] += 1
        else:
            if not dry_run:
                for k, v in values.items():
                    setattr(district, k, v)
            counts["updated"] += 1
    session.flush()
    return counts


def _same(a: dict, b: dict) -> bool:
    import json

    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
