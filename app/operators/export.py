"""Roster CSV for Korean Excel: UTF-8 with a BOM (Excel then reads Hangul correctly), CRLF rows.

Guardians come masked, as on the roster page (app/operators/people.py): a file that leaves the console must not
carry contacts that nobody asked to see.
"""

from __future__ import annotations

import csv
import io

from app.bookings.choices import BookingStatus
from app.operators.services import slot_label
from app.validation import spreadsheet_cell as _cell

HEADER = ("회차", "예약번호", "상태", "아이", "나이", "보호자", "보호자 수", "연락처", "현장 접수")


def roster_csv(sessions: list[tuple]) -> bytes:
    """(slot, roster rows) pairs → CSV bytes, one line per child."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for slot, rows in sessions:
        for r in rows:
            for child in r["children"]:
                writer.writerow(
                    [
                        _cell(v)
                        for v in (
                            slot_label(slot),
                            r["code"],
                            BookingStatus(r["status"]).label,
                            child["name"],
                            "" if child["age"] is None else f"{child['age']}{child['unit']}",
                            r["guardian"],
                            r["guardians"],
                            r["contact"],
                            "예" if r["walk_in"] else "",
                        )
                    ]
                )
    return out.getvalue().encode("utf-8-sig")
