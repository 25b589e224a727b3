"""`phonechat apps ...` (register and manage OAuth applications) and
`phonechat users set-password` (so a user can log in on the authorization server)."""

from __future__ import annotations


import click

from ..commands import run_with_database, service_now


@click.group()
def apps() -> None:
    """OAuth applications (their client id is their API key)."""


@apps.command("create")
@click.option("--name", required=True, help="Shown to users on the consent page.")
@click.option("--redirect-uri", required=True,
              help="Where users return after consent; requests must use it exactly "
                   "(a loopback IP URI such as http://127.0.0.1/cb: with any port).")
@click.option("--public", is_flag=True,
              help="An app on the user's device that cannot keep a secret (RFC 8252): no "
                   "secret, PKCE S256 required.")
def apps_create(name: str, redirect_uri: str, public: bool) -> None:
    """Register an application; prints its client id and secret (the secret only now)."""
    from urllib.parse import urlsplit

    from . import service

    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise click.BadParameter("an absolute http(s) URI without a fragment",
                                 param_hint="--redirect-uri")
    client_id, secret = run_with_database(lambda db: service.create_app(
        db, service_now(), name, redirect_uri, public=public))
    if secret is None:
        click.echo(f"client_id:     {client_id}\nA public client: no secret; it must use PKCE "
                   "(code_challenge_method=S256).")
        return
    click.echo(f"client_id:     {client_id}\nclient_secret: {secret}\n"
               "Keep the secret now: only its hash is stored (apps rotate-secret makes a new one).")


@apps.command("list")
def apps_list() -> None:
    """The registered applications."""
    from . import service

    for row in run_with_database(service.list_apps):
        state = "disabled" if row["disabled"] else "enabled"
        kind = "public" if row["public"] else "confidential"
        click.echo(f"{row['api_key']}\t{state}\t{kind}\t{row['name']}\t{row['redirect_uri']}")


@apps.command("rotate-secret")
@click.argument("client_id")
def apps_rotate_secret(client_id: str) -> None:
    """Replace an application's secret (the old one stops working); prints the new one."""
    from . import service

    secret = run_with_database(lambda db: service.rotate_secret(db, client_id))
    if secret is None:
        raise click.ClickException(f"no confidential application with client id {client_id}")
    click.echo(f"client_secret: {secret}")


def _set_disabled(client_id: str, disabled: bool) -> None:
    from . import service

    if not run_with_database(lambda db: service.set_disabled(db, client_id, disabled)):
        raise click.ClickException(f"no application with client id {client_id}")
    click.echo(f"application {client_id} {'disabled' if disabled else 'enabled'}")


@apps.command("disable")
@click.argument("client_id")
def apps_disable(client_id: str) -> None:
    """Disable an application: its tokens stop working and it cannot get new ones."""
    _set_disabled(client_id, True)


@apps.command("enable")
@click.argument("client_id")
def apps_enable(client_id: str) -> None:
    """Enable a disabled application again."""
    _set_disabled(client_id, False)


@click.command("set-password")
@click.option("--id", "user_id", type=int, required=True)
@click.password_option(help="Prompted for when not given.")
def set_password(user_id: int, password: str) -> None:
    """Set the password a user logs in with on the authorization server (Argon2id-hashed)."""
    from . import service

    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    if not run_with_database(lambda db: service.set_password(db, user_id, password)):
        raise click.ClickException(f"no user {user_id}")
    click.echo(f"password set for user {user_id}")
