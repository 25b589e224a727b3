"""The response types, as the original's DataContracts: names, JSON order, namespaces."""

from __future__ import annotations

from .representation import (
    BARE_CREDITS, BOOL, CREDITS, DATE, DC, INT, INTS, LIST, MAP, OBJECT, STR, STRS, Contract,
    Member,
)

NS_PROFILE = DC + "API.Models.Profile"
NS_BOOKINGS = DC + "API.Models.PhoneChat.Bookings"
NS_MADE = DC + "API.Models.PhoneChat.Bookings.Made"
NS_ACCOUNT = DC + "API.Models.Account"


def _ratings() -> list[Member]:
    # Declared by a base type in API.Models.Profile (hence their own xmlns in XML).
    return [Member(n, INT, declared_in=NS_PROFILE)
            for n in ("Total", "Positive", "Neutral", "Negative", "Ratings", "Disputes")]


BOOKING_USER = Contract("PhoneChatBookingUser", NS_BOOKINGS, [
    Member("UserID", INT),
    Member("Nickname", STR),
    Member("PhoneNumber", STR),
    Member("SkypeName", STR),
    *_ratings(),
])


def _booking_members() -> list[Member]:
    return [
        Member("BookingID", INT),
        Member("Duration", INT),
        Member("Credits", CREDITS),
        Member("Status", STR),
        Member("Method", INT),
        Member("PhoneNumber", STR),
        Member("SkypeName", STR),
        Member("CreateDate", DATE),
        Member("SessionDate", DATE),
        Member("AcceptBy", DATE),
        Member("AcceptedDate", DATE),
        Member("ConfirmedDate", DATE),
        Member("CancelledDate", DATE),
        Member("CancelledReason", STR),
        Member("CancelledBy", STR),
        Member("RejectedReason", STR),
        Member("LastUpdated", DATE),
        Member("Comments", STR),
    ]


MADE_BOOKING = Contract("MadeBooking", NS_MADE, [
    *_booking_members(),
    Member("ActionClient", STR),
    Member("Candidate", OBJECT, BOOKING_USER),
])

# The body of every error: {"Message": ...} and, for invalid input, ModelState.
ERROR = Contract("Error", None, [Member("Message", STR)])
INVALID = Contract("Error", None, [Member("Message", STR), Member("ModelState", MAP)])

# As published, in order; a member whose scope the token lacks is left out (see README).
# Nickname is our extension after the published (cut) list, with the `nickname` scope.
CREDENTIALS = Contract("VerifyCredentials", NS_ACCOUNT, [
    Member("UserID", INT),
    Member("EmailAddress", STR),
    Member("IsAgeVerified", BOOL),
    Member("GroupID", INT),
    Member("GroupName", STR),
    Member("IsGroupManager", BOOL),
    Member("UserTypeID", INT),
    Member("UserType", STR),
    Member("Nickname", STR),
])

PERMISSION = Contract("Permission", NS_ACCOUNT, [Member("Permission", STR), Member("Status", STR)])
PERMISSIONS = Contract("Permissions", NS_ACCOUNT, [Member("Permissions", LIST, PERMISSION)])

# --- CreditHistory -------------------------------------------------------------------

NS_CREDITS = DC + "API.Models.CreditHistory"

# aws:CreditHistory: its members are not published; these are reconstructed (README).
CREDIT_HISTORY_ITEM = Contract("CreditHistory", NS_CREDITS, [
    Member("TransactionID", INT),
    Member("TransactionDate", DATE),
    Member("Description", STR),
    Member("BookingID", INT),
    Member("Credits", CREDITS),
    Member("Balance", CREDITS),
])
CREDITS_HISTORY_PAGE = Contract("CreditsHistory", NS_CREDITS, [
    Member("PageCount", INT), Member("PageNumber", INT), Member("PageSize", INT),
    Member("CreditHistory", LIST, CREDIT_HISTORY_ITEM),
])
CREDIT_BALANCE = BARE_CREDITS

SANDBOX_CLOCK = Contract("SandboxClock", DC + "API.Models.Sandbox", [Member("Now", DATE)])


# --- the lifecycle: the received side, pages, per-ID results, settings -----------------

NS_RECEIVED = DC + "API.Models.PhoneChat.Bookings.Received"
NS_SETTINGS = DC + "API.Models.PhoneChat.Settings"

RECEIVED_BOOKING = Contract("ReceivedBooking", NS_RECEIVED, [
    *_booking_members(),
    Member("ActionCandidate", STR),
    Member("Client", OBJECT, BOOKING_USER),
])

# A page of bookings: a contract of its own with the list as a member (wire-format.md);
# PageCount, PageNumber, PageSize first, as the original's other paged answers.
MADE_BOOKINGS = Contract("MadeBookings", NS_MADE, [
    Member("PageCount", INT), Member("PageNumber", INT), Member("PageSize", INT),
    Member("Bookings", LIST, MADE_BOOKING),
])
RECEIVED_BOOKINGS = Contract("ReceivedBookings", NS_RECEIVED, [
    Member("PageCount", INT), Member("PageNumber", INT), Member("PageSize", INT),
    Member("Bookings", LIST, RECEIVED_BOOKING),
])

# DeleteMadeBookings / DeleteReceivedBooking answer a list of these (ArrayOf... in XML).
DELETE_RESULT = Contract("DeleteBookingResult", NS_BOOKINGS, [
    Member("BookingID", INT), Member("Deleted", BOOL), Member("Message", STR),
])

# GetUserBookingRequirements: the published members; aws:PhoneChatMethod's are
# reconstructed (one item per Method 1-3, named like CreateBooking's Method).
PHONECHAT_METHOD = Contract("PhoneChatMethod", NS_BOOKINGS, [
    Member("Method", INT), Member("Description", STR), Member("Available", BOOL),
])
BOOKING_REQUIREMENTS = Contract("UserBookingRequirements", NS_BOOKINGS, [
    Member("PhoneChatPPM", CREDITS), Member("Methods", LIST, PHONECHAT_METHOD),
])

# GetSettings / SaveSettings: the original's members in its order, then this service's
# extensions (TakesBookings, Methods, SkypeName). aws:DirectChatSettings is reconstructed.
DIRECT_CHAT_SETTINGS = Contract("DirectChatSettings", NS_SETTINGS, [
    Member("DirectChatOnly", BOOL),
])
PHONECHAT_SETTINGS = Contract("PhoneChatSettings", NS_SETTINGS, [
    Member("OfferDirectChat", BOOL),
    Member("DirectChat", OBJECT, DIRECT_CHAT_SETTINGS),
    Member("PhoneChatNumber", STR),
    Member("ShowPhoneChatNumber", BOOL),
    Member("PhoneChatPPM", CREDITS),
    Member("TakesBookings", BOOL),
    Member("Methods", INTS),
    Member("SkypeName", STR),
])

# --- events (an extension: issue 10; README "Events") -------------------------------------

NS_EVENTS = DC + "API.Models.PhoneChat.Events"

BOOKING_EVENT = Contract("BookingEvent", NS_EVENTS, [
    Member("EventID", INT),
    Member("Type", STR),
    Member("Created", DATE),
    Member("BookingID", INT),
    Member("Status", STR),
    Member("PreviousStatus", STR),
    Member("ByUserID", INT),
    Member("ByNickname", STR),
    Member("OnBehalfOfUserID", INT),
    Member("Reason", STR),
    Member("Credits", CREDITS),
    Member("ClientUserID", INT),
    Member("CandidateUserID", INT),
])
BOOKING_HISTORY = Contract("BookingHistory", NS_EVENTS, [
    Member("BookingID", INT), Member("Events", LIST, BOOKING_EVENT),
])
EVENTS_PAGE = Contract("Events", NS_EVENTS, [
    Member("Events", LIST, BOOKING_EVENT), Member("LastEventID", INT), Member("HasMore", BOOL),
])

# --- webhooks (an extension: issue 10; README "Webhooks") ---------------------------------

NS_WEBHOOKS = DC + "API.Models.Webhooks"

WEBHOOK = Contract("Webhook", NS_WEBHOOKS, [
    Member("WebhookID", INT), Member("Url", STR), Member("Events", STRS),
    Member("Created", DATE), Member("OldSecretExpires", DATE),
])
WEBHOOK_SECRET = Contract("WebhookSecret", NS_WEBHOOKS, [
    Member("WebhookID", INT), Member("Url", STR), Member("Events", STRS),
    Member("Secret", STR), Member("OldSecretExpires", DATE),
])
WEBHOOKS = Contract("Webhooks", NS_WEBHOOKS, [Member("Webhooks", LIST, WEBHOOK)])
WEBHOOK_OUTCOME = Contract("WebhookOutcome", NS_WEBHOOKS, [
    Member("WebhookID", INT), Member("EventID", INT), Member("Status", STR),
])
DELIVERY_ATTEMPT = Contract("WebhookDeliveryAttempt", NS_WEBHOOKS, [
    Member("EventID", INT), Member("Status", STR), Member("AttemptedAt", DATE),
    Member("StatusCode", INT), Member("DurationMs", INT), Member("Error", STR),
    Member("NextRetryAt", DATE),
])
WEBHOOK_DELIVERIES = Contract("WebhookDeliveries", NS_WEBHOOKS, [
    Member("PageCount", INT), Member("PageNumber", INT), Member("PageSize", INT),
    Member("Attempts", LIST, DELIVERY_ATTEMPT),
])
