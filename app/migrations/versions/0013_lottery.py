"""weekend lottery: allocation and cycle settings on booking policies, the draws and the entries

Revision ID: 0013_lottery
Revises: 0012_personal_data
Create Date: 2026-12-06 19:45:00

Existing policies get the defaults (first_come; TUE 09:00, WED 23:59, THU 10:00, FRI 12:00), so nothing changes
for any facility until an operator turns the lottery on.
"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


# revision identifiers, used by Alembic.
revision = '0013_lottery'
down_revision = '0012_personal_data'
branch_labels = None
depends_on = None

_CYCLE = (('lottery_opens', 'TUE 09:00'), ('lottery_closes', 'WED 23:59'), ('lottery_draw', 'THU 10:00'),
          ('lottery_claim_by', 'FRI 12:00'))
_ENTRY_STATUSES = "'entered', 'withdrawn', 'won', 'reserve', 'offered', 'claimed', 'declined', 'lapsed', 'lost'"


def upgrade():
    with op.batch_alter_table('booking_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allocation', sa.String(length=20), server_default='first_come',
                                      nullable=False))
        for name, default in _CYCLE:
            batch_op.add_column(sa.Column(name, sa.String(length=9), server_default=default, nullable=False))
        batch_op.create_check_constraint('ck_booking_policies_allocation',
                                         "allocation IN ('first_come', 'lottery_weekends')")

    op.create_table('lottery_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weekend', sa.Date(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('refs', sa.JSON(), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('record', sa.JSON(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('drawn_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed', 'drawn')", name='ck_lottery_draws_status'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('weekend')
    )
    op.create_table('lottery_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekend', sa.Date(), nullable=False),
    sa.Column('slot_ids', sa.JSON(), nullable=False),
    sa.Column('child_ids', sa.JSON(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('guardians', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('won_slot_id', sa.Integer(), nullable=True),
    sa.Column('reserve', sa.JSON(), nullable=True),
    sa.Column('claim_by', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint(f"status IN ({_ENTRY_STATUSES})", name='ck_lottery_entries_status'),
    sa.CheckConstraint('places >= 1 AND guardians >= 1', name='ck_lottery_entries_counts'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['won_slot_id'], ['slots.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('lottery_entries', schema=None) as batch_op:
        batch_op.create_index('ix_lottery_entries_weekend', ['weekend', 'status'], unique=False)
        batch_op.create_index('uq_lottery_entries_household', ['user_id', 'weekend'], unique=True,
                              sqlite_where=sa.text("status <> 'withdrawn'"),
                              postgresql_where=sa.text("status <> 'withdrawn'"))


def downgrade():
    with op.batch_alter_table('lottery_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_lottery_entries_household', sqlite_where=sa.text("status <> 'withdrawn'"),
                            postgresql_where=sa.text("status <> 'withdrawn'"))
        batch_op.drop_index('ix_lottery_entries_weekend')
    op.drop_table('lottery_entries')
    op.drop_table('lottery_draws')
    with op.batch_alter_table('booking_policies', schema=None) as batch_op:
        batch_op.drop_constraint('ck_booking_policies_allocation', type_='check')
        for name, _ in reversed(_CYCLE):
            batch_op.drop_column(name)
        batch_op.drop_column('allocation')
