"""lottery offers: places held for winners and offers on slots, and the freed places offered to the reserve

Revision ID: 0014_lottery_offers
Revises: 0013_lottery
Create Date: 2026-12-06 21:40:00

slots.held counts the places the lottery holds (won or offered, not yet claimed); the slots CHECK keeps its name
(ck_slots_booked, which the booking code maps to slot_full) and now bounds booked + held by the capacity.
Existing slots hold nothing (held = 0).
"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


# revision identifiers, used by Alembic.
revision = '0014_lottery_offers'
down_revision = '0013_lottery'
branch_labels = None
depends_on = None

_OLD_CHECK = 'booked >= 0 AND booked <= capacity'
_NEW_CHECK = 'booked >= 0 AND held >= 0 AND booked + held <= capacity'


def upgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('ck_slots_booked', type_='check')
        batch_op.create_check_constraint('ck_slots_booked', _NEW_CHECK)

    op.create_table('lottery_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('weekend', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offered_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'offered', 'first_come')", name='ck_lottery_releases_status'),
    sa.ForeignKeyConstraint(['entry_id'], ['lottery_entries.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source')
    )
    with op.batch_alter_table('lottery_releases', schema=None) as batch_op:
        batch_op.create_index('ix_lottery_releases_slot', ['slot_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('lottery_releases', schema=None) as batch_op:
        batch_op.drop_index('ix_lottery_releases_slot')
    op.drop_table('lottery_releases')
    # Held places go back to open booking (the old schema has no hold).
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_constraint('ck_slots_booked', type_='check')
        batch_op.create_check_constraint('ck_slots_booked', _OLD_CHECK)
        batch_op.drop_column('held')
