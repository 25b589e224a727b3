"""Settings: one typed object, read from PHONECHAT_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields


def _bool(v: str) -> bool:
    return v.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    # Where the data lives: sqlite:///path.db (embedded, the default) or
    # postgresql://user@host:5432/dbname.
    database_url: str = "sqlite:///phonechat.db"
    # The wall-clock zone of every date in and out of the API (IANA name).
    timezone: str = "Europe/London"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # PostgreSQL connections per worker process (min and max), and how long a request
    # waits for one before it is answered 503.
    pool_min: int = 2
    pool_max: int = 10
    pool_timeout: float = 5.0
    # How long a worker may reuse an access token it found valid without asking the
    # database again. On PostgreSQL a revocation still takes effect at once in every worker
    # (services/grant_cache.py), so unset it is 300; on SQLite a revocation made by another
    # process (`phonechat apps disable`) is seen within this delay, so unset it is 5.
    # Expiry is checked on every request regardless. 0: look up every request. The sandbox
    # never caches.
    token_cache_seconds: float | None = None
    # Read replicas (PostgreSQL streaming standbys): one or more URLs, separated by commas
    # or spaces. Authenticated GET requests read from one that has caught up; everything
    # else stays on the primary (docs/scaling.md, "Read replicas").
    read_database_url: str = ""
    # A replica that has not caught up with the primary within this many seconds is
    # skipped; how often each worker checks (seconds).
    read_max_lag: float = 2.0
    read_check_interval: float = 0.5
    # Each worker keeps one connection to the primary that LISTENs for revocations and
    # writes (store/notify.py). Through a transaction-pooling PgBouncer LISTEN does not
    # work: then name the primary itself (or a session-mode pool) here. Empty: the
    # database URL. How long a lost one waits before it reconnects (seconds).
    listen_database_url: str = ""
    listen_retry: float = 1.0
    max_body_bytes: int = 64 * 1024
    # A client has this long (seconds) to send a request's headers, from its first byte
    # (or from the connection's opening), and then this long to send the body: past it the
    # connection is closed (api/server.py). Slow clients cannot hold connections open.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    access_log: bool = True
    log_level: str = "INFO"
    # A Confirmed booking is paid to the booked user this long after its session ended.
    settlement_hold_hours: float = 24.0
    # How often `phonechat worker` (and the sandbox's in-process worker) looks for due
    # settlements, in seconds.
    worker_interval: float = 5.0
    # Sandbox only: the clock can be moved over HTTP (never in `phonechat serve`).
    sandbox: bool = False
    # Webhook URLs may be http and resolve to private or loopback addresses (the sandbox
    # always allows them; `serve` only with PHONECHAT_WEBHOOK_ALLOW_PRIVATE=1).
    webhook_allow_private: bool = False

    @property
    def webhooks_private_ok(self) -> bool:
        return self.sandbox or self.webhook_allow_private
    # The OAuth 2.0 authorization server (see docs/oauth.md). Lifetimes in seconds.
    access_token_lifetime: int = 3600
    refresh_token_lifetime: int = 14 * 24 * 3600
    authorization_code_lifetime: int = 300
    login_session_lifetime: int = 8 * 3600
    # Signs the login session cookie and CSRF tokens (any long random string). Unset, a
    # random key is made once and kept in the database, shared by every worker.
    secret_key: str = field(default="", repr=False)
    # Failed logins allowed per nickname and per client IP within the window, after which
    # the login page refuses further attempts until older failures leave the window.
    login_max_failures_per_user: int = 5
    login_max_failures_per_ip: int = 20
    login_failure_window: int = 900
    # Rate limits, "COUNT/PERIOD" (PERIOD: second, minute, hour, day, or a number of
    # seconds); empty or "off" = no limit. Per user (every token of one user) and per
    # application (every token issued to one OAuth client).
    rate_limit_per_user: str = ""
    rate_limit_per_app: str = ""
    # Shared rate-limit counters for several workers/machines; empty = per process.
    redis_url: str = ""
    redis_prefix: str = "phonechat:"
    # How long a request waits for Redis before it is let through (fail open).
    redis_timeout: float = 0.25
    # Idempotency-Key answers are kept this long (hours).
    idempotency_hours: int = 24
    # Origins whose browser apps may call the API (CORS): a list separated by commas or
    # spaces (https://app.example.com), or `*` for any. Unset: `*` in the sandbox, none in
    # `phonechat serve`. Answers never allow credentials (cookies): the API takes bearer tokens.
    cors_origins: str | None = None
    # The reference pages at GET /docs (with "try it" forms in the sandbox).
    docs: bool = True
    # Prometheus metrics at GET /metrics (restrict it at the load balancer).
    metrics: bool = True
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cors(self) -> str:
        return self.cors_origins if self.cors_origins is not None else (
            "*" if self.sandbox else "")

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = os.environ.get(f"PHONECHAT_{f.name.upper()}")
            if raw is None:
                continue
            kind = f.type if isinstance(f.type, str) else f.type.__name__
            kind = kind.removesuffix(" | None")  # unset means None; set, the type's value
            if kind == "int":
                values[f.name] = int(raw)
            elif kind == "float":
                values[f.name] = float(raw)
            elif kind == "bool":
                values[f.name] = _bool(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
