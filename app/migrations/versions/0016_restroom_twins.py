"""SQLite R*Tree: restrooms listed twice (same name and address) get a band of their own, after the ELSE band

The search shows such restrooms once (the nearest), so it used to read every restroom in the circle with its name
and address. With the twins in band 5 (lat + 500) the restroom band holds only restrooms without a twin, counted
from the R*Tree like any kind, and only the twins' few rows are read. The triggers compute the band with an EXISTS
on the key (a seek in the partial index facility_rtree_restroom_key) and move the other rows of a key between the
two bands when a row arrives, changes or leaves. PostgreSQL (PostGIS GiST) is unchanged.

Revision ID: 0016_restroom_twins
Revises: 0015_choice_indexes
Create Date: 2026-12-07 04:00:00

"""
from alembic import op


revision = '0016_restroom_twins'
down_revision = '0015_choice_indexes'
branch_labels = None
depends_on = None

# Frozen at this revision: the key the search shows once, the band of a row `p`, its entry.
_SAME = ("{a}.kind = 'family_restroom' AND {a}.name = {p}.name"
         " AND coalesce(nullif({a}.address, ''), '#' || {a}.id) = coalesce(nullif({p}.address, ''), '#' || {p}.id)")


def _band(p: str) -> str:
    twin = (f"EXISTS (SELECT 1 FROM facilities twin WHERE {_SAME.format(a='twin', p=p)}"
            f" AND twin.id <> {p}.id AND twin.lat IS NOT NULL)")
    return (f"(CASE {p}.kind WHEN 'kids_cafe' THEN 0.0 WHEN 'hourly_daycare' THEN 100.0 WHEN 'kids_ok_zone' THEN 200.0"
            f" WHEN 'family_restroom' THEN (CASE WHEN {twin} THEN 500.0 ELSE 300.0 END) ELSE 400.0 END)")


def _entry(p: str) -> str:
    return f"{p}.id, {p}.lat + {_band(p)}, {p}.lat + {_band(p)}, {p}.lon, {p}.lon"


def _reband(group_of: str, other_than: str | None) -> str:
    rows = f"FROM facilities k WHERE {group_of}.kind = 'family_restroom' AND {_SAME.format(a='k', p=group_of)}"
    if other_than:
        rows += f" AND k.id <> {other_than}.id"
    return (f"DELETE FROM facility_rtree WHERE id IN (SELECT k.id {rows});\n"
            f"INSERT INTO facility_rtree SELECT {_entry('k')} {rows} AND k.lat IS NOT NULL;")


_DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS facility_rtree_{op_}" for op_ in ("insert", "update", "delete")]

_UP = _DROP_TRIGGERS + [
    "CREATE INDEX IF NOT EXISTS facility_rtree_restroom_key ON facilities (name, address)"
    " WHERE kind = 'family_restroom'",
    f"""CREATE TRIGGER facility_rtree_insert AFTER INSERT ON facilities
       WHEN NEW.lat IS NOT NULL BEGIN
         INSERT OR REPLACE INTO facility_rtree VALUES ({_entry("NEW")});
         {_reband("NEW", "NEW")}
       END""",
    f"""CREATE TRIGGER facility_rtree_update
       AFTER UPDATE OF lat, lon, kind, name, address ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         INSERT INTO facility_rtree SELECT {_entry("NEW")} WHERE NEW.lat IS NOT NULL;
         {_reband("OLD", "NEW")}
         {_reband("NEW", "NEW")}
       END""",
    f"""CREATE TRIGGER facility_rtree_delete AFTER DELETE ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         {_reband("OLD", None)}
       END""",
    # Every entry again, the twins in their band.
    "DELETE FROM facility_rtree",
    f"INSERT INTO facility_rtree SELECT {_entry('f')} FROM facilities f WHERE f.lat IS NOT NULL",
]

# 0007's layout: one band per kind.
_BAND_0007 = ("(CASE {p}.kind WHEN 'kids_cafe' THEN 0.0 WHEN 'hourly_daycare' THEN 100.0 WHEN 'kids_ok_zone' THEN 200.0 "
              "WHEN 'family_restroom' THEN 300.0 ELSE 400.0 END)")
_ENTRY_0007 = "{p}.id, {p}.lat + " + _BAND_0007 + ", {p}.lat + " + _BAND_0007 + ", {p}.lon, {p}.lon"

_DOWN = _DROP_TRIGGERS + [
    "DROP INDEX IF EXISTS facility_rtree_restroom_key",
    f"""CREATE TRIGGER facility_rtree_insert AFTER INSERT ON facilities
       WHEN NEW.lat IS NOT NULL BEGIN
         INSERT OR REPLACE INTO facility_rtree VALUES ({_ENTRY_0007.format(p="NEW")});
       END""",
    f"""CREATE TRIGGER facility_rtree_update AFTER UPDATE OF lat, lon, kind ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         INSERT INTO facility_rtree SELECT {_ENTRY_0007.format(p="NEW")} WHERE NEW.lat IS NOT NULL;
       END""",
    """CREATE TRIGGER facility_rtree_delete AFTER DELETE ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
       END""",
    "DELETE FROM facility_rtree",
    f"INSERT INTO facility_rtree SELECT {_ENTRY_0007.format(p='f')} FROM facilities f WHERE f.lat IS NOT NULL",
]


def _run(statements: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for statement in statements:
        bind.exec_driver_sql(statement)


def upgrade():
    _run(_UP)


def downgrade():
    _run(_DOWN)
