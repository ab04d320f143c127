"""personal data: consent on children, deleted accounts, anonymised bookings, the access log and purge runs

Revision ID: 0012_personal_data
Revises: 0011_notifications
Create Date: 2026-12-06 18:30:00

Children registered before consent was asked keep consent_at/consent_version NULL (the app shows them as they
are). bookings.user_id and booking_children.child_id become nullable: NULL is an anonymised booking or place.
On SQLite that rebuilds both tables; the partial unique index on booking_children is dropped first and made
again after, so the rebuild cannot lose its WHERE clause.
"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


# revision identifiers, used by Alembic.
revision = '0012_personal_data'
down_revision = '0011_notifications'
branch_labels = None
depends_on = None


def _partial_index(create: bool):
    with op.batch_alter_table('booking_children', schema=None) as batch_op:
        if create:
            batch_op.create_index('uq_booking_children_active', ['slot_id', 'child_id'], unique=True,
                                  sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
        else:
            batch_op.drop_index('uq_booking_children_active', sqlite_where=sa.text('active'),
                                postgresql_where=sa.text('active'))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', app.timeutil.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', app.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), nullable=True))
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
    _partial_index(create=False)
    with op.batch_alter_table('booking_children', schema=None) as batch_op:
        batch_op.alter_column('child_id', existing_type=sa.Integer(), nullable=True)
    _partial_index(create=True)

    op.create_table('personal_data_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('booking_code', sa.String(length=12), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('personal_data_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_access_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_access_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_access_subject_id'), ['subject_id'], unique=False)

    op.create_table('personal_data_purges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('bookings_anonymised', sa.Integer(), nullable=False),
    sa.Column('accounts_erased', sa.Integer(), nullable=False),
    sa.Column('access_log_deleted', sa.Integer(), nullable=False),
    sa.Column('walk_in_children_deleted', sa.Integer(), nullable=False),
    sa.Column('notifications_deleted', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('personal_data_purges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_purges_ran_at'), ['ran_at'], unique=False)


def downgrade():
    with op.batch_alter_table('personal_data_purges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_purges_ran_at'))
    op.drop_table('personal_data_purges')
    with op.batch_alter_table('personal_data_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_access_subject_id'))
        batch_op.drop_index(batch_op.f('ix_personal_data_access_created_at'))
        batch_op.drop_index(batch_op.f('ix_personal_data_access_actor_id'))
    op.drop_table('personal_data_access')
    # Anonymised rows name nobody: they cannot go back under NOT NULL, so they go.
    op.execute("DELETE FROM booking_children WHERE child_id IS NULL")
    op.execute("DELETE FROM bookings WHERE user_id IS NULL")
    _partial_index(create=False)
    with op.batch_alter_table('booking_children', schema=None) as batch_op:
        batch_op.alter_column('child_id', existing_type=sa.Integer(), nullable=False)
    _partial_index(create=True)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_column('consent_version')
        batch_op.drop_column('consent_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
