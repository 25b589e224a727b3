"""The authorization server's HTML pages (Jinja2, every value escaped by autoescape)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..domain.access import SERVED

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals["served"] = SERVED  # the consent page marks the scopes this service does not use

# Sent with every page: never framed (clickjacking the Allow button), never cached, no
# scripts at all, and no Referer leaking the authorization request to other sites.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
]


def render(template: str, **values: Any) -> bytes:
    values.setdefault("message", None)
    return _env.get_template(template).render(**values).encode()
