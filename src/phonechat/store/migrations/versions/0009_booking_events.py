"""booking_events: every change of a booking, appended in its transaction (issue 10)

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01 19:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'booking_events',
        sa.Column('id', Id, sa.Identity(), nullable=False),
        sa.Column('type', sa.String(length=30), nullable=False),
        sa.Column('created', sa.DateTime(), nullable=False),
        sa.Column('booking_id', Id, nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('previous_status', sa.String(length=10), nullable=True),
        sa.Column('by_user_id', Id, nullable=True),
        sa.Column('by_nickname', sa.String(length=50), nullable=True),
        sa.Column('on_behalf_of_user_id', Id, nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('credits', sa.BigInteger(), nullable=True),
        sa.Column('client_id', Id, nullable=False),
        sa.Column('candidate_id', Id, nullable=False),
        sa.Column('only_user_id', Id, nullable=True),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'],
                                name='fk_booking_events_booking_id_bookings'),
        sa.PrimaryKeyConstraint('id', name='pk_booking_events'),
    )
    op.create_index('ix_booking_events_booking_id_id', 'booking_events', ['booking_id', 'id'])
    op.create_index('ix_booking_events_client_id_id', 'booking_events', ['client_id', 'id'])
    op.create_index('ix_booking_events_candidate_id_id', 'booking_events',
                    ['candidate_id', 'id'])


def downgrade() -> None:
    op.drop_table('booking_events')
