"""The current organization and its members."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from aiostore.domain.permissions import Permission, Role
from aiostore.services import accounts, invitations
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import StrictModel

router = APIRouter(prefix="/api/org", tags=["organization"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class OrgOut(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime


class OrgPatch(StrictModel):
    name: Name


class MemberOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    created_at: datetime


class InviteIn(StrictModel):
    email: EmailStr
    role: Role


class InviteOut(BaseModel):
    status: Literal["invited"] = "invited"
    invitation_id: uuid.UUID
    invitation_token: str = Field(description="shown once: pass it on to the invitee")
    expires_at: datetime


class SentInvitationOut(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    status: Literal["pending", "declined", "expired"]
    created_at: datetime
    expires_at: datetime


class RoleIn(StrictModel):
    role: Role


@router.get("")
async def get_org(session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.READ)]) -> OrgOut:
    org = await accounts.get_org(session, ctx)
    return OrgOut(id=org.id, name=org.name, created_at=org.created_at)


@router.patch("")
async def rename_org(
    body: OrgPatch, session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.ORG_MANAGE)]
) -> OrgOut:
    org = await accounts.rename_org(session, ctx, body.name)
    return OrgOut(id=org.id, name=org.name, created_at=org.created_at)


@router.get("/members")
async def list_members(
    session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.READ)]
) -> list[MemberOut]:
    return [
        MemberOut(
            id=m.id,
            user_id=u.id,
            email=u.email,
            display_name=u.display_name,
            role=Role(m.role),
            created_at=m.created_at,
        )
        for m, u in await accounts.list_members(session, ctx)
    ]


@router.post("/members", status_code=status.HTTP_201_CREATED)
async def invite_member(
    body: InviteIn, session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.MEMBERS_MANAGE)]
) -> InviteOut:
    """Invite a person by email with a role. Nobody joins without consent: the invitee sees the
    invitation once signed in (GET /api/invitations) and accepts or declines it, or redeems the token
    (shown once) at POST /api/auth/accept-invitation. The answer is the same whether or not the email
    has an account."""
    created = await invitations.invite(session, ctx, email=str(body.email), role=body.role)
    return InviteOut(
        invitation_id=created.invitation.id,
        invitation_token=created.token,
        expires_at=created.invitation.expires_at,
    )


@router.get("/invitations")
async def list_invitations(
    session: Session, ctx: Annotated[OrgContext, RequirePermission(Permission.MEMBERS_MANAGE)]
) -> list[SentInvitationOut]:
    """Invitations not accepted yet: pending, declined by the invitee, or expired."""
    now = datetime.now(UTC)
    return [
        SentInvitationOut(
            id=inv.id,
            email=inv.email,
            role=Role(inv.role),
            status=invitations.status_of(inv, now),
            created_at=inv.created_at,
            expires_at=inv.expires_at,
        )
        for inv in await invitations.list_sent(session, ctx)
    ]


@router.delete("/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invitation(
    invitation_id: uuid.UUID,
    session: Session,
    ctx: Annotated[OrgContext, RequirePermission(Permission.MEMBERS_MANAGE)],
) -> None:
    """Withdraw an invitation that was not accepted; its token stops working."""
    await invitations.revoke(session, ctx, invitation_id)


@router.patch("/members/{member_id}")
async def change_role(
    member_id: uuid.UUID,
    body: RoleIn,
    session: Session,
    ctx: Annotated[OrgContext, RequirePermission(Permission.MEMBERS_MANAGE)],
) -> MemberOut:
    member = await accounts.change_role(session, ctx, member_id, body.role)
    users = {m.id: u for m, u in await accounts.list_members(session, ctx)}
    u = users[member.id]
    return MemberOut(
        id=member.id,
        user_id=u.id,
        email=u.email,
        display_name=u.display_name,
        role=Role(member.role),
        created_at=member.created_at,
    )


@router.delete("/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    member_id: uuid.UUID,
    session: Session,
    ctx: Annotated[OrgContext, RequirePermission(Permission.MEMBERS_MANAGE)],
) -> None:
    await accounts.remove_member(session, ctx, member_id)
