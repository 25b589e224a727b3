"""The `phonechat` command: serve, sandbox, db, and admin tasks."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from datetime import timedelta
from pathlib import Path

import click
import orjson

from .commands import run_with_database, service_now
from .settings import Settings


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


@click.group()
def main() -> None:
    """PhoneChat bookings API, v1. Settings come from PHONECHAT_* environment variables."""


# --- serve ------------------------------------------------------------------------------


@main.command()
@click.option("--host", default=None, help="Interface to bind (PHONECHAT_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (PHONECHAT_PORT, 8000).")
@click.option("--workers", type=int, default=None, help="Worker processes (PHONECHAT_WORKERS, 1).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the API for real (database from PHONECHAT_DATABASE_URL)."""
    import uvicorn

    from .api.server import DeadlineHttpToolsProtocol

    s = Settings.from_env(host=host, port=port, workers=workers)
    os.environ["PHONECHAT_DATABASE_URL"] = s.database_url
    # Every worker writes its metrics to files here; /metrics adds them up (metrics.py).
    # A fresh directory per start: stale files of a previous run would be counted.
    own_metrics_dir = None
    if s.metrics and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile

        own_metrics_dir = tempfile.mkdtemp(prefix="phonechat-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = own_metrics_dir
    # uvicorn re-raises SIGTERM once it has shut down; as an exception (exit status 143)
    # rather than the default action, so that the `finally` below still runs.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        # SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to 30 s), exit.
        uvicorn.run("phonechat.api.asgi:app", host=s.host, port=s.port, workers=s.workers,
                    loop="uvloop", http=DeadlineHttpToolsProtocol, lifespan="on",
                    access_log=False, log_config=None, timeout_graceful_shutdown=30)
    finally:
        if own_metrics_dir is not None:
            import shutil

            shutil.rmtree(own_metrics_dir, ignore_errors=True)


# --- sandbox ----------------------------------------------------------------------------


@main.command()
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--db", "db_path", default="phonechat-sandbox.db", show_default=True,
              help="The SQLite file (made anew each start).")
@click.option("--clock", "clock_at", default=None,
              help="Start the clock frozen at this wall-clock time, e.g. 2018-01-21T14:00:00 "
                   "(default: now, frozen).")
@click.option("--manifest", is_flag=True, help="Print the users, tokens and bookings as JSON.")
def sandbox(port: int, host: str, db_path: str, clock_at: str | None, manifest: bool) -> None:
    """A fresh SQLite database with demo data, served with a movable clock."""
    from . import sandbox as demo

    if manifest:
        if not Path(db_path).exists():
            raise click.ClickException(f"No sandbox database at {db_path}: run "
                                       f"`./dev sandbox --db {db_path}` first.")
        click.echo(orjson.dumps(demo.manifest(), option=orjson.OPT_INDENT_2).decode())
        return

    import uvicorn

    from .api.factory import create_app
    from .api.server import DeadlineHttpToolsProtocol
    from .clock import FrozenClock, SystemClock
    from .logs import configure
    from .store.db import SqliteDatabase
    from .store.migrate import upgrade
    from .domain.validation import FieldError, wall_clock

    settings = Settings.from_env(database_url=f"sqlite:///{db_path}", sandbox=True,
                                 host=host, port=port)
    try:
        start = (wall_clock("--clock", clock_at) if clock_at
                 else SystemClock(settings.timezone).now().replace(microsecond=0))
    except FieldError as exc:
        raise click.BadParameter(str(exc), param_hint="--clock") from None
    # The port first: a second sandbox started beside a running one must fail before it
    # touches the database file the running one serves.
    listener = _listen(host, port)
    for suffix in ("", "-wal", "-shm"):
        Path(db_path + suffix).unlink(missing_ok=True)
    upgrade(settings.database_url)
    db = SqliteDatabase(db_path)
    _run(demo.seed(db, start))
    configure(settings.log_level, settings.access_log)
    manifest_command = "./dev phonechat sandbox --manifest" + (
        "" if db_path == "phonechat-sandbox.db" else f" --db {db_path}")
    click.echo(f"Sandbox on http://{host}:{port} (database {db_path}, clock {start.isoformat()}).\n"
               f"  Try: curl -H 'Authorization: bearer sandbox-client' "
               f"'http://{host}:{port}/v1/PhoneChat/MadeBookingDetails?BookingID=1'\n"
               f"  Tokens and booking IDs: {manifest_command}\n"
               f"  Start again from the seed: curl -X POST http://{host}:{port}/v1/Sandbox/Reset\n"
               f"  OAuth: demo app {demo.DEMO_APP['client_id']}, users log in with their "
               f"Nickname and password '{demo.PASSWORD}' (docs/oauth.md)",
               err=True)
    app = create_app(settings, clock=FrozenClock(start), db=db)
    config = uvicorn.Config(app, host=host, port=port, loop="uvloop",
                            http=DeadlineHttpToolsProtocol, lifespan="on", access_log=False,
                            log_config=None)
    uvicorn.Server(config).run(sockets=[listener])


def _listen(host: str, port: int) -> "socket.socket":
    """A listening socket on host:port, or a clear error naming what holds it."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise click.ClickException(
            f"Cannot listen on {host}:{port} ({exc.strerror}): is another sandbox running "
            "there? Nothing was changed; choose another --port.") from None
    return sock


# --- openapi ----------------------------------------------------------------------------


@main.command()
@click.option("--sandbox", "for_sandbox", is_flag=True,
              help="The sandbox's document (with its /v1/Sandbox routes).")
def openapi(for_sandbox: bool) -> None:
    """Print the OpenAPI 3.1 document that GET /openapi.json serves."""
    from .api import openapi as generator
    from .api.factory import build_routes

    s = Settings.from_env(sandbox=for_sandbox) if for_sandbox else Settings.from_env()
    click.echo(generator.rendered(build_routes(sandbox=for_sandbox, metrics=s.metrics,
                                                      docs=s.docs)).decode())


@main.command()
@click.option("--sandbox/--serve", "for_sandbox", default=True, show_default=True,
              help="The sandbox's operations (each request after a Reset), or serve's.")
@click.option("--environment", is_flag=True, help="Print the environment instead.")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
def postman(for_sandbox: bool, environment: bool, base_url: str) -> None:
    """Print the Postman v2.1 collection (or environment) that GET /postman.json serves."""
    import orjson

    from .api import openapi as generator
    from .api import postman as maker
    from .api.factory import build_routes

    s = Settings.from_env(sandbox=for_sandbox)
    base_url = base_url.rstrip("/")
    if environment:
        body = maker.environment(base_url)
    else:
        routes = build_routes(sandbox=for_sandbox, metrics=s.metrics, docs=s.docs)
        body = maker.collection(generator.document(routes), base_url, for_sandbox)
    click.echo(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode())


# --- db ---------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations to PHONECHAT_DATABASE_URL."""
    from .store.migrate import upgrade

    upgrade(Settings.from_env().database_url, revision)


@db.command("current")
def db_current() -> None:
    """Show the schema revision of PHONECHAT_DATABASE_URL."""
    from .store.migrate import current

    current(Settings.from_env().database_url)


# --- worker and ledger ---------------------------------------------------------------------


@main.command()
@click.option("--once", is_flag=True, help="One pass, then exit (cron, tests).")
@click.option("--interval", type=float, default=None,
              help="Seconds between passes (PHONECHAT_WORKER_INTERVAL, 5).")
def worker(once: bool, interval: float | None) -> None:
    """Apply due transitions (settlement, automatic rejection) and send due webhook
    deliveries in the background; safe to run several at once."""
    from .clock import SystemClock
    from .logs import configure
    from .services import worker as work

    s = Settings.from_env(worker_interval=interval)
    configure(s.log_level, s.access_log)
    clock = SystemClock(s.timezone)

    async def go(db):  # type: ignore[no-untyped-def]
        if once:
            return await work.run_once(db, clock, work.settlement_hold(s), work.sender(s))
        await work.run(db, clock, work.settlement_hold(s), s.worker_interval, work.sender(s))

    done = run_with_database(go)
    if once:
        click.echo(str(done))


@main.group()
def ledger() -> None:
    """The credits ledger."""


@ledger.command("check")
def ledger_check() -> None:
    """Verify the books: every transfer sums to 0, every cached balance equals its entries,
    no user or hold account is negative, every booking holds what its status says.
    Exits 1 and lists the problems otherwise."""
    from .services import ledger_check as audit

    async def go(db):  # type: ignore[no-untyped-def]
        return await audit.check(db), await audit.balances(db)

    problems, totals = run_with_database(go)
    if problems:
        click.echo(f"ledger check FAILED: {len(problems)} problem(s)", err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)
    from .domain.credits import format_credits
    click.echo(f"ledger check OK: users {format_credits(sum(totals['users'].values()))}, "
               f"held {format_credits(totals['held'])}, world {format_credits(totals['world'])}, "
               f"total {format_credits(totals['total'])}")


# --- admin tasks ------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Users."""


@users.command("create")
@click.option("--id", "user_id", type=int, required=True)
@click.option("--nickname", required=True)
def users_create(user_id: int, nickname: str) -> None:
    """Add a user."""
    from .store import accounts

    async def work(db):  # type: ignore[no-untyped-def]
        async with db.transaction() as tx:
            await accounts.insert_user(tx, id=user_id, nickname=nickname, at=service_now())

    run_with_database(work)
    click.echo(f"user {user_id} {nickname} created")


@main.group()
def tokens() -> None:
    """Access tokens."""


@tokens.command("issue")
@click.option("--user", "user_id", type=int, required=True, help="The UserID the token acts as.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="A scope to grant (repeat for several), e.g. account_phonechat_bookings.")
@click.option("--expires-in", type=int, default=3600, show_default=True, help="Seconds.")
def tokens_issue(user_id: int, scopes: tuple[str, ...], expires_in: int) -> None:
    """Issue an access token (printed once; only its hash is stored)."""
    from .domain.access import SCOPES, token_hash
    from .store import accounts

    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise click.BadParameter(f"unknown scope(s) {', '.join(unknown)}; known: "
                                 f"{', '.join(SCOPES)}", param_hint="--scope")
    token = secrets.token_urlsafe(32)
    now = service_now()

    async def work(db):  # type: ignore[no-untyped-def]
        async with db.transaction() as tx:
            await accounts.insert_token(tx, token_hash=token_hash(token), user_id=user_id,
                                        scopes=" ".join(scopes),
                                        expires_at=now + timedelta(seconds=expires_in), at=now)

    try:
        run_with_database(work)
    except Exception as exc:  # a foreign key failure: no such user
        raise click.ClickException(f"could not issue the token: {exc}") from None
    click.echo(token)


@main.group()
def credits() -> None:
    """Credits."""


@credits.command("deposit")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--amount", required=True, help="Credits, up to 4 decimal places.")
def credits_deposit(user_id: int, amount: str) -> None:
    """Add credits bought outside the API to a user's balance (a ledger transfer)."""
    from .domain.credits import NotAnAmount, to_units
    from .store import ledger

    try:
        units = to_units(amount)
    except NotAnAmount:
        raise click.BadParameter("not an amount with at most 4 decimal places",
                                 param_hint="--amount") from None

    async def work(db):  # type: ignore[no-untyped-def]
        async with db.transaction() as tx:
            await ledger.deposit(tx, user_id=user_id, amount=units, reason="deposit",
                                 at=service_now())

    run_with_database(work)
    click.echo(f"deposited {amount} credits to user {user_id}")


# --- the OAuth authorization server's commands (oauth/commands.py) ---------------------

from .oauth.commands import apps as _apps  # noqa: E402
from .oauth.commands import set_password as _set_password  # noqa: E402

main.add_command(_apps)
users.add_command(_set_password)

from .webhook_commands import webhooks as _webhooks  # noqa: E402

main.add_command(_webhooks)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
