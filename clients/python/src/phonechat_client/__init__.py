"""phonechat-client: the PhoneChat bookings API v1 from Python (sync and asyncio).

    from phonechat_client import PhoneChat
    with PhoneChat("http://127.0.0.1:8000", token="sandbox-client") as api:
        booking = api.made_booking_details(booking_id=1)
        print(booking.status, booking.credits, booking.session_date)
"""

from ._generated import *  # noqa: F403 - the models
from ._generated import OPERATIONS
from .client import AsyncPhoneChat, PhoneChat
from .errors import (
    Conflict, Forbidden, InvalidRequest, NotFound, OAuthError, PhoneChatError, RateLimited,
    ServerError, ServiceUnavailable, TransportError, Unauthorized,
)
from .oauth import OAuth, AuthorizationRequest, Tokens, pkce_pair
from .webhooks import WebhookVerificationError, verify_webhook

__version__ = "0.1.0"

__all__ = [
    "OPERATIONS", "AsyncPhoneChat", "AuthorizationRequest", "Conflict", "Forbidden",
    "InvalidRequest", "NotFound", "OAuth", "OAuthError", "PhoneChat", "PhoneChatError",
    "RateLimited", "ServerError", "ServiceUnavailable", "Tokens", "TransportError",
    "Unauthorized", "WebhookVerificationError", "pkce_pair", "verify_webhook",
]
