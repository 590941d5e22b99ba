"""read model state: requested and built generations, dashboard and trend documents

Writers bump `wanted` in SQL; the worker rebuilds and records the generation it read in
`built`. Team score rows keep their question means so a rebuild never reads raw answers.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycle_comparison', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wanted', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('built', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('dashboard', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('means', sa.Text(), nullable=False, server_default='{}'))
    with op.batch_alter_table('team_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_means', sa.Text(), nullable=True))
    # Comparisons stored before this revision have no dashboard yet: ask for a rebuild.
    op.execute("UPDATE cycle_comparison SET wanted = 1, built = 0")


def downgrade():
    with op.batch_alter_table('team_score', schema=None) as batch_op:
        batch_op.drop_column('question_means')
    with op.batch_alter_table('cycle_comparison', schema=None) as batch_op:
        batch_op.drop_column('means')
        batch_op.drop_column('dashboard')
        batch_op.drop_column('requested_at')
        batch_op.drop_column('built')
        batch_op.drop_column('wanted')
