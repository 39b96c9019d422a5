"""Invitations to answer: the organisations that invited your email address, accepted or declined here
(the API's own endpoint functions: consent, audit and the switch to the joined org as there)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from aiostore.services import auth
from aiostore.web.deps import Authenticated, Session
from aiostore.web.pages.deps import public_context, see_other
from aiostore.web.pages.rendering import render
from aiostore.web.routes import membership as api

router = APIRouter(include_in_schema=False)
Person = Annotated[auth.Principal, Authenticated()]


@router.get("/invitations")
async def invitation_list(request: Request, session: Session, principal: Person) -> Response:
    csrf_token = principal.session.csrf_token if principal.session else ""
    pending = await api.list_invitations(session, principal)
    context = public_context(request) | {"csrf_token": csrf_token, "invitations": pending}
    return render(request, "invitations/index.html", context)


@router.post("/invitations/{invitation_id}/accept")
async def accept(invitation_id: uuid.UUID, request: Request, session: Session, principal: Person) -> Response:
    await api.accept_invitation(invitation_id, request, session, principal)
    return see_other("/overview?done=joined")


@router.post("/invitations/{invitation_id}/decline")
async def decline(
    invitation_id: uuid.UUID, request: Request, session: Session, principal: Person
) -> Response:
    await api.decline_invitation(invitation_id, request, session, principal)
    return see_other("/invitations?done=declined")
