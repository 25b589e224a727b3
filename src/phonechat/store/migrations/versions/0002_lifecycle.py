"""lifecycle: session_end, re-invitation and settlement columns on bookings

Revision ID: 0002
Revises: 0001
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_end', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reinvited_date', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reinvite_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('settled_date', sa.DateTime(), nullable=True))
    # Backfill SessionDate + Duration row by row: the same code on SQLite and PostgreSQL.
    conn = op.get_bind()
    b = sa.table('bookings', sa.column('id'), sa.column('session_date', sa.DateTime),
                 sa.column('duration'), sa.column('session_end', sa.DateTime))
    for id_, start, minutes in conn.execute(sa.select(b.c.id, b.c.session_date, b.c.duration)).all():
        conn.execute(b.update().where(b.c.id == id_)
                     .values(session_end=start + timedelta(minutes=minutes)))
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('session_end', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index('ix_bookings_status_session_end', ['status', 'session_end'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_status_session_end')
        batch_op.drop_column('settled_date')
        batch_op.drop_column('reinvite_reason')
        batch_op.drop_column('reinvited_date')
        batch_op.drop_column('session_end')
