"""Reading booking events (an extension, issue 10): a booking's history and a user's feed.
The events themselves are appended by services/lifecycle.py, in the change's transaction."""

from __future__ import annotations

from ..domain.access import Actor
from ..domain.errors import NotFound
from ..store import events as store
from ..store.db import Database
from . import views
from .lifecycle import BOOKING_NOT_FOUND

FEED_LIMIT = 100  # the default Limit of /v1/Events (at most 500)


async def booking_history(db: Database, actor: Actor, booking_id: int) -> views.BookingHistory:
    """The booking's events, oldest first, to either party who can read its details (the
    other party's deletes are not shown); anyone else gets details' 404."""
    async with db.connection() as conn:
        row = await store.parties(conn, booking_id)
        readable = row is not None and (
            (row["client_id"] == actor.id and not row["deleted_by_client"])
            or (row["candidate_id"] == actor.id and not row["deleted_by_candidate"]))
        if not readable:
            raise NotFound(BOOKING_NOT_FOUND)
        rows = await store.history(conn, booking_id, actor.id)
    return views.BookingHistory(booking_id, [views.booking_event(r) for r in rows])


async def feed(db: Database, actor: Actor, after: int | None, limit: int | None) -> views.EventsPage:
    """The events that concern the user after EventID `after`, in EventID order. LastEventID
    is the last one given (or `after` when none): the next call's After."""
    after, limit = after or 0, limit or FEED_LIMIT
    async with db.connection() as conn:
        rows = await store.feed(conn, actor.id, after, limit + 1)
    events = [views.booking_event(r) for r in rows[:limit]]
    return views.EventsPage(events, events[-1].event_id if events else after, len(rows) > limit)
