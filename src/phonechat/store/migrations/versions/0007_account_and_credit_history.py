"""account information and the credit history's seek columns

Users get VerifyCredentials' EmailAddress, IsAgeVerified and UserTypeID. Ledger entries
get their place in their account (`seq`) and the balance after them (`balance_after`),
and accounts their entry count, so that a credit history page is one index range. Existing
entries are numbered in the order they were written (by id) and their running balance
summed, so the history of existing data is complete.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01 18:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email_address', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('is_age_verified', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('user_type_id', sa.SmallInteger(), nullable=False,
                                   server_default='2'))
    with op.batch_alter_table('credit_accounts') as batch:
        batch.add_column(sa.Column('entry_count', sa.BigInteger(), nullable=False,
                                   server_default='0'))
    with op.batch_alter_table('ledger_entries') as batch:
        batch.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('balance_after', sa.BigInteger(), nullable=True))

    # Window functions and UPDATE ... FROM: PostgreSQL, and SQLite from 3.33.
    op.execute(
        "UPDATE ledger_entries SET seq = numbered.seq, balance_after = numbered.balance_after "
        "FROM (SELECT id, "
        "ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY id) AS seq, "
        "SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS balance_after "
        "FROM ledger_entries) AS numbered WHERE ledger_entries.id = numbered.id")
    op.execute(
        "UPDATE credit_accounts SET entry_count = "
        "(SELECT COUNT(*) FROM ledger_entries WHERE ledger_entries.account_id = credit_accounts.id)")

    with op.batch_alter_table('ledger_entries') as batch:
        batch.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column('balance_after', existing_type=sa.BigInteger(), nullable=False)
    op.create_index('uq_ledger_entries_account_seq', 'ledger_entries', ['account_id', 'seq'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_ledger_entries_account_seq', table_name='ledger_entries')
    with op.batch_alter_table('ledger_entries') as batch:
        batch.drop_column('balance_after')
        batch.drop_column('seq')
    with op.batch_alter_table('credit_accounts') as batch:
        batch.drop_column('entry_count')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('user_type_id')
        batch.drop_column('is_age_verified')
        batch.drop_column('email_address')
