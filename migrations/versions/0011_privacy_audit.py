"""privacy settings, targets frozen per cycle, and the audit trail

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('org') as batch:
        batch.add_column(sa.Column('min_respondents', sa.Integer(), server_default='3', nullable=False))
        batch.add_column(sa.Column('comment_authors', sa.Boolean(), server_default='0', nullable=False))
        batch.add_column(sa.Column('audit_retention_days', sa.Integer(), server_default='730', nullable=False))
    with op.batch_alter_table('cycle') as batch:
        batch.add_column(sa.Column('frozen_targets', sa.JSON(), nullable=True))
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_entry_org_at', 'audit_entry', ['org_id', 'at'])
    op.create_index('ix_audit_entry_kind', 'audit_entry', ['kind'])
    # Every stored comparison is built again with the respondent minimum applied.
    op.execute(
        "INSERT INTO read_model_request (cycle_id, requested_at) "
        "SELECT id, CURRENT_TIMESTAMP FROM cycle"
    )


def downgrade():
    op.drop_index('ix_audit_entry_kind', table_name='audit_entry')
    op.drop_index('ix_audit_entry_org_at', table_name='audit_entry')
    op.drop_table('audit_entry')
    with op.batch_alter_table('cycle') as batch:
        batch.drop_column('frozen_targets')
    with op.batch_alter_table('org') as batch:
        batch.drop_column('audit_retention_days')
        batch.drop_column('comment_authors')
        batch.drop_column('min_respondents')
