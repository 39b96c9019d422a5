"""Members and roles: everyone in the organisation with their role; for admins, change a role, remove a
member, invite by email (the one-time link shown once) and withdraw an invitation not accepted yet.

The services /api/org/members and /api/org/invitations call, behind the same permissions; nobody can
change, remove, grant or withdraw above their own role (the services refuse it, the page hides it).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aiostore.domain.permissions import Permission, Role
from aiostore.errors import AppError
from aiostore.services import accounts, invitations
from aiostore.web import i18n
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import app_errors, parse
from aiostore.web.routes.orgs import InviteIn, RoleIn

router = APIRouter(include_in_schema=False)
Manage = Annotated[PageContext, PageFor(Permission.MEMBERS_MANAGE)]
Text = Annotated[str, Form(max_length=320)]


async def _page(page: PageContext, session: Session, *, status: int = 200, **extra: Any) -> Response:
    manage = page.can(Permission.MEMBERS_MANAGE)
    found = await accounts.list_members(session, page.ctx)
    sent = await invitations.list_sent(session, page.ctx) if manage else []
    context = {
        "active": "members",
        "members": found,
        "sent": sent,
        # what this role may change or withdraw: nothing above itself (the services refuse it too)
        "changeable": {m.id for m, _ in found if manage and page.role.at_least(Role(m.role))},
        "withdrawable": {i.id for i in sent if page.role.at_least(Role(i.role))},
        "status_of": invitations.status_of,
        "now": datetime.now(UTC),
        "grantable": [r.value for r in Role if page.role.at_least(r)],
        "manage": manage,
        "invite": {"email": "", "role": Role.OPERATOR.value},
        "errors": {},
        "failed": None,  # {"id": member id, "detail": why} after a refused change
        "link": None,
    } | extra
    return page.render("members/index.html", context, status=status)


@router.get("/members")
async def members(page: Page, session: Session) -> Response:
    return await _page(page, session)


@router.post("/members/invite")
async def invite(
    request: Request, page: Manage, session: Session, email: Text = "", role: Text = ""
) -> Response:
    """Invite an email address; the answer shows the one-time link to pass on (never shown again)."""
    values = {"email": email, "role": role}
    body, errors = parse(InviteIn, values)
    if body is None:
        return await _page(page, session, status=422, invite=values, errors=errors)
    try:
        created = await invitations.invite(session, page.ctx, email=str(body.email), role=body.role)
    except AppError as exc:
        if exc.status not in (403, 409, 422):
            raise
        await settle(session, exc)
        errors = app_errors(exc) or {"email": _why(exc)}
        return await _page(page, session, status=exc.status, invite=values, errors=errors)
    query = urlencode({"org_id": str(page.ctx.org_id), "token": created.token})
    link = str(request.base_url).rstrip("/") + "/invitations/accept?" + query
    sent = {"email": created.invitation.email, "url": link, "expires_at": created.invitation.expires_at}
    return await _page(page, session, status=201, link=sent)


def _why(exc: AppError) -> str:
    if exc.status == 409:
        return i18n._("This person is already a member.")
    if exc.status == 403:
        return i18n._("Your role cannot grant this role.")
    return exc.detail


@router.post("/members/{member_id}/role")
async def change_role(member_id: uuid.UUID, page: Manage, session: Session, role: Text = "") -> Response:
    body, errors = parse(RoleIn, {"role": role})
    if body is None:
        return await _page(page, session, status=422, failed={"id": member_id, "detail": errors["role"]})
    try:
        await accounts.change_role(session, page.ctx, member_id, body.role)
    except AppError as exc:
        return await _refused(page, session, member_id, exc)
    return see_other("/members?done=role_changed")


@router.post("/members/{member_id}/remove")
async def remove(member_id: uuid.UUID, page: Manage, session: Session) -> Response:
    try:
        await accounts.remove_member(session, page.ctx, member_id)
    except AppError as exc:
        return await _refused(page, session, member_id, exc)
    return see_other("/members?done=removed")


async def _refused(page: PageContext, session: Session, member_id: uuid.UUID, exc: AppError) -> Response:
    """A change the service refused (the last owner, above your role) is shown beside that member."""
    if exc.status not in (403, 409):
        raise exc
    await settle(session, exc)
    detail = (
        i18n._("An organisation needs at least one owner.")
        if exc.status == 409
        else i18n._("Your role cannot change this member.")
    )
    return await _page(page, session, status=exc.status, failed={"id": member_id, "detail": detail})


@router.post("/members/invitations/{invitation_id}/withdraw")
async def withdraw(invitation_id: uuid.UUID, page: Manage, session: Session) -> Response:
    await invitations.revoke(session, page.ctx, invitation_id)
    return see_other("/members?done=withdrawn")
