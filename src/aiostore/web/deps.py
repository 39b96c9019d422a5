"""Typed dependencies: the request's session, who is calling, and what they may do.

`Session` owns the transaction: it commits when the endpoint returns and rolls back when it raises,
before the response is sent (scope="function"). `RequirePermission(p)` authenticates, checks the role,
enforces CSRF for cookie sessions (header, or a form's hidden field), honours Idempotency-Key on unsafe
methods, and returns an OrgContext.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile as StarletteUpload

from aiostore.db.session import Database
from aiostore.domain.permissions import Permission
from aiostore.errors import AppError, CSRFFailed, Forbidden, NotAuthenticated
from aiostore.security.crypto import TokenCipher
from aiostore.security.tokens import same
from aiostore.services import auth, idempotency
from aiostore.services.context import OrgContext
from aiostore.settings import Settings
from aiostore.web.problems import Replay

SESSION_COOKIE = "aiostore_session"
CSRF_COOKIE = "aiostore_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
IDEMPOTENCY_FIELD = "idempotency_key"  # a page's form sends the key here (no script, no header)
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)  # noqa: S101
    return settings


def get_db(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)  # noqa: S101
    return db


IDEMPOTENCY_CLAIM = "aiostore.idempotency_claim"
UPLOAD = "aiostore.upload"  # set by the request middleware on spreadsheet uploads it spooled
OPEN_SESSION = "aiostore.idempotency_session"


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed on success, rolled back on error unless the error
    says its changes are facts to keep (AppError.keep_changes). A request that claimed an
    Idempotency-Key hands its open transaction to the middleware instead of committing: the
    response is recorded in it, then it commits (see services/idempotency.py)."""
    db = get_db(request)
    session = db.sessionmaker()
    handed_over = False
    try:
        yield session
    except AppError as exc:
        if exc.keep_changes:
            await session.commit()
        else:
            await session.rollback()
        raise
    except BaseException:
        await session.rollback()
        raise
    else:
        if IDEMPOTENCY_CLAIM in request.scope:
            request.scope[OPEN_SESSION] = session
            handed_over = True
        else:
            await session.commit()
    finally:
        if not handed_over:
            await session.close()


AppSettings = Annotated[Settings, Depends(get_settings)]
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


def client_ip(request: Request) -> str | None:
    """The peer's address, or the client's as named by a trusted proxy (AIOSTORE_TRUSTED_PROXIES)."""
    return request.client.host[:64] if request.client else None


def secure_cookies(request: Request) -> bool:
    """Cookies are `Secure` in production, when forced by setting, or when the request came over
    HTTPS (directly, or as a trusted proxy says)."""
    settings = get_settings(request)
    return settings.cookie_secure or settings.is_production or request.url.scheme == "https"


def request_id(request: Request) -> str | None:
    value = request.scope.get("aiostore.request_id")
    return value if isinstance(value, str) else None


async def get_principal(request: Request, session: Session) -> auth.Principal | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("use 'Authorization: Bearer <API token>'")
        principal = await auth.authenticate_token(session, token.strip())
        if principal is None:
            raise NotAuthenticated("the API token is not valid, expired or revoked")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    principal = await auth.authenticate_session(session, cookie)
    if principal is None:
        return None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "") or csrf_form_field(request)
        sent = sent or await upload_field(request, CSRF_FIELD)
        assert principal.session is not None  # noqa: S101
        if not sent or not same(sent, principal.session.csrf_token):
            raise CSRFFailed(
                f"send the {CSRF_COOKIE} cookie's value in the X-CSRF-Token header "
                f"(or, from a form, in its {CSRF_FIELD} field)"
            )
    return principal


def csrf_form_field(request: Request) -> str:
    """The CSRF token of an HTML form posted without scripts (its hidden `csrf_token` field)."""
    return form_field(request, CSRF_FIELD)


def form_field(request: Request, name: str) -> str:
    """One field of an urlencoded form, read from the body the outer middleware buffered ("" when the
    body is no such form or names the field other than once)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM_CONTENT_TYPE:
        return ""
    body = request.scope.get("aiostore.body", b"")
    if not isinstance(body, bytes):
        return ""
    try:
        values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=200).get(name, [])
    except ValueError:  # more fields than any of our forms has
        return ""
    return values[0] if len(values) == 1 else ""


async def upload_field(request: Request, name: str) -> str:
    """One text field of a spooled multipart upload (a page's upload form: its CSRF token and
    idempotency key); "" for any other request."""
    if UPLOAD not in request.scope:
        return ""
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else ""


MaybePrincipal = Annotated[auth.Principal | None, Depends(get_principal)]


async def require_principal(principal: MaybePrincipal) -> auth.Principal:
    if principal is None:
        raise NotAuthenticated("log in, or send an API token")
    return principal


CurrentPrincipal = Annotated[auth.Principal, Depends(require_principal)]


async def honour_idempotency(
    request: Request, session: AsyncSession, org_id: uuid.UUID | None, user_id: uuid.UUID
) -> None:
    """Claim the Idempotency-Key of an unsafe request in its own transaction, or replay / refuse
    (see services/idempotency.py). A page's form sends the key in its hidden `idempotency_key` field."""
    sent = request.headers.get("idempotency-key") or form_field(request, IDEMPOTENCY_FIELD)
    raw = sent or await upload_field(request, IDEMPOTENCY_FIELD) or None
    if raw is None or request.method in SAFE_METHODS or org_id is None:
        return
    key = idempotency.validate_key(raw)
    body = request.scope.get("aiostore.body", b"")
    if UPLOAD in request.scope:  # a spooled upload: its fields and files, whatever the boundary
        body = await form_digest(request)
    fingerprint = idempotency.request_fingerprint(
        request.method, request.url.path, request.url.query, body if isinstance(body, bytes) else b""
    )
    settings = get_settings(request)
    wanted = idempotency.Claim(
        org_id=org_id,
        user_id=user_id,
        key=key,
        method=request.method,
        path=request.url.path,
        fingerprint=fingerprint,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
    )
    result = await idempotency.claim(session, wanted, response_cipher(request))
    if isinstance(result, idempotency.StoredResponse):
        raise Replay(result)
    request.scope[IDEMPOTENCY_CLAIM] = result


async def form_digest(request: Request) -> bytes:
    """A multipart form's fields and files (names and contents) as one digest: the same upload sent
    again with another multipart boundary is the same request."""
    digest = hashlib.sha256()
    form = await request.form()  # parsed already for the endpoint; starlette keeps it
    for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
        digest.update(f"{len(name)}:{name}".encode())
        if isinstance(value, StarletteUpload):
            digest.update(f"file:{value.filename or ''}:".encode())
            while chunk := await value.read(64 * 1024):
                digest.update(chunk)
            await value.seek(0)
        else:
            digest.update(f"{len(value)}:{value}".encode())
    return digest.hexdigest().encode()


def response_cipher(request: Request) -> TokenCipher:
    return TokenCipher(get_settings(request).encryption_keys)


def RequirePermission(permission: Permission) -> Any:  # noqa: N802  (reads as a type in signatures)
    """A dependency giving the OrgContext of a caller allowed `permission`; 401/403 otherwise."""

    async def dependency(request: Request, session: Session, principal: CurrentPrincipal) -> OrgContext:
        if principal.org_id is None or principal.role is None:
            raise Forbidden("you are not a member of any organization yet")
        ctx = OrgContext(
            org_id=principal.org_id,
            role=principal.role,
            actor=principal.actor,
            request_id=request_id(request),
            client_ip=client_ip(request),
        )
        if not ctx.can(permission):
            raise Forbidden(f"your role ({ctx.role.value}) does not allow {permission.value}")
        if principal.user.id is not None:
            await honour_idempotency(request, session, ctx.org_id, principal.user.id)
        return ctx

    dependency.__aiostore_permission__ = permission  # type: ignore[attr-defined]
    return Depends(dependency)


def Public(reason: str) -> Any:  # noqa: N802
    """Marks an endpoint that needs no permission (login, health); the route walk test reads it."""

    async def dependency() -> None:
        return None

    dependency.__aiostore_public__ = reason  # type: ignore[attr-defined]
    return Depends(dependency)


def Authenticated() -> Any:  # noqa: N802
    """Any logged-in caller, with or without an org (me, switch org, accept invitation, logout)."""

    async def dependency(request: Request, session: Session, principal: CurrentPrincipal) -> auth.Principal:
        if principal.org_id is not None:
            await honour_idempotency(request, session, principal.org_id, principal.user.id)
        return principal

    dependency.__aiostore_authenticated__ = True  # type: ignore[attr-defined]
    return Depends(dependency)


AsyncDep = Callable[..., Coroutine[Any, Any, Any]]
