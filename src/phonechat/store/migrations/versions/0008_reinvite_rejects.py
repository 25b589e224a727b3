"""ReInvite rejects: carry re-invited Pending bookings into the new model

Until now ReInvite left a booking Pending (reinvited_date, reinvite_reason set). As
published, it rejects the booking: those bookings become Rejected with the re-invitation's
reason (or the default) as RejectedReason. reinvite_reason is no longer written.

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-01 18:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DEFAULT_REASON = "The session was missed; the booked user invites you to reschedule it."


def upgrade() -> None:
    op.get_bind().execute(sa.text(
        "UPDATE bookings SET status = 'Rejected', "
        "rejected_reason = COALESCE(reinvite_reason, :reason) "
        "WHERE status = 'Pending' AND reinvited_date IS NOT NULL"), {"reason": DEFAULT_REASON})


def downgrade() -> None:
    op.get_bind().execute(sa.text(
        "UPDATE bookings SET status = 'Pending', reinvite_reason = rejected_reason, "
        "rejected_reason = NULL "
        "WHERE status = 'Rejected' AND reinvited_date IS NOT NULL"))
