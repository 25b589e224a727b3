"""The OAuth 2.0 authorization server's routes: the login and consent pages
(/OAuth/Authorize), the token, revocation and introspection endpoints, the server's
metadata (RFC 8414), and the user's authorized-apps page.

None of these take an access token (auth=False) and all answer RawReply: HTML pages,
redirects, and RFC 6749's JSON. Only these routes read form bodies
(application/x-www-form-urlencoded); the API endpoints never do. Every parameter is decoded
strictly here, at the edge (`_pairs`): oauthlib and the database only see well-formed UTF-8
without NUL.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

from ..domain.access import SCOPES
from ..oauth import service
from ..oauth.pages import SECURITY_HEADERS, render
from ..oauth.service import AuthorizationRequest, FatalClientError, LoginRefused, Redirect
from ..oauth.sessions import Session, Signer, cookie_value
from ..oauth.validator import basic_credentials
from .http import RawDoc, RawReply, Request, Routes
from .inputs import Field, read_by_handler

routes = Routes()

FORM = "application/x-www-form-urlencoded"
BAD_FORM = "This form has expired or did not come from this site. Go back, reload the page " \
           "and try again."

# One Signer per database (its key may live in that database), made at first use.
_signers: weakref.WeakKeyDictionary[Any, Signer] = weakref.WeakKeyDictionary()


async def _signer(req: Request) -> Signer:
    signer = _signers.get(req.db)
    if signer is None:
        s = req.app.settings
        key = await service.signing_key(req.db, s, req.now)
        signer = _signers[req.db] = Signer(key, s.login_session_lifetime)
    return signer


# --- small translations between HTTP and the service ------------------------------------


class Malformed(ValueError):
    """Parameters that cannot be decoded, or carry a NUL (which PostgreSQL text cannot hold)."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.name = name  # the parameter with a NUL, when that is the trouble


_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _decoded(encoded: bytes, where: str) -> list[tuple[str, str]]:
    """Strictly decoded form-urlencoded pairs: valid %-escapes and UTF-8."""
    if _BAD_ESCAPE.search(encoded):
        raise Malformed(f"The {where} has a '%' that is not followed by two hex digits.")
    try:
        return parse_qsl(encoded.decode(), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Malformed(f"The {where} is not UTF-8.") from None


def _with_nul(pairs: list[tuple[str, str]]) -> Malformed | None:
    """The trouble with the first parameter that holds a NUL, if any does."""
    for name, value in pairs:
        if "\0" in name or "\0" in value:
            shown = name.replace("\0", "\\0")[:40]
            return Malformed(f"The parameter '{shown}' contains a NUL character.", shown)
    return None


def _pairs(encoded: bytes, where: str) -> list[tuple[str, str]]:
    """Strictly decoded pairs, none with a NUL: or Malformed."""
    pairs = _decoded(encoded, where)
    trouble = _with_nul(pairs)
    if trouble is not None:
        raise trouble
    return pairs


def form_fields(req: Request) -> list[tuple[str, str]] | None:
    """The pairs of a form-encoded body; None when the body is not a form. Malformed when
    it is a form that cannot be decoded."""
    ctype = (req.header(b"content-type") or "").split(";")[0].strip().lower()
    if ctype != FORM:
        return None
    return _pairs(req.body, "form")


def _query_pairs(req: Request) -> list[tuple[str, str]]:
    return _pairs(req.scope.get("query_string", b""), "query string")


def _base(req: Request) -> str:
    """scheme://host of this request: the issuer, and the base of oauthlib's URIs."""
    return f"{req.scope.get('scheme', 'http')}://{req.header(b'host') or 'localhost'}"


def _uri(req: Request, pairs: list[tuple[str, str]] | None = None) -> str:
    """This request's URI for oauthlib, its query re-encoded from the decoded pairs. oauthlib
    reads only the path and query: the host is a fixed name, so no Host header reaches it."""
    return f"{req.scope.get('scheme', 'http')}://oauth.invalid{req.path}" + (
        f"?{urlencode(pairs)}" if pairs else "")


def _oauth_headers(req: Request) -> dict[str, str]:
    return {k.decode("latin-1").title(): v.decode("latin-1") for k, v in req.headers.items()
            if k in (b"authorization", b"content-type", b"origin")}


def _ip(req: Request) -> str:
    client = req.scope.get("client")
    return client[0] if client else "unknown"


def _page(status: int, template: str, cookie: tuple[bytes, bytes] | None = None,
          **values: Any) -> RawReply:
    headers = list(SECURITY_HEADERS)
    if cookie:
        headers.append(cookie)
    return RawReply(status, render(template, **values), headers=headers)


def _redirect(location: str, cookie: tuple[bytes, bytes] | None = None,
              status: int = 302) -> RawReply:
    headers = [(b"location", location.encode()), (b"cache-control", b"no-store")]
    if cookie:
        headers.append(cookie)
    return RawReply(status, b"", headers=headers)


def _error_page(message: str, detail: str | None = None, status: int = 400) -> RawReply:
    return _page(status, "error.html", title="Cannot continue", message=message, detail=detail)


async def _visit(req: Request) -> "_Visit":
    return _Visit(req, await _signer(req))


async def _posted_form(
        req: Request) -> "tuple[list[tuple[str, str]], dict[str, str], _Visit] | RawReply":
    """A posted page form (its pairs, and as a dict) and the visit it belongs to, or the
    error page when the body is not a form or its CSRF token is not this visit's."""
    try:
        pairs = form_fields(req)
    except Malformed as e:
        return _error_page("The form could not be read.", e.message)
    if pairs is None:
        return _error_page("The form was not sent as a form.", status=415)
    fields = dict(pairs)
    visit = await _visit(req)
    if not visit.csrf_ok(fields.get("csrf_token")):
        return _error_page(BAD_FORM, status=403)
    return pairs, fields, visit


class _Visit:
    """The visitor's session: the one in their cookie, or a fresh anonymous one (whose
    cookie the reply then sets)."""

    def __init__(self, req: Request, signer: Signer) -> None:
        self.signer = signer
        self.secure = req.scope.get("scheme") == "https"
        loaded = self.signer.load(cookie_value(req.header(b"cookie")), req.now)
        self.fresh = loaded is None
        self.session: Session = loaded or self.signer.new(0, req.now)

    @property
    def user_id(self) -> int:
        return self.session.user_id

    @property
    def csrf(self) -> str:
        return self.signer.csrf_token(self.session)

    def csrf_ok(self, token: str | None) -> bool:
        return not self.fresh and self.signer.csrf_ok(self.session, token)

    def cookie(self) -> tuple[bytes, bytes] | None:
        return self.signer.set_cookie(self.session, secure=self.secure) if self.fresh else None

    def log_in(self, user_id: int, req: Request) -> tuple[bytes, bytes]:
        self.session = self.signer.new(user_id, req.now)  # a new nonce: no session fixation
        return self.signer.set_cookie(self.session, secure=self.secure)

    def log_out(self, req: Request) -> tuple[bytes, bytes]:
        return self.log_in(0, req)


def _login_page(visit: _Visit, action: str, *, app_name: str | None = None,
                message: str | None = None, nickname: str | None = None,
                status: int = 200) -> RawReply:
    return _page(status, "login.html", visit.cookie(), title="Log in", action=action,
                 csrf_token=visit.csrf, app_name=app_name, message=message, nickname=nickname)


async def _try_login(req: Request, visit: _Visit, fields: dict[str, str], action: str,
                     app_name: str | None,
                     on_success: Callable[[tuple[bytes, bytes]], RawReply]) -> RawReply:
    nickname = fields.get("nickname", "").strip()
    try:
        user_id = await service.login(req.db, req.app.settings, req.now, nickname,
                                      fields.get("password", ""), _ip(req))
    except LoginRefused as refused:
        return _login_page(visit, action, app_name=app_name, message=refused.message,
                           nickname=nickname, status=refused.status)
    return on_success(visit.log_in(user_id, req))


# --- what these routes read and answer (the OpenAPI document; oauthlib reads the fields) --

HTML = "text/html"
OAUTH_JSON = "application/json"
_STRING = read_by_handler()
# Only client_id is marked required: without it the answer is always the 400 page; any
# other missing or wrong parameter is, per RFC 6749 4.1.2.1, a redirect to the client.
AUTHORIZATION_REQUEST = (
    Field("client_id", _STRING), Field("response_type", _STRING, required=False),
    Field("redirect_uri", _STRING, required=False), Field("scope", _STRING, required=False),
    Field("state", _STRING, required=False), Field("code_challenge", _STRING, required=False),
    Field("code_challenge_method", _STRING, required=False))
PAGE_FORM = (Field("csrf_token", _STRING, required=False),
             Field("action", _STRING, required=False),
             Field("nickname", _STRING, required=False),
             Field("password", _STRING, required=False))
_OAUTH_ERROR = {"type": "object", "required": ["error"],
                "properties": {"error": {"type": "string"},
                               "error_description": {"type": "string"}}}
_TOKEN = {"type": "object", "required": ["access_token", "token_type"],
          "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"},
                         "expires_in": {"type": "integer"},
                         "refresh_token": {"type": "string"}, "scope": {"type": "string"}}}
_PAGES = {200: (HTML, None, "The page (log in, consent, or the result)."),
          400: (HTML, None, "The error page: the request cannot go on."),
          403: (HTML, None, "The form's CSRF token is not this visit's."),
          415: (HTML, None, "The body is not an HTML form."),
          401: (HTML, None, "The login page again: wrong nickname or password."),
          429: (HTML, None, "The login page again: too many failed logins.")}
_REDIRECTS = {302: (HTML, None, "To the client's redirect_uri (code or error), or a page."),
              303: (HTML, None, "After logging in: GET the same page.")}
_LOCATION = {302: ("Location",), 303: ("Location",)}


# --- /OAuth/Authorize -------------------------------------------------------------------


INVALID_LINK = "This application's sign-in link is not valid."


async def _check(req: Request) -> AuthorizationRequest | RawReply:
    """The authorization request, checked by oauthlib; or the answer when it is not valid.
    A parameter with a NUL is dropped and, once the client and redirect URI are known
    good, reported to the app as invalid_request; a query that cannot be decoded, or a
    client_id or redirect_uri with a NUL, gets the error page (nothing to trust)."""
    try:
        pairs = _decoded(req.scope.get("query_string", b""), "query string")
    except Malformed as e:
        return _error_page(INVALID_LINK, e.message)
    bad = _with_nul(pairs)
    if bad is not None:
        if bad.name in ("client_id", "redirect_uri"):
            return _error_page(INVALID_LINK, bad.message)
        pairs = [(k, v) for k, v in pairs if "\0" not in k + v]
    try:
        checked = await service.check_authorization(req.db, req.app.settings, req.now,
                                                    _uri(req, pairs), _oauth_headers(req))
    except FatalClientError as e:  # never redirect to an unverified place
        return _error_page(INVALID_LINK,
                           f"{e.description} (client_id and redirect_uri must be exactly "
                           "as the application registered them.)")
    if isinstance(checked, Redirect):
        return _redirect(checked.location)
    if bad is not None:
        return _redirect(service.error_location(checked, "invalid_request", bad.message))
    return checked


async def _consent_page(req: Request, visit: _Visit, checked: AuthorizationRequest,
                        action: str) -> RawReply:
    nickname = await service.user_nickname(req.db, visit.user_id)
    if nickname is None:  # the user is gone: log in again
        return _login_page(visit, action, app_name=checked.client.name)
    return _page(200, "consent.html", visit.cookie(), title="Allow access?",
                 app_name=checked.client.name, nickname=nickname, action=action,
                 csrf_token=visit.csrf, scopes=[(s, SCOPES[s]) for s in checked.scopes])


def _authorize_action(req: Request) -> str:
    qs = req.scope.get("query_string", b"").decode("latin-1")
    return "/OAuth/Authorize" + (f"?{qs}" if qs else "")


@routes.get("/OAuth/Authorize", auth=False, doc=RawDoc(
    "The authorization endpoint (RFC 6749 4.1.1): the login and consent pages.",
    query=AUTHORIZATION_REQUEST, answers={**_PAGES, **_REDIRECTS}, headers=_LOCATION))
async def authorize(req: Request, args: dict[str, Any]) -> RawReply:
    checked = await _check(req)
    if isinstance(checked, RawReply):
        return checked
    visit = await _visit(req)
    action = _authorize_action(req)
    if visit.user_id == 0:
        return _login_page(visit, action, app_name=checked.client.name)
    return await _consent_page(req, visit, checked, action)


@routes.post("/OAuth/Authorize", auth=False, doc=RawDoc(
    "The login and consent forms of the authorization endpoint.",
    query=AUTHORIZATION_REQUEST, form=PAGE_FORM, answers={**_PAGES, **_REDIRECTS},
    headers=_LOCATION))
async def authorize_post(req: Request, args: dict[str, Any]) -> RawReply:
    checked = await _check(req)
    if isinstance(checked, RawReply):
        return checked
    posted = await _posted_form(req)
    if isinstance(posted, RawReply):
        return posted
    pairs, fields, visit = posted
    action = _authorize_action(req)
    todo = fields.get("action")
    if todo == "login":
        # After logging in, GET the same authorization request: the consent page.
        return await _try_login(req, visit, fields, action, checked.client.name,
                                lambda cookie: _redirect(action, cookie, status=303))
    if visit.user_id == 0:
        return _login_page(visit, action, app_name=checked.client.name)
    if todo == "allow":
        try:
            location = await service.allow(req.db, req.app.settings, req.now,
                                           _uri(req, _query_pairs(req)), _oauth_headers(req),
                                           visit.user_id)
        except FatalClientError as e:  # the app was disabled meanwhile
            return _error_page("This application's sign-in link is not valid.", e.description)
        return _redirect(location)
    if todo == "decline":
        return _redirect(service.declined_location(checked))
    return _error_page("Choose Allow or Decline.")


# --- /OAuth/token, /OAuth/revoke, /OAuth/introspect ------------------------------------

NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


def _answer(a: service.Answer) -> RawReply:
    headers = [(k.lower().encode(), v.encode()) for k, v in a.headers.items()
               if k.lower() != "content-type"]
    ctype = a.headers.get("Content-Type", "application/json")
    body = a.body or ("{}" if a.status == 200 else "")  # RFC 7009's empty 200: still JSON
    return RawReply(a.status, body.encode(), content_type=ctype, headers=headers)


def _invalid_request(description: str) -> RawReply:
    body = orjson.dumps({"error": "invalid_request", "error_description": description})
    return RawReply(400, body, "application/json", list(NO_STORE))


OAuthCall = Callable[..., Awaitable[service.Answer]]


async def _protocol(req: Request, call: OAuthCall) -> RawReply:
    """One of oauthlib's POST endpoints, given only parameters decoded at the edge."""
    if req.scope.get("query_string"):
        return _invalid_request("URL query parameters are not allowed.")
    try:
        pairs = form_fields(req)
    except Malformed as e:
        return _invalid_request(e.message)
    if pairs is None:
        return _invalid_request(f"Send the parameters as {FORM}.")
    credentials = basic_credentials(req.header(b"authorization"))
    if credentials is not None and "\0" in "".join(credentials):
        return _invalid_request("The HTTP Basic client credentials contain a NUL character.")
    return _answer(await call(req.db, req.app.settings, req.now, _uri(req),
                              urlencode(pairs), _oauth_headers(req)))


def _forget_cached_grants(req: Request) -> None:
    """Whatever was revoked stops working at once in this worker; on PostgreSQL the
    revocation's notification clears the other workers' caches too (store/notify.py)."""
    grants = getattr(req.app, "grants", None)
    if grants is not None:
        grants.clear()


@routes.post("/OAuth/token", auth=False, doc=RawDoc(
    "The token endpoint (RFC 6749 4.1.3, 6): a code or refresh token for an access token. "
    "The client authenticates with HTTP Basic or client_id/client_secret in the form.",
    form=(Field("grant_type", _STRING), *(Field(n, _STRING, required=False) for n in (
        "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "client_id",
        "client_secret"))),
    answers={200: (OAUTH_JSON, _TOKEN, "The access token."),
             400: (OAUTH_JSON, _OAUTH_ERROR, "RFC 6749 5.2 error."),
             401: (OAUTH_JSON, _OAUTH_ERROR, "invalid_client.")}))
async def token(req: Request, args: dict[str, Any]) -> RawReply:
    # A reused code or refresh token revokes what it issued: forget cached grants too.
    answer = await _protocol(req, service.token)
    _forget_cached_grants(req)
    return answer


@routes.post("/OAuth/revoke", auth=False, doc=RawDoc(
    "The revocation endpoint (RFC 7009): the token and what it was issued with.",
    form=(Field("token", _STRING), Field("token_type_hint", _STRING, required=False),
          Field("client_id", _STRING, required=False),
          Field("client_secret", _STRING, required=False)),
    answers={200: (OAUTH_JSON, {"type": "object", "maxProperties": 0},
                   "Revoked (or unknown: the same answer): `{}`."),
             400: (OAUTH_JSON, _OAUTH_ERROR, "RFC 6749 5.2 error."),
             401: (OAUTH_JSON, _OAUTH_ERROR, "invalid_client.")}))
async def revoke(req: Request, args: dict[str, Any]) -> RawReply:
    answer = await _protocol(req, service.revoke)
    _forget_cached_grants(req)
    return answer


_CLIENT_FORM = (Field("client_id", _STRING, required=False),
                Field("client_secret", _STRING, required=False))


@routes.post("/OAuth/introspect", auth=False, doc=RawDoc(
    "Token introspection (RFC 7662) for apps and resource servers: the client authenticates "
    "(HTTP Basic or the form); an app sees only its own tokens, any other is inactive.",
    form=(Field("token", _STRING), Field("token_type_hint", _STRING, required=False),
          *_CLIENT_FORM),
    answers={200: (OAUTH_JSON, {
                 "type": "object", "required": ["active"],
                 "properties": {"active": {"type": "boolean"}, "scope": {"type": "string"},
                                "client_id": {"type": "string"},
                                "username": {"type": "string"}, "exp": {"type": "integer"},
                                "token_type": {"type": "string"}}},
                   "What the token is, or `{\"active\": false}`."),
             400: (OAUTH_JSON, _OAUTH_ERROR, "RFC 6749 5.2 error."),
             401: (OAUTH_JSON, _OAUTH_ERROR, "invalid_client.")}))
async def introspect(req: Request, args: dict[str, Any]) -> RawReply:
    return await _protocol(req, service.introspect)


@routes.get("/.well-known/oauth-authorization-server", auth=False, doc=RawDoc(
    "Authorization server metadata (RFC 8414): the endpoints, scopes, response and grant "
    "types, PKCE methods and client authentication methods.",
    answers={200: ("application/json", {
        "type": "object",
        "required": ["issuer", "authorization_endpoint", "token_endpoint",
                     "revocation_endpoint", "introspection_endpoint", "scopes_supported",
                     "response_types_supported", "grant_types_supported",
                     "code_challenge_methods_supported",
                     "token_endpoint_auth_methods_supported"],
        "properties": {"issuer": {"type": "string"},
                       "scopes_supported": {"type": "array", "items": {"type": "string"}}}},
        "The metadata.")}))
async def authorization_server_metadata(req: Request, args: dict[str, Any]) -> RawReply:
    """RFC 8414: the issuer is this request's scheme and host (behind a proxy, uvicorn's
    --forwarded-allow-ips makes them the public ones)."""
    return RawReply(200, orjson.dumps(service.metadata(_base(req))), "application/json",
                    [(b"cache-control", b"public, max-age=3600")])


# --- /OAuth/Apps: what the user has allowed, and taking it back -------------------------


async def _apps_page(req: Request, visit: _Visit, cookie: tuple[bytes, bytes] | None = None,
                     message: str | None = None) -> RawReply:
    nickname = await service.user_nickname(req.db, visit.user_id)
    if nickname is None:
        return _login_page(visit, "/OAuth/Apps")
    apps = [{"client_id": a.client_id, "name": a.name,
             "scope_words": [(s, SCOPES[s]) for s in a.scopes]}
            for a in await service.authorized_apps(req.db, visit.user_id)]
    return _page(200, "apps.html", cookie or visit.cookie(), title="Your authorized apps",
                 nickname=nickname, apps=apps, csrf_token=visit.csrf, message=message)


@routes.get("/OAuth/Apps", auth=False, doc=RawDoc(
    "The user's authorized applications (or the login page).", answers=_PAGES))
async def apps(req: Request, args: dict[str, Any]) -> RawReply:
    visit = await _visit(req)
    if visit.user_id == 0:
        return _login_page(visit, "/OAuth/Apps")
    return await _apps_page(req, visit)


@routes.post("/OAuth/Apps", auth=False, doc=RawDoc(
    "Log in or out, change or revoke an application's access.",
    form=(*PAGE_FORM, Field("client_id", _STRING, required=False),
          Field("scope", _STRING, required=False)),
    answers={**_PAGES, 404: (HTML, None, "Not an application the user authorized."),
             303: _REDIRECTS[303]}, headers=_LOCATION))
async def apps_post(req: Request, args: dict[str, Any]) -> RawReply:
    posted = await _posted_form(req)
    if isinstance(posted, RawReply):
        return posted
    pairs, fields, visit = posted
    todo = fields.get("action")
    if todo == "login":
        return await _try_login(req, visit, fields, "/OAuth/Apps", None,
                                lambda cookie: _redirect("/OAuth/Apps", cookie, status=303))
    if visit.user_id == 0:
        return _login_page(visit, "/OAuth/Apps")
    if todo == "logout":
        return _page(200, "error.html", visit.log_out(req), title="Logged out",
                     message="You are logged out.")
    if todo in ("update", "revoke"):
        keep = {v for k, v in pairs if k == "scope"} if todo == "update" else set()
        client_id = fields.get("client_id", "")
        if not await service.change_app_access(req.db, req.now, visit.user_id, client_id, keep):
            return _error_page("You have not authorized that application.", status=404)
        _forget_cached_grants(req)
        return await _apps_page(req, visit, message="Your changes are saved.")
    return _error_page("Unknown action.")
