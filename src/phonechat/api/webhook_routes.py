"""Webhooks (an extension of the original, issue 10), managed by the application itself:
each call identifies it by `X-ApiKey` and `X-ApiSecret`, as the original identifies apps."""

from __future__ import annotations

from typing import Any

from ..domain.validation import entity_id, text, whole_number
from ..domain.webhooks import MAX_URL_LENGTH, event_types
from ..oauth.service import identify_application
from ..oauth.validator import Client
from ..services import webhooks
from ..sandbox import DEMO_APP
from .contracts import WEBHOOK_DELIVERIES, WEBHOOK_OUTCOME, WEBHOOK_SECRET, WEBHOOKS
from .http import Reply, Request, Routes
from .inputs import Field, Input

routes = Routes()

WEBHOOK_ID = Field("WebhookID", entity_id)


async def _app(req: Request) -> Client:
    """The calling application; 401 unless its API key and secret are both right."""
    return await identify_application(req.db, req.header(b"x-apikey"),
                                      req.header(b"x-apisecret") or "")


@routes.post("/v1/Webhooks/Create", app_auth=True, reply=WEBHOOK_SECRET, input=Input(
    "CreateWebhook", (Field("Url", text(MAX_URL_LENGTH)), Field("Events", event_types))))
async def create(req: Request, args: dict[str, Any]) -> Reply:
    app = await _app(req)
    return Reply(WEBHOOK_SECRET, await webhooks.create(
        req.db, app, args["Url"], args["Events"], req.now,
        allow_private=req.app.settings.webhooks_private_ok))


@routes.get("/v1/Webhooks/List", app_auth=True, reply=WEBHOOKS)
async def list_webhooks(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(WEBHOOKS, await webhooks.list_webhooks(req.db, await _app(req), req.now))


@routes.post("/v1/Webhooks/Delete", app_auth=True, reply=WEBHOOK_OUTCOME,
             input=Input("DeleteWebhook", (WEBHOOK_ID,)))
async def delete(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(WEBHOOK_OUTCOME, await webhooks.delete(req.db, await _app(req),
                                                        args["WebhookID"]))


@routes.post("/v1/Webhooks/RotateSecret", app_auth=True, reply=WEBHOOK_SECRET,
             input=Input("RotateWebhookSecret", (
                 WEBHOOK_ID, Field("ExpireOldAfterHours", whole_number(0, 24 * 30),
                                   required=False))))
async def rotate_secret(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(WEBHOOK_SECRET, await webhooks.rotate_secret(
        req.db, await _app(req), args["WebhookID"], args["ExpireOldAfterHours"], req.now))


@routes.get("/v1/Webhooks/Deliveries", app_auth=True, reply=WEBHOOK_DELIVERIES,
            input=Input("WebhookDeliveries", (
                WEBHOOK_ID, Field("PageNumber", whole_number(1), required=False),
                Field("PageSize", whole_number(1, 100), required=False))))
async def deliveries(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(WEBHOOK_DELIVERIES, await webhooks.deliveries(
        req.db, await _app(req), args["WebhookID"], args["PageNumber"], args["PageSize"]))


@routes.post("/v1/Webhooks/Redeliver", app_auth=True, reply=WEBHOOK_OUTCOME,
             input=Input("Redeliver", (WEBHOOK_ID, Field("EventID", entity_id))))
async def redeliver(req: Request, args: dict[str, Any]) -> Reply:
    sandbox_app = DEMO_APP["client_id"] if req.app.settings.sandbox else None
    return Reply(WEBHOOK_OUTCOME, await webhooks.redeliver(
        req.db, await _app(req), args["WebhookID"], args["EventID"], req.now,
        sandbox_app=sandbox_app))
