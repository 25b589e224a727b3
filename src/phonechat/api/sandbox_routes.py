"""Sandbox-only routes: the movable clock. Never mounted by `phonechat serve`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.validation import FieldError, _shown, accepts, wall_clock
from ..services import worker
from .contracts import SANDBOX_CLOCK
from .http import Reply, Request, Routes
from .inputs import Field, Input

routes = Routes()


@accepts(wall_clock.schema)  # type: ignore[attr-defined]
def wall_clock_time(name: str, raw: Any) -> datetime:
    """The API's one date reading (no UTC offset: an offset is refused, never dropped)."""
    try:
        return wall_clock(name, raw)
    except FieldError:
        raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}: expected a date "
                         "like 2018-01-21T14:00:00 (the service's time, no UTC offset).") from None


@routes.get("/v1/Sandbox/Clock", auth=False, reply=SANDBOX_CLOCK)
async def read_clock(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(SANDBOX_CLOCK, {"Now": req.app.clock.now()})


@routes.post("/v1/Sandbox/Clock", auth=False, reply=SANDBOX_CLOCK,
             input=Input("SandboxClock", (Field("Now", wall_clock_time),)))
async def move_clock(req: Request, args: dict[str, Any]) -> Reply:
    req.app.clock.set(args["Now"])
    # Deadlines happen by themselves: settle and reject what the new time makes due, at once.
    await worker.run_once(req.db, req.app.clock, worker.settlement_hold(req.app.settings))
    return Reply(SANDBOX_CLOCK, {"Now": req.app.clock.now()})


@routes.post("/v1/Sandbox/Reset", auth=False,
             input=Input("SandboxReset", (Field("Clock", wall_clock_time, required=False),),
                         xml=False))
async def reset(req: Request, args: dict[str, Any]) -> Reply:
    """Every row back to the seed, as a fresh start would leave it (optionally with the
    clock moved first): the README's examples can be rerun in any order."""
    from .. import sandbox

    if args["Clock"] is not None:
        req.app.clock.set(args["Clock"])
    await sandbox.seed(req.db, req.app.clock.now(), wipe=True)
    await worker.run_once(req.db, req.app.clock, worker.settlement_hold(req.app.settings))
    return Reply(SANDBOX_CLOCK, {"Now": req.app.clock.now()})
