"""The signed-in person's side of membership: invitations to answer, organizations to leave.

Browser sessions only: an API token acts in its one organization and cannot join or leave others.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from aiostore.domain.permissions import Role
from aiostore.errors import Forbidden
from aiostore.services import accounts, auth, invitations
from aiostore.web.deps import Authenticated, Session, client_ip, request_id
from aiostore.web.routes.auth import MeOut, act_in_joined_org

router = APIRouter(tags=["membership"])


def _person(principal: auth.Principal) -> auth.Principal:
    if principal.session is None:
        raise Forbidden("log in with a browser session: an API token acts only in its own organization")
    return principal


Person = Annotated[auth.Principal, Authenticated()]


class InvitationOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    role: Role
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


@router.get("/api/invitations")
async def list_invitations(session: Session, principal: Person) -> list[InvitationOut]:
    """The open invitations sent to your email address, from any organization."""
    found = await invitations.pending_for(session, _person(principal).user)
    return [
        InvitationOut(
            id=p.invitation.id,
            org_id=p.org.id,
            org_name=p.org.name,
            role=Role(p.invitation.role),
            invited_by=p.invited_by,
            created_at=p.invitation.created_at,
            expires_at=p.invitation.expires_at,
        )
        for p in found
    ]


@router.post("/api/invitations/{invitation_id}/accept")
async def accept_invitation(
    invitation_id: uuid.UUID, request: Request, session: Session, principal: Person
) -> MeOut:
    """Join the organization with the invitation's role; this session then acts in it."""
    member = await invitations.accept(
        session,
        _person(principal).user,
        invitation_id,
        request_id=request_id(request),
        client_ip=client_ip(request),
    )
    return await act_in_joined_org(session, principal, member)


@router.post("/api/invitations/{invitation_id}/decline", status_code=status.HTTP_204_NO_CONTENT)
async def decline_invitation(
    invitation_id: uuid.UUID, request: Request, session: Session, principal: Person
) -> None:
    await invitations.decline(
        session,
        _person(principal).user,
        invitation_id,
        request_id=request_id(request),
        client_ip=client_ip(request),
    )


@router.delete("/api/orgs/{org_id}/membership", status_code=status.HTTP_204_NO_CONTENT)
async def leave_org(org_id: uuid.UUID, request: Request, session: Session, principal: Person) -> None:
    """Leave an organization, whatever your role; its last owner cannot leave (409)."""
    await accounts.leave_org(
        session,
        _person(principal).user,
        org_id,
        request_id=request_id(request),
        client_ip=client_ip(request),
    )
