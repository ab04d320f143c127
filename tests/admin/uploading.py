"""Admin upload helpers for the admin tests: CSV bytes built with tests.imports.synth, upload, preview, apply."""

from __future__ import annotations

import io
import re

from tests.imports import synth


def csv_bytes(columns, rows) -> bytes:
    """The CSV synth.write_csv would write, as bytes (the upload form takes file objects)."""
    buf = io.StringIO()
    synth.csv_writer(buf, columns, rows)
    return buf.getvalue().encode("utf-8")


def toilets() -> bytes:
    """Five toilets: three on one point in three districts (placeholder_coordinates), one district_mismatch."""
    return csv_bytes(
        synth.TOILET_COLUMNS,
        [
            synth.toilet(1, synth.CITY_HALL, "마포구"),
            synth.toilet(2, synth.CITY_HALL, "강남구"),
            synth.toilet(3, synth.CITY_HALL, "송파구"),
            synth.toilet(4, synth.GANGNAM_OFFICE, "송파구"),
            synth.toilet(5, synth.MAPO_OFFICE, "마포구"),
        ],
    )


def upload(client, *files, complete: bool = False):
    """POST (name, bytes) files to the upload form: the preview (a redirect to it) or the refusal."""
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    if complete:
        data["complete"] = "y"
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def token_of(response) -> str:
    """The preview token a successful upload redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    return re.fullmatch(r".*/admin/import/([A-Za-z0-9_-]{32})", response.headers["Location"]).group(1)


def upload_and_apply(client, *files, complete: bool = False):
    """Preview the files and apply the preview; the apply's response."""
    token = token_of(upload(client, *files, complete=complete))
    return client.post(f"/admin/import/{token}/apply")
