"""cycle deadlines and reminders: deadline, reminder days, opt-out, reminders sent

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycle') as batch:
        batch.add_column(sa.Column('deadline', sa.DateTime(), nullable=True))
    with op.batch_alter_table('org') as batch:
        batch.add_column(sa.Column('reminder_days', sa.Integer(), server_default='3', nullable=False))
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('module_reminders', sa.Boolean(), server_default='1', nullable=False))
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_reminder_sent_user_id_user', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_reminder_sent'),
    sa.UniqueConstraint('kind', 'user_id', 'key', name='uq_reminder_sent_kind_user_id_key')
    )


def downgrade():
    op.drop_table('reminder_sent')
    with op.batch_alter_table('user') as batch:
        batch.drop_column('module_reminders')
    with op.batch_alter_table('org') as batch:
        batch.drop_column('reminder_days')
    with op.batch_alter_table('cycle') as batch:
        batch.drop_column('deadline')
