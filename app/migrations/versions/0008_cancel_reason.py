"""bookings.cancel_reason: why a booking was cancelled, shown to the parent

Revision ID: 0008_cancel_reason
Revises: 0007_rtree_kind_bands
Create Date: 2026-12-02 12:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_cancel_reason'
down_revision = '0007_rtree_kind_bands'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
