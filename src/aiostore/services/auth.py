"""Logging in and out, browser sessions, API tokens (throttling: services/login_throttle.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ApiToken, OAuthState, User, UserSession
from aiostore.db.tenancy import bind_tenant
from aiostore.domain.permissions import Role
from aiostore.errors import InvalidCredentials, NotFound, invalid
from aiostore.security.passwords import hash_password, needs_rehash, verify_password
from aiostore.security.tokens import api_token_org, hash_token, new_api_token, random_token
from aiostore.services import accounts, audit, login_throttle
from aiostore.services.context import Actor, ActorKind, OrgContext


@dataclass(frozen=True, slots=True)
class NewSession:
    user: User
    token: str  # goes in the cookie; only its hash is stored
    csrf_token: str
    org_id: uuid.UUID | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller before an org is chosen (sessions) or with one (tokens)."""

    user: User
    org_id: uuid.UUID | None
    role: Role | None
    actor: Actor
    session: UserSession | None = None


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    client_ip: str | None,
    ttl: timedelta,
) -> NewSession:
    """Check the password and open a session; InvalidCredentials says nothing about which part was wrong.

    Throttling is the caller's (services/login_throttle.py): the attempt is counted before this runs.
    The session opens in the org the person last chose, else their first membership: never in an
    org they did not choose.
    """
    user = await accounts.find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise InvalidCredentials("the email or password is wrong")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    await bind_tenant(session, None, user.id)
    home = accounts.home_org(user, await accounts.memberships_of(session, user.id))
    return await new_session_for(session, user, home[1].id if home else None, ttl=ttl, client_ip=client_ip)


async def new_session_for(
    session: AsyncSession, user: User, org_id: uuid.UUID | None, *, ttl: timedelta, client_ip: str | None
) -> NewSession:
    token, csrf = random_token(), random_token()
    expires = datetime.now(UTC) + ttl
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(token),
            csrf_token=csrf,
            org_id=org_id,
            expires_at=expires,
            client_ip=client_ip,
        )
    )
    await session.flush()
    return NewSession(user, token, csrf, org_id, expires)


async def logout(session: AsyncSession, user_session: UserSession) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == user_session.id))


async def _org_role(
    session: AsyncSession, org_id: uuid.UUID | None, user: User
) -> tuple[uuid.UUID, Role] | None:
    if org_id is not None:
        await bind_tenant(session, org_id, user.id)
        member = await accounts.membership(session, org_id, user.id)
        if member is not None:
            return org_id, Role(member.role)
    await bind_tenant(session, None, user.id)
    home = accounts.home_org(user, await accounts.memberships_of(session, user.id))
    if home is None:
        return None
    m, o = home
    await bind_tenant(session, o.id, user.id)
    return o.id, Role(m.role)


async def authenticate_session(session: AsyncSession, token: str) -> Principal | None:
    now = datetime.now(UTC)
    row = await session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token), UserSession.expires_at > now)
    )
    found = row.one_or_none()
    if found is None:
        return None
    user_session, user = found
    if not user.is_active:
        return None
    actor = Actor(ActorKind.USER, user.id, user.email)
    org_role = await _org_role(session, user_session.org_id, user)
    if org_role is None:
        return Principal(user, None, None, actor, user_session)
    org_id, role = org_role
    if user_session.org_id != org_id:
        user_session.org_id = org_id
    if user_session.last_seen_at is None or now - user_session.last_seen_at > timedelta(minutes=5):
        user_session.last_seen_at = now
    return Principal(user, org_id, role, actor, user_session)


async def authenticate_token(session: AsyncSession, token: str) -> Principal | None:
    org_id = api_token_org(token)
    if org_id is None:
        return None
    await bind_tenant(session, org_id, None)
    now = datetime.now(UTC)
    api_token = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if api_token is None or api_token.revoked_at is not None:
        return None
    if api_token.expires_at is not None and api_token.expires_at <= now:
        return None
    user = await session.get(User, api_token.user_id)
    if user is None or not user.is_active:
        return None
    await bind_tenant(session, org_id, user.id)
    member = await accounts.membership(session, org_id, user.id)
    if member is None:  # the creator left the org: their tokens stop working
        return None
    # A token never acts above its creator's current role.
    role = min(Role(api_token.role), Role(member.role), key=lambda r: r.rank)
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        await session.execute(update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))
    actor = Actor(ActorKind.TOKEN, user.id, f"token:{api_token.name}", api_token.id)
    return Principal(user, org_id, role, actor, None)


async def switch_org(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> Role:
    if principal.session is None:
        raise invalid("org_id", "API tokens are bound to one organization")
    await bind_tenant(session, org_id, principal.user.id)
    member = await accounts.membership(session, org_id, principal.user.id)
    if member is None:
        raise NotFound("organization not found")
    principal.session.org_id = org_id
    principal.user.last_org_id = org_id
    await session.flush()
    return Role(member.role)


@dataclass(frozen=True, slots=True)
class CreatedToken:
    token: ApiToken
    secret: str


async def create_api_token(
    session: AsyncSession, ctx: OrgContext, *, name: str, role: Role, expires_at: datetime | None
) -> CreatedToken:
    """A new token. One created by a token is its child: it expires no later than its parent (by
    default when the parent does) and is revoked with it, so a leaked token cannot outlive itself."""
    if not ctx.role.at_least(role):
        raise invalid("role", f"a token cannot have more rights than your role ({ctx.role.value})")
    if ctx.actor.user_id is None:
        raise invalid("role", "tokens are created by people")
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise invalid("expires_at", "must be in the future")
    parent = await session.get(ApiToken, ctx.actor.token_id) if ctx.actor.token_id is not None else None
    if parent is not None and parent.expires_at is not None:
        if expires_at is None:
            expires_at = parent.expires_at
        elif expires_at > parent.expires_at:
            raise invalid(
                "expires_at",
                f"a token cannot outlive the token that creates it (expires {parent.expires_at.isoformat()})",
            )
    secret = new_api_token(ctx.org_id)
    token = ApiToken(
        org_id=ctx.org_id,
        user_id=ctx.actor.user_id,
        parent_token_id=parent.id if parent is not None else None,
        name=name,
        role=role.value,
        prefix=secret[:12],
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    session.add(token)
    await session.flush()
    await audit.record(
        session,
        ctx,
        "api_token.created",
        "api_token",
        token.id,
        after={
            "name": name,
            "role": role.value,
            "expires_at": expires_at,
            "parent_token_id": token.parent_token_id,
        },
    )
    return CreatedToken(token, secret)


async def list_api_tokens(session: AsyncSession, ctx: OrgContext) -> list[ApiToken]:
    rows = await session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id))
    return list(rows.all())


async def revoke_api_token(session: AsyncSession, ctx: OrgContext, token_id: uuid.UUID) -> ApiToken:
    """Revoke a token and every token created through it (children, their children...)."""
    token = await session.get(ApiToken, token_id)
    if token is None or token.org_id != ctx.org_id:
        raise NotFound("API token not found")
    now = datetime.now(UTC)
    tree = select(ApiToken.id).where(ApiToken.id == token.id).cte("tree", recursive=True)
    tree = tree.union_all(select(ApiToken.id).where(ApiToken.parent_token_id == tree.c.id))
    revoked = await session.scalars(
        update(ApiToken)
        .where(ApiToken.id.in_(select(tree.c.id)), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
        .execution_options(synchronize_session=False)
    )
    for revoked_id in revoked.all():
        await audit.record(
            session,
            ctx,
            "api_token.revoked",
            "api_token",
            revoked_id,
            before={"revoked_at": None},
            after={"revoked_at": now, "revoked_with": None if revoked_id == token.id else token.id},
        )
    await session.refresh(token)
    return token


async def purge_expired(session: AsyncSession, policy: login_throttle.ThrottlePolicy) -> None:
    now = datetime.now(UTC)
    await session.execute(delete(UserSession).where(UserSession.expires_at < now))
    await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
    await login_throttle.purge(session, policy)
