"""Place look-up without an internet geocoder: district names, facility names and address parts.

Candidates come best first: a district by name, a facility whose name is the text, an address
part (e.g. a road name) many facilities share, then facilities whose names contain the text.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, func, select

from app.facilities.models import District, Facility

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
        if start < 0:
            continue
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
    found = _district_candidates(conn, q) + _address_candidates(conn, q) + _facility_candidates(conn, q)
    found.sort(key=lambda c: (-c["score"], c["label"]))
    seen, out = set(), []
    for c in found:
        key = (c["type"], c["label"], c.get("facility_id"))
        if key not in seen:
            seen.add(key)
            out.append({k: v for k, v in c.items() if k != "score"})
    return out[:limit]
