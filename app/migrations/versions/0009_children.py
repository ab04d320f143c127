"""children: one parent cannot register the same name and birth date twice

Revision ID: 0009_children
Revises: 0008_cancel_reason
Create Date: 2026-12-03 10:00:00

Rows already registered twice keep their bookings: every copy after the first gets its id appended to its
name (e.g. "하늘 (12)"), so the parent sees both, can remove the spare one, and the constraint can be made.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_children'
down_revision = '0008_cancel_reason'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE children SET name = substr(name, 1, 38) || ' (' || CAST(id AS VARCHAR(12)) || ')' "
        "WHERE id NOT IN (SELECT MIN(id) FROM children GROUP BY parent_id, name, birth_date)"
    )
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_children_parent_name_birth', ['parent_id', 'name', 'birth_date'])


def downgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_constraint('uq_children_parent_name_birth', type_='unique')
