"""Users, organizations and memberships: register, roles, leaving (invitations: services/invitations.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Membership, Organization, User
from aiostore.db.tenancy import bind_tenant
from aiostore.domain.permissions import Role
from aiostore.errors import Conflict, Forbidden, NotFound
from aiostore.security.passwords import hash_password
from aiostore.services import audit
from aiostore.services.context import Actor, ActorKind, OrgContext


@dataclass(frozen=True, slots=True)
class Registered:
    user: User
    org: Organization


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.lower()))


async def create_user(session: AsyncSession, *, email: str, password: str, display_name: str) -> User:
    if await find_user_by_email(session, email) is not None:
        raise Conflict("an account with this email already exists; log in instead")
    user = User(email=email.lower(), password_hash=hash_password(password), display_name=display_name)
    session.add(user)
    await session.flush()
    return user


async def create_org(
    session: AsyncSession,
    user: User,
    name: str,
    *,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> Organization:
    """A new organization with `user` as its owner; the session is scoped to it afterwards."""
    org = Organization(id=uuid.uuid4(), name=name)
    await bind_tenant(session, org.id, user.id)
    session.add(org)
    await session.flush()
    session.add(Membership(org_id=org.id, user_id=user.id, role=Role.OWNER.value))
    await session.flush()
    ctx = OrgContext(org.id, Role.OWNER, Actor(ActorKind.USER, user.id, user.email), request_id, client_ip)
    await audit.record(session, ctx, "org.created", "organization", org.id, after={"name": name})
    return org


async def register(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    org_name: str,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> Registered:
    user = await create_user(session, email=email, password=password, display_name=display_name)
    org = await create_org(session, user, org_name, request_id=request_id, client_ip=client_ip)
    return Registered(user, org)


async def memberships_of(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[Membership, Organization]]:
    """Every org the user belongs to (RLS lets a user see their own memberships)."""
    rows = await session.execute(
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.org_id)
        .where(Membership.user_id == user_id)
        .order_by(Organization.created_at, Organization.id)
        .execution_options(skip_tenant_filter=True)
    )
    return [(m, o) for m, o in rows.all()]


def home_org(
    user: User, orgs: list[tuple[Membership, Organization]]
) -> tuple[Membership, Organization] | None:
    """Where a login opens: the org the person last chose, else the first one they joined."""
    chosen = [(m, o) for m, o in orgs if o.id == user.last_org_id]
    if chosen:
        return chosen[0]
    return min(orgs, key=lambda mo: (mo[0].created_at, str(mo[0].id)), default=None)


async def membership(session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
    return await session.scalar(
        select(Membership)
        .where(Membership.org_id == org_id, Membership.user_id == user_id)
        .execution_options(skip_tenant_filter=True)
    )


async def get_org(session: AsyncSession, ctx: OrgContext) -> Organization:
    org = await session.get(Organization, ctx.org_id)
    if org is None:
        raise NotFound("organization not found")
    return org


async def rename_org(session: AsyncSession, ctx: OrgContext, name: str) -> Organization:
    org = await get_org(session, ctx)
    before = {"name": org.name}
    org.name = name
    await session.flush()
    await audit.record(
        session, ctx, "org.updated", "organization", org.id, before=before, after={"name": name}
    )
    return org


async def list_members(session: AsyncSession, ctx: OrgContext) -> list[tuple[Membership, User]]:
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == ctx.org_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [(m, u) for m, u in rows.all()]


def _check_grant(ctx: OrgContext, role: Role) -> None:
    if not ctx.role.at_least(role):
        raise Forbidden(f"a {ctx.role.value} cannot grant the {role.value} role")


async def _owners(session: AsyncSession, org_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.org_id == org_id, Membership.role == Role.OWNER.value)
    )
    return int(count or 0)


async def _member_for_change(session: AsyncSession, ctx: OrgContext, member_id: uuid.UUID) -> Membership:
    member = await session.get(Membership, member_id)
    if member is None or member.org_id != ctx.org_id:
        raise NotFound("member not found")
    if not ctx.role.at_least(Role(member.role)):
        raise Forbidden(f"a {ctx.role.value} cannot change a {member.role}")
    return member


async def change_role(session: AsyncSession, ctx: OrgContext, member_id: uuid.UUID, role: Role) -> Membership:
    member = await _member_for_change(session, ctx, member_id)
    _check_grant(ctx, role)
    if member.role == Role.OWNER.value and role is not Role.OWNER and await _owners(session, ctx.org_id) <= 1:
        raise Conflict("an organization needs at least one owner")
    before = {"role": member.role}
    member.role = role.value
    await session.flush()
    await audit.record(
        session,
        ctx,
        "member.role_changed",
        "membership",
        member.id,
        before=before,
        after={"role": role.value},
    )
    return member


async def remove_member(session: AsyncSession, ctx: OrgContext, member_id: uuid.UUID) -> None:
    member = await _member_for_change(session, ctx, member_id)
    if member.role == Role.OWNER.value and await _owners(session, ctx.org_id) <= 1:
        raise Conflict("an organization needs at least one owner")
    await audit.record(
        session,
        ctx,
        "member.removed",
        "membership",
        member.id,
        before={"user_id": member.user_id, "role": member.role},
    )
    await session.delete(member)
    await session.flush()


async def leave_org(
    session: AsyncSession,
    user: User,
    org_id: uuid.UUID,
    *,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> None:
    """Any member may leave, whatever their role, except the last owner."""
    await bind_tenant(session, org_id, user.id)
    member = await membership(session, org_id, user.id)
    if member is None:
        raise NotFound("organization not found")
    if member.role == Role.OWNER.value and await _owners(session, org_id) <= 1:
        raise Conflict("you are the last owner: make another member owner before leaving")
    ctx = OrgContext(
        org_id, Role(member.role), Actor(ActorKind.USER, user.id, user.email), request_id, client_ip
    )
    await audit.record(
        session, ctx, "member.left", "membership", member.id, before={"user_id": user.id, "role": member.role}
    )
    await session.delete(member)
    if user.last_org_id == org_id:
        user.last_org_id = None
    await session.flush()
