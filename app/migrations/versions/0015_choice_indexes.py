"""facility choice indexes: the filters' kinds and amenities and the demo banner without a full scan per page

Revision ID: 0015_choice_indexes
Revises: 0014_lottery_offers
Create Date: 2026-12-07 00:50:00

Partial indexes read by services.filter_choices and services.data_is_demo. "Located" is spelt lon IS NOT NULL
(the same rows as lat IS NOT NULL), so searches, which filter on lat, never walk them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_choice_indexes'
down_revision = '0014_lottery_offers'
branch_labels = None
depends_on = None

_AMENITIES = ('diaper_table', 'kids_menu', 'child_chair', 'nursing_room', 'stroller_access', 'parking')
_INDEXES = [
    ('ix_facilities_demo', ['id'], 'is_demo'),
    ('ix_facilities_located_kind', ['kind'], 'lon IS NOT NULL'),
] + [(f'ix_facilities_has_{a}', ['id'], f'{a} AND lon IS NOT NULL') for a in _AMENITIES]


def upgrade():
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        for name, columns, where in _INDEXES:
            batch_op.create_index(name, columns, unique=False, sqlite_where=sa.text(where),
                                  postgresql_where=sa.text(where))


def downgrade():
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        for name, _, where in reversed(_INDEXES):
            batch_op.drop_index(name, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
