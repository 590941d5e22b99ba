"""single sign-on: an org's OpenID Connect provider and allowed email domains

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('org_sso',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('client_secret', sa.String(length=500), nullable=False),
    sa.Column('domains', sa.String(length=5100), nullable=False),
    sa.Column('password_allowed', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name='fk_org_sso_org_id_org', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_org_sso'),
    sa.UniqueConstraint('org_id', name='uq_org_sso_org_id')
    )


def downgrade():
    op.drop_table('org_sso')
