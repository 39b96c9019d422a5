"""API tokens: create one (its secret shown on the answer page only, once), list, revoke. The API's
service (services/auth.py) behind its permission (tokens:manage); a token never outranks its creator."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import Response

from aiostore.domain.permissions import Permission, Role
from aiostore.errors import AppError
from aiostore.services import auth
from aiostore.web.deps import Session
from aiostore.web.format import market_zone
from aiostore.web.pages.deps import PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import app_errors, parse
from aiostore.web.routes.common import StrictModel
from aiostore.web.routes.tokens import TokenIn

router = APIRouter(include_in_schema=False)
Manage = Annotated[PageContext, PageFor(Permission.TOKENS_MANAGE)]
Text = Annotated[str, Form(max_length=200)]


class ExpiryIn(StrictModel):
    expires_on: date | None = None


async def _page(page: PageContext, session: Session, *, status: int = 200, **extra: Any) -> Response:
    context = {
        "active": "tokens",
        "tokens": await auth.list_api_tokens(session, page.ctx),
        "roles": [r.value for r in Role if page.role.at_least(r)],
        "form": {"name": "", "role": Role.OPERATOR.value, "expires_on": ""},
        "errors": {},
        "created": None,
        "now": datetime.now(UTC),
    } | extra
    return page.render("tokens/index.html", context, status=status)


@router.get("/tokens")
async def tokens(page: Manage, session: Session) -> Response:
    return await _page(page, session)


@router.post("/tokens")
async def create(
    page: Manage, session: Session, name: Text = "", role: Text = "", expires_on: Text = ""
) -> Response:
    """Create a token; the answer is the page with the secret, which is never shown again."""
    form = {"name": name, "role": role, "expires_on": expires_on}
    expiry, errors = parse(ExpiryIn, {"expires_on": expires_on or None})
    expires_at = None
    if expiry is not None and expiry.expires_on is not None:
        zone = market_zone(page.fmt.default_market)
        expires_at = datetime.combine(expiry.expires_on, time(23, 59, 59), zone)
    body, more = parse(TokenIn, {"name": name, "role": role, "expires_at": expires_at})
    errors |= {k: v for k, v in more.items() if k not in errors}
    if body is None or errors:
        return await _page(page, session, status=422, form=form, errors=_renamed(errors))
    try:
        created = await auth.create_api_token(
            session, page.ctx, name=body.name, role=body.role, expires_at=body.expires_at
        )
    except AppError as exc:
        if exc.status != 422:
            raise
        await settle(session, exc)
        return await _page(page, session, status=422, form=form, errors=_renamed(app_errors(exc)))
    return await _page(page, session, status=201, created={"name": body.name, "secret": created.secret})


def _renamed(errors: dict[str, str]) -> dict[str, str]:
    """The API's `expires_at` is the form's `expires_on`."""
    return {("expires_on" if k == "expires_at" else k): v for k, v in errors.items()}


@router.post("/tokens/{token_id}/revoke")
async def revoke(token_id: uuid.UUID, page: Manage, session: Session) -> Response:
    await auth.revoke_api_token(session, page.ctx, token_id)
    return see_other("/tokens?done=revoked")
