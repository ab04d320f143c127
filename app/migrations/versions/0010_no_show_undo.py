"""no-show undo: what each no-show changed (no_shows, no_show_cancellations); per-facility no-show delay

Revision ID: 0010_no_show_undo
Revises: 0009_children
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


# revision identifiers, used by Alembic.
revision = '0010_no_show_undo'
down_revision = '0009_children'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_show_after_minutes', sa.Integer(), server_default='30', nullable=False))
    op.create_table('no_shows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('banned_before', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('banned_until', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('undone_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('no_shows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_no_shows_booking_id'), ['booking_id'], unique=False)
    op.create_table('no_show_cancellations',
    sa.Column('no_show_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['no_show_id'], ['no_shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('no_show_id', 'booking_id')
    )


def downgrade():
    op.drop_table('no_show_cancellations')
    with op.batch_alter_table('no_shows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_no_shows_booking_id'))
    op.drop_table('no_shows')
    with op.batch_alter_table('booking_policies', schema=None) as batch_op:
        batch_op.drop_column('no_show_after_minutes')
