"""Migration 0008: a booking re-invited under the old model (left Pending) becomes what
ReInvite makes now (Rejected, the re-invitation's reason as RejectedReason), and back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from phonechat.domain.lifecycle import DEFAULT_REINVITE_REASON
from phonechat.store.migrate import downgrade, upgrade

T = datetime(2018, 1, 23)


def _booking(id_: int, status: str, reinvited: bool, reason: str | None) -> dict:
    return dict(id=id_, client_id=1, candidate_id=2, duration=15, credits=0, status=status,
                method=2, create_date=T, session_date=T, accept_by=T, last_updated=T,
                session_end=T, reinvited_date=T if reinvited else None,
                reinvite_reason=reason)


def test_reinvited_pending_bookings_become_rejected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0003")
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    users = sa.Table("users", meta, autoload_with=engine)
    bookings = sa.Table("bookings", meta, autoload_with=engine)
    with engine.begin() as c:
        c.execute(users.insert(), [dict(id=1, nickname="a", created_at=T),
                                   dict(id=2, nickname="b", created_at=T)])
        c.execute(bookings.insert(), [_booking(1, "Pending", True, "Sorry!"),
                                      _booking(2, "Pending", True, None),
                                      _booking(3, "Pending", False, None)])
    upgrade(url)

    def rows() -> list[tuple]:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(sa.select(
                bookings.c.id, bookings.c.status, bookings.c.rejected_reason)
                .order_by(bookings.c.id))]

    assert rows() == [(1, "Rejected", "Sorry!"), (2, "Rejected", DEFAULT_REINVITE_REASON),
                      (3, "Pending", None)]
    downgrade(url, "0003")
    assert rows() == [(1, "Pending", None), (2, "Pending", None), (3, "Pending", None)]
    engine.dispose()
