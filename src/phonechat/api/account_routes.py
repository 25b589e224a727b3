"""Account routes: who the token's user is, and what the token was granted."""

from __future__ import annotations

from typing import Any

from ..services import account
from .contracts import CREDENTIALS, PERMISSIONS
from .http import Reply, Request, Routes

routes = Routes()


@routes.get("/v1/Account/VerifyCredentials", reply=CREDENTIALS)
async def verify_credentials(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(CREDENTIALS, await account.verify_credentials(req.db, req.actor))


@routes.get("/v1/Account/GetPermissions", reply=PERMISSIONS)
async def get_permissions(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(PERMISSIONS, account.permissions(req.grant))
