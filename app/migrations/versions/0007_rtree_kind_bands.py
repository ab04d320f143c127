"""SQLite R*Tree: one latitude band per facility kind (kind k's entries sit at lat + 100 × k)

A kind-filtered near-me search then reads only that kind's entries. The layout changed in commit f2d713a without
a migration (0001 called the live app.geo.spatial), so databases made before it kept the flat tree: this revision
rebuilds the tree from `facilities`, whichever layout it had. PostgreSQL (PostGIS GiST) is unchanged.

Revision ID: 0007_rtree_kind_bands
Revises: 0006_session_generation
Create Date: 2026-12-02 08:00:00

"""
from alembic import op


revision = '0007_rtree_kind_bands'
down_revision = '0006_session_generation'
branch_labels = None
depends_on = None

# The band offset of a row's kind, frozen at this revision (kinds in the order of ck_facilities_kind).
_BAND = ("(CASE {p}.kind WHEN 'kids_cafe' THEN 0.0 WHEN 'hourly_daycare' THEN 100.0 WHEN 'kids_ok_zone' THEN 200.0 "
         "WHEN 'family_restroom' THEN 300.0 ELSE 400.0 END)")
_ENTRY = "{p}.id, {p}.lat + " + _BAND + ", {p}.lat + " + _BAND + ", {p}.lon, {p}.lon"
_FLAT = "{p}.id, {p}.lat, {p}.lat, {p}.lon, {p}.lon"

_DROP = [
    "DROP TRIGGER IF EXISTS facility_rtree_insert",
    "DROP TRIGGER IF EXISTS facility_rtree_update",
    "DROP TRIGGER IF EXISTS facility_rtree_delete",
    "DROP TABLE IF EXISTS facility_rtree",
]


def _rtree(entry: str, update_of: str) -> list[str]:
    """The R*Tree, its triggers and its rows for an entry layout (`entry` formats with the row prefix)."""
    return _DROP + [
        "CREATE VIRTUAL TABLE IF NOT EXISTS facility_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
        f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_insert AFTER INSERT ON facilities
       WHEN NEW.lat IS NOT NULL BEGIN
         INSERT OR REPLACE INTO facility_rtree VALUES ({entry.format(p="NEW")});
       END""",
        f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_update AFTER UPDATE OF {update_of} ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         INSERT INTO facility_rtree SELECT {entry.format(p="NEW")} WHERE NEW.lat IS NOT NULL;
       END""",
        """CREATE TRIGGER IF NOT EXISTS facility_rtree_delete AFTER DELETE ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
       END""",
        f"""INSERT INTO facility_rtree SELECT {entry.format(p="f")} FROM facilities f
       WHERE f.lat IS NOT NULL AND f.id NOT IN (SELECT id FROM facility_rtree)""",
    ]


def _run(statements: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for statement in statements:
        bind.exec_driver_sql(statement)


def upgrade():
    # A kind change moves the entry to another band, so the update trigger also watches `kind`.
    _run(_rtree(_ENTRY, "lat, lon, kind"))


def downgrade():
    _run(_rtree(_FLAT, "lat, lon"))
