"""Settings: the organisation's name (owners, as PATCH /api/org) and the page language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import Response

from aiostore.domain.permissions import Permission
from aiostore.services import accounts
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other
from aiostore.web.pages.forms import parse
from aiostore.web.routes.orgs import OrgPatch

router = APIRouter(include_in_schema=False)
Owner = Annotated[PageContext, PageFor(Permission.ORG_MANAGE)]


async def _page(page: PageContext, session: Session, *, status: int = 200, **extra: Any) -> Response:
    org = await accounts.get_org(session, page.ctx)
    context = {"active": "settings", "org": org, "name": org.name, "errors": {}} | extra
    return page.render("settings/index.html", context, status=status)


@router.get("/settings")
async def settings(page: Page, session: Session) -> Response:
    return await _page(page, session)


@router.post("/settings/org")
async def rename(page: Owner, session: Session, name: Annotated[str, Form(max_length=1000)] = "") -> Response:
    body, errors = parse(OrgPatch, {"name": name})
    if body is None:
        return await _page(page, session, status=422, name=name, errors=errors)
    await accounts.rename_org(session, page.ctx, body.name)
    return see_other("/settings?done=renamed")
