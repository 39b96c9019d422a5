"""Register, log in and out, who am I, switch organization, accept an invitation."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from aiostore.db.models import Membership
from aiostore.domain.permissions import ROLE_PERMISSIONS, Role
from aiostore.services import accounts, auth, invitations, login_throttle
from aiostore.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppSettings,
    Authenticated,
    Public,
    Session,
    client_ip,
    get_db,
    request_id,
    secure_cookies,
)
from aiostore.web.routes.common import StrictModel

router = APIRouter(prefix="/api/auth", tags=["auth"])

Password = Annotated[str, StringConstraints(min_length=10, max_length=1024)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RegisterIn(StrictModel):
    email: EmailStr
    password: Password
    display_name: Name
    organization_name: Name


class LoginIn(StrictModel):
    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class SwitchOrgIn(StrictModel):
    org_id: uuid.UUID


class AcceptInvitationIn(StrictModel):
    org_id: uuid.UUID
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class OrgMembershipOut(BaseModel):
    org_id: uuid.UUID
    name: str
    role: Role


class MeOut(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    org_id: uuid.UUID | None
    role: Role | None
    permissions: list[str]
    organizations: list[OrgMembershipOut]
    auth: str = Field(description="'session' or 'token'")
    csrf_token: str | None = None


def set_session_cookies(
    request: Request, response: Response, settings: AppSettings, new: auth.NewSession
) -> None:
    """The HttpOnly session cookie and the CSRF cookie of a new session (login, register, demo)."""
    max_age = settings.session_ttl_hours * 3600
    secure = secure_cookies(request)
    for name, value, httponly in ((SESSION_COOKIE, new.token, True), (CSRF_COOKIE, new.csrf_token, False)):
        response.set_cookie(
            name, value, max_age=max_age, httponly=httponly, samesite="lax", secure=secure, path="/"
        )


async def me_out(session: Session, principal: auth.Principal) -> MeOut:
    orgs = await accounts.memberships_of(session, principal.user.id)
    if principal.actor.token_id is not None:  # a token sees only its own org
        orgs = [(m, o) for m, o in orgs if o.id == principal.org_id]
    return MeOut(
        user_id=principal.user.id,
        email=principal.user.email,
        display_name=principal.user.display_name,
        org_id=principal.org_id,
        role=principal.role,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[principal.role]) if principal.role else [],
        organizations=[OrgMembershipOut(org_id=o.id, name=o.name, role=Role(m.role)) for m, o in orgs],
        auth="token" if principal.actor.token_id else "session",
        csrf_token=principal.session.csrf_token if principal.session else None,
    )


@router.post("/register", status_code=status.HTTP_201_CREATED, dependencies=[Public("sign-up")])
async def register(body: RegisterIn, request: Request, response: Response, settings: AppSettings) -> MeOut:
    """Create an account and its organization (you become its owner), and log in.

    An email that is taken gets 409 and counts as a failed attempt of the client address, with the
    same progressive delays as failed logins, so probing for accounts is throttled.
    """
    db = get_db(request)
    ip = client_ip(request)
    policy = login_throttle.ThrottlePolicy.of(settings)
    async with db.transaction() as session:
        attempt = await login_throttle.begin(session, policy, login_throttle.register_limits(ip, policy))
    async with db.transaction() as session:
        done = await accounts.register(
            session,
            email=str(body.email),
            password=body.password,
            display_name=body.display_name,
            org_name=body.organization_name,
            request_id=request_id(request),
            client_ip=ip,
        )
        new = await auth.new_session_for(
            session, done.user, done.org.id, ttl=timedelta(hours=settings.session_ttl_hours), client_ip=ip
        )
        await login_throttle.forgive(session, attempt)
    return await _signed_in(request, response, settings, new)


async def _signed_in(
    request: Request, response: Response, settings: AppSettings, new: auth.NewSession
) -> MeOut:
    set_session_cookies(request, response, settings, new)
    async with get_db(request).transaction() as session:
        principal = await auth.authenticate_session(session, new.token)
        assert principal is not None  # noqa: S101
        return await me_out(session, principal)


@router.post("/login", dependencies=[Public("log in")])
async def login(body: LoginIn, request: Request, response: Response, settings: AppSettings) -> MeOut:
    """Log in with email and password; sets an HttpOnly session cookie and a CSRF cookie.

    Failures are counted per account and client address: past AIOSTORE_LOGIN_MAX_FAILURES each
    further attempt from that address waits a doubling delay (429 with Retry-After); other addresses
    are not affected, and a success clears the count. One address failing on many accounts is slowed
    the same way past AIOSTORE_LOGIN_ADDRESS_MAX_FAILURES. The answer never says whether the email exists.
    """
    db = get_db(request)
    ip = client_ip(request)
    policy = login_throttle.ThrottlePolicy.of(settings)
    limits = login_throttle.login_limits(str(body.email), ip, policy)
    async with db.transaction() as session:
        attempt = await login_throttle.begin(session, policy, limits)
    async with db.transaction() as session:
        new = await auth.login(
            session,
            email=str(body.email),
            password=body.password,
            client_ip=ip,
            ttl=timedelta(hours=settings.session_ttl_hours),
        )
        await login_throttle.forgive(session, attempt, clear=login_throttle.PAIR)
    return await _signed_in(request, response, settings, new)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request,
    response: Response,
    session: Session,
    principal: Annotated[auth.Principal, Authenticated()],
) -> None:
    """End this browser session (API tokens are revoked under /api/tokens)."""
    if principal.session is not None:
        await auth.logout(session, principal.session)
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=secure_cookies(request), samesite="lax")


@router.get("/me")
async def me(session: Session, principal: Annotated[auth.Principal, Authenticated()]) -> MeOut:
    """Who you are, the organization you act in, your role and permissions, and your organizations."""
    return await me_out(session, principal)


@router.post("/switch-org")
async def switch_org(
    body: SwitchOrgIn, session: Session, principal: Annotated[auth.Principal, Authenticated()]
) -> MeOut:
    """Act in another organization you belong to (browser sessions)."""
    role = await auth.switch_org(session, principal, body.org_id)
    updated = auth.Principal(principal.user, body.org_id, role, principal.actor, principal.session)
    return await me_out(session, updated)


@router.post("/accept-invitation")
async def accept_invitation(
    body: AcceptInvitationIn,
    request: Request,
    session: Session,
    principal: Annotated[auth.Principal, Authenticated()],
) -> MeOut:
    """Join the organization that invited your email address with the token its admin passed on."""
    member = await invitations.accept_token(
        session,
        principal.user,
        body.org_id,
        body.token,
        request_id=request_id(request),
        client_ip=client_ip(request),
    )
    return await act_in_joined_org(session, principal, member)


async def act_in_joined_org(session: Session, principal: auth.Principal, member: Membership) -> MeOut:
    """After accepting an invitation, this browser session acts in that org (the person chose it)."""
    if principal.session is not None:
        principal.session.org_id = member.org_id
        principal.user.last_org_id = member.org_id
        await session.flush()
    updated = auth.Principal(
        principal.user, member.org_id, Role(member.role), principal.actor, principal.session
    )
    return await me_out(session, updated)
