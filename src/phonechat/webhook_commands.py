"""`phonechat webhooks ...`: what an application does with /v1/Webhooks/..., for operators
(any application, named by its API key; no secret needed). Answers print as the API's JSON."""

from __future__ import annotations

from typing import Any

import click

from .commands import run_with_database, service_now
from .settings import Settings


async def _app(db: Any, api_key: str) -> Any:
    from .oauth.validator import Client
    from .store import oauth

    async with db.connection() as conn:
        row = await oauth.app_by_key(conn, api_key)
    if row is None:
        raise click.ClickException(f"no application has the API key {api_key!r}")
    return Client(row["id"], row["api_key"], row["name"], row["redirect_uri"], bool(row["public"]))


def _call(api_key: str, contract_name: str, use: Any) -> None:
    """Run `use(db, app)` and print its answer as the API's JSON."""
    from .api import contracts
    from .api.representation import to_json
    from .domain.errors import DomainError, Invalid

    async def work(db: Any) -> Any:
        return await use(db, await _app(db, api_key))

    try:
        answer = run_with_database(work)
    except Invalid as exc:
        raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(to_json(getattr(contracts, contract_name), answer).decode())


APP = click.option("--app", "api_key", required=True, help="The application's API key.")


@click.group()
def webhooks() -> None:
    """Webhooks of applications (see the README, "Webhooks")."""


@webhooks.command("create")
@APP
@click.option("--url", required=True)
@click.option("--events", default="*", show_default=True,
              help="Event types, comma-separated, or *.")
def create(api_key: str, url: str, events: str) -> None:
    """Add a webhook; prints it with its secret (shown this once)."""
    from .domain.validation import FieldError
    from .domain.webhooks import event_types
    from .services import webhooks as service

    try:
        chosen = event_types("--events", [e.strip() for e in events.split(",") if e.strip()])
    except FieldError as exc:
        raise click.BadParameter(str(exc), param_hint="--events") from None
    s = Settings.from_env()
    _call(api_key, "WEBHOOK_SECRET", lambda db, app: service.create(
        db, app, url, chosen, service_now(), allow_private=s.webhooks_private_ok))


@webhooks.command("list")
@APP
def list_(api_key: str) -> None:
    """The application's webhooks."""
    from .services import webhooks as service

    _call(api_key, "WEBHOOKS", lambda db, app: service.list_webhooks(db, app, service_now()))


@webhooks.command("delete")
@APP
@click.argument("webhook_id", type=int)
def delete(api_key: str, webhook_id: int) -> None:
    """Delete a webhook and its deliveries."""
    from .services import webhooks as service

    _call(api_key, "WEBHOOK_OUTCOME", lambda db, app: service.delete(db, app, webhook_id))


@webhooks.command("rotate-secret")
@APP
@click.argument("webhook_id", type=int)
@click.option("--expire-old-after-hours", type=click.IntRange(0, 720), default=24,
              show_default=True)
def rotate_secret(api_key: str, webhook_id: int, expire_old_after_hours: int) -> None:
    """A new secret; the old one keeps signing beside it for the hours given."""
    from .services import webhooks as service

    _call(api_key, "WEBHOOK_SECRET", lambda db, app: service.rotate_secret(
        db, app, webhook_id, expire_old_after_hours, service_now()))


@webhooks.command("deliveries")
@APP
@click.argument("webhook_id", type=int)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
def deliveries(api_key: str, webhook_id: int, page: int) -> None:
    """Every delivery attempt, newest first."""
    from .services import webhooks as service

    _call(api_key, "WEBHOOK_DELIVERIES", lambda db, app: service.deliveries(
        db, app, webhook_id, page, 50))


@webhooks.command("redeliver")
@APP
@click.argument("webhook_id", type=int)
@click.argument("event_id", type=int)
def redeliver(api_key: str, webhook_id: int, event_id: int) -> None:
    """Send an event to a webhook again (due now)."""
    from .services import webhooks as service

    _call(api_key, "WEBHOOK_OUTCOME", lambda db, app: service.redeliver(
        db, app, webhook_id, event_id, service_now()))
