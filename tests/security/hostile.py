"""Hostile text for the "text from data is data" tests: template syntax and script breakouts, with checks.

Every value starts with a tag of its own and then `{{ 7*7 }}`, so a page can be searched for one field's
text, and an evaluation (49 right after the tag) or a compile error (a 500) cannot hide.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from markupsafe import escape
from shapely.geometry import mapping, shape

from app.geo.districts import BUNDLED_DISTRICTS
from app.maps.data import script_json
from tests.imports import synth

TEMPLATE = "{{ 7*7 }}{% if 1 %}T{% endif %}{# c #}{{ ''|join }}{{ \"x\"|e('y') }}"
BREAKOUT = "</script><script>alert(1)</script><img src=x onerror=alert(1)>\"'><"
# The same without spaces: 행정동 names are the last word of adm_nm.
TEMPLATE_NO_SPACE = "{{7*7}}{%if(1)%}T{%endif%}{#c#}{{''|join}}{{\"x\"|e('y')}}"
# District names are at most 20 characters (districts.name): one payload each, one per district.
DISTRICT_NAMES = [
    "{{ 7*7 }}구",
    "{%if 1%}T{%endif%}",
    "{# c #}구",
    "{{''|join}}구",
    "{{\"x\"|e('y')}}구",
    "</script><script>",
    "<img src=x onerror=",
    "<svg/onload=alert()>",
    "\"'><구",
]
RAW_MARKUP = ("<script>alert(1)", "<img src=x onerror", "<svg/onload", "\"'><")


def hostile(tag: str) -> str:
    """A field's text: its tag, every template payload, every breakout."""
    return f"{tag}[{TEMPLATE}{BREAKOUT}"


def encodings(text: str) -> set[str]:
    """The forms in which a page may legitimately carry `text`: HTML-escaped, or inside JSON."""
    forms = {
        str(escape(text)),
        html.escape(text),
        script_json(text)[1:-1],
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
    }
    ascii_json = json.dumps(text)[1:-1]
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        ascii_json = ascii_json.replace(raw, esc)
    return forms | {ascii_json}


def shows(page: str, text: str) -> bool:
    """Whether the page carries `text` literally in one of its legitimate forms."""
    return any(form in page for form in encodings(text))


def assert_inert(page: str, tags: list[str], where: str = "") -> None:
    """No tag's template text was evaluated, and no markup from data stands raw in the page."""
    for tag in tags:
        start = 0
        while (i := page.find(f"{tag}[", start)) >= 0:
            after = page[i + len(tag) + 1 : i + len(tag) + 10]
            # (a tel: link drops the spaces; the text is still the template, not its value)
            assert after.replace(" ", "").startswith("{{7*7}}"), f"{where}: {tag} is followed by {after!r}"
            start = i + 1
    for raw in RAW_MARKUP:
        assert raw not in page, f"{where}: raw {raw!r} from data in the page"


# Points near City Hall (중구), a few metres apart so no two rows share a point (no placeholder flag).
def _near_city_hall(i: int) -> tuple[float, float]:
    return 37.5660 + i * 0.0004, 126.9775 + i * 0.0003


def write_hostile_files(folder: Path) -> dict[str, list[str]]:
    """Every source layout with hostile text in every text field; returns each layout's tags (one per field)."""
    folder.mkdir(parents=True, exist_ok=True)
    tags: dict[str, list[str]] = {}

    def fill(prefix: str, columns: list[str], skip: tuple[str, ...]) -> dict:
        row = {}
        for n, column in enumerate(columns):
            if column not in skip:
                row[column] = hostile(f"{prefix}{n:02d}")
                tags.setdefault(prefix, []).append(f"{prefix}{n:02d}")
        return row

    lat, lon = _near_city_hall(1)
    cafe = fill("KC", synth.KIDS_CAFE_COLUMNS, ("lat", "lng")) | {"lat": str(lat), "lng": str(lon)}
    synth.write_csv(folder / "kids_cafes.csv", synth.KIDS_CAFE_COLUMNS, [cafe])
    lat, lon = _near_city_hall(2)
    daycare = fill("DC", synth.DAYCARE_COLUMNS, ("시설 위도(좌표값)", "시설 경도(좌표값)"))
    daycare |= {"시설 위도(좌표값)": str(lat), "시설 경도(좌표값)": str(lon)}
    daycare["제공서비스"] += ",시간제보육"
    synth.write_csv(folder / "daycare.csv", synth.DAYCARE_COLUMNS, [daycare])
    lat, lon = _near_city_hall(3)
    toilet = fill("TL", synth.TOILET_COLUMNS, ("x 좌표", "y 좌표")) | {"x 좌표": str(lon), "y 좌표": str(lat)}
    toilet["건물명"] += " 가족화장실"
    synth.write_csv(folder / "toilets.csv", synth.TOILET_COLUMNS, [toilet])
    lat, lon = _near_city_hall(4)
    item = fill("OK", COT_COLUMNS, ("COT_COORD_X", "COT_COORD_Y")) | {"COT_COORD_X": str(lon), "COT_COORD_Y": str(lat)}
    synth.write_cot(folder / "cot_kids_ok.json", [item])
    write_hostile_districts(folder / "districts.geojson")
    write_hostile_dongs(folder / "seoul_hangjeongdong_20210401.geojson")
    return tags


COT_COLUMNS = [
    "COT_CONTS_ID",
    "COT_CONTS_NAME",
    "COT_ADDR_FULL_NEW",
    "COT_ADDR_FULL_OLD",
    "COT_GU_NAME",
    "COT_TEL_NO",
    "COT_THEME_ID",
    "COT_VALUE_01",
    "COT_VALUE_02",
    "COT_COORD_X",
    "COT_COORD_Y",
]


def hostile_district_name(i: int) -> str:
    """District i's name: one payload each, made unique, within the table's 20 characters."""
    base = DISTRICT_NAMES[i % len(DISTRICT_NAMES)]
    if i < len(DISTRICT_NAMES):
        return base
    return base[: 20 - len(str(i))] + str(i)


def write_hostile_districts(path: Path) -> dict[str, str]:
    """The bundled district boundaries with hostile names; returns code → name."""
    data = json.loads(BUNDLED_DISTRICTS.read_text(encoding="utf-8"))
    names = {}
    for i, feature in enumerate(sorted(data["features"], key=lambda f: f["properties"]["code"])):
        # ~50 m simplified (as the outlines are drawn): a small file keeps the tests quick.
        feature["geometry"] = mapping(shape(feature["geometry"]).simplify(0.0005, preserve_topology=True))
        props = feature["properties"]
        props["name"] = hostile_district_name(i)
        props["name_en"] = f"E{i}[{{{{ 7*7 }}}}</script><b>"
        names[props["code"]] = props["name"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return names


HOSTILE_DONG = TEMPLATE_NO_SPACE + "</script><script>alert(1)</script><img/src=x/onerror=alert(1)>\"'><"


def write_hostile_dongs(path: Path) -> None:
    """Two 행정동 in 중구 whose names are template syntax and breakouts (the name is adm_nm's last word)."""
    features = []
    for n, (lat, lon) in enumerate([(37.5636, 126.9976), (37.5500, 126.9900)], start=1):
        square = [
            [lon - 0.002, lat - 0.002],
            [lon + 0.002, lat - 0.002],
            [lon + 0.002, lat + 0.002],
            [lon - 0.002, lat + 0.002],
            [lon - 0.002, lat - 0.002],
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": [[square]]},
                "properties": {
                    "adm_cd2": f"11140{n:05d}",
                    "sgg": "11140",
                    "adm_nm": f"서울특별시 중구 D{n}[{HOSTILE_DONG}",
                },
            }
        )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )


# Forms cap their text (child names 50, class names 40): one short payload per submission, each tagged.
SHORT = [
    "{{ 7*7 }}<img src=x onerror=1>",
    "{{ 7*7 }}{%if 1%}T{%endif%}{#c#}",
    "{{ 7*7 }}{{''|join}}\"'><",
    "{{ 7*7 }}</script><script>alert(1)",
    "{{ 7*7 }}{{\"x\"|e('y')}}",
]


def short(tag: str, i: int) -> str:
    """The i-th short payload for a capped form field, tagged."""
    return f"{tag}[{SHORT[i]}"
