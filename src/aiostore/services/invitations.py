"""Invitations: nobody is placed in an organization without consent.

An admin invites an email address; the answer is the same whether or not an account has that email
(an invitation and its one-time token, shown once), so inviting reveals nothing about other people.
The person with that email sees the invitation once signed in (RLS lets a user read the invitations
sent to their email) and accepts or declines it; or redeems the token after registering.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Invitation, Membership, Organization, User
from aiostore.db.tenancy import bind_tenant
from aiostore.domain.permissions import Role
from aiostore.errors import Conflict, Forbidden, NotFound, invalid
from aiostore.security.tokens import hash_token, random_token
from aiostore.services import audit
from aiostore.services.accounts import membership
from aiostore.services.context import Actor, ActorKind, OrgContext

INVITATION_TTL = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Created:
    invitation: Invitation
    token: str  # shown once to the inviter, to pass on; only its hash is stored


@dataclass(frozen=True, slots=True)
class Pending:
    invitation: Invitation
    org: Organization
    invited_by: str | None  # the inviter's display name


async def invite(session: AsyncSession, ctx: OrgContext, *, email: str, role: Role) -> Created:
    """Invite an email address with a role; whether it has an account is not looked up."""
    if not ctx.role.at_least(role):
        raise Forbidden(f"a {ctx.role.value} cannot grant the {role.value} role")
    email = email.lower()
    member = await session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == ctx.org_id, func.lower(User.email) == email)
    )
    if member is not None:  # the inviter can list the members anyway
        raise Conflict("this person is already a member")
    token = random_token()
    inv = Invitation(
        org_id=ctx.org_id,
        email=email,
        role=role.value,
        token_hash=hash_token(token),
        invited_by=ctx.actor.user_id,
        expires_at=datetime.now(UTC) + INVITATION_TTL,
    )
    session.add(inv)
    await session.flush()
    await audit.record(
        session, ctx, "member.invited", "invitation", inv.id, after={"email": inv.email, "role": role.value}
    )
    return Created(inv, token)


async def list_sent(session: AsyncSession, ctx: OrgContext) -> list[Invitation]:
    """The org's invitations not accepted yet (pending, declined or expired), newest first."""
    rows = await session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id)
    )
    return list(rows.all())


async def revoke(session: AsyncSession, ctx: OrgContext, invitation_id: uuid.UUID) -> None:
    """Withdraw an invitation not accepted yet (another org's is a 404)."""
    inv = await session.get(Invitation, invitation_id)
    if inv is None or inv.org_id != ctx.org_id:
        raise NotFound("invitation not found")
    if inv.accepted_at is not None:
        raise Conflict("this invitation was accepted: remove the member instead")
    if not ctx.role.at_least(Role(inv.role)):
        raise Forbidden(f"a {ctx.role.value} cannot withdraw an invitation as {inv.role}")
    await audit.record(
        session,
        ctx,
        "member.invitation_revoked",
        "invitation",
        inv.id,
        before={"email": inv.email, "role": inv.role},
    )
    await session.delete(inv)
    await session.flush()


def status_of(inv: Invitation, now: datetime) -> str:
    if inv.accepted_at is not None:
        return "accepted"
    if inv.declined_at is not None:
        return "declined"
    return "expired" if inv.expires_at <= now else "pending"


def _open(inv: Invitation, now: datetime) -> bool:
    return status_of(inv, now) == "pending"


async def pending_for(session: AsyncSession, user: User) -> list[Pending]:
    """The open invitations sent to the user's email, in every org."""
    await bind_tenant(session, None, user.id)
    inviter = User.__table__.alias("inviter")
    rows = await session.execute(
        select(Invitation, Organization, inviter.c.display_name)
        .join(Organization, Organization.id == Invitation.org_id)
        .outerjoin(inviter, inviter.c.id == Invitation.invited_by)
        .where(
            func.lower(Invitation.email) == user.email.lower(),
            Invitation.accepted_at.is_(None),
            Invitation.declined_at.is_(None),
            Invitation.expires_at > datetime.now(UTC),
        )
        .order_by(Invitation.created_at, Invitation.id)
        .execution_options(skip_tenant_filter=True)
    )
    return [Pending(inv, org, name) for inv, org, name in rows.all()]


async def _addressed_to(session: AsyncSession, user: User, invitation_id: uuid.UUID) -> Invitation:
    await bind_tenant(session, None, user.id)
    inv = await session.scalar(
        select(Invitation)
        .where(Invitation.id == invitation_id, func.lower(Invitation.email) == user.email.lower())
        .execution_options(skip_tenant_filter=True)
    )
    if inv is None:
        raise NotFound("invitation not found")
    if not _open(inv, datetime.now(UTC)):
        raise Conflict("this invitation was already answered or has expired")
    return inv


def _invitee_ctx(inv: Invitation, user: User, request_id: str | None, client_ip: str | None) -> OrgContext:
    actor = Actor(ActorKind.USER, user.id, user.email)
    return OrgContext(inv.org_id, Role(inv.role), actor, request_id, client_ip)


async def _join(
    session: AsyncSession, user: User, inv: Invitation, request_id: str | None, client_ip: str | None
) -> Membership:
    await bind_tenant(session, inv.org_id, user.id)
    if await membership(session, inv.org_id, user.id) is not None:
        raise Conflict("you are already a member of this organization")
    inv.accepted_at = datetime.now(UTC)
    member = Membership(org_id=inv.org_id, user_id=user.id, role=inv.role)
    session.add(member)
    await session.flush()
    ctx = _invitee_ctx(inv, user, request_id, client_ip)
    await audit.record(
        session,
        ctx,
        "member.joined",
        "membership",
        member.id,
        after={"role": inv.role, "invitation_id": inv.id},
    )
    return member


async def accept(
    session: AsyncSession,
    user: User,
    invitation_id: uuid.UUID,
    *,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> Membership:
    inv = await _addressed_to(session, user, invitation_id)
    return await _join(session, user, inv, request_id, client_ip)


async def decline(
    session: AsyncSession,
    user: User,
    invitation_id: uuid.UUID,
    *,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> None:
    inv = await _addressed_to(session, user, invitation_id)
    await bind_tenant(session, inv.org_id, user.id)
    inv.declined_at = datetime.now(UTC)
    await session.flush()
    ctx = _invitee_ctx(inv, user, request_id, client_ip)
    await audit.record(
        session,
        ctx,
        "member.invitation_declined",
        "invitation",
        inv.id,
        after={"declined_at": inv.declined_at},
    )


async def accept_token(
    session: AsyncSession,
    user: User,
    org_id: uuid.UUID,
    token: str,
    *,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> Membership:
    """Redeem the one-time token the inviter passed on (it must have been sent to this user's email)."""
    await bind_tenant(session, org_id, user.id)
    inv = await session.scalar(
        select(Invitation).where(Invitation.org_id == org_id, Invitation.token_hash == hash_token(token))
    )
    if inv is None or not _open(inv, datetime.now(UTC)):
        raise invalid("token", "this invitation is not valid or has expired", "invalid_invitation")
    if inv.email != user.email.lower():
        raise invalid("token", "this invitation was sent to another email address", "invalid_invitation")
    return await _join(session, user, inv, request_id, client_ip)
