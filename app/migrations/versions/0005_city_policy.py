"""city-wide no-show ban: one city_policy row instead of a per-facility column

Revision ID: 0005_city_policy
Revises: 0004_audit
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0005_city_policy'
down_revision = '0004_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('city_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('no_show_ban_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name='ck_city_policy_single_row'),
    sa.CheckConstraint('no_show_ban_days BETWEEN 0 AND 90', name='ck_city_policy_ban_days'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('booking_policies', schema=None) as batch_op:
        batch_op.drop_column('no_show_ban_days')


def downgrade():
    with op.batch_alter_table('booking_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_show_ban_days', sa.Integer(), nullable=False, server_default='30'))
    op.drop_table('city_policy')
