"""PhoneChat settings in the original's shape

Adds OfferDirectChat, DirectChatSettings.DirectChatOnly and ShowPhoneChatNumber; lets
PhoneChatPPM be unset (NULL); carries every existing row over:
- price_per_minute 0 becomes NULL: the old service stored 0 for "no price" (it refused 0
  for a user taking bookings), which the original calls an unset PhoneChatPPM;
- phone_number, stored as the old 10 or 11 national digits, gets its country code, as
  PhoneChatNumber must have one: a leading 0 (a UK national number, the service's
  Europe/London default) becomes +44, any other number gets a leading +.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0008'
branch_labels = None
depends_on = None

_settings = sa.table('phonechat_settings', sa.column('user_id'), sa.column('phone_number'),
                     sa.column('price_per_minute'))


def international(number: str) -> str:
    """An old national number with its country code (the rule in the docstring above)."""
    if number.startswith('+') or not number.isdigit():
        return number
    return '+44' + number[1:] if number.startswith('0') else '+' + number


def national(number: str) -> str:
    """The inverse, for downgrade: +44 and the 9 or 10 digits of a UK national number
    become that number with its 0 again; any other number loses its +."""
    if number.startswith('+44') and len(number) in (12, 13):
        return '0' + number[3:]
    return number.removeprefix('+')


def _renumber(convert) -> None:  # type: ignore[no-untyped-def]
    conn = op.get_bind()
    rows = conn.execute(sa.select(_settings.c.user_id, _settings.c.phone_number)
                        .where(_settings.c.phone_number.is_not(None))).all()
    for user_id, number in rows:
        new = convert(number)
        if new != number:
            conn.execute(_settings.update().where(_settings.c.user_id == user_id)
                         .values(phone_number=new))


def upgrade() -> None:
    with op.batch_alter_table('phonechat_settings') as batch:
        batch.add_column(sa.Column('offer_direct_chat', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('direct_chat_only', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('show_phone_chat_number', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.alter_column('price_per_minute', existing_type=sa.BigInteger(), nullable=True)
    op.execute(_settings.update().where(_settings.c.price_per_minute == 0)
               .values(price_per_minute=None))
    _renumber(international)


def downgrade() -> None:
    _renumber(national)
    op.execute(_settings.update().where(_settings.c.price_per_minute.is_(None))
               .values(price_per_minute=0))
    with op.batch_alter_table('phonechat_settings') as batch:
        batch.alter_column('price_per_minute', existing_type=sa.BigInteger(), nullable=False)
        batch.drop_column('show_phone_chat_number')
        batch.drop_column('direct_chat_only')
        batch.drop_column('offer_direct_chat')
