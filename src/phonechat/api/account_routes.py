"""Account and CreditHistory routes: who the token's user is, what the token was granted,
and the user's credits."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..domain.access import CREDITS_HISTORY
from ..domain.credit_history import ORDER_BY
from ..domain.validation import one_of, whole_number
from ..services import account, credit_history
from .contracts import CREDENTIALS, CREDIT_BALANCE, CREDITS_HISTORY_PAGE, PERMISSIONS
from .http import Reply, Request, Routes
from .inputs import Field, Input
from .representation import Contract

routes = Routes()


@lru_cache(maxsize=16)
def _credentials_with(members: frozenset[str]) -> Contract:
    """VerifyCredentials with only the members the token's scopes allow (a handful of
    combinations, each worked out once)."""
    return CREDENTIALS.only(members)


@routes.get("/v1/Account/VerifyCredentials", reply=CREDENTIALS)
async def verify_credentials(req: Request, args: dict[str, Any]) -> Reply:
    values = await account.verify_credentials(req.db, req.grant, req.actor)
    return Reply(_credentials_with(frozenset(values)), values)


@routes.get("/v1/Account/GetPermissions", reply=PERMISSIONS)
async def get_permissions(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(PERMISSIONS, account.permissions(req.grant))


@routes.get("/v1/CreditHistory/GetCreditsHistory", scope=CREDITS_HISTORY,
            input=Input("GetCreditsHistory", (
                Field("PageSize", whole_number(1, 100), required=False),
                Field("PageNumber", whole_number(1), required=False),
                Field("OrderBy", one_of(*ORDER_BY), required=False))))
async def get_credits_history(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(CREDITS_HISTORY_PAGE, await credit_history.history(
        req.db, req.actor, page_size=args["PageSize"], page_number=args["PageNumber"],
        order=args["OrderBy"]))


@routes.get("/v1/CreditHistory/GetCurrentCreditBalance", scope=CREDITS_HISTORY)
async def get_current_credit_balance(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(CREDIT_BALANCE, await credit_history.current_balance(req.db, req.actor))
