"""Sandbox-only routes: the movable clock. Never mounted by `phonechat serve`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.validation import FieldError, accepts
from ..services import worker
from .contracts import SANDBOX_CLOCK
from .http import Reply, Request, Routes
from .inputs import Field, Input

routes = Routes()


@accepts({"type": ["string", "integer"]})  # fromisoformat(str(raw)): 20180121 reads too
def wall_clock_time(name: str, raw: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=None)
    except ValueError:
        raise FieldError(f"The value '{raw}' is not valid for {name}: "
                         "expected a date like 2018-01-21T14:00:00.") from None


@routes.get("/v1/Sandbox/Clock", auth=False, reply=SANDBOX_CLOCK)
async def read_clock(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(SANDBOX_CLOCK, {"Now": req.app.clock.now()})


@routes.post("/v1/Sandbox/Clock", auth=False, reply=SANDBOX_CLOCK,
             input=Input("SandboxClock", (Field("Now", wall_clock_time),)))
async def move_clock(req: Request, args: dict[str, Any]) -> Reply:
    req.app.clock.set(args["Now"])
    # Deadlines happen by themselves: settle what the new time makes due, right away.
    await worker.run_once(req.db, req.app.clock, worker.settlement_hold(req.app.settings))
    return Reply(SANDBOX_CLOCK, {"Now": req.app.clock.now()})
