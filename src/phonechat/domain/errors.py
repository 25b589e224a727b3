"""Errors the rules and use cases raise; the API maps each type to HTTP in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error that is part of the API's contract."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist or is not the caller's: the same answer for both."""


class RuleBroken(DomainError):
    """A booking rule forbids the action; the message says which rule and the current state."""


class Invalid(DomainError):
    """Input that does not validate: field name -> messages (ASP.NET's ModelState)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The request is invalid.")
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls({name: [message]})


class Unauthorized(DomainError):
    """No usable access token. `reason` says what is wrong with a presented one (RFC 6750's
    error_description); None when none was presented."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__("Authorization has been denied for this request.")
        self.reason = reason


class Forbidden(DomainError):
    """Authenticated, but not allowed (a scope is missing, not this group's manager)."""


class MissingScope(Forbidden):
    """The token lacks the scope a route needs (RFC 6750's insufficient_scope)."""

    def __init__(self, message: str, scope: str) -> None:
        super().__init__(message)
        self.scope = scope
