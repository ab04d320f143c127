"""동 names to centre points: 행정동 from the boundary file, 법정동 from facility addresses.

Parents search by neighbourhood ("합정동", "마포구 합정동", "망원동"), which no district or road name
matches. The 행정동 boundary file (NADEURI_DATA_DIR/seoul_hangjeongdong_20210401.geojson, read
by cafe_coverage.read_dongs) gives each 행정동
a polygon; its representative point is the search centre. Numbered 행정동 share a base name
("망원1동", "망원2동" → "망원동"), and the base name stands for their union. Demo mode has no file:
the index is then empty and searches fall through to districts, roads and facility names.

법정동 names (e.g. "상암동" in "…월드컵북로 416 (상암동, …)" or a toilet's 지번 address) are not in
the file; legal_dongs() takes them from addresses and centres them on their facilities' points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely

from app.geo.cafe_coverage import DONG_FILE, read_dongs
from app.geo.districts import bundled_index

# "망원1동" → "망원동", "성수1가1동" → "성수동", "금호2·3가동" → "금호동", "종로1·2·3·4가동" → "종로동".
_NUMBERED = re.compile(r"[\d·.,]+(?:가[\d·.,]*)?동$")
# A 법정동 in a road address's parentheses ("(상암동, LGU+…)") or a 지번 address ("… 마포구 합정동 381-1").
_LEGAL_IN_PARENS = re.compile(r"\(([가-힣]{1,6}\d?(?:동|가)\d?(?:가)?)[,)\s]")
_LEGAL_IN_JIBUN = re.compile(r"[가-힣]+구\s+([가-힣]{1,6}\d?(?:동|가)\d?(?:가)?)\s")
_SEOUL_PREFIX = re.compile(r"^(?:서울특별시|서울시|서울)\s*")


@dataclass(frozen=True)
class Dong:
    """A named 동 with its district and centre; `parts` lists the 행정동 a base name stands for."""

    name: str
    district_code: str
    district_name: str
    lat: float
    lon: float
    parts: tuple[str, ...] = ()
    legal: bool = False

    @property
    def label(self) -> str:
        return f"{self.district_name} {self.name}"


def base_name(name: str) -> str:
    """The name without its number: "망원1동" → "망원동" (unnumbered names are unchanged)."""
    return _NUMBERED.sub("동", name)


def squash(text: str) -> str:
    """A query or name without "서울특별시" and spaces, for comparing."""
    return _SEOUL_PREFIX.sub("", text.strip()).replace(" ", "")


class DongIndex:
    """행정동 by name and by base name; each with a point inside it (or inside the union)."""

    def __init__(self, features: list[dict]):
        """features: cafe_coverage.read_dongs() dicts (name, sgg, geometry)."""
        self.dongs: list[Dong] = []
        groups: dict[tuple[str, str], list[dict]] = {}
        for f in features:
            groups.setdefault((f["sgg"], base_name(f["name"])), []).append(f)
            self.dongs.append(_dong(f["name"], f["sgg"], f["geometry"]))
        for (code, base), members in groups.items():
            names = tuple(sorted(m["name"] for m in members))
            if len(members) > 1 or names[0] != base:
                union = shapely.union_all([m["geometry"] for m in members])
                self.dongs.append(_dong(base, code, union, parts=names))

    def __len__(self) -> int:
        return len(self.dongs)

    def find(self, text: str) -> list[tuple[Dong, bool]]:
        """(dong, exact) pairs for a query: "합정동", "마포구 합정동", "망원동"; a 2+ letter prefix also matches."""
        return match_dongs(self.dongs, text)


def match_dongs(dongs: list[Dong], text: str) -> list[tuple[Dong, bool]]:
    """(dong, exact) for every dong the text names, with or without its district in front."""
    key = squash(text)
    out = []
    if len(key) < 2:
        return out
    for d in dongs:
        full = d.district_name + d.name
        exact = key in (d.name, full) or key + "동" in (d.name, full)
        if exact or (len(key) >= 2 and (d.name.startswith(key) or (len(key) > 3 and full.startswith(key)))):
            out.append((d, exact))
    return out


def _dong(name: str, code: str, geom, parts: tuple[str, ...] = ()) -> Dong:
    # The centroid, unless the shape bends around it; representative_point always lies inside.
    point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    district = bundled_index().names.get(code, "")
    return Dong(name, code, district, round(point.y, 6), round(point.x, 6), parts)


def dong_index(data_dir: str) -> DongIndex:
    """The 행정동 index for data_dir's boundary file, built once per file version (empty without a file)."""
    path = Path(data_dir) / DONG_FILE
    if not path.is_file():
        return _EMPTY
    return _built_index(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _built_index(path: str, _mtime_ns: int) -> DongIndex:
    return DongIndex(read_dongs(Path(path)))


_EMPTY = DongIndex([])


def legal_dong_name(address: str | None, jibun: str | None = None) -> str | None:
    """The 법정동 an address names, from a road address's parentheses or a 지번 address."""
    for pattern, text in ((_LEGAL_IN_PARENS, address), (_LEGAL_IN_JIBUN, (jibun or "") + " ")):
        m = pattern.search(text or "")
        if m:
            return m.group(1)
    return None


def legal_dongs(points: list[tuple[str, str, str, float, float]]) -> list[Dong]:
    """법정동 centres from (name, district code, district name, lat, lon) facility points: their mean point."""
    groups: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for name, code, district_name, lat, lon in points:
        groups.setdefault((name, code), []).append((district_name, lat, lon))
    return [
        Dong(
            name,
            code,
            members[0][0],
            round(sum(m[1] for m in members) / len(members), 6),
            round(sum(m[2] for m in members) / len(members), 6),
            legal=True,
        )
        for (name, code), members in groups.items()
    ]
