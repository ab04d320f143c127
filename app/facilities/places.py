"""Place look-up without an internet geocoder: district and 동 names, facility names and address parts.

Candidates come best first: a district by name, a 동 by name (행정동 from the boundary file, 법정동
from facility addresses; app/geo/dongs.py), a facility whose name is the text, an address part
(e.g. a road name) many facilities share, then facilities whose names contain the text.
"""

from __future__ import annotations

import re

from flask import current_app, has_app_context
from sqlalchemy import Connection, func, select

from app.facilities.models import District, Facility
from app.geo.dongs import Dong, dong_index, legal_dong_name, legal_dongs, match_dongs

F = Facility.__table__.c
MAX_SCAN = 500


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _district_candidates(conn: Connection, q: str) -> list[dict]:
    key = q.replace(" ", "").removeprefix("서울특별시").removeprefix("서울시").removeprefix("서울")
    out = []
    if not key:
        return out
    for d in conn.execute(
        select(District.code, District.name, District.center_lat, District.center_lon).order_by(District.code)
    ):
        exact = key == d.name or key + "구" == d.name
        if exact or (len(key) >= 2 and d.name.startswith(key)):
            out.append(
                {
                    "type": "district",
                    "label": f"서울 {d.name}",
                    "district": d.code,
                    "lat": d.center_lat,
                    "lon": d.center_lon,
                    "count": None,
                    "score": 100 if exact else 80,
                }
            )
    return out


def _dong_candidate(d: Dong, exact: bool) -> dict:
    kind = "법정동" if d.legal else "행정동"
    return {
        "type": "dong",
        "label": d.label,
        "district": d.district_code,
        "lat": d.lat,
        "lon": d.lon,
        "count": None,
        "detail": f"{kind} · {'·'.join(d.parts)}" if d.parts else kind,
        "score": (95 if exact else 75) - (1 if d.legal else 0),
    }


_legal_cache: dict[tuple, list[Dong]] = {}


def _legal_dongs(conn: Connection) -> list[Dong]:
    """법정동 centres from facility addresses, rebuilt only when the facilities change."""
    stamp = conn.execute(select(func.count(), func.max(F.id), func.max(F.updated_at))).one()
    version = (str(conn.engine.url), *stamp)
    if version not in _legal_cache:
        names = dict(conn.execute(select(District.code, District.name)).all())
        points = []
        for row in conn.execute(select(F.address, F.details, F.lat, F.lon, F.district_code).where(F.lat.is_not(None))):
            jibun = (row.details or {}).get("jibun_address") if isinstance(row.details, dict) else None
            name = legal_dong_name(row.address, jibun)
            if name and row.district_code in names:
                points.append((name, row.district_code, names[row.district_code], row.lat, row.lon))
        _legal_cache.clear()
        _legal_cache[version] = legal_dongs(points)
    return _legal_cache[version]


def _dong_candidates(conn: Connection, q: str) -> list[dict]:
    index = dong_index(current_app.config["NADEURI_DATA_DIR"]) if has_app_context() else None
    found = index.find(q) if index else []
    out = [_dong_candidate(d, exact) for d, exact in found]
    named = {(d.district_code, d.name) for d in index.dongs} if index else set()
    for d, exact in match_dongs(_legal_dongs(conn), q):
        if (d.district_code, d.name) not in named:
            out.append(_dong_candidate(d, exact))
    # "망원동" stands for 망원1동 and 망원2동: offer each part too, right after the whole.
    by_name = {(d.district_code, d.name): d for d in index.dongs} if index else {}
    for d, exact in found:
        for part in d.parts if exact else ():
            if (d.district_code, part) in by_name:
                out.append({**_dong_candidate(by_name[(d.district_code, part)], True), "score": 94})
    return out


def _contains(column, q: str):
    return func.lower(column).contains(q.lower(), autoescape=True)


def _address_candidates(conn: Connection, q: str) -> list[dict]:
    groups: dict[str, list] = {}
    rows = conn.execute(
        select(F.address, F.lat, F.lon, F.district_code)
        .where(F.lat.is_not(None))
        .where(_contains(F.address, q))
        .limit(MAX_SCAN)
    ).all()
    lowered = q.lower()
    for row in rows:
        address = row.address or ""
        start = address.lower().find(lowered)
        if start < 0 or address[start - 1 : start] == "(":
            continue  # a 법정동 in parentheses: the 동 candidate stands for it
        # Group by the address up to the end of the word the text sits in: one road, one candidate.
        space = address.find(" ", start + len(q))
        key = _norm(address[: space if space >= 0 else len(address)]).removeprefix("서울특별시 ")
        groups.setdefault(key, []).append(row)
    out = []
    district_names = {name for (name,) in conn.execute(select(District.name))}
    for key, members in groups.items():
        if key in district_names:  # the district candidate already stands for it
            continue
        lat = sum(r.lat for r in members) / len(members)
        lon = sum(r.lon for r in members) / len(members)
        out.append(
            {
                "type": "address",
                "label": key,
                "district": members[0].district_code,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "count": len(members),
                "score": 60 + min(len(members), 19),
            }
        )
    return out


def _facility_candidates(conn: Connection, q: str) -> list[dict]:
    rows = conn.execute(
        select(F.id, F.name, F.address, F.lat, F.lon, F.district_code)
        .where(F.lat.is_not(None))
        .where(_contains(F.name, q))
        .order_by(F.name, F.id)
        .limit(MAX_SCAN)
    ).all()
    return [
        {
            "type": "facility",
            "label": r.name,
            "address": r.address,
            "facility_id": r.id,
            "district": r.district_code,
            "lat": r.lat,
            "lon": r.lon,
            "count": None,
            "score": 90 if r.name.lower() == q.lower() else 50,
        }
        for r in rows
    ]


def find_places(conn: Connection, text: str, limit: int = 10) -> list[dict]:
    """Candidate centre points for a place text, best first (empty when nothing matches)."""
    q = _norm(text)
    if not q:
        return []
    found = (
        _district_candidates(conn, q)
        + _dong_candidates(conn, q)
        + _address_candidates(conn, q)
        + _facility_candidates(conn, q)
    )
    found.sort(key=lambda c: (-c["score"], c["label"]))
    seen, out = set(), []
    for c in found:
        key = (c["type"], c["label"], c.get("facility_id"))
        if key not in seen:
            seen.add(key)
            out.append({k: v for k, v in c.items() if k != "score"})
    return out[:limit]
