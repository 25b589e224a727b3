"""The schema, one definition for SQLite and PostgreSQL.

Dates are naive wall-clock times in the service's time zone (as the API shows them).
Credits are BIGINT units of 1/10,000 credit (see domain.credits).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite's rowid wants INTEGER
Credits = sa.BigInteger

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("nickname", sa.String(50), nullable=False, unique=True),
    sa.Column("rating_positive", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating_neutral", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating_negative", sa.Integer, nullable=False, server_default="0"),
    sa.Column("disputes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("password_hash", sa.String(200)),  # for the OAuth login page; None = cannot log in
    sa.Column("created_at", sa.DateTime, nullable=False),
    # VerifyCredentials' members (account_information); user types in domain/access.py.
    sa.Column("email_address", sa.String(254)),
    sa.Column("is_age_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("user_type_id", sa.SmallInteger, nullable=False, server_default="2"),
)

groups = sa.Table(
    "groups",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("manager_id", Id, sa.ForeignKey("users.id"), nullable=False, unique=True),
)

# A user belongs to at most one group; a group's manager is normally one of its members.
group_members = sa.Table(
    "group_members",
    metadata,
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("group_id", Id, sa.ForeignKey("groups.id"), nullable=False, index=True),
)

phonechat_settings = sa.Table(
    "phonechat_settings",
    metadata,
    # GetSettings / SaveSettings (domain/phonechat_settings.py): the original's members ...
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("offer_direct_chat", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("direct_chat_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("phone_number", sa.String(20)),  # PhoneChatNumber
    sa.Column("show_phone_chat_number", sa.Boolean, nullable=False,
              server_default=sa.false()),
    sa.Column("price_per_minute", Credits),  # PhoneChatPPM; NULL: never set
    # ... and the extensions (TakesBookings, Methods, SkypeName).
    sa.Column("takes_bookings", sa.Boolean, nullable=False),
    sa.Column("method_performer_calls", sa.Boolean, nullable=False),  # Method 1
    sa.Column("method_client_calls", sa.Boolean, nullable=False),  # Method 2
    sa.Column("method_skype", sa.Boolean, nullable=False),  # Method 3
    sa.Column("skype_name", sa.String(100)),
)

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("client_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("candidate_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("duration", sa.Integer, nullable=False),
    sa.Column("credits", Credits, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("method", sa.SmallInteger, nullable=False),
    sa.Column("phone_number", sa.String(20)),
    sa.Column("skype_name", sa.String(100)),
    sa.Column("create_date", sa.DateTime, nullable=False),
    sa.Column("session_date", sa.DateTime, nullable=False),
    sa.Column("accept_by", sa.DateTime, nullable=False),
    sa.Column("accepted_date", sa.DateTime),
    sa.Column("confirmed_date", sa.DateTime),
    sa.Column("cancelled_date", sa.DateTime),
    sa.Column("cancelled_reason", sa.String(500)),
    sa.Column("cancelled_by", sa.String(50)),
    sa.Column("rejected_reason", sa.String(500)),
    sa.Column("last_updated", sa.DateTime, nullable=False),
    sa.Column("comments", sa.String(1000)),
    # Deleting removes a booking from one side's lists only; the other side and the
    # ledger keep it.
    sa.Column("deleted_by_client", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("deleted_by_candidate", sa.Boolean, nullable=False, server_default=sa.false()),
    # The lifecycle (domain/lifecycle.py): SessionDate + Duration, kept so that the worker
    # finds due settlements and rejections with an index; when the candidate re-invited a
    # missed session (ReInvite; its reason is the RejectedReason, reinvite_reason is only
    # read by migration 0008); when a Confirmed booking's held credits were paid.
    sa.Column("session_end", sa.DateTime, nullable=False),
    sa.Column("reinvited_date", sa.DateTime),
    sa.Column("reinvite_reason", sa.String(500)),
    sa.Column("settled_date", sa.DateTime),
    sa.CheckConstraint(
        "status IN ('Pending','Accepted','Rejected','Confirmed','Cancelled')", name="status"
    ),
    sa.CheckConstraint("method IN (1, 2, 3)", name="method"),
    sa.CheckConstraint("credits >= 0", name="credits"),
    sa.CheckConstraint("client_id <> candidate_id", name="not_self"),
    # Each side's list, newest (or oldest) first: the bookings it has not deleted, with the
    # booking ID that breaks ties, so a page's IDs come from the index alone (migration 0010).
    sa.Index("ix_bookings_made_list", "client_id", "create_date", "id",
             postgresql_where=sa.text("deleted_by_client = false"),
             sqlite_where=sa.text("deleted_by_client = 0")),
    sa.Index("ix_bookings_received_list", "candidate_id", "create_date", "id",
             postgresql_where=sa.text("deleted_by_candidate = false"),
             sqlite_where=sa.text("deleted_by_candidate = 0")),
    sa.Index("ix_bookings_status_session_end", "status", "session_end"),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("api_key", sa.String(64), nullable=False, unique=True),  # the OAuth client_id
    sa.Column("secret_hash", sa.String(200), nullable=False),
    sa.Column("redirect_uri", sa.String(500), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # A public client (RFC 8252: an app on the user's device) holds no secret: it must use
    # PKCE, and its secret_hash is empty (never matches).
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Tokens are stored as SHA-256 hashes of the opaque string the holder presents.
access_tokens = sa.Table(
    "access_tokens",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("application_id", Id, sa.ForeignKey("applications.id")),
    sa.Column("scopes", sa.String(1000), nullable=False),  # space-separated
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime),
)

# --- The OAuth 2.0 authorization server (store/oauth.py) -----------------------------
# Codes and refresh tokens, like access tokens, are stored only as SHA-256 hashes.

# An authorization code: single-use (used_at), short-lived, bound to its app, redirect URI
# and PKCE challenge. `family` names the refresh-token chain its exchange started, so a
# replayed code can revoke what it issued.
oauth_codes = sa.Table(
    "oauth_codes",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("application_id", Id, sa.ForeignKey("applications.id"), nullable=False),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("scopes", sa.String(1000), nullable=False),
    sa.Column("redirect_uri", sa.String(500)),
    sa.Column("code_challenge", sa.String(128)),
    sa.Column("code_challenge_method", sa.String(10)),
    sa.Column("family", sa.String(32)),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime),
)

# Refresh tokens: each refresh rotates (rotated_at) and issues the next one in the same
# family; presenting a rotated one revokes the family and the access tokens it issued.
oauth_refresh_tokens = sa.Table(
    "oauth_refresh_tokens",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("family", sa.String(32), nullable=False, index=True),
    sa.Column("application_id", Id, sa.ForeignKey("applications.id"), nullable=False),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("access_token_id", Id, sa.ForeignKey("access_tokens.id")),
    sa.Column("scopes", sa.String(1000), nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("rotated_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Index("ix_oauth_refresh_tokens_user_app", "user_id", "application_id"),
)

# What a user has allowed an application (the union of the scopes consented to, less the
# ones revoked on the apps page). A refresh never yields more than this.
oauth_grants = sa.Table(
    "oauth_grants",
    metadata,
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("application_id", Id, sa.ForeignKey("applications.id"), primary_key=True),
    sa.Column("scopes", sa.String(1000), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# Server-side keys made once and shared by every worker: the login cookie's signing key
# when no PHONECHAT_SECRET_KEY is set.
oauth_server_keys = sa.Table(
    "oauth_server_keys",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# Failed logins on the authorization server's login page, by key ("user:<nickname>" or
# "ip:<address>"), counted over a sliding window to rate-limit guessing across workers.
oauth_login_failures = sa.Table(
    "oauth_login_failures",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("key", sa.String(120), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("ix_oauth_login_failures_key_at", "key", "at"),
)

# Double-entry credits: every movement is a transfer whose entries sum to zero.
# An account's balance is the sum of its entries; `balance` caches it so that a
# conditional UPDATE can refuse an overdraft atomically (`ledger check` verifies both agree).
credit_accounts = sa.Table(
    "credit_accounts",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    # 'user': a user's spendable credits; 'hold': one booking's held credits;
    # 'world': the outside (purchases in, payouts out), the only one that may go negative.
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("user_id", Id, sa.ForeignKey("users.id")),
    sa.Column("booking_id", Id, sa.ForeignKey("bookings.id")),
    sa.Column("balance", Credits, nullable=False, server_default="0"),
    # How many entries the account has: the next entry's `seq` (kept by the same UPDATE
    # that moves the balance, so it is race-free), and the credit history's page count.
    sa.Column("entry_count", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("kind IN ('user','hold','world')", name="kind"),
    sa.CheckConstraint("kind = 'world' OR balance >= 0", name="no_overdraft"),
    # One spendable account per user, one hold account per booking (NULLs never collide
    # in a plain unique constraint, hence partial indexes).
    sa.Index(
        "uq_credit_accounts_user", "user_id", unique=True,
        postgresql_where=sa.text("kind = 'user'"), sqlite_where=sa.text("kind = 'user'"),
    ),
    sa.Index(
        "uq_credit_accounts_hold", "booking_id", unique=True,
        postgresql_where=sa.text("kind = 'hold'"), sqlite_where=sa.text("kind = 'hold'"),
    ),
)

ledger_transfers = sa.Table(
    "ledger_transfers",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("booking_id", Id, sa.ForeignKey("bookings.id"), index=True),
    sa.Column("reason", sa.String(50), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("transfer_id", Id, sa.ForeignKey("ledger_transfers.id"), nullable=False, index=True),
    sa.Column("account_id", Id, sa.ForeignKey("credit_accounts.id"), nullable=False, index=True),
    sa.Column("amount", Credits, nullable=False),
    # The entry's place in its account (1, 2, ...) and the account's balance after it: the
    # credit history reads a page as one range of (account_id, seq), whatever its number.
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("balance_after", Credits, nullable=False),
    sa.Index("uq_ledger_entries_account_seq", "account_id", "seq", unique=True),
)

# Idempotency-Key: the first answer to a POST, kept so that a retry with the same key is
# replayed instead of done again. A row with status NULL is a claim: that request is being
# worked on now (by some worker); `created_at` lets a claim left by a crashed worker be
# taken over after a lease (api/idempotency.py).
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("user_id", Id, primary_key=True),  # the key's owner: keys are per user
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),  # SHA-256 of route + body
    sa.Column("status", sa.SmallInteger),  # NULL while in progress
    sa.Column("content_type", sa.String(100)),
    sa.Column("body", sa.LargeBinary),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)

# Every change of a booking, appended in the transaction that made it (domain/lifecycle.py
# names the types). `only_user_id`: an event that concerns one party only (booking.deleted:
# the side that deleted it); NULL: both parties. The ids are handed out in commit order
# (store/events.py), so a reader of the feed after EventID N never misses a later commit.
booking_events = sa.Table(
    "booking_events",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("booking_id", Id, sa.ForeignKey("bookings.id"), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("previous_status", sa.String(10)),
    sa.Column("by_user_id", Id),  # NULL: the clock (the worker's sweep)
    sa.Column("by_nickname", sa.String(50)),
    sa.Column("on_behalf_of_user_id", Id),  # a group manager acted for this member
    sa.Column("reason", sa.String(500)),
    sa.Column("credits", Credits),  # the credits moved, if any
    sa.Column("client_id", Id, nullable=False),
    sa.Column("candidate_id", Id, nullable=False),
    sa.Column("only_user_id", Id),
    sa.Index("ix_booking_events_booking_id_id", "booking_id", "id"),
    sa.Index("ix_booking_events_client_id_id", "client_id", "id"),
    sa.Index("ix_booking_events_candidate_id_id", "candidate_id", "id"),
)

# Webhooks (an extension, issue 10), each of one application. `events`: the subscribed
# types, space-separated, or "*". During a rotation the previous secret signs too, until
# previous_secret_expires.
webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("application_id", Id, sa.ForeignKey("applications.id"), nullable=False,
              index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("events", sa.String(1000), nullable=False),
    sa.Column("after_event_id", Id, nullable=False),  # it gets the events after this one
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("previous_secret", sa.String(100)),
    sa.Column("previous_secret_expires", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# The outbox: one row per (webhook, event) to send, made from booking_events by the worker
# (services/webhooks.py). Pending until a 2xx (delivered) or RETRY_FOR (failed);
# next_attempt_at is also a claim's lease while one worker sends it.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("webhook_id", Id, sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("event_id", Id, sa.ForeignKey("booking_events.id"), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # Pending, Delivered, Failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("first_due", sa.DateTime, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime),
    sa.UniqueConstraint("webhook_id", "event_id"),
    sa.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", Id, sa.Identity(), primary_key=True),
    sa.Column("delivery_id", Id, sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("attempted_at", sa.DateTime, nullable=False),
    sa.Column("status_code", sa.Integer),  # None: no answer (refused, timed out)
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("error", sa.String(500)),
    sa.Column("next_retry_at", sa.DateTime),
)

# How far the worker has fanned booking_events out into deliveries (one row, id 1).
webhook_dispatch = sa.Table(
    "webhook_dispatch",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("last_event_id", Id, nullable=False),
)
