"""Booking list indexes that answer a page's IDs alone

Each side's list (MadeBookings, ReceivedBookings) reads a page's booking IDs from one
index-only range, whatever the page number: (user, create_date, id) over the bookings that
side has not deleted. They replace ix_bookings_client_created / _candidate_created, which
lacked the ID (an extra sort) and the deleted flag (every skipped row read from the table).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_bookings_made_list', 'bookings', ['client_id', 'create_date', 'id'],
                    postgresql_where=sa.text('deleted_by_client = false'),
                    sqlite_where=sa.text('deleted_by_client = 0'))
    op.create_index('ix_bookings_received_list', 'bookings',
                    ['candidate_id', 'create_date', 'id'],
                    postgresql_where=sa.text('deleted_by_candidate = false'),
                    sqlite_where=sa.text('deleted_by_candidate = 0'))
    op.drop_index('ix_bookings_client_created', table_name='bookings')
    op.drop_index('ix_bookings_candidate_created', table_name='bookings')


def downgrade() -> None:
    op.create_index('ix_bookings_client_created', 'bookings', ['client_id', 'create_date'])
    op.create_index('ix_bookings_candidate_created', 'bookings', ['candidate_id', 'create_date'])
    op.drop_index('ix_bookings_received_list', table_name='bookings')
    op.drop_index('ix_bookings_made_list', table_name='bookings')
