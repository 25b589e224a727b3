"""One example request per operation, on the sandbox's seed: who sends it and with what.

The reference pages (/docs) send these to a fresh sandbox to get their samples and prefill
their "try it" forms with them; the Postman collection sends them too. Keyed by the
operationId of /openapi.json; the users and bookings are the manifest's (sandbox.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import sandbox

_MANIFEST = sandbox.manifest()
_B = _MANIFEST["bookings"]
_MEMBER = _MANIFEST["users"]["member"]["UserID"]
_CANDIDATE = _MANIFEST["made_side"]["book_user_id"]
START = "2018-01-21T14:00:00"  # the clock of the published samples


@dataclass(frozen=True)
class Example:
    role: str | None  # the manifest's user whose token sends it; None: no token
    args: dict[str, Any] = field(default_factory=dict)  # query (GET) or body (POST)
    status: int = 200  # what it answers on a fresh sandbox at START
    form: bool = False  # an application/x-www-form-urlencoded body (OAuth)
    app: bool = False  # sent as the demo app (X-ApiKey, X-ApiSecret: the webhook routes)


def token(role: str | None) -> str | None:
    return _MANIFEST["users"][role]["AccessToken"] if role else None


def app_headers(ex: Example) -> dict[str, str]:
    """The demo app's credentials, for an example sent as the app."""
    return ({"X-ApiKey": _MANIFEST["app"]["client_id"],
             "X-ApiSecret": _MANIFEST["app"]["client_secret"]} if ex.app else {})


_SETTINGS = {k: v for k, v in _MANIFEST["settings"]["candidate"].items()}
_APP = _MANIFEST["app"]

EXAMPLES: dict[str, Example] = {
    "MadeBookingDetails": Example("client", {"BookingID": _B["sample_details"]}),
    "GroupMadeBookingDetails": Example("manager", {"BookingID": _B["member_pending"],
                                                  "UserID": _MEMBER}),
    "CancelMadeBooking": Example("client", {"BookingID": _B["sample_cancel"],
                                            "Reason": "I've had something come up"}),
    "CreateBooking": Example("client", {
        "BookUserID": _CANDIDATE, "SessionDate": "2018-01-25 21:30", "Duration": 15,
        "Method": 2, "Credits": 10, "AcceptBy": "2018-01-24 12:00",
        "Comments": "Looking forward to it"}),
    "MadeBookings": Example("client", {"BookingsPerPage": 2, "PageNumber": 1}),
    "GroupMadeBookings": Example("manager", {"UserID": _MEMBER}),
    "ConfirmMadeBooking": Example("client", {"BookingID": _B["accepted"]}),
    "RescheduleMadeBooking": Example("client", {"BookingID": _B["reinvited"]}),
    "DeleteMadeBookings": Example("client", {"BookingIDs": [_B["rejected"], _B["cancelled"]]}),
    "ReceivedBookings": Example("candidate", {"BookingsPerPage": 2, "PageNumber": 1}),
    "GroupReceivedBookings": Example("manager", {"UserID": _MEMBER}),
    "ReceivedBookingDetails": Example("candidate", {"BookingID": _B["sample_details"]}),
    "GroupReceivedBookingDetails": Example("manager", {"BookingID": _B["member_pending"],
                                                      "UserID": _MEMBER}, status=404),
    "AcceptReceivedBooking": Example("candidate", {"BookingID": _B["pending"], "Credits": 10}),
    "RejectReceivedBooking": Example("candidate", {"BookingID": _B["pending"],
                                                   "Reason": "I am away that day"}),
    "CancelReceivedBooking": Example("candidate", {"BookingID": _B["accepted"],
                                                   "Reason": "Something came up"}),
    # No seeded booking can be re-invited at START (none is Pending past its session):
    # the sample is the rule's 400; move the clock past booking 2's session to see a 200.
    "ReInvite": Example("candidate", {"BookingID": _B["sample_cancel"],
                                      "Reason": "Can we find another time?"}, status=400),
    "DeleteReceivedBooking": Example("candidate", {"BookingIDs": [_B["rejected"]]}),
    "GetUserBookingRequirements": Example("client", {"BookUserID": _CANDIDATE}),
    "GetSettings": Example("candidate"),
    "GroupGetSettings": Example("manager", {"UserID": _MEMBER}),
    "SaveSettings": Example("candidate", {**_SETTINGS, "PhoneChatPPM": 0.75}),
    "GroupSaveSettings": Example("manager", {**_MANIFEST["settings"]["member"],
                                             "UserID": _MEMBER}),
    "VerifyCredentials": Example("client"),
    "GetPermissions": Example("client"),
    "GetCreditsHistory": Example("client", {"PageSize": 3}),
    "GetCurrentCreditBalance": Example("client"),
    "BookingHistory": Example("client", {"BookingID": _B["sample_details"]}),
    "GroupBookingHistory": Example("manager", {"BookingID": _B["member_pending"],
                                               "UserID": _MEMBER}),
    "Events": Example("client", {"After": 0, "Limit": 10}),
    # A fresh sandbox has no webhooks: the demo app lists none, and one to change is 404
    # until Create has made it (its WebhookID is then 1).
    "Create": Example(None, {"Url": "http://127.0.0.1:8765/webhooks", "Events": ["*"]},
                      app=True),
    "List": Example(None, app=True),
    "Delete": Example(None, {"WebhookID": 1}, status=404, app=True),
    "RotateSecret": Example(None, {"WebhookID": 1}, status=404, app=True),
    "Deliveries": Example(None, {"WebhookID": 1}, status=404, app=True),
    "Redeliver": Example(None, {"WebhookID": 1, "EventID": 1}, status=404, app=True),
    "getClock": Example(None),
    "postClock": Example(None, {"Now": "2018-01-22T18:24:11"}),
    "Reset": Example(None, {"Clock": START}),
    "health": Example(None),
    "ready": Example(None),
    "openapi_json": Example(None),
    "oauth-authorization-server": Example(None),
    "getAuthorize": Example(None, {"response_type": "code", "client_id": _APP["client_id"],
                                   "redirect_uri": _APP["redirect_uri"],
                                   "scope": "account_phonechat_bookings", "state": "xyz"}),
    "getApps": Example(None),
    "postApps": Example(None, {"name": "My app"}, status=403, form=True),
    "postAuthorize": Example(None, {"action": "allow"}, status=400, form=True),
    "token": Example(None, {"grant_type": "refresh_token", "refresh_token": "not-a-token",
                            "client_id": _APP["client_id"],
                            "client_secret": _APP["client_secret"]}, status=400, form=True),
    "revoke": Example(None, {"token": "not-a-token", "client_id": _APP["client_id"],
                             "client_secret": _APP["client_secret"]}, form=True),
    "introspect": Example(None, {"token": token("client"), "client_id": _APP["client_id"],
                                 "client_secret": _APP["client_secret"]}, form=True),
}
