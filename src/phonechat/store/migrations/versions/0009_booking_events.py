"""booking_events: every change of a booking, appended in its transaction; webhooks and
their outbox (issue 10)

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


    op.create_table(
        'webhooks',
        sa.Column('id', Id, sa.Identity(), nullable=False),
        sa.Column('application_id', Id, nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('events', sa.String(length=1000), nullable=False),
        sa.Column('after_event_id', Id, nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=False),
        sa.Column('previous_secret', sa.String(length=100), nullable=True),
        sa.Column('previous_secret_expires', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name='fk_webhooks_application_id_applications'),
        sa.PrimaryKeyConstraint('id', name='pk_webhooks'),
    )
    op.create_index('ix_webhooks_application_id', 'webhooks', ['application_id'])
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', Id, sa.Identity(), nullable=False),
        sa.Column('webhook_id', Id, nullable=False),
        sa.Column('event_id', Id, nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('first_due', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], ondelete='CASCADE',
                                name='fk_webhook_deliveries_webhook_id_webhooks'),
        sa.ForeignKeyConstraint(['event_id'], ['booking_events.id'],
                                name='fk_webhook_deliveries_event_id_booking_events'),
        sa.PrimaryKeyConstraint('id', name='pk_webhook_deliveries'),
        sa.UniqueConstraint('webhook_id', 'event_id',
                            name='uq_webhook_deliveries_webhook_id_event_id'),
    )
    op.create_index('ix_webhook_deliveries_status_next_attempt_at', 'webhook_deliveries',
                    ['status', 'next_attempt_at'])
    op.create_table(
        'webhook_attempts',
        sa.Column('id', Id, sa.Identity(), nullable=False),
        sa.Column('delivery_id', Id, nullable=False),
        sa.Column('attempted_at', sa.DateTime(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('next_retry_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], ondelete='CASCADE',
                                name='fk_webhook_attempts_delivery_id_webhook_deliveries'),
        sa.PrimaryKeyConstraint('id', name='pk_webhook_attempts'),
    )
    op.create_index('ix_webhook_attempts_delivery_id', 'webhook_attempts', ['delivery_id'])
    op.create_table(
        'webhook_dispatch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_event_id', Id, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_webhook_dispatch'),
    )


def downgrade() -> None:
    op.drop_table('webhook_dispatch')
    op.drop_table('webhook_attempts')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhooks')
    op.drop_table('booking_events')
