"""one-time links (invitations to an org, password resets) and deactivated people

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('one_time_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name='fk_one_time_link_org_id_org', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_one_time_link_user_id_user', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_one_time_link'),
    sa.UniqueConstraint('token_hash', name='uq_one_time_link_token_hash')
    )
    op.create_index('ix_one_time_link_user_id', 'one_time_link', ['user_id'])
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('deactivated_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('deactivated_at')
    op.drop_index('ix_one_time_link_user_id', table_name='one_time_link')
    op.drop_table('one_time_link')
