"""Generated from the PhoneChat OpenAPI document by clients/python/generate.py: do not edit."""
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ._model import Model, Operation, member

API_VERSION = 'v1 (0.1.0)'


@dataclass(frozen=True)
class PhoneChatBookingUser(Model):
    """DataContract `PhoneChatBookingUser` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings`."""

    user_id: int | None = member('UserID', 'int')
    nickname: str | None = member('Nickname', 'str')
    phone_number: str | None = member('PhoneNumber', 'str')
    skype_name: str | None = member('SkypeName', 'str')
    total: int | None = member('Total', 'int')
    positive: int | None = member('Positive', 'int')
    neutral: int | None = member('Neutral', 'int')
    negative: int | None = member('Negative', 'int')
    ratings: int | None = member('Ratings', 'int')
    disputes: int | None = member('Disputes', 'int')


@dataclass(frozen=True)
class MadeBooking(Model):
    """DataContract `MadeBooking` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings.Made`."""

    booking_id: int | None = member('BookingID', 'int')
    duration: int | None = member('Duration', 'int')
    credits: Decimal | None = member('Credits', 'decimal')
    status: str | None = member('Status', 'str')
    method: int | None = member('Method', 'int')
    phone_number: str | None = member('PhoneNumber', 'str')
    skype_name: str | None = member('SkypeName', 'str')
    create_date: datetime | None = member('CreateDate', 'datetime')
    session_date: datetime | None = member('SessionDate', 'datetime')
    accept_by: datetime | None = member('AcceptBy', 'datetime')
    accepted_date: datetime | None = member('AcceptedDate', 'datetime')
    confirmed_date: datetime | None = member('ConfirmedDate', 'datetime')
    cancelled_date: datetime | None = member('CancelledDate', 'datetime')
    cancelled_reason: str | None = member('CancelledReason', 'str')
    cancelled_by: str | None = member('CancelledBy', 'str')
    rejected_reason: str | None = member('RejectedReason', 'str')
    last_updated: datetime | None = member('LastUpdated', 'datetime')
    comments: str | None = member('Comments', 'str')
    action_client: str | None = member('ActionClient', 'str')
    candidate: PhoneChatBookingUser | None = member('Candidate', 'PhoneChatBookingUser')


@dataclass(frozen=True)
class MadeBookings(Model):
    """DataContract `MadeBookings` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings.Made`."""

    page_count: int | None = member('PageCount', 'int')
    page_number: int | None = member('PageNumber', 'int')
    page_size: int | None = member('PageSize', 'int')
    bookings: list[MadeBooking] | None = member('Bookings', 'list:MadeBooking')


@dataclass(frozen=True)
class DeleteBookingResult(Model):
    """DataContract `DeleteBookingResult` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings`."""

    booking_id: int | None = member('BookingID', 'int')
    deleted: bool | None = member('Deleted', 'bool')
    message: str | None = member('Message', 'str')


@dataclass(frozen=True)
class ReceivedBooking(Model):
    """DataContract `ReceivedBooking` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings.Received`."""

    booking_id: int | None = member('BookingID', 'int')
    duration: int | None = member('Duration', 'int')
    credits: Decimal | None = member('Credits', 'decimal')
    status: str | None = member('Status', 'str')
    method: int | None = member('Method', 'int')
    phone_number: str | None = member('PhoneNumber', 'str')
    skype_name: str | None = member('SkypeName', 'str')
    create_date: datetime | None = member('CreateDate', 'datetime')
    session_date: datetime | None = member('SessionDate', 'datetime')
    accept_by: datetime | None = member('AcceptBy', 'datetime')
    accepted_date: datetime | None = member('AcceptedDate', 'datetime')
    confirmed_date: datetime | None = member('ConfirmedDate', 'datetime')
    cancelled_date: datetime | None = member('CancelledDate', 'datetime')
    cancelled_reason: str | None = member('CancelledReason', 'str')
    cancelled_by: str | None = member('CancelledBy', 'str')
    rejected_reason: str | None = member('RejectedReason', 'str')
    last_updated: datetime | None = member('LastUpdated', 'datetime')
    comments: str | None = member('Comments', 'str')
    action_candidate: str | None = member('ActionCandidate', 'str')
    client: PhoneChatBookingUser | None = member('Client', 'PhoneChatBookingUser')


@dataclass(frozen=True)
class ReceivedBookings(Model):
    """DataContract `ReceivedBookings` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings.Received`."""

    page_count: int | None = member('PageCount', 'int')
    page_number: int | None = member('PageNumber', 'int')
    page_size: int | None = member('PageSize', 'int')
    bookings: list[ReceivedBooking] | None = member('Bookings', 'list:ReceivedBooking')


@dataclass(frozen=True)
class PhoneChatMethod(Model):
    """DataContract `PhoneChatMethod` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings`."""

    method: int | None = member('Method', 'int')
    description: str | None = member('Description', 'str')
    available: bool | None = member('Available', 'bool')


@dataclass(frozen=True)
class UserBookingRequirements(Model):
    """DataContract `UserBookingRequirements` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings`."""

    phone_chat_ppm: Decimal | None = member('PhoneChatPPM', 'decimal')
    methods: list[PhoneChatMethod] | None = member('Methods', 'list:PhoneChatMethod')


@dataclass(frozen=True)
class DirectChatSettings(Model):
    """DataContract `DirectChatSettings` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Settings`."""

    direct_chat_only: bool | None = member('DirectChatOnly', 'bool')


@dataclass(frozen=True)
class PhoneChatSettings(Model):
    """DataContract `PhoneChatSettings` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Settings`."""

    offer_direct_chat: bool | None = member('OfferDirectChat', 'bool')
    direct_chat: DirectChatSettings | None = member('DirectChat', 'DirectChatSettings')
    phone_chat_number: str | None = member('PhoneChatNumber', 'str')
    show_phone_chat_number: bool | None = member('ShowPhoneChatNumber', 'bool')
    phone_chat_ppm: Decimal | None = member('PhoneChatPPM', 'decimal')
    takes_bookings: bool | None = member('TakesBookings', 'bool')
    methods: list[int] | None = member('Methods', 'list:int')
    skype_name: str | None = member('SkypeName', 'str')


@dataclass(frozen=True)
class BookingEvent(Model):
    """DataContract `BookingEvent` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Events`."""

    event_id: int | None = member('EventID', 'int')
    type: str | None = member('Type', 'str')
    created: datetime | None = member('Created', 'datetime')
    booking_id: int | None = member('BookingID', 'int')
    status: str | None = member('Status', 'str')
    previous_status: str | None = member('PreviousStatus', 'str')
    by_user_id: int | None = member('ByUserID', 'int')
    by_nickname: str | None = member('ByNickname', 'str')
    on_behalf_of_user_id: int | None = member('OnBehalfOfUserID', 'int')
    reason: str | None = member('Reason', 'str')
    credits: Decimal | None = member('Credits', 'decimal')
    client_user_id: int | None = member('ClientUserID', 'int')
    candidate_user_id: int | None = member('CandidateUserID', 'int')


@dataclass(frozen=True)
class BookingHistory(Model):
    """DataContract `BookingHistory` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Events`."""

    booking_id: int | None = member('BookingID', 'int')
    events: list[BookingEvent] | None = member('Events', 'list:BookingEvent')


@dataclass(frozen=True)
class Events(Model):
    """DataContract `Events` in `http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Events`."""

    events: list[BookingEvent] | None = member('Events', 'list:BookingEvent')
    last_event_id: int | None = member('LastEventID', 'int')
    has_more: bool | None = member('HasMore', 'bool')


@dataclass(frozen=True)
class WebhookSecret(Model):
    """DataContract `WebhookSecret` in `http://schemas.datacontract.org/2004/07/API.Models.Webhooks`."""

    webhook_id: int | None = member('WebhookID', 'int')
    url: str | None = member('Url', 'str')
    events: list[str] | None = member('Events', 'list:str')
    secret: str | None = member('Secret', 'str')
    old_secret_expires: datetime | None = member('OldSecretExpires', 'datetime')


@dataclass(frozen=True)
class Webhook(Model):
    """DataContract `Webhook` in `http://schemas.datacontract.org/2004/07/API.Models.Webhooks`."""

    webhook_id: int | None = member('WebhookID', 'int')
    url: str | None = member('Url', 'str')
    events: list[str] | None = member('Events', 'list:str')
    created: datetime | None = member('Created', 'datetime')
    old_secret_expires: datetime | None = member('OldSecretExpires', 'datetime')


@dataclass(frozen=True)
class Webhooks(Model):
    """DataContract `Webhooks` in `http://schemas.datacontract.org/2004/07/API.Models.Webhooks`."""

    webhooks: list[Webhook] | None = member('Webhooks', 'list:Webhook')


@dataclass(frozen=True)
class WebhookOutcome(Model):
    """DataContract `WebhookOutcome` in `http://schemas.datacontract.org/2004/07/API.Models.Webhooks`."""

    webhook_id: int | None = member('WebhookID', 'int')
    event_id: int | None = member('EventID', 'int')
    status: str | None = member('Status', 'str')


@dataclass(frozen=True)
class WebhookDeliveryAttempt(Model):
    """DataContract `WebhookDeliveryAttempt` in `http://schemas.datacontract.org/2004/07/API.Models.Webhooks`."""

    event_id: int | None = member('EventID', 'int')
    status: str | None = member('Status', 'str')
    attempted_at: datetime | None = member('AttemptedAt', 'datetime')
    status_code: int | None = member('StatusCode', 'int')
    duration_ms: int | None = member('DurationMs', 'int')
    error: str | None = member('Error', 'str')
    next_retry_at: datetime | None = member('NextRetryAt', 'datetime')


@dataclass(frozen=True)
class WebhookDeliveries(Model):
    """DataContract `WebhookDeliveries` in `http://schemas.datacontract.org/2004/07/API.Models.Webhooks`."""

    page_count: int | None = member('PageCount', 'int')
    page_number: int | None = member('PageNumber', 'int')
    page_size: int | None = member('PageSize', 'int')
    attempts: list[WebhookDeliveryAttempt] | None = member('Attempts', 'list:WebhookDeliveryAttempt')


@dataclass(frozen=True)
class VerifyCredentials(Model):
    """DataContract `VerifyCredentials` in `http://schemas.datacontract.org/2004/07/API.Models.Account`."""

    user_id: int | None = member('UserID', 'int')
    email_address: str | None = member('EmailAddress', 'str')
    is_age_verified: bool | None = member('IsAgeVerified', 'bool')
    group_id: int | None = member('GroupID', 'int')
    group_name: str | None = member('GroupName', 'str')
    is_group_manager: bool | None = member('IsGroupManager', 'bool')
    user_type_id: int | None = member('UserTypeID', 'int')
    user_type: str | None = member('UserType', 'str')
    nickname: str | None = member('Nickname', 'str')


@dataclass(frozen=True)
class Permission(Model):
    """DataContract `Permission` in `http://schemas.datacontract.org/2004/07/API.Models.Account`."""

    permission: str | None = member('Permission', 'str')
    status: str | None = member('Status', 'str')


@dataclass(frozen=True)
class Permissions(Model):
    """DataContract `Permissions` in `http://schemas.datacontract.org/2004/07/API.Models.Account`."""

    permissions: list[Permission] | None = member('Permissions', 'list:Permission')


@dataclass(frozen=True)
class CreditHistory(Model):
    """DataContract `CreditHistory` in `http://schemas.datacontract.org/2004/07/API.Models.CreditHistory`."""

    transaction_id: int | None = member('TransactionID', 'int')
    transaction_date: datetime | None = member('TransactionDate', 'datetime')
    description: str | None = member('Description', 'str')
    booking_id: int | None = member('BookingID', 'int')
    credits: Decimal | None = member('Credits', 'decimal')
    balance: Decimal | None = member('Balance', 'decimal')


@dataclass(frozen=True)
class CreditsHistory(Model):
    """DataContract `CreditsHistory` in `http://schemas.datacontract.org/2004/07/API.Models.CreditHistory`."""

    page_count: int | None = member('PageCount', 'int')
    page_number: int | None = member('PageNumber', 'int')
    page_size: int | None = member('PageSize', 'int')
    credit_history: list[CreditHistory] | None = member('CreditHistory', 'list:CreditHistory')


@dataclass(frozen=True)
class SandboxClock(Model):
    """DataContract `SandboxClock` in `http://schemas.datacontract.org/2004/07/API.Models.Sandbox`."""

    now: datetime | None = member('Now', 'datetime')


OPERATIONS: dict[str, Operation] = {
    'MadeBookingDetails': Operation('MadeBookingDetails', 'GET', '/v1/PhoneChat/MadeBookingDetails', '/v1/Groups/PhoneChat/MadeBookingDetails', {'BookingID': 'plain'}, 'MadeBooking', True),
    'CancelMadeBooking': Operation('CancelMadeBooking', 'POST', '/v1/PhoneChat/CancelMadeBooking', None, {'BookingID': 'plain', 'Reason': 'plain'}, 'MadeBooking', True),
    'CreateBooking': Operation('CreateBooking', 'POST', '/v1/PhoneChat/CreateBooking', None, {'BookUserID': 'plain', 'SessionDate': 'datetime', 'Duration': 'plain', 'Method': 'plain', 'PhoneNumber': 'plain', 'SkypeName': 'plain', 'Credits': 'decimal', 'AcceptBy': 'datetime', 'Comments': 'plain'}, 'MadeBooking', True),
    'MadeBookings': Operation('MadeBookings', 'GET', '/v1/PhoneChat/MadeBookings', '/v1/Groups/PhoneChat/MadeBookings', {'StartDate': 'date', 'OrderBy': 'plain', 'BookingsPerPage': 'plain', 'PageNumber': 'plain'}, 'MadeBookings', True),
    'ConfirmMadeBooking': Operation('ConfirmMadeBooking', 'POST', '/v1/PhoneChat/ConfirmMadeBooking', None, {'BookingID': 'plain'}, 'MadeBooking', True),
    'RescheduleMadeBooking': Operation('RescheduleMadeBooking', 'POST', '/v1/PhoneChat/RescheduleMadeBooking', None, {'BookingID': 'plain'}, 'MadeBooking', True),
    'DeleteMadeBookings': Operation('DeleteMadeBookings', 'POST', '/v1/PhoneChat/DeleteMadeBookings', None, {'BookingIDs': 'list'}, 'list:DeleteBookingResult', True),
    'ReceivedBookings': Operation('ReceivedBookings', 'GET', '/v1/PhoneChat/ReceivedBookings', '/v1/Groups/PhoneChat/ReceivedBookings', {'StartDate': 'date', 'OrderBy': 'plain', 'BookingsPerPage': 'plain', 'PageNumber': 'plain'}, 'ReceivedBookings', True),
    'ReceivedBookingDetails': Operation('ReceivedBookingDetails', 'GET', '/v1/PhoneChat/ReceivedBookingDetails', '/v1/Groups/PhoneChat/ReceivedBookingDetails', {'BookingID': 'plain'}, 'ReceivedBooking', True),
    'AcceptReceivedBooking': Operation('AcceptReceivedBooking', 'POST', '/v1/PhoneChat/AcceptReceivedBooking', None, {'BookingID': 'plain', 'Credits': 'decimal'}, 'ReceivedBooking', True),
    'RejectReceivedBooking': Operation('RejectReceivedBooking', 'POST', '/v1/PhoneChat/RejectReceivedBooking', None, {'BookingID': 'plain', 'Reason': 'plain'}, 'ReceivedBooking', True),
    'CancelReceivedBooking': Operation('CancelReceivedBooking', 'POST', '/v1/PhoneChat/CancelReceivedBooking', None, {'BookingID': 'plain', 'Reason': 'plain'}, 'ReceivedBooking', True),
    'ReInvite': Operation('ReInvite', 'POST', '/v1/PhoneChat/ReInvite', None, {'BookingID': 'plain', 'Reason': 'plain'}, 'ReceivedBooking', True),
    'DeleteReceivedBooking': Operation('DeleteReceivedBooking', 'POST', '/v1/PhoneChat/DeleteReceivedBooking', None, {'BookingIDs': 'list'}, 'list:DeleteBookingResult', True),
    'GetUserBookingRequirements': Operation('GetUserBookingRequirements', 'GET', '/v1/PhoneChat/GetUserBookingRequirements', None, {'BookUserID': 'plain'}, 'UserBookingRequirements', True),
    'GetSettings': Operation('GetSettings', 'GET', '/v1/PhoneChat/GetSettings', '/v1/Groups/PhoneChat/GetSettings', {}, 'PhoneChatSettings', True),
    'SaveSettings': Operation('SaveSettings', 'POST', '/v1/PhoneChat/SaveSettings', '/v1/Groups/PhoneChat/SaveSettings', {'OfferDirectChat': 'bool', 'DirectChat': 'model', 'PhoneChatNumber': 'plain', 'PhoneChatPPM': 'decimal', 'TakesBookings': 'bool', 'Methods': 'list', 'SkypeName': 'plain'}, 'PhoneChatSettings', True),
    'BookingHistory': Operation('BookingHistory', 'GET', '/v1/PhoneChat/BookingHistory', '/v1/Groups/PhoneChat/BookingHistory', {'BookingID': 'plain'}, 'BookingHistory', True),
    'Events': Operation('Events', 'GET', '/v1/Events', None, {'After': 'plain', 'Limit': 'plain'}, 'Events', True),
    'Create': Operation('Create', 'POST', '/v1/Webhooks/Create', None, {'Url': 'plain', 'Events': 'list'}, 'WebhookSecret', True),
    'List': Operation('List', 'GET', '/v1/Webhooks/List', None, {}, 'Webhooks', True),
    'Delete': Operation('Delete', 'POST', '/v1/Webhooks/Delete', None, {'WebhookID': 'plain'}, 'WebhookOutcome', True),
    'RotateSecret': Operation('RotateSecret', 'POST', '/v1/Webhooks/RotateSecret', None, {'WebhookID': 'plain', 'ExpireOldAfterHours': 'plain'}, 'WebhookSecret', True),
    'Deliveries': Operation('Deliveries', 'GET', '/v1/Webhooks/Deliveries', None, {'WebhookID': 'plain', 'PageNumber': 'plain', 'PageSize': 'plain'}, 'WebhookDeliveries', True),
    'Redeliver': Operation('Redeliver', 'POST', '/v1/Webhooks/Redeliver', None, {'WebhookID': 'plain', 'EventID': 'plain'}, 'WebhookOutcome', True),
    'VerifyCredentials': Operation('VerifyCredentials', 'GET', '/v1/Account/VerifyCredentials', None, {}, 'VerifyCredentials', True),
    'GetPermissions': Operation('GetPermissions', 'GET', '/v1/Account/GetPermissions', None, {}, 'Permissions', True),
    'GetCreditsHistory': Operation('GetCreditsHistory', 'GET', '/v1/CreditHistory/GetCreditsHistory', None, {'PageSize': 'plain', 'PageNumber': 'plain', 'OrderBy': 'plain'}, 'CreditsHistory', True),
    'GetCurrentCreditBalance': Operation('GetCurrentCreditBalance', 'GET', '/v1/CreditHistory/GetCurrentCreditBalance', None, {}, 'decimal', True),
    'oauth-authorization-server': Operation('oauth-authorization-server', 'GET', '/.well-known/oauth-authorization-server', None, {}, 'json', False),
    'health': Operation('health', 'GET', '/health', None, {}, 'json', False),
    'ready': Operation('ready', 'GET', '/ready', None, {}, 'json', False),
    'openapi_json': Operation('openapi_json', 'GET', '/openapi.json', None, {}, 'json', False),
    'postman_json': Operation('postman_json', 'GET', '/postman.json', None, {'part': 'plain'}, 'json', False),
    'metrics': Operation('metrics', 'GET', '/metrics', None, {}, 'text', False),
    'getClock': Operation('getClock', 'GET', '/v1/Sandbox/Clock', None, {}, 'SandboxClock', False),
    'postClock': Operation('postClock', 'POST', '/v1/Sandbox/Clock', None, {'Now': 'datetime'}, 'SandboxClock', False),
    'Reset': Operation('Reset', 'POST', '/v1/Sandbox/Reset', None, {'Clock': 'datetime'}, 'SandboxClock', False),
    'docs': Operation('docs', 'GET', '/docs', None, {'page': 'plain'}, 'text', False),
}


class SyncOperations:
    """Every API operation, as a method of PhoneChat."""

    _call: Any
    _pages: Any

    def made_booking_details(self, *, booking_id: int) -> MadeBooking:
        """GET /v1/PhoneChat/MadeBookingDetails (group variant: as_member)"""
        return self._call('MadeBookingDetails', {'BookingID': booking_id})  # type: ignore[no-any-return]

    def cancel_made_booking(self, *, booking_id: int, reason: str) -> MadeBooking:
        """POST /v1/PhoneChat/CancelMadeBooking"""
        return self._call('CancelMadeBooking', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    def create_booking(self, *, book_user_id: int, session_date: datetime | str, duration: int, method: int, credits: Decimal | int | float, accept_by: datetime | str, phone_number: str | None = None, skype_name: str | None = None, comments: str | None = None) -> MadeBooking:
        """POST /v1/PhoneChat/CreateBooking"""
        return self._call('CreateBooking', {'BookUserID': book_user_id, 'SessionDate': session_date, 'Duration': duration, 'Method': method, 'PhoneNumber': phone_number, 'SkypeName': skype_name, 'Credits': credits, 'AcceptBy': accept_by, 'Comments': comments})  # type: ignore[no-any-return]

    def made_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int | None = None, page_number: int | None = None) -> MadeBookings:
        """GET /v1/PhoneChat/MadeBookings (group variant: as_member)"""
        return self._call('MadeBookings', {'StartDate': start_date, 'OrderBy': order_by, 'BookingsPerPage': bookings_per_page, 'PageNumber': page_number})  # type: ignore[no-any-return]

    def iter_made_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int = 100) -> Iterator[MadeBooking]:
        """Every MadeBooking of every page of MadeBookings, in order."""
        for item in self._pages(self.made_bookings, 'bookings', 'bookings_per_page', bookings_per_page, start_date=start_date, order_by=order_by):
            yield item

    def confirm_made_booking(self, *, booking_id: int) -> MadeBooking:
        """POST /v1/PhoneChat/ConfirmMadeBooking"""
        return self._call('ConfirmMadeBooking', {'BookingID': booking_id})  # type: ignore[no-any-return]

    def reschedule_made_booking(self, *, booking_id: int) -> MadeBooking:
        """POST /v1/PhoneChat/RescheduleMadeBooking"""
        return self._call('RescheduleMadeBooking', {'BookingID': booking_id})  # type: ignore[no-any-return]

    def delete_made_bookings(self, *, booking_ids: list[int]) -> list[DeleteBookingResult]:
        """POST /v1/PhoneChat/DeleteMadeBookings"""
        return self._call('DeleteMadeBookings', {'BookingIDs': booking_ids})  # type: ignore[no-any-return]

    def received_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int | None = None, page_number: int | None = None) -> ReceivedBookings:
        """GET /v1/PhoneChat/ReceivedBookings (group variant: as_member)"""
        return self._call('ReceivedBookings', {'StartDate': start_date, 'OrderBy': order_by, 'BookingsPerPage': bookings_per_page, 'PageNumber': page_number})  # type: ignore[no-any-return]

    def iter_received_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int = 100) -> Iterator[ReceivedBooking]:
        """Every ReceivedBooking of every page of ReceivedBookings, in order."""
        for item in self._pages(self.received_bookings, 'bookings', 'bookings_per_page', bookings_per_page, start_date=start_date, order_by=order_by):
            yield item

    def received_booking_details(self, *, booking_id: int) -> ReceivedBooking:
        """GET /v1/PhoneChat/ReceivedBookingDetails (group variant: as_member)"""
        return self._call('ReceivedBookingDetails', {'BookingID': booking_id})  # type: ignore[no-any-return]

    def accept_received_booking(self, *, booking_id: int, credits: Decimal | int | float) -> ReceivedBooking:
        """POST /v1/PhoneChat/AcceptReceivedBooking"""
        return self._call('AcceptReceivedBooking', {'BookingID': booking_id, 'Credits': credits})  # type: ignore[no-any-return]

    def reject_received_booking(self, *, booking_id: int, reason: str) -> ReceivedBooking:
        """POST /v1/PhoneChat/RejectReceivedBooking"""
        return self._call('RejectReceivedBooking', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    def cancel_received_booking(self, *, booking_id: int, reason: str) -> ReceivedBooking:
        """POST /v1/PhoneChat/CancelReceivedBooking"""
        return self._call('CancelReceivedBooking', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    def re_invite(self, *, booking_id: int, reason: str | None = None) -> ReceivedBooking:
        """POST /v1/PhoneChat/ReInvite"""
        return self._call('ReInvite', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    def delete_received_booking(self, *, booking_ids: list[int]) -> list[DeleteBookingResult]:
        """POST /v1/PhoneChat/DeleteReceivedBooking"""
        return self._call('DeleteReceivedBooking', {'BookingIDs': booking_ids})  # type: ignore[no-any-return]

    def get_user_booking_requirements(self, *, book_user_id: int) -> UserBookingRequirements:
        """GET /v1/PhoneChat/GetUserBookingRequirements"""
        return self._call('GetUserBookingRequirements', {'BookUserID': book_user_id})  # type: ignore[no-any-return]

    def get_settings(self) -> PhoneChatSettings:
        """GET /v1/PhoneChat/GetSettings (group variant: as_member)"""
        return self._call('GetSettings', {})  # type: ignore[no-any-return]

    def save_settings(self, *, offer_direct_chat: bool, phone_chat_ppm: Decimal | int | float, direct_chat: DirectChatSettings | dict[str, Any] | None = None, phone_chat_number: str | None = None, takes_bookings: bool | None = None, methods: list[int] | None = None, skype_name: str | None = None) -> PhoneChatSettings:
        """POST /v1/PhoneChat/SaveSettings (group variant: as_member)"""
        return self._call('SaveSettings', {'OfferDirectChat': offer_direct_chat, 'DirectChat': direct_chat, 'PhoneChatNumber': phone_chat_number, 'PhoneChatPPM': phone_chat_ppm, 'TakesBookings': takes_bookings, 'Methods': methods, 'SkypeName': skype_name})  # type: ignore[no-any-return]

    def booking_history(self, *, booking_id: int) -> BookingHistory:
        """GET /v1/PhoneChat/BookingHistory (group variant: as_member)"""
        return self._call('BookingHistory', {'BookingID': booking_id})  # type: ignore[no-any-return]

    def events(self, *, after: int | None = None, limit: int | None = None) -> Events:
        """GET /v1/Events"""
        return self._call('Events', {'After': after, 'Limit': limit})  # type: ignore[no-any-return]

    def create(self, *, url: str, events: list[str]) -> WebhookSecret:
        """CreateWebhook"""
        return self._call('Create', {'Url': url, 'Events': events})  # type: ignore[no-any-return]

    def list(self) -> Webhooks:
        """GET /v1/Webhooks/List"""
        return self._call('List', {})  # type: ignore[no-any-return]

    def delete(self, *, webhook_id: int) -> WebhookOutcome:
        """DeleteWebhook"""
        return self._call('Delete', {'WebhookID': webhook_id})  # type: ignore[no-any-return]

    def rotate_secret(self, *, webhook_id: int, expire_old_after_hours: int | None = None) -> WebhookSecret:
        """RotateWebhookSecret"""
        return self._call('RotateSecret', {'WebhookID': webhook_id, 'ExpireOldAfterHours': expire_old_after_hours})  # type: ignore[no-any-return]

    def deliveries(self, *, webhook_id: int, page_number: int | None = None, page_size: int | None = None) -> WebhookDeliveries:
        """WebhookDeliveries"""
        return self._call('Deliveries', {'WebhookID': webhook_id, 'PageNumber': page_number, 'PageSize': page_size})  # type: ignore[no-any-return]

    def iter_deliveries(self, *, webhook_id: int, page_size: int = 100) -> Iterator[WebhookDeliveryAttempt]:
        """Every WebhookDeliveryAttempt of every page of Deliveries, in order."""
        for item in self._pages(self.deliveries, 'attempts', 'page_size', page_size, webhook_id=webhook_id):
            yield item

    def redeliver(self, *, webhook_id: int, event_id: int) -> WebhookOutcome:
        """POST /v1/Webhooks/Redeliver"""
        return self._call('Redeliver', {'WebhookID': webhook_id, 'EventID': event_id})  # type: ignore[no-any-return]

    def verify_credentials(self) -> VerifyCredentials:
        """GET /v1/Account/VerifyCredentials"""
        return self._call('VerifyCredentials', {})  # type: ignore[no-any-return]

    def get_permissions(self) -> Permissions:
        """GET /v1/Account/GetPermissions"""
        return self._call('GetPermissions', {})  # type: ignore[no-any-return]

    def get_credits_history(self, *, page_size: int | None = None, page_number: int | None = None, order_by: str | None = None) -> CreditsHistory:
        """GET /v1/CreditHistory/GetCreditsHistory"""
        return self._call('GetCreditsHistory', {'PageSize': page_size, 'PageNumber': page_number, 'OrderBy': order_by})  # type: ignore[no-any-return]

    def iter_get_credits_history(self, *, order_by: str | None = None, page_size: int = 100) -> Iterator[CreditHistory]:
        """Every CreditHistory of every page of GetCreditsHistory, in order."""
        for item in self._pages(self.get_credits_history, 'credit_history', 'page_size', page_size, order_by=order_by):
            yield item

    def get_current_credit_balance(self) -> Decimal:
        """GET /v1/CreditHistory/GetCurrentCreditBalance"""
        return self._call('GetCurrentCreditBalance', {})  # type: ignore[no-any-return]

    def oauth_authorization_server(self) -> Any:
        """Authorization server metadata (RFC 8414): the endpoints, scopes, response and grant types, PKCE methods and client authentication methods."""
        return self._call('oauth-authorization-server', {})  # type: ignore[no-any-return]

    def health(self) -> Any:
        """Liveness: the process serves."""
        return self._call('health', {})  # type: ignore[no-any-return]

    def ready(self) -> Any:
        """Readiness: the database answers (else 503)."""
        return self._call('ready', {})  # type: ignore[no-any-return]

    def openapi_json(self) -> Any:
        """This document (the served routes: the sandbox's includes its own)."""
        return self._call('openapi_json', {})  # type: ignore[no-any-return]

    def postman_json(self, *, part: str | None = None) -> Any:
        """The Postman v2.1 collection of every operation (?part=environment: the sandbox's environment), for this server's address."""
        return self._call('postman_json', {'part': part})  # type: ignore[no-any-return]

    def metrics(self) -> str:
        """Prometheus metrics (restrict it at the load balancer)."""
        return self._call('metrics', {})  # type: ignore[no-any-return]

    def get_clock(self) -> SandboxClock:
        """GET /v1/Sandbox/Clock"""
        return self._call('getClock', {})  # type: ignore[no-any-return]

    def post_clock(self, *, now: datetime | str) -> SandboxClock:
        """SandboxClock"""
        return self._call('postClock', {'Now': now})  # type: ignore[no-any-return]

    def reset(self, *, clock: datetime | str | None = None) -> SandboxClock:
        """Every row back to the seed, as a fresh start would leave it (optionally with the"""
        return self._call('Reset', {'Clock': clock})  # type: ignore[no-any-return]

    def docs(self, *, page: str | None = None) -> str:
        """The reference pages: the index, or ?page=<operationId> (PHONECHAT_DOCS=0: not served)."""
        return self._call('docs', {'page': page})  # type: ignore[no-any-return]


class AsyncOperations:
    """Every API operation, as a coroutine method of AsyncPhoneChat."""

    _call: Any
    _apages: Any

    async def made_booking_details(self, *, booking_id: int) -> MadeBooking:
        """GET /v1/PhoneChat/MadeBookingDetails (group variant: as_member)"""
        return await self._call('MadeBookingDetails', {'BookingID': booking_id})  # type: ignore[no-any-return]

    async def cancel_made_booking(self, *, booking_id: int, reason: str) -> MadeBooking:
        """POST /v1/PhoneChat/CancelMadeBooking"""
        return await self._call('CancelMadeBooking', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    async def create_booking(self, *, book_user_id: int, session_date: datetime | str, duration: int, method: int, credits: Decimal | int | float, accept_by: datetime | str, phone_number: str | None = None, skype_name: str | None = None, comments: str | None = None) -> MadeBooking:
        """POST /v1/PhoneChat/CreateBooking"""
        return await self._call('CreateBooking', {'BookUserID': book_user_id, 'SessionDate': session_date, 'Duration': duration, 'Method': method, 'PhoneNumber': phone_number, 'SkypeName': skype_name, 'Credits': credits, 'AcceptBy': accept_by, 'Comments': comments})  # type: ignore[no-any-return]

    async def made_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int | None = None, page_number: int | None = None) -> MadeBookings:
        """GET /v1/PhoneChat/MadeBookings (group variant: as_member)"""
        return await self._call('MadeBookings', {'StartDate': start_date, 'OrderBy': order_by, 'BookingsPerPage': bookings_per_page, 'PageNumber': page_number})  # type: ignore[no-any-return]

    async def iter_made_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int = 100) -> AsyncIterator[MadeBooking]:
        """Every MadeBooking of every page of MadeBookings, in order."""
        async for item in self._apages(self.made_bookings, 'bookings', 'bookings_per_page', bookings_per_page, start_date=start_date, order_by=order_by):
            yield item

    async def confirm_made_booking(self, *, booking_id: int) -> MadeBooking:
        """POST /v1/PhoneChat/ConfirmMadeBooking"""
        return await self._call('ConfirmMadeBooking', {'BookingID': booking_id})  # type: ignore[no-any-return]

    async def reschedule_made_booking(self, *, booking_id: int) -> MadeBooking:
        """POST /v1/PhoneChat/RescheduleMadeBooking"""
        return await self._call('RescheduleMadeBooking', {'BookingID': booking_id})  # type: ignore[no-any-return]

    async def delete_made_bookings(self, *, booking_ids: list[int]) -> list[DeleteBookingResult]:
        """POST /v1/PhoneChat/DeleteMadeBookings"""
        return await self._call('DeleteMadeBookings', {'BookingIDs': booking_ids})  # type: ignore[no-any-return]

    async def received_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int | None = None, page_number: int | None = None) -> ReceivedBookings:
        """GET /v1/PhoneChat/ReceivedBookings (group variant: as_member)"""
        return await self._call('ReceivedBookings', {'StartDate': start_date, 'OrderBy': order_by, 'BookingsPerPage': bookings_per_page, 'PageNumber': page_number})  # type: ignore[no-any-return]

    async def iter_received_bookings(self, *, start_date: date | str | None = None, order_by: str | None = None, bookings_per_page: int = 100) -> AsyncIterator[ReceivedBooking]:
        """Every ReceivedBooking of every page of ReceivedBookings, in order."""
        async for item in self._apages(self.received_bookings, 'bookings', 'bookings_per_page', bookings_per_page, start_date=start_date, order_by=order_by):
            yield item

    async def received_booking_details(self, *, booking_id: int) -> ReceivedBooking:
        """GET /v1/PhoneChat/ReceivedBookingDetails (group variant: as_member)"""
        return await self._call('ReceivedBookingDetails', {'BookingID': booking_id})  # type: ignore[no-any-return]

    async def accept_received_booking(self, *, booking_id: int, credits: Decimal | int | float) -> ReceivedBooking:
        """POST /v1/PhoneChat/AcceptReceivedBooking"""
        return await self._call('AcceptReceivedBooking', {'BookingID': booking_id, 'Credits': credits})  # type: ignore[no-any-return]

    async def reject_received_booking(self, *, booking_id: int, reason: str) -> ReceivedBooking:
        """POST /v1/PhoneChat/RejectReceivedBooking"""
        return await self._call('RejectReceivedBooking', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    async def cancel_received_booking(self, *, booking_id: int, reason: str) -> ReceivedBooking:
        """POST /v1/PhoneChat/CancelReceivedBooking"""
        return await self._call('CancelReceivedBooking', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    async def re_invite(self, *, booking_id: int, reason: str | None = None) -> ReceivedBooking:
        """POST /v1/PhoneChat/ReInvite"""
        return await self._call('ReInvite', {'BookingID': booking_id, 'Reason': reason})  # type: ignore[no-any-return]

    async def delete_received_booking(self, *, booking_ids: list[int]) -> list[DeleteBookingResult]:
        """POST /v1/PhoneChat/DeleteReceivedBooking"""
        return await self._call('DeleteReceivedBooking', {'BookingIDs': booking_ids})  # type: ignore[no-any-return]

    async def get_user_booking_requirements(self, *, book_user_id: int) -> UserBookingRequirements:
        """GET /v1/PhoneChat/GetUserBookingRequirements"""
        return await self._call('GetUserBookingRequirements', {'BookUserID': book_user_id})  # type: ignore[no-any-return]

    async def get_settings(self) -> PhoneChatSettings:
        """GET /v1/PhoneChat/GetSettings (group variant: as_member)"""
        return await self._call('GetSettings', {})  # type: ignore[no-any-return]

    async def save_settings(self, *, offer_direct_chat: bool, phone_chat_ppm: Decimal | int | float, direct_chat: DirectChatSettings | dict[str, Any] | None = None, phone_chat_number: str | None = None, takes_bookings: bool | None = None, methods: list[int] | None = None, skype_name: str | None = None) -> PhoneChatSettings:
        """POST /v1/PhoneChat/SaveSettings (group variant: as_member)"""
        return await self._call('SaveSettings', {'OfferDirectChat': offer_direct_chat, 'DirectChat': direct_chat, 'PhoneChatNumber': phone_chat_number, 'PhoneChatPPM': phone_chat_ppm, 'TakesBookings': takes_bookings, 'Methods': methods, 'SkypeName': skype_name})  # type: ignore[no-any-return]

    async def booking_history(self, *, booking_id: int) -> BookingHistory:
        """GET /v1/PhoneChat/BookingHistory (group variant: as_member)"""
        return await self._call('BookingHistory', {'BookingID': booking_id})  # type: ignore[no-any-return]

    async def events(self, *, after: int | None = None, limit: int | None = None) -> Events:
        """GET /v1/Events"""
        return await self._call('Events', {'After': after, 'Limit': limit})  # type: ignore[no-any-return]

    async def create(self, *, url: str, events: list[str]) -> WebhookSecret:
        """CreateWebhook"""
        return await self._call('Create', {'Url': url, 'Events': events})  # type: ignore[no-any-return]

    async def list(self) -> Webhooks:
        """GET /v1/Webhooks/List"""
        return await self._call('List', {})  # type: ignore[no-any-return]

    async def delete(self, *, webhook_id: int) -> WebhookOutcome:
        """DeleteWebhook"""
        return await self._call('Delete', {'WebhookID': webhook_id})  # type: ignore[no-any-return]

    async def rotate_secret(self, *, webhook_id: int, expire_old_after_hours: int | None = None) -> WebhookSecret:
        """RotateWebhookSecret"""
        return await self._call('RotateSecret', {'WebhookID': webhook_id, 'ExpireOldAfterHours': expire_old_after_hours})  # type: ignore[no-any-return]

    async def deliveries(self, *, webhook_id: int, page_number: int | None = None, page_size: int | None = None) -> WebhookDeliveries:
        """WebhookDeliveries"""
        return await self._call('Deliveries', {'WebhookID': webhook_id, 'PageNumber': page_number, 'PageSize': page_size})  # type: ignore[no-any-return]

    async def iter_deliveries(self, *, webhook_id: int, page_size: int = 100) -> AsyncIterator[WebhookDeliveryAttempt]:
        """Every WebhookDeliveryAttempt of every page of Deliveries, in order."""
        async for item in self._apages(self.deliveries, 'attempts', 'page_size', page_size, webhook_id=webhook_id):
            yield item

    async def redeliver(self, *, webhook_id: int, event_id: int) -> WebhookOutcome:
        """POST /v1/Webhooks/Redeliver"""
        return await self._call('Redeliver', {'WebhookID': webhook_id, 'EventID': event_id})  # type: ignore[no-any-return]

    async def verify_credentials(self) -> VerifyCredentials:
        """GET /v1/Account/VerifyCredentials"""
        return await self._call('VerifyCredentials', {})  # type: ignore[no-any-return]

    async def get_permissions(self) -> Permissions:
        """GET /v1/Account/GetPermissions"""
        return await self._call('GetPermissions', {})  # type: ignore[no-any-return]

    async def get_credits_history(self, *, page_size: int | None = None, page_number: int | None = None, order_by: str | None = None) -> CreditsHistory:
        """GET /v1/CreditHistory/GetCreditsHistory"""
        return await self._call('GetCreditsHistory', {'PageSize': page_size, 'PageNumber': page_number, 'OrderBy': order_by})  # type: ignore[no-any-return]

    async def iter_get_credits_history(self, *, order_by: str | None = None, page_size: int = 100) -> AsyncIterator[CreditHistory]:
        """Every CreditHistory of every page of GetCreditsHistory, in order."""
        async for item in self._apages(self.get_credits_history, 'credit_history', 'page_size', page_size, order_by=order_by):
            yield item

    async def get_current_credit_balance(self) -> Decimal:
        """GET /v1/CreditHistory/GetCurrentCreditBalance"""
        return await self._call('GetCurrentCreditBalance', {})  # type: ignore[no-any-return]

    async def oauth_authorization_server(self) -> Any:
        """Authorization server metadata (RFC 8414): the endpoints, scopes, response and grant types, PKCE methods and client authentication methods."""
        return await self._call('oauth-authorization-server', {})  # type: ignore[no-any-return]

    async def health(self) -> Any:
        """Liveness: the process serves."""
        return await self._call('health', {})  # type: ignore[no-any-return]

    async def ready(self) -> Any:
        """Readiness: the database answers (else 503)."""
        return await self._call('ready', {})  # type: ignore[no-any-return]

    async def openapi_json(self) -> Any:
        """This document (the served routes: the sandbox's includes its own)."""
        return await self._call('openapi_json', {})  # type: ignore[no-any-return]

    async def postman_json(self, *, part: str | None = None) -> Any:
        """The Postman v2.1 collection of every operation (?part=environment: the sandbox's environment), for this server's address."""
        return await self._call('postman_json', {'part': part})  # type: ignore[no-any-return]

    async def metrics(self) -> str:
        """Prometheus metrics (restrict it at the load balancer)."""
        return await self._call('metrics', {})  # type: ignore[no-any-return]

    async def get_clock(self) -> SandboxClock:
        """GET /v1/Sandbox/Clock"""
        return await self._call('getClock', {})  # type: ignore[no-any-return]

    async def post_clock(self, *, now: datetime | str) -> SandboxClock:
        """SandboxClock"""
        return await self._call('postClock', {'Now': now})  # type: ignore[no-any-return]

    async def reset(self, *, clock: datetime | str | None = None) -> SandboxClock:
        """Every row back to the seed, as a fresh start would leave it (optionally with the"""
        return await self._call('Reset', {'Clock': clock})  # type: ignore[no-any-return]

    async def docs(self, *, page: str | None = None) -> str:
        """The reference pages: the index, or ?page=<operationId> (PHONECHAT_DOCS=0: not served)."""
        return await self._call('docs', {'page': page})  # type: ignore[no-any-return]
