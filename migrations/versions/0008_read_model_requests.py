"""read model requests: writers append a row; the rebuild consumes the rows it saw

Writers no longer bump a counter on the cycle's read-model row, which every submit of a
cycle waited on (on PostgreSQL, through each other's commits). A rebuild reads the
pending requests, builds from data read after them, stores with a compare-and-set on the
version, and deletes exactly the requests it saw.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('read_model_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_read_model_request_cycle_id_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_read_model_request'))
    )
    with op.batch_alter_table('read_model_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_read_model_request_cycle_id'), ['cycle_id'], unique=False)
    # What was pending under the counters stays pending.
    op.execute(
        "INSERT INTO read_model_request (cycle_id, requested_at) "
        "SELECT cycle_id, COALESCE(requested_at, updated_at) FROM cycle_comparison "
        "WHERE built < wanted"
    )
    with op.batch_alter_table('cycle_comparison', schema=None) as batch_op:
        batch_op.drop_column('requested_at')
        batch_op.drop_column('built')
        batch_op.drop_column('wanted')


def downgrade():
    with op.batch_alter_table('cycle_comparison', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wanted', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('built', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('read_model_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_read_model_request_cycle_id'))
    op.drop_table('read_model_request')
