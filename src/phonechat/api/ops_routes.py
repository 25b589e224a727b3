"""Operations endpoints for load balancers and monitoring: /health, /ready, /metrics.

Not part of the PhoneChat API: no token, plain JSON or Prometheus text (RawReply).
"""

from __future__ import annotations

from typing import Any

from .http import RawDoc, RawReply, Request, Routes

routes = Routes()
metrics_routes = Routes()

_JSON = "application/json; charset=utf-8"


def _status(word: str) -> dict[str, Any]:
    return {"type": "object", "required": ["Status"], "additionalProperties": False,
            "properties": {"Status": {"const": word}}}


@routes.get("/health", auth=False, doc=RawDoc(
    "Liveness: the process serves.", answers={200: ("application/json", _status("ok"), "Up.")}))
async def health(req: Request, args: dict[str, Any]) -> RawReply:
    """The process is up and serving (no database call: a liveness probe)."""
    return RawReply(200, b'{"Status":"ok"}', _JSON)


@routes.get("/ready", auth=False, doc=RawDoc(
    "Readiness: the database answers (else 503).",
    answers={200: ("application/json", _status("ready"), "Ready.")}))
async def ready(req: Request, args: dict[str, Any]) -> RawReply:
    """The database answers (a readiness probe); otherwise the pipeline's 503."""
    await req.db.ping()
    return RawReply(200, b'{"Status":"ready"}', _JSON)


@metrics_routes.get("/metrics", auth=False, doc=RawDoc(
    "Prometheus metrics (restrict it at the load balancer).",
    answers={200: ("text/plain", {"type": "string"}, "The text exposition format.")}))
async def metrics(req: Request, args: dict[str, Any]) -> RawReply:
    body, content_type = req.app.metrics.exposition()
    return RawReply(200, body, content_type)
