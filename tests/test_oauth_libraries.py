"""The authorization server as app developers meet it: Authlib and requests-oauthlib, the
libraries most Python apps use, against a real `phonechat sandbox` over real HTTP.

The user's part (log in, allow or decline) is played by an HTTP client posting the pages'
forms; the redirect back to the app is read from the Location header, as the app's
callback would receive it.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from authlib.integrations.base_client.errors import OAuthError
from oauthlib.oauth2.rfc6749.errors import AccessDeniedError
from requests_oauthlib import OAuth2Session as RequestsOAuthlibSession

from .oauth_flow import APP, PASSWORD
from .servers import free_port, phonechat_command, start, stop, wait_for_port

pytestmark = [pytest.mark.slow,
              # Authlib's own notice about its httpx module, not about this server.
              pytest.mark.filterwarnings("ignore:The httpx module is deprecated")]

SCOPE = "account_phonechat_bookings account_information nickname"  # nickname: VerifyCredentials says it
NATIVE_REDIRECT = "http://127.0.0.1/callback"  # registered without a port: any port will do
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Sandbox:
    def __init__(self, base: str, db: Path) -> None:
        self.base = base
        self.db = db
        self.metadata = requests.get(f"{base}/.well-known/oauth-authorization-server",
                                     timeout=10).json()
        self.native_client_id = self._register_public_app()

    def _register_public_app(self) -> str:
        out = subprocess.run(
            phonechat_command() + ["apps", "create", "--public", "--name", "Native Test App",
                                   "--redirect-uri", NATIVE_REDIRECT],
            capture_output=True, text=True, timeout=60, check=True,
            env={**os.environ, "PHONECHAT_DATABASE_URL": f"sqlite:///{self.db}"}).stdout
        assert "client_secret" not in out
        return re.search(r"client_id:\s+(\S+)", out).group(1)  # type: ignore[union-attr]

    def move_clock(self, now: str) -> None:
        r = requests.post(f"{self.base}/v1/Sandbox/Clock", json={"Now": now}, timeout=10)
        assert r.status_code == 200, r.text

    def user_agent(self, authorization_url: str, action: str = "allow",
                   nickname: str = "BookingUser") -> str:
        """The browser: log in, allow or decline; where the server sends it back to."""
        with httpx.Client(timeout=30) as browser:
            page = browser.get(authorization_url)
            assert page.status_code == 200, page.text[:500]
            if 'id="allow"' not in page.text:
                r = browser.post(authorization_url, data={
                    "csrf_token": _CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                    "action": "login", "nickname": nickname, "password": PASSWORD})
                assert r.status_code == 303, r.text[:500]
                page = browser.get(authorization_url)
            r = browser.post(authorization_url, data={
                "csrf_token": _CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                "action": action})
            assert r.status_code == 302, r.text[:500]
            return r.headers["location"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    tmp = tmp_path_factory.mktemp("libraries")
    port, db, log = free_port(), tmp / "sandbox.db", tmp / "sandbox.log"
    proc = start(["sandbox", "--port", str(port), "--db", str(db),
                  "--clock", "2018-01-21T14:00:00"], log,
                 {"PHONECHAT_DATABASE_URL": f"sqlite:///{db}"})
    try:
        wait_for_port(proc, port, log)
        yield Sandbox(f"http://127.0.0.1:{port}", db)
    finally:
        stop(proc)


def authlib_confidential(sandbox: Sandbox) -> AuthlibSession:
    """An Authlib client configured from the server's metadata (RFC 8414)."""
    m = sandbox.metadata
    assert "client_secret_basic" in m["token_endpoint_auth_methods_supported"]
    return AuthlibSession(APP["client_id"], APP["client_secret"], scope=SCOPE,
                          redirect_uri=APP["redirect_uri"],
                          code_challenge_method=m["code_challenge_methods_supported"][0],
                          token_endpoint=m["token_endpoint"])


def authlib_login(sandbox: Sandbox, session: AuthlibSession) -> dict:
    verifier = generate_token(48)
    url, _ = session.create_authorization_url(sandbox.metadata["authorization_endpoint"],
                                              code_verifier=verifier)
    return session.fetch_token(authorization_response=sandbox.user_agent(url),
                               code_verifier=verifier)


def test_metadata_lists_what_the_server_offers(sandbox):
    m = sandbox.metadata
    assert m["issuer"] == sandbox.base
    assert m["authorization_endpoint"] == f"{sandbox.base}/OAuth/Authorize"
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert "none" in m["token_endpoint_auth_methods_supported"]


def test_authlib_code_flow_with_pkce_for_a_confidential_app(sandbox):
    session = authlib_confidential(sandbox)
    token = authlib_login(sandbox, session)
    assert token["token_type"] == "bearer" and token["refresh_token"]
    me = session.get(f"{sandbox.base}/v1/Account/VerifyCredentials", timeout=10)
    assert me.status_code == 200 and me.json()["Nickname"] == "BookingUser"


def test_authlib_code_flow_with_pkce_for_a_public_app_on_a_loopback_port(sandbox):
    m = sandbox.metadata
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    session = AuthlibSession(sandbox.native_client_id, scope=SCOPE, redirect_uri=redirect,
                             token_endpoint_auth_method="none", code_challenge_method="S256",
                             token_endpoint=m["token_endpoint"])
    token = authlib_login(sandbox, session)
    me = session.get(f"{sandbox.base}/v1/Account/VerifyCredentials", timeout=10)
    assert me.status_code == 200
    rotated = session.refresh_token(m["token_endpoint"], refresh_token=token["refresh_token"])
    assert rotated["refresh_token"] != token["refresh_token"]
    with pytest.raises(OAuthError) as reused:  # the spent link: the whole chain goes
        session.refresh_token(m["token_endpoint"], refresh_token=token["refresh_token"])
    assert reused.value.error == "invalid_grant"
    r = requests.get(f"{sandbox.base}/v1/Account/VerifyCredentials", timeout=10,
                     headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert r.status_code == 401


def test_authlib_refresh_rotates_and_a_moved_clock_is_met_by_refreshing_on_401(sandbox):
    session = authlib_confidential(sandbox)
    token = authlib_login(sandbox, session)
    # The sandbox clock jumps two hours: the token is expired there, though Authlib (on
    # the real clock) still thinks it valid. The 401 says why; the app refreshes.
    sandbox.move_clock("2018-01-21T16:00:00")
    r = session.get(f"{sandbox.base}/v1/Account/VerifyCredentials", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == \
        'Bearer error="invalid_token", error_description="The access token expired."'
    assert r.json() == {"Message": "Authorization has been denied for this request."}
    new = session.refresh_token(sandbox.metadata["token_endpoint"],
                                refresh_token=token["refresh_token"])
    assert new["refresh_token"] != token["refresh_token"]
    assert session.get(f"{sandbox.base}/v1/Account/VerifyCredentials",
                       timeout=10).status_code == 200


def test_authlib_revocation_and_introspection(sandbox):
    session = authlib_confidential(sandbox)
    token = authlib_login(sandbox, session)
    m = sandbox.metadata
    seen = session.introspect_token(m["introspection_endpoint"], token=token["access_token"])
    assert seen.status_code == 200
    claims = seen.json()
    assert claims["active"] is True and claims["client_id"] == APP["client_id"]
    assert claims["username"] == "BookingUser" and claims["token_type"] == "bearer"
    assert set(claims["scope"].split()) == set(SCOPE.split()) and claims["exp"] > 0
    revoked = session.revoke_token(m["revocation_endpoint"], token=token["access_token"],
                                   token_type_hint="access_token")
    assert revoked.status_code == 200 and revoked.json() == {}
    assert session.introspect_token(m["introspection_endpoint"],
                                    token=token["access_token"]).json() == {"active": False}
    r = session.get(f"{sandbox.base}/v1/Account/VerifyCredentials", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == \
        'Bearer error="invalid_token", error_description="The access token was revoked."'


def test_authlib_sees_insufficient_scope_on_403(sandbox):
    session = authlib_confidential(sandbox)
    session.scope = "account_information"
    authlib_login(sandbox, session)
    r = session.get(f"{sandbox.base}/v1/PhoneChat/MadeBookingDetails",
                    params={"BookingID": 1}, timeout=10)
    assert r.status_code == 403
    assert r.headers["WWW-Authenticate"] == \
        'Bearer error="insufficient_scope", scope="account_phonechat_bookings"'
    assert r.json() == {"Message": "This request needs the scope 'account_phonechat_bookings', "
                                   "which the access token was not granted."}


@pytest.fixture
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib refuses plain http unless told otherwise: the sandbox is plain http."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def test_requests_oauthlib_code_flow_with_pkce_and_refresh(sandbox, insecure_transport):
    m = sandbox.metadata
    session = RequestsOAuthlibSession(APP["client_id"], scope=SCOPE.split(),
                                      redirect_uri=APP["redirect_uri"], pkce="S256")
    url, _ = session.authorization_url(m["authorization_endpoint"])
    token = session.fetch_token(m["token_endpoint"], client_secret=APP["client_secret"],
                                authorization_response=sandbox.user_agent(url))
    assert session.get(f"{sandbox.base}/v1/PhoneChat/MadeBookingDetails",
                       params={"BookingID": 1}, timeout=10).json()["BookingID"] == 1
    new = session.refresh_token(m["token_endpoint"], client_id=APP["client_id"],
                                client_secret=APP["client_secret"])
    assert new["refresh_token"] != token["refresh_token"]
    assert session.get(f"{sandbox.base}/v1/Account/VerifyCredentials",
                       timeout=10).status_code == 200


def test_requests_oauthlib_public_app(sandbox, insecure_transport):
    m = sandbox.metadata
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    session = RequestsOAuthlibSession(sandbox.native_client_id, scope=SCOPE.split(),
                                      redirect_uri=redirect, pkce="S256")
    url, _ = session.authorization_url(m["authorization_endpoint"])
    # No secret: requests-oauthlib names the client as the HTTP Basic user, password empty.
    session.fetch_token(m["token_endpoint"], authorization_response=sandbox.user_agent(url))
    assert session.get(f"{sandbox.base}/v1/Account/VerifyCredentials",
                       timeout=10).status_code == 200


def test_requests_oauthlib_raises_access_denied_when_the_user_declines(
        sandbox, insecure_transport):
    m = sandbox.metadata
    session = RequestsOAuthlibSession(APP["client_id"], scope=SCOPE.split(),
                                      redirect_uri=APP["redirect_uri"])
    url, state = session.authorization_url(m["authorization_endpoint"])
    location = sandbox.user_agent(url, action="decline")
    assert location.startswith(f"{APP['redirect_uri']}?code=&state={state}&status=cancelled")
    with pytest.raises(AccessDeniedError):
        session.fetch_token(m["token_endpoint"], client_secret=APP["client_secret"],
                            authorization_response=location)


class AuthlibWebApp:
    """An app as Authlib's docs write one: Starlette, `oauth.register` with the server's
    metadata URL, /login redirecting to the server and /callback exchanging the code.
    The demo app's redirect URI is a loopback one, so this app may listen on any port."""

    def __init__(self, sandbox: Sandbox) -> None:
        import uvicorn
        from authlib.integrations.starlette_client import OAuth
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.sessions import SessionMiddleware
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        oauth = OAuth()
        oauth.register(
            "phonechat", client_id=APP["client_id"], client_secret=APP["client_secret"],
            server_metadata_url=f"{sandbox.base}/.well-known/oauth-authorization-server",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"})

        async def login(request):  # type: ignore[no-untyped-def]
            return await oauth.phonechat.authorize_redirect(request,
                                                            str(request.url_for("callback")))

        async def callback(request):  # type: ignore[no-untyped-def]
            try:
                token = await oauth.phonechat.authorize_access_token(request)
            except OAuthError as e:
                return JSONResponse({"error": e.error}, status_code=400)
            me = await oauth.phonechat.get(f"{sandbox.base}/v1/Account/VerifyCredentials",
                                           token=token)
            return JSONResponse({"me": me.json()})

        app = Starlette(routes=[Route("/login", login), Route("/callback", callback,
                                                              name="callback")],
                        middleware=[Middleware(SessionMiddleware, secret_key="test-only")])
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        give_up = time.monotonic() + 30  # waiting for it to start, not a deadline under test
        while not self.server.started:
            assert time.monotonic() < give_up and self.thread.is_alive(), "app did not start"
            time.sleep(0.05)

    def sign_in(self, sandbox: Sandbox, action: str) -> httpx.Response:
        with httpx.Client(timeout=30) as browser:
            r = browser.get(f"{self.base}/login")
            assert r.status_code == 302, r.text
            return browser.get(sandbox.user_agent(r.headers["location"], action=action))

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="module")
def web_app(sandbox: Sandbox) -> Iterator[AuthlibWebApp]:
    app = AuthlibWebApp(sandbox)
    try:
        yield app
    finally:
        app.close()


def test_authlib_web_app_built_from_the_metadata_signs_in(sandbox, web_app):
    r = web_app.sign_in(sandbox, "allow")
    assert r.status_code == 200, r.text
    assert r.json()["me"]["Nickname"] == "BookingUser"


def test_authlib_web_app_raises_access_denied_when_the_user_declines(sandbox, web_app):
    r = web_app.sign_in(sandbox, "decline")
    assert r.status_code == 400 and r.json() == {"error": "access_denied"}
