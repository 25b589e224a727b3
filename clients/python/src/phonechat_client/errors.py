"""Typed errors: each carries the API's `Message` and, for invalid input, `ModelState`."""

from __future__ import annotations

from typing import Any


class PhoneChatError(Exception):
    """An answer the API gave as an error (4xx/5xx), or no answer at all (status 0)."""

    def __init__(self, status: int, message: str, model_state: dict[str, list[str]] | None = None,
                 request_id: str | None = None, body: Any = None,
                 retry_after: float | None = None) -> None:
        detail = "".join(f" {k}: {' '.join(v)}" for k, v in (model_state or {}).items())
        super().__init__((f"{status}: {message}" if status else message) + detail)
        self.status = status
        self.message = message
        self.model_state = model_state or {}
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after


class InvalidRequest(PhoneChatError):
    """400: the input is invalid (model_state names each field) or a booking rule refuses."""


class Unauthorized(PhoneChatError):
    """401: no usable access token."""


class Forbidden(PhoneChatError):
    """403: the token lacks the scope, or the caller does not manage that member."""


class NotFound(PhoneChatError):
    """404: no such booking or user, or not the caller's."""


class Conflict(PhoneChatError):
    """409 or 422: an Idempotency-Key still running, or reused for another request."""


class RateLimited(PhoneChatError):
    """429: over the rate limit (retry_after: seconds)."""


class ServiceUnavailable(PhoneChatError):
    """503: try again shortly (retry_after: seconds)."""


class ServerError(PhoneChatError):
    """Any other 5xx."""


class TransportError(PhoneChatError):
    """No answer: the connection failed or timed out (after the retries)."""


class OAuthError(PhoneChatError):
    """The authorization server refused (RFC 6749 5.2): `error` and `error_description`."""

    def __init__(self, status: int, error: str, description: str | None = None,
                 body: Any = None) -> None:
        super().__init__(status, description or error, body=body)
        self.error = error
        self.error_description = description


_BY_STATUS: dict[int, type[PhoneChatError]] = {
    400: InvalidRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
    422: Conflict, 429: RateLimited, 503: ServiceUnavailable,
}


def error_for(status: int, body: Any, request_id: str | None,
              retry_after: float | None) -> PhoneChatError:
    message = model_state = None
    if isinstance(body, dict):
        lower = {k.lower(): v for k, v in body.items()}
        message, model_state = lower.get("message"), lower.get("modelstate")
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else PhoneChatError)
    return cls(status, message or f"HTTP {status}", model_state, request_id, body, retry_after)
